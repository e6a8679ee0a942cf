"""Fact-check: Alibaba Cloud claims against the figures Alibaba reported (issue 6)."""
import streamlit as st

from dashboard import charts, data, labels, source, state, widgets

view = widgets.page("Fact-check 核查")
if not data.has_verdicts(view.claims):
    st.info(source.md_escape(view.verdicts_note or "verdicts not available"))
    st.stop()

df = state.filtered(view)
counts = data.verdict_counts(df)
totals = {v: int(counts[v].sum()) for v in labels.VERDICTS}
for col, (v, n) in zip(st.columns(3), totals.items()):
    col.metric(labels.VERDICTS[v], n)

st.subheader("Inconsistent claims 不一致的数据")
bad = data.inconsistent_claims(df)
st.caption("Worst first: the largest difference relative to the reported figure. 按偏差从大到小排列。")
event = st.dataframe(
    bad.select("value_text", "reported_h", "period", "publisher", "published", "verdict_reason",
               source.safe_url_expr("reported_source").alias("reported_source"), "quote").to_arrow(),
    key="factcheck_table", on_select="rerun", selection_mode="single-row", hide_index=True,
    column_config={
        "value_text": "Claimed 报道值", "reported_h": st.column_config.NumberColumn("Reported 财报值", format="%.6g"),
        "period": "Period 期间", "publisher": "Publisher 媒体",
        "published": st.column_config.DateColumn("Published 发布日期", format="YYYY-MM-DD"),
        "verdict_reason": st.column_config.TextColumn("Why 原因", width="large"),
        "reported_source": st.column_config.LinkColumn("Reported source 财报来源"),
        "quote": st.column_config.TextColumn("Quote 原句", width="large"),
    },
)
rows = event["selection"]["rows"]
if rows:
    widgets.source_panel(view, bad["claim_id"][rows[0]], key="factcheck")

st.subheader("By publisher 按媒体")
st.caption("Only Alibaba Cloud figures are checked; rejected claims are left out. 仅统计阿里云数据。")
if counts.height:
    chart = charts.verdict_counts_chart(counts)
    st.altair_chart(chart, key="verdict_counts")
    widgets.chart_downloads(chart, "verdicts_by_publisher", "verdicts")
st.dataframe(counts.to_arrow(), hide_index=True, key="verdict_counts_table",
             column_config={"publisher": "Publisher 媒体", **{v: labels.VERDICTS[v] for v in labels.VERDICTS}})
