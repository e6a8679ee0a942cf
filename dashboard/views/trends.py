"""Trends: one metric over time, every point a claim with its quote; click a point for its source."""
import polars as pl
import streamlit as st

from dashboard import charts, data, labels, source, state, widgets

view = widgets.page("Trends 趋势")
df = state.filtered(view)
metrics = state.metric_options(df)
if not metrics:
    st.info("No claims match the filters. 没有符合筛选条件的数据。")
    st.stop()

c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
metric = c1.selectbox("Metric 指标", metrics, key="trend_metric", format_func=lambda m: labels.label(labels.METRICS, m),
                      index=metrics.index("revenue_growth") if "revenue_growth" in metrics else 0)
df = df.filter(pl.col("metric") == metric)
units = df["unit"].value_counts(sort=True)["unit"].to_list()
unit = c2.radio("Unit 单位", units, key="trend_unit", format_func=labels.human_unit, horizontal=True) if len(units) > 1 else units[0]
x = c3.radio("Time axis 时间轴", list(charts.X_FIELDS), key="trend_x", horizontal=True,
             format_func=lambda k: "Period 期间" if k == "period" else "Published 发布日期")
colour = "series"
if data.has_verdicts(df):
    colour = c4.radio("Colour 颜色", ["series", "verdict"], key="trend_colour", horizontal=True,
                      format_func=lambda k: "Entity 主体" if k == "series" else "Verdict 核查")
else:
    c4.caption(source.md_escape(view.verdicts_note))
df = df.filter(pl.col("unit") == unit)

chart_col, side_col = st.columns([3, 1])
with chart_col:
    chart, mode = charts.trends_chart(df, x=x, colour=colour, reported=view.reported)
    if mode == "points":
        event = st.altair_chart(chart, key="trend_chart", on_select="rerun")
        st.caption("Click a point to see its source. 点击数据点查看来源。")
    else:
        event = None
        st.altair_chart(chart, key="trend_chart_summary")
        st.caption(f"{df.height:,} claims: each dot is the median of a period, the bar its range. "
                   "Narrow the filters to see and click single claims. 数据过多，显示每期中位数与范围。")
    if view.reported is not None and charts.reported_for(view.reported, metric, unit).height and x == "period":
        st.caption(f"Dashed grey line: {charts.REPORTED_LABEL}; it breaks where Alibaba restated its segment.")
    widgets.chart_downloads(chart, f"trends_{metric}", "trends")
with side_col:
    unplaced = data.unknown_period(df, x)
    st.markdown(f"**Not on the chart 未能绘制: {unplaced.height}**")
    st.caption("No period 期间未知" if x == "period" else "No publication date 发布日期未知")
    picked_side = None
    if unplaced.height:
        picked_side = widgets.claims_table(unplaced, key="trend_unplaced", columns=["value_text", "series", "publisher", "period_origin", "quote"])

picked = widgets.selected_point(event) or picked_side
if picked:
    widgets.source_panel(view, picked, key="trends")
