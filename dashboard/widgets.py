"""Streamlit pieces shared by the pages: sidebar filters, a claim's source panel with its review
form, table display and chart downloads. Article text only ever reaches the page through
dashboard.source (html.escape) or as dataframe cells, never as markdown or unescaped HTML."""
from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, data, labels, source, state
from dashboard.reviews import VERDICTS, Correction, ReviewStoreError
from extractors.table import UNITS

MAX_TABLE_ROWS = 5_000  # a browser grid beyond this is unusable; exports carry everything
TABLE_COLUMNS = ["published", "publisher", "metric_label", "entity_label", "product", "value_text",
                 "qualifier_label", "period", "review_status", "quote"]
ACTIONS = {"accept": "Accept 确认", "reject": "Reject 驳回", "correct": "Correct 更正"}
NO_OVERRIDE = "no override 不覆盖"


# ------------------------------------------------------------------------------------ sidebar
def sidebar(view: state.View) -> None:
    """Filters every page applies, and the reviewer's name. Keys live in session_state."""
    opts = view.options
    with st.sidebar:
        st.text_input("Reviewer 审核人", key="reviewer", placeholder="your name 你的名字")
        st.subheader("Filters 筛选")
        st.multiselect("Metric 指标", opts["metric"], key="f_metric", format_func=lambda m: labels.label(labels.METRICS, m),
                       placeholder="all 全部")
        st.multiselect("Entity 主体", opts["entity"], key="f_entity", format_func=lambda e: labels.label(labels.ENTITIES, e),
                       placeholder="all 全部")
        st.multiselect("Product 产品", opts["product"], key="f_product", placeholder="all 全部")
        st.multiselect("Publisher 媒体", opts["publisher"], key="f_publisher", placeholder="all 全部")
        if opts.get("published"):
            st.date_input("Published 发布日期", value=opts["published"], key="f_dates", format="YYYY-MM-DD")
        st.checkbox("Include undated 含无日期", value=True, key="f_undated")
        st.multiselect("Review status 审核状态", list(labels.REVIEW_STATUSES), default=state.DEFAULT_STATUSES,
                       key="f_status", format_func=lambda s: labels.REVIEW_STATUSES[s], placeholder="all 全部")
        st.text_input("Search quotes 搜索原句", key="f_text", placeholder="营收 / 營收 / Qwen")


def page(title: str) -> state.View:
    """Every page starts the same way: the effective table, the title, and any load warnings."""
    view = state.load_view()
    st.title(title)
    for w in view.warnings:
        st.warning(source.md_escape(w))
    return view


# ------------------------------------------------------------------------------------ tables
def claims_table(df: pl.DataFrame, key: str, columns: list[str] | None = None) -> str | None:
    """A selectable table of claims (first MAX_TABLE_ROWS); returns the selected claim_id."""
    cols = list(columns or TABLE_COLUMNS)
    if columns is None and "verdict" in df.columns:
        cols.insert(cols.index("review_status") + 1, "verdict")
    if df.height > MAX_TABLE_ROWS:
        st.caption(f"Showing the first {MAX_TABLE_ROWS:,} of {df.height:,} claims; narrow the filters or export "
                   f"the whole view. 仅显示前 {MAX_TABLE_ROWS:,} 条。")
    shown = df.head(MAX_TABLE_ROWS)
    event = st.dataframe(
        shown.select(cols).to_arrow(),  # arrow keeps dates as dates (no 00:00:00)
        key=key, on_select="rerun", selection_mode="single-row", hide_index=True,
        column_config={c: labels.COLUMNS.get(c, c) for c in cols} | {k: v for k, v in {
            "published": st.column_config.DateColumn(labels.COLUMNS["published"], format="YYYY-MM-DD"),
            "quote": st.column_config.TextColumn(labels.COLUMNS["quote"], width="large")}.items() if k in cols},
    )
    rows = event["selection"]["rows"]
    return shown["claim_id"][rows[0]] if rows else None


# ------------------------------------------------------------------------------------ source panel
def source_panel(view: state.View, claim_id: str, key: str) -> None:
    """Everything about one claim: sentence, context, document, verdict, review history and form."""
    found = view.claims.filter(pl.col("claim_id") == claim_id)
    if not found.height:
        st.info("That claim is not in the table any more (re-extracted or filtered). 该条目已不在表中。")
        return
    c = found.row(0, named=True)
    with st.container(border=True, key=f"source_panel_{key}"):
        st.subheader("Source 来源")
        st.html(source.text_html(" · ".join(x for x in (labels.label(labels.METRICS, c["metric"]),
                                                       labels.label(labels.ENTITIES, c["entity"]), c["product"]) if x)))
        st.html(source.facts_html([
            ("Value 数值", c["value_text"]), ("Qualifier 限定", labels.label(labels.QUALIFIERS, c["qualifier"] or "exact")),
            ("Period 期间", c["period"] or "unknown 未知"), ("Review 审核", labels.label(labels.REVIEW_STATUSES, c["review_status"]))]))
        if c["review_status"] != "unreviewed":  # who decided, when and why, next to the number it changed
            st.html(source.text_html(" · ".join(x for x in (
                f"{labels.label(labels.REVIEW_STATUSES, c['review_status'])}: {c['reviewer']}", (c["reviewed_at"] or "")[:16],
                c["review_note"], c["corrected_fields"]) if x)))
        if c["period"] is None:
            st.caption(f"Period unknown 期间未知 (period_origin: {source.md_escape(c['period_origin'])})")
        _article_context(view, c)
        _document_meta(view, c)
        _verdict(c)
        _review_history(claim_id)
        review_form(c, key)



def _article_context(view: state.View, c: dict) -> None:
    settings = state.settings()
    doc = view.documents.filter(pl.col("doc_id") == c["doc_id"])
    encoding = doc["encoding"][0] if doc.height else None
    path = source.find_article(c["doc_path"], settings.articles_dir)
    number = ""
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
    st.html(source.quote_html(c["quote"] or "", number))
    if path is not None:
        st.caption(f"Context 上下文 (±{source.CONTEXT_CHARS} characters; span {c['span_start']}–{c['span_end']})")
        st.html(source.snippet_html(snip))


def _document_meta(view: state.View, c: dict) -> None:
    doc = view.documents.filter(pl.col("doc_id") == c["doc_id"])
    d = doc.row(0, named=True) if doc.height else {}
    rows = [
        ("Title 标题", c["title"], d.get("title_origin")),
        ("Publisher 媒体", c["publisher"], d.get("publisher_origin")),
        ("Published 发布日期", str(c["published"] or "unknown 未知"), f"{c['published_origin']}, {c['published_precision'] or '—'}"),
        ("URL 链接", c["url"], None),
        ("File 文件", c["doc_path"], f"doc_id {c['doc_id']}"),
        ("Cited source 引用来源", c["cited_source"], None),
        ("Extracted by 提取规则", f"{c['rule_id']} ({c['extractor_version']})", None),
    ]
    st.html(source.table_html(rows))
    url = source.safe_url(c["url"])
    if url:
        st.link_button("Open the article 打开原文", url)


def _verdict(c: dict) -> None:
    if c.get("verdict") is None:
        return
    text = (f"Verdict 核查: {labels.label(labels.VERDICTS, c['verdict'])}"
            + (f" · reported 财报 {c['reported_value']:,.6g}" if c.get("reported_value") is not None else ""))
    (st.error if c["verdict"] == "inconsistent" else st.success if c["verdict"] == "consistent" else st.info)(text)
    st.html(source.text_html(c.get("verdict_reason")))
    for url in (c.get("reported_source") or "").split():
        if source.safe_url(url):
            st.link_button("Reported source 财报来源", source.safe_url(url))


def _review_history(claim_id: str) -> None:
    history = state.store(str(state.settings().reviews_db)).history(claim_id)
    if history.height:
        st.caption("Review history 审核记录 (oldest first; the latest applies)")
        st.dataframe(history.select("created_at", "reviewer", "action", "value", "unit", "period", "entity", "product", "verdict",
                                    "note").to_arrow(),
                     hide_index=True, key=f"history_{claim_id}")


# ------------------------------------------------------------------------------------ review form
def review_form(c: dict, key: str) -> None:
    k = f"{key}_{c['claim_id']}"
    st.caption("Record a decision 记录审核")
    action = st.radio("Decision 决定", list(ACTIONS), format_func=ACTIONS.get, horizontal=True, key=f"rv_action_{k}")
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
        cols[1].text_input("Entity 主体", value=c["entity"] or "", key=f"rv_entity_{k}")
        cols[2].text_input("Product 产品 (blank = none)", value=c["product"] or "", key=f"rv_product_{k}")
    if action != "reject":  # a rejected claim is not counted, so it takes no verdict
        choices, current = [None, *VERDICTS], c.get("verdict_override")  # start at the override in force: kept unless changed
        st.selectbox("Verdict 核查结论", choices, index=choices.index(current) if current in choices else 0,
                     format_func=lambda v: NO_OVERRIDE if v is None else labels.label(labels.VERDICTS, v), key=f"rv_verdict_{k}",
                     help="Overrides the computed verdict while this is the claim's latest decision. 覆盖自动核查结论。")
    st.text_input("Note 备注", key=f"rv_note_{k}")
    st.button("Record decision 记录审核", key=f"rv_submit_{k}", type="primary", on_click=_record, args=(c, k))
    msg = st.session_state.pop(f"rv_msg_{k}", None)
    if msg:
        (st.success if msg[0] == "ok" else st.error)(source.md_escape(msg[1]))


def _record(c: dict, k: str) -> None:
    """Runs before the rerun, so the page that follows already shows the decision."""
    ss = st.session_state
    action = ss.get(f"rv_action_{k}")
    try:
        correction = None
        if action == "correct":
            unit = ss[f"rv_unit_{k}"]
            high = (ss.get(f"rv_high_{k}") or "").strip()
            try:
                high_value = labels.to_canonical(float(high), unit) if high else None
            except ValueError:
                raise ReviewStoreError(f"upper end {high!r} is not a number") from None
            correction = Correction(value=labels.to_canonical(ss[f"rv_value_{k}"], unit), unit=unit,
                                    entity=ss.get(f"rv_entity_{k}") or "", period=ss.get(f"rv_period_{k}"),
                                    product=ss.get(f"rv_product_{k}"), value_high=high_value)
        state.store(str(state.settings().reviews_db)).record(
            c["claim_id"], action, ss.get("reviewer") or "", ss.get(f"rv_note_{k}") or "",
            correction=correction, snapshot=data.claim_snapshot(c),
            verdict=ss.get(f"rv_verdict_{k}") if action != "reject" else None)
        ss[f"rv_msg_{k}"] = ("ok", f"Recorded: {ACTIONS[action]} 已记录")
    except ReviewStoreError as e:
        ss[f"rv_msg_{k}"] = ("error", str(e))


# ------------------------------------------------------------------------------------ chart export
def chart_downloads(chart, name: str, key: str) -> None:
    """PNG and SVG of a chart, rendered only when clicked (vl-convert, no browser, offline)."""
    cols = st.columns([1, 1, 6])
    cols[0].download_button("PNG", data=lambda: charts.chart_png(chart), file_name=f"{name}.png", mime="image/png",
                            key=f"png_{key}", on_click="ignore", icon=":material/download:")
    cols[1].download_button("SVG", data=lambda: charts.chart_svg(chart), file_name=f"{name}.svg", mime="image/svg+xml",
                            key=f"svg_{key}", on_click="ignore", icon=":material/download:")


def selected_point(event, field: str = "claim_id") -> str | None:
    """The claim picked on a chart; works with the browser's VegaLiteState and AppTest's dict."""
    if not event:
        return None
    picked = (event["selection"] or {}).get(charts.PICK) or []
    return picked[0].get(field) if picked else None
