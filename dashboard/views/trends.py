"""Trends: one metric over time, of one period granularity; every mark is a claim (or identical claims)
with its quote; click a mark for its source."""
import polars as pl
import streamlit as st

from dashboard import charts, decisions, display, labels, state, widgets

view = widgets.page("Trends 趋势")
shown = state.shown_mask(view)  # one metric is drawn: only its claims are gathered from the whole table
metrics = state.metric_options(view.claims.select(pl.col("metric").filter(shown)))
if not metrics:
    st.info("No claims match the filters. 没有符合筛选条件的数据。")
    st.stop()

ss = st.session_state
if ss.get("trend_metric") not in metrics:
    ss["trend_metric"] = "revenue_growth" if "revenue_growth" in metrics else metrics[0]
c1, c2, c3 = st.columns([3, 3, 4])
metric = c1.selectbox("Metric 指标", metrics, key="trend_metric", format_func=lambda m: labels.label(labels.METRICS, m))
keys = charts.trend_keys(view.claims, shown, metric)  # whole rows are gathered for what is drawn and listed
if ss.get("trend_x") not in charts.X_FIELDS:
    ss["trend_x"] = "period"
x = c2.radio("Time axis 时间轴", list(charts.X_FIELDS), key="trend_x", horizontal=True,
             format_func=lambda k: "Period 期间" if k == "period" else "Published 发布日期")
colour = "series"
if decisions.has_verdicts(view.claims):
    if ss.get("trend_colour") not in ("series", "verdict"):
        ss["trend_colour"] = "series"
    colour = c3.radio("Colour 颜色", ["series", "verdict"], key="trend_colour", horizontal=True,
                      format_func=lambda k: "Entity / product 主体/产品" if k == "series" else "Verdict 核查")
else:
    c3.caption(view.verdicts_note or "")

c4, c5, c6 = st.columns([6, 2, 2])
units = keys["unit"].value_counts(sort=True)["unit"].to_list()
if ss.get("trend_unit") not in units:
    ss["trend_unit"] = units[0]
unit = c5.radio("Unit 单位", units, key="trend_unit", format_func=labels.human_unit) if len(units) > 1 else units[0]
keys = keys.filter(pl.col("unit") == unit)
# Yearly figures (775.9亿) and quarterly ones are not drawn on one axis: one granularity at a time.
present = keys["granularity"].drop_nulls().value_counts(sort=True)["granularity"].to_list()
grans = [g for g in labels.GRANULARITIES if g in present]
if ss.get("trend_gran") not in grans and grans:
    ss["trend_gran"] = "quarter" if "quarter" in grans else present[0]  # else the most common
gran = c4.radio("Periods 期间粒度", grans, key="trend_gran", horizontal=True, format_func=labels.GRANULARITIES.get) if grans else None
log = c6.checkbox("Log scale 对数刻度", key="trend_log") if unit in ("CNY", "USD") else False

placed = display.complete(view.claims[keys.filter(pl.col("granularity") == gran)["row"]] if gran else view.claims.clear())
others = keys.filter(pl.col("granularity").is_not_null() & (pl.col("granularity") != (gran or "")))
title = f"{labels.label(labels.METRICS, metric)} ({labels.human_unit(unit)}) · {labels.GRANULARITIES.get(gran, '')}"
sources = charts.source_line(placed)
chart, mode = charts.trends_chart(
    placed, x=x, colour=colour, reported=view.reported, granularity=gran, log=log,
    markers=charts.markers(view.reference, x) if metric in charts.FINANCIAL else None, title=title, subtitle=sources)
if mode == "points":
    event = st.altair_chart(chart, key="trend_chart", on_select="rerun", selection_mode=[charts.PICK], theme=None)
    st.caption("Click a mark for its source (a number beside a mark: that many identical claims). Scroll to zoom the time "
               "axis, drag to pan, double-click to reset; click a legend entry to hide that series. "
               "点击数据点查看来源；滚轮缩放、拖动平移、双击复原；点击图例隐藏该系列。")
else:
    event = None
    st.altair_chart(chart, key="trend_chart_summary", theme=None)
    st.caption(f"{placed.height:,} claims: each dot is the median of a period, the bar its range. "
               "Narrow the filters to see and click single claims. 数据过多，显示每期中位数与范围。")
notes = []
if view.reported is not None and x == "period" and gran == "quarter" and charts.reported_for(view.reported, metric, unit).height:
    notes.append(f"Dashed grey line: {charts.REPORTED_LABEL}; it breaks where Alibaba restated its segment (purple marks); "
                 "its tooltip gives each figure's source, how far to trust it and the segment basis.")
if metric in charts.FINANCIAL and x == "published":
    notes.append("Blue bands: the months Alibaba published each quarter's results (month only; the exact day is not in the reference).")
if others.height:
    kinds = ", ".join(labels.GRANULARITIES[g] for g in labels.GRANULARITIES if g in set(others["granularity"]))
    notes.append(f"{others.height} claim(s) of other periods ({kinds}) are under the other Periods choices. "
                 "其他期间粒度的数据见上方选项。")
if log and (placed["value_h"] <= 0).any():
    notes.append(f"{(placed['value_h'] <= 0).sum()} claim(s) at or below zero cannot be drawn on a log scale. 对数刻度无法显示零或负值。")
for note in notes:
    st.caption(note)
widgets.chart_downloads(chart, f"trends_{metric}_{gran or 'all'}", "trends", sources)

unplaced = view.claims[charts.unknown_period(keys, x)["row"]]
with st.expander(f"Not on the chart 未能绘制: {unplaced.height} "
                 f"({'no period 期间未知' if x == 'period' else 'no publication date 发布日期未知'})", expanded=False):
    picked_side = widgets.claims_table(unplaced, key="trend_unplaced",
                                       columns=["quote_shown", "value_text", "series", "publisher_label", "period_origin"])

picked = widgets.selected_claims(event) or picked_side
if len(picked) == 1:
    widgets.source_panel(view, picked[0], key="trends")
elif picked:
    st.caption(f"{len(picked)} identical claims at this mark 此处有 {len(picked)} 条相同数据")
    for i, (tab, claim_id) in enumerate(zip(st.tabs([f"Claim 数据 {i + 1}" for i in range(len(picked))]), picked)):
        with tab:
            widgets.source_panel(view, claim_id, key="trends" if i == 0 else f"trends_{i + 1}")
