"""Streamlit pieces shared by the pages: sidebar filters, the page header (what the filters hide, the
last review recorded), claim tables, a claim's source panel with its review form, and chart downloads.
Article text only ever reaches the page through dashboard.source (html.escape) or as dataframe cells,
never as markdown or unescaped HTML."""
from __future__ import annotations

import datetime as dt
import json
import urllib.parse

import polars as pl
import streamlit as st

from dashboard import charts, decisions, display, filters, labels, source, state
from dashboard.reviews import VERDICTS, Correction, ReviewStoreError
from extractors.calendar import fiscal_label, parse_quarter
from extractors.table import UNITS

MAX_TABLE_ROWS = 5_000  # a browser grid beyond this is unusable; exports carry everything
# Evidence first: the sentence and the number, its period and the checks (all on screen at 1440 px wide),
# then what it is about and where it came from.
TABLE_COLUMNS = ["quote_shown", "value_text", "period", "verdict_label", "review_label", "metric_label", "series",
                 "publisher_label", "published"]
WIDTHS = {"quote_shown": 300, "value_text": 110, "period": 75, "verdict_label": 125, "review_label": 115, "metric_label": 150,
          "series": 170, "publisher_label": 140, "published": 95, "verdict_reason": "large", "reported_text": 110}
NO_OVERRIDE = "no override 不覆盖"
NO_PRODUCT = "(none 无)"
NEED_NAME = "Enter your name as Reviewer 审核人 in the sidebar first. 请先在侧栏填写审核人姓名。"
SHORTCUTS = {"accept": "A", "reject": "X", "next": "N"}  # C and R are Streamlit's own


# ------------------------------------------------------------------------------------ sidebar
def sidebar(view: state.View) -> None:
    """Filters every page applies, and the reviewer's name. Values live in session_state (seeded from the
    URL by state.start_session), so no widget here is given a default of its own."""
    opts = view.options
    ss = st.session_state
    for key, col in (("f_metric", "metric"), ("f_entity", "entity"), ("f_product", "product"), ("f_publisher", "publisher")):
        ss[key] = [v for v in ss.get(key) or [] if v in opts[col]]  # a link from another corpus may name others
    with st.sidebar:
        st.text_input("Reviewer 审核人", key="reviewer", placeholder="your name 你的名字", on_change=_remember_reviewer)
        _write_reviewer_cookie()
        st.subheader("Filters 筛选")
        st.multiselect("Metric 指标", opts["metric"], key="f_metric", format_func=lambda m: labels.label(labels.METRICS, m),
                       placeholder="all 全部")
        st.multiselect("Entity 主体", opts["entity"], key="f_entity", format_func=lambda e: labels.label(labels.ENTITIES, e),
                       placeholder="all 全部")
        st.multiselect("Product 产品", opts["product"], key="f_product", format_func=lambda p: labels.label(labels.PRODUCTS, p),
                       placeholder="all 全部")
        st.multiselect("Publisher 媒体", opts["publisher"], key="f_publisher", placeholder="all 全部")
        if opts.get("published"):
            st.date_input("Published 发布日期", key="f_dates", format="YYYY-MM-DD",
                          min_value=min(opts["published"][0], *(ss.get("f_dates") or ())[:1]) - dt.timedelta(days=3650),
                          max_value=max(opts["published"][1], *(ss.get("f_dates") or ())[1:2]) + dt.timedelta(days=3650))
        st.checkbox("Include undated 含无日期", key="f_undated")
        st.multiselect("Review status 审核状态", list(labels.REVIEW_STATUSES), key="f_status",
                       format_func=lambda s: labels.REVIEW_STATUSES[s], placeholder="all 全部")
        st.text_input("Search quotes 搜索原句", key="f_text", placeholder="营收 / 營收 / Qwen")
        st.button("Clear filters 清除筛选", key="clear_filters", on_click=state.clear_filters, width="stretch")


def _remember_reviewer() -> None:
    st.session_state["_reviewer_cookie"] = st.session_state.get("reviewer") or ""


def _write_reviewer_cookie() -> None:
    """The reviewer's name kept in this browser (a cookie, read back by state.start_session after a
    reload), not in the URL: a shared link must not sign decisions with someone else's name."""
    name = st.session_state.pop("_reviewer_cookie", None)
    if name is None:
        return
    value = json.dumps(urllib.parse.quote(name.strip())).replace("<", "\\u003c")  # ours, escaped: no markup from input
    st.html(f"<script>document.cookie = '{state.REVIEWER_COOKIE}=' + {value} + '; path=/; max-age=31536000; SameSite=Strict';</script>",
            unsafe_allow_javascript=True)


def page(title: str, view: state.View | None = None) -> state.View:
    """Every page starts the same way: the effective table, the title, load warnings, the decision just
    recorded, and how many claims the filters hide (with a way to show them)."""
    view = view or state.load_view()
    st.title(title)
    for w in view.warnings:
        st.warning(source.md_escape(w))
    flash = st.session_state.pop("_flash", None)
    if flash:
        (st.success if flash[0] == "ok" else st.error)(source.md_escape(flash[1]))
    hidden, why = filters.hidden_from(state.conditions(view))
    if hidden:
        reasons = ", ".join(f"{labels.FILTERS[k]} {n}" for k, n in why.items())
        c1, c2 = st.columns([5, 1], vertical_alignment="center")
        c1.caption(f"The filters hide {hidden:,} of {view.claims.height:,} claims ({reasons}). "
                   f"筛选条件隐藏了 {hidden:,} 条数据。")
        c2.button("Clear filters 清除筛选", key="clear_filters_page", on_click=state.clear_filters)
    return view


# ------------------------------------------------------------------------------------ tables
def table_frame(df: pl.DataFrame, cols: list[str], links: tuple[str, ...] = ("url",)) -> pl.DataFrame:
    """The columns as shown: empty text cells as —, never "None" (links stay empty: no link to nowhere)."""
    text = [c for c in cols if df.schema[c] == pl.String and c not in links]
    return df.select(cols).with_columns(pl.col(text).fill_null("—"))


def column_config(cols: list[str]) -> dict:
    """Bilingual headers and widths that keep the evidence on screen."""
    config = {}
    for c in cols:
        title, width = labels.COLUMNS.get(c, c), WIDTHS.get(c)
        if c == "published":
            config[c] = st.column_config.DateColumn(title, format="YYYY-MM-DD", width=width)
        else:
            config[c] = st.column_config.TextColumn(title, width=width) if width else title
    return config


def claims_table(df: pl.DataFrame, key: str, columns: list[str] | None = None, multi: bool = False) -> list[str]:
    """A selectable table of claims (first MAX_TABLE_ROWS); returns the selected claim_ids."""
    if df.height > MAX_TABLE_ROWS:
        st.caption(f"Showing the first {MAX_TABLE_ROWS:,} of {df.height:,} claims; narrow the filters or export "
                   f"the whole view. 仅显示前 {MAX_TABLE_ROWS:,} 条。")
    shown = display.complete(df.head(MAX_TABLE_ROWS))
    cols = [c for c in (columns or TABLE_COLUMNS) if c in shown.columns]
    event = st.dataframe(
        table_frame(shown, cols).to_arrow(),  # arrow keeps dates as dates (no 00:00:00)
        key=key, on_select="rerun", selection_mode="multi-row" if multi else "single-row", hide_index=True,
        column_config=column_config(cols),
    )
    return [shown["claim_id"][i] for i in event["selection"]["rows"]]


# ------------------------------------------------------------------------------------ source panel
def source_panel(view: state.View, claim_id: str, key: str, queue: list[str] | None = None) -> None:
    """Everything about one claim: sentence, context, verdict, document, all fields, review history and
    form. `queue` (the Review page): the claims after this one, for the next-claim shortcut."""
    found = state.with_reasons(view, view.claims.filter(pl.col("claim_id") == claim_id))
    if not found.height:
        st.info("That claim is not in the table any more (re-extracted or filtered). 该条目已不在表中。")
        return
    c = found.row(0, named=True)
    with st.container(border=True, key=f"source_panel_{key}"):
        st.subheader("Source 来源")
        st.html(source.text_html(" · ".join(x for x in (c["metric_label"], c["entity_label"], c["product"] and c["product_label"]) if x)))
        facts = [("Value 数值", c["value_text"]), ("Qualifier 限定", c["qualifier_label"]), ("Period 期间", period_text(c["period"])),
                 ("Review 审核", c["review_label"])]
        if "verdict_label" in c:
            facts.append(("Verdict 核查", c["verdict_label"]))
        st.html(source.facts_html(facts))
        if c["review_status"] != "unreviewed":  # who decided, when and why, next to the number it changed
            st.html(source.text_html(" · ".join(x for x in (
                f"{c['review_label']}: {c['reviewer']}", display.local_time(c["reviewed_at"]),
                c["review_note"], c["corrected_fields"]) if x)))
        if c["period"] is None:
            st.caption(f"Period unknown 期间未知 (period_origin: {source.md_escape(c['period_origin'])})")
        _article_context(view, c)
        _verdict(c)
        _document_meta(view, c)
        with st.expander("All fields 全部字段 (keys and base units, as exported)"):
            from dashboard.export import export_columns

            st.html(source.table_html([(k, "—" if c.get(k) is None else str(c.get(k)), None) for k in export_columns(found)
                                       if k in c]))
        _review_history(claim_id)
        review_form(c, key, queue)


def period_text(period: str | None) -> str:
    """2024Q2 -> '2024Q2 (FY2025Q1)': both labels analysts meet; other periods as they are."""
    if not period:
        return "unknown 未知"
    return f"{period} ({fiscal_label(period)})" if parse_quarter(period) else period


def _article_context(view: state.View, c: dict) -> None:
    settings = state.settings()
    doc = view.documents.filter(pl.col("doc_id") == c["doc_id"])
    encoding = doc["encoding"][0] if doc.height else None
    path = source.find_article(c["doc_path"], settings.articles_dir)
    number, snip = "", None
    if path is None:
        st.warning(f"Article file not found: {source.md_escape(c['doc_path'])} — showing the stored quote only. 找不到原文。")
    else:
        article = source.read_article(path, encoding, c["doc_id"])
        if article.changed:
            st.warning("The file changed since this claim was extracted; the context may be off. "
                       "Re-run `cloudclaims extract`. 原文已改动。")
        snip = source.snippet(article.text, c["span_start"], c["span_end"])
        number = snip.number
    st.caption("Sentence 原句")
    st.html(source.quote_html(c["quote_shown"] or c["quote"] or "", number))
    if snip is not None:
        st.caption(f"Context 上下文 (±{source.CONTEXT_CHARS} characters; span {c['span_start']}–{c['span_end']}; "
                   "pinyin and mojibake removed for reading 已去除拼音注音与乱码)")
        st.html(source.snippet_html(source.cleaned(snip)))


def _document_meta(view: state.View, c: dict) -> None:
    doc = view.documents.filter(pl.col("doc_id") == c["doc_id"])
    d = doc.row(0, named=True) if doc.height else {}
    rows = [
        ("Title 标题", c["title"], d.get("title_origin")),
        ("Publisher 媒体", c["publisher"], d.get("publisher_origin")),
        ("Published 发布日期", str(c["published"] or "unknown 未知"), f"{c['published_origin']}, {c['published_precision'] or '—'}"),
        ("URL 链接", c["url"], None),
        ("File 文件", c["doc_path"], None),
        ("Cited source 引用来源", c["cited_source"], None),
        ("Extracted by 提取规则", f"{c['rule_id']} ({c['extractor_version']})", None),
    ]
    st.html(source.table_html(rows))
    url = source.safe_url(c["url"])
    if url:
        st.link_button("Open the article 打开原文", url)


def _verdict(c: dict) -> None:
    if "verdict_label" not in c:
        return
    reported = f" · reported 财报 {c['reported_text']}" if c.get("reported_text") else ""
    text = f"Verdict 核查: {c['verdict_label']}{reported}"
    (st.error if c["verdict"] == "inconsistent" else st.success if c["verdict"] == "consistent" else st.info)(source.md_escape(text))
    st.html(source.text_html(c.get("verdict_reason")))
    if c.get("reported_source_label"):
        st.html(source.table_html([("Reported source 财报来源", c["reported_source_label"], None),
                                   ("Segment basis 分部口径", c.get("reported_basis_label"), None)]))
    for url in (c.get("reported_source") or "").split():
        if source.safe_url(url):
            st.link_button("Reported source 财报来源", source.safe_url(url))


def _review_history(claim_id: str) -> None:
    history = state.store(str(state.settings().reviews_db)).history(claim_id)
    if history.height:
        st.caption("Review history 审核记录 (oldest first; the latest applies)")
        st.dataframe(decision_log(history).drop("Claim 数据").to_arrow(), hide_index=True, key=f"history_{claim_id}")


def decision_log(history: pl.DataFrame) -> pl.DataFrame:
    """Decisions as a reader wants them: local time to the minute, words for actions and verdicts, the
    correction in human units, and what the claim was (from its snapshot)."""
    snap = [json.loads(s) if s else {} for s in history["claim_snapshot"].to_list()]
    what = [" · ".join(x for x in (labels.label(labels.METRICS, s.get("metric")), labels.value_text(s.get("value"), s.get("unit")),
                                   s.get("period"), (s.get("quote") or "")[:40]) if x and x != "—") for s in snap]
    return history.select(
        display.local_times("created_at").alias("When 时间"),
        pl.col("reviewer").alias("Reviewer 审核人"),
        pl.col("action").replace_strict(labels.ACTIONS, default=pl.col("action"), return_dtype=pl.String).alias("Decision 决定"),
        pl.Series("Claim 数据", what, dtype=pl.String),
        pl.when(pl.col("action") == "correct").then(display.value_text("value", "value_high", "unit")).alias("Corrected value 更正值"),
        pl.col("period").alias("Corrected period 更正期间"),
        pl.col("verdict").replace_strict(labels.VERDICTS, default=pl.col("verdict"), return_dtype=pl.String).alias("Verdict set 核查结论"),
        pl.col("note").alias("Note 备注"),
    ).with_columns(pl.col(pl.String).fill_null("—"))


def orphan_log(orphans: pl.DataFrame) -> pl.DataFrame:
    """Reviews whose claim is gone, as a reader wants them: when, who, what was decided about which claim
    (metric, quote and file from the snapshot), and the claim's id last, to find it again."""
    return orphans.select(
        display.local_times("created_at").alias("When 时间"),
        pl.col("reviewer").alias("Reviewer 审核人"),
        pl.col("action").replace_strict(labels.ACTIONS, default=pl.col("action"), return_dtype=pl.String).alias("Decision 决定"),
        pl.col("was_metric").replace_strict(labels.METRICS, default=pl.col("was_metric"), return_dtype=pl.String).alias("Metric 指标"),
        pl.col("was_quote").alias("Quote then 当时原句"),
        pl.col("was_doc_path").alias("File 文件"),
        pl.col("note").alias("Note 备注"),
        pl.col("claim_id").alias("Claim id 数据编号"),
    ).with_columns(pl.col(pl.String).fill_null("—"))


# ------------------------------------------------------------------------------------ review form
def review_form(c: dict, key: str, queue: list[str] | None = None) -> None:
    k = f"{key}_{c['claim_id']}"
    st.caption("Record a decision 记录审核")
    action = st.radio("Decision 决定", list(labels.ACTIONS), format_func=labels.ACTIONS.get, horizontal=True, key=f"rv_action_{k}")
    if action == "correct":
        cols = st.columns(3)
        unit = cols[0].selectbox("Unit 单位", UNITS, index=UNITS.index(c["unit"]) if c["unit"] in UNITS else 0, key=f"rv_unit_{k}")
        cols[1].number_input(f"Value 数值 ({labels.human_unit(unit)})", value=labels.to_human(c["value"], c["unit"]),
                             format="%.6g", key=f"rv_value_{k}")
        cols[2].text_input(f"Upper end 上限 ({labels.human_unit(unit)}), blank if none",
                           value="" if c["value_high"] is None else f"{labels.to_human(c['value_high'], c['unit']):.6g}",
                           key=f"rv_high_{k}")
        cols = st.columns(3)
        cols[0].text_input("Period 期间 (2023Q1, 2022, FY2024, 2024-05; blank = unknown)", value=c["period"] or "", key=f"rv_period_{k}")
        entities = list(dict.fromkeys([*labels.ENTITIES, *([c["entity"]] if c["entity"] else [])]))
        cols[1].selectbox("Entity 主体", entities, index=entities.index(c["entity"]) if c["entity"] in entities else 0,
                          format_func=lambda e: labels.label(labels.ENTITIES, e), key=f"rv_entity_{k}")
        products = list(dict.fromkeys([NO_PRODUCT, *labels.PRODUCTS, *([c["product"]] if c["product"] else [])]))
        cols[2].selectbox("Product 产品", products, index=products.index(c["product"] or NO_PRODUCT),
                          format_func=lambda p: p if p == NO_PRODUCT else labels.label(labels.PRODUCTS, p), key=f"rv_product_{k}")
    if action != "reject":  # a rejected claim is not counted, so it takes no verdict
        choices, current = [None, *VERDICTS], c.get("verdict_override")  # start at the override in force: kept unless changed
        st.selectbox("Verdict 核查结论", choices, index=choices.index(current) if current in choices else 0,
                     format_func=lambda v: NO_OVERRIDE if v is None else labels.label(labels.VERDICTS, v), key=f"rv_verdict_{k}",
                     help="Overrides the computed verdict while this is the claim's latest decision. 覆盖自动核查结论。")
    st.text_input("Note 备注", key=f"rv_note_{k}")
    after = _next_in(queue, c["claim_id"])
    st.button("Record decision 记录审核", key=f"rv_submit_{k}", type="primary", on_click=_record, args=(c, k, None, after))
    if queue is not None:  # the Review page: one key per decision, and the next claim
        cols = st.columns(3)
        cols[0].button(labels.ACTIONS["accept"], key=f"rv_quick_accept_{k}", shortcut=SHORTCUTS["accept"],
                       on_click=_record, args=(c, k, "accept", after), help="Accept as extracted 按提取结果确认")
        cols[1].button(labels.ACTIONS["reject"], key=f"rv_quick_reject_{k}", shortcut=SHORTCUTS["reject"],
                       on_click=_record, args=(c, k, "reject", after), help="Reject: not a claim, or wrong 驳回")
        cols[2].button("Next 下一条", key=f"rv_next_{k}", shortcut=SHORTCUTS["next"], disabled=after is None,
                       on_click=st.session_state.__setitem__, args=("review_cursor", after), help="Skip to the next claim 跳过")


def _next_in(queue: list[str] | None, claim_id: str) -> str | None:
    if not queue or claim_id not in queue:
        return None
    i = queue.index(claim_id)
    return queue[i + 1] if i + 1 < len(queue) else None


def what_was_recorded(action: str, c: dict) -> str:
    """The confirmation after a decision: what was decided about which claim."""
    quote = (c.get("quote_shown") or c.get("quote") or "").strip()
    quote = quote if len(quote) <= 60 else quote[:60] + "…"
    about = " · ".join(x for x in (c.get("metric_label"), c.get("value_text"), c.get("period") or "period unknown 期间未知",
                                   c.get("publisher_label")) if x)
    return f"Recorded 已记录: {labels.ACTIONS[action]} — {about} — “{quote}”"


def _record(c: dict, k: str, action: str | None = None, after: str | None = None) -> None:
    """Runs before the rerun, so the page that follows already shows the decision and says what it was."""
    ss = st.session_state
    action = action or ss.get(f"rv_action_{k}")
    if not (ss.get("reviewer") or "").strip():
        ss["_flash"] = ("error", NEED_NAME)
        return
    try:
        correction = None
        if action == "correct":
            unit = ss[f"rv_unit_{k}"]
            high = (ss.get(f"rv_high_{k}") or "").strip()
            try:
                high_value = labels.to_canonical(float(high), unit) if high else None
            except ValueError:
                raise ReviewStoreError(f"upper end {high!r} is not a number 上限不是数字") from None
            product = ss.get(f"rv_product_{k}")
            correction = Correction(value=labels.to_canonical(ss[f"rv_value_{k}"], unit), unit=unit,
                                    entity=ss.get(f"rv_entity_{k}") or "", period=ss.get(f"rv_period_{k}"),
                                    product=None if product == NO_PRODUCT else product, value_high=high_value)
        state.store(str(state.settings().reviews_db)).record(
            c["claim_id"], action, ss.get("reviewer") or "", ss.get(f"rv_note_{k}") or "",
            correction=correction, snapshot=decisions.claim_snapshot(c),
            verdict=ss.get(f"rv_verdict_{k}") if action != "reject" else None)
        ss["_flash"] = ("ok", what_was_recorded(action, c))
        ss["review_round"] = ss.get("review_round", 0) + 1  # a fresh queue table: no stale selection
        if after is not None:
            ss["review_cursor"] = after
    except ReviewStoreError as e:
        ss["_flash"] = ("error", str(e))


def bulk_accept(rows: pl.DataFrame) -> None:
    """Accept every selected claim as extracted, one decision each; says how many were recorded."""
    ss = st.session_state
    if not (ss.get("reviewer") or "").strip():
        ss["_flash"] = ("error", NEED_NAME)
        return
    store = state.store(str(state.settings().reviews_db))
    done = 0
    try:
        for c in rows.iter_rows(named=True):
            store.record(c["claim_id"], "accept", ss["reviewer"], ss.get("bulk_note") or "", snapshot=decisions.claim_snapshot(c))
            done += 1
        ss["_flash"] = ("ok", f"Recorded 已记录: {labels.ACTIONS['accept']} × {done} — " +
                        "; ".join(f"{c['metric_label']} {c['value_text']}" for c in display.complete(rows.head(5)).iter_rows(named=True))
                        + (" …" if rows.height > 5 else ""))
    except ReviewStoreError as e:
        ss["_flash"] = ("error", f"{done} recorded, then: {e}")
    ss["review_round"] = ss.get("review_round", 0) + 1


# ------------------------------------------------------------------------------------ charts
def chart_downloads(chart, name: str, key: str, sources: str) -> None:
    """The one download path of a chart: PNG and SVG with its title and source line (`sources`) plus the
    date of export, rendered only when clicked (vl-convert, no browser, offline)."""
    stamped = f"{sources}, exported {dt.date.today().isoformat()} 导出"
    row = st.container(horizontal=True)  # buttons as wide as their labels, at any window width
    row.download_button("PNG", data=lambda: charts.chart_png(chart, stamped), file_name=f"{name}.png", mime="image/png",
                            key=f"png_{key}", on_click="ignore", icon=":material/download:")
    row.download_button("SVG", data=lambda: charts.chart_svg(chart, stamped), file_name=f"{name}.svg", mime="image/svg+xml",
                            key=f"svg_{key}", on_click="ignore", icon=":material/download:")


def selected_claims(event) -> list[str]:
    """The claims of the mark picked on a chart; works with the browser's VegaLiteState and AppTest's dict."""
    if not event:
        return []
    picked = (event["selection"] or {}).get(charts.PICK) or []
    return picked[0].get("claim_ids", "").split() if picked else []
