"""Fact-check: Alibaba Cloud claims against the figures Alibaba reported: inconsistent ones worst first,
unverifiable ones grouped by why, and apart from both the claims no reference can check."""
import polars as pl
import streamlit as st

from dashboard import charts, checks, decisions, labels, source, state, widgets

view = widgets.page("Fact-check 核查")
if not decisions.has_verdicts(view.claims):
    st.info(source.md_escape(view.verdicts_note or "verdicts not available"))
    st.stop()

df = state.filtered(view)
totals = checks.totals(df)
# The reasons are written for the claims listed below only (the view leaves them out).
listed = state.with_reasons(view, df.filter(pl.col("verdict").is_in(["inconsistent", "unverifiable"])))
for col, (v, n) in zip(st.columns(4), totals.items()):
    col.metric(labels.VERDICTS.get(v, labels.NOT_CHECKABLE), n)
st.caption("Consistent, inconsistent and unverifiable count Alibaba Cloud figures the reference covers (revenue, "
           "growth, adjusted EBITA). Not checkable: claims no reference can check (other companies, market share, "
           "price cuts, products), counted apart. Rejected claims are left out. 仅核查阿里云营收、增速与经调整EBITA。")

COLUMNS = {"value_text": "Claimed 报道值", "reported_text": "Reported 财报值", "period": "Period 期间",
           "verdict_reason": st.column_config.TextColumn("Why 原因", width="large"),
           "reported_source_label": st.column_config.TextColumn("Reported source 财报来源", width="medium"),
           "publisher_label": "Publisher 媒体", "metric_label": "Metric 指标",
           "published": st.column_config.DateColumn("Published 发布日期", format="YYYY-MM-DD"),
           "quote_shown": st.column_config.TextColumn("Quote 原句", width="large")}


def table(rows: pl.DataFrame, key: str, cols: list[str]) -> str | None:
    cols = [c for c in cols if c in rows.columns]
    event = st.dataframe(widgets.table_frame(rows, cols).to_arrow(), key=key, on_select="rerun", selection_mode="single-row",
                         hide_index=True, column_config={c: COLUMNS.get(c, c) for c in cols})
    picked = event["selection"]["rows"]
    return rows["claim_id"][picked[0]] if picked else None


st.subheader("Inconsistent claims 不一致的数据")
bad = checks.inconsistent_claims(listed)
st.caption("Worst first: the largest difference relative to the reported figure. 按偏差从大到小排列。" if bad.height else
           "None under the current filters: every checkable claim matches Alibaba's figure or cannot be verified. 无。")
picked = table(bad, "factcheck_table", ["value_text", "reported_text", "period", "verdict_reason", "reported_source_label",
                                        "publisher_label", "published", "quote_shown"])

st.subheader("Unverifiable claims, by why 无法核实的数据（按原因）")
unverifiable = checks.unverifiable_claims(listed)
if not unverifiable.height:
    st.caption("None under the current filters. 无。")
for group in unverifiable["reason_group"].unique(maintain_order=True).to_list():
    rows = unverifiable.filter(pl.col("reason_group") == group)
    with st.expander(f"{labels.label(labels.REASON_GROUPS, group)}: {rows.height}", expanded=rows.height <= 5):
        picked = table(rows, f"unverifiable_{group}", ["quote_shown", "value_text", "verdict_reason", "period", "metric_label",
                                                       "publisher_label"]) or picked

unchecked = checks.not_checkable_counts(df)
st.subheader(f"Not checkable 不可核查: {totals[checks.NOT_CHECKABLE]}")
if unchecked.height:
    st.caption("No reported figure exists for these: " + "; ".join(
        f"{r['metric_label']} · {r['entity_label']} {r['claims']}" for r in unchecked.iter_rows(named=True)))
if picked:
    widgets.source_panel(view, picked, key="factcheck")

st.subheader("By publisher 按媒体")
counts = checks.verdict_counts(df)
if counts.height:
    sources = charts.source_line(df.filter(pl.col("verdict").is_not_null()))
    chart = charts.verdict_counts_chart(counts, title="Verdicts by publisher 各媒体核查结果", subtitle=sources)
    st.altair_chart(chart, key="verdict_counts", theme=None)
    widgets.chart_downloads(chart, "verdicts_by_publisher", "verdicts", sources)
st.dataframe(counts.to_arrow(), hide_index=True, key="verdict_counts_table",
             column_config={"publisher": "Publisher 媒体", **{v: labels.VERDICTS[v] for v in labels.VERDICTS}})
