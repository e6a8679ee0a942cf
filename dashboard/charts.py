"""Chart builders: a polars frame (from data.with_display) in, an Altair chart out. No Streamlit.

Every mark carries claim_id and its quote in the tooltip, so a number on a chart is never
separated from its source sentence.
"""
from __future__ import annotations

import altair as alt
import polars as pl
import vl_convert

from dashboard import labels

MAX_POINTS = 5_000  # above this a chart draws per-period summaries: a browser cannot take 100k marks
PICK = "pick"
POINTS_NAME = "claim_points"  # the point-selection parameter; st.altair_chart returns {"selection": {PICK: [...]}}
PRICE_METRICS = ("price_cut", "token_price")
REPORTED_LABEL = "Reported by Alibaba 阿里财报"
UNCHECKED = "not checked 未核查"
LEGEND = dict(orient="right", labelLimit=0)  # no truncation: bilingual labels are long
SHAPES = dict(zip(labels.QUALIFIERS.values(),
                  ["circle", "diamond", "triangle-up", "triangle-right", "triangle-down", "square", "triangle-left", "cross"]))
VERDICT_COLOURS = {labels.VERDICTS["consistent"]: "#2e7d32", labels.VERDICTS["inconsistent"]: "#c62828",
                   labels.VERDICTS["unverifiable"]: "#9e9e9e", UNCHECKED: "#90a4ae"}
X_FIELDS = {"period": ("x_period", "Period (midpoint) 期间（中点）"), "published": ("published", "Published 发布日期")}
# Money in reported series is CNY; growth is %. Which reported metric matches a claim metric and unit.
REPORTED_UNITS = {"revenue": "CNY", "adjusted_ebita": "CNY", "revenue_growth": "%", "adjusted_ebita_growth": "%"}


def _tooltip(df: pl.DataFrame) -> list[alt.Tooltip]:
    tips = [
        alt.Tooltip("value_text:N", title="Value 数值"),
        alt.Tooltip("qualifier_label:N", title="Qualifier 限定"),
        alt.Tooltip("period:N", title="Period 期间"),
        alt.Tooltip("series:N", title="Entity / product 主体/产品"),
        alt.Tooltip("publisher:N", title="Publisher 媒体"),
        alt.Tooltip("published:T", title="Published 发布日期", format="%Y-%m-%d"),
        alt.Tooltip("quote:N", title="Quote 原句"),
    ]
    if "review_status" in df.columns:
        tips.append(alt.Tooltip("review_status:N", title="Review 审核"))
    if "verdict_label" in df.columns:
        tips.append(alt.Tooltip("verdict_label:N", title="Verdict 核查"))
    return tips


def _with_verdict_label(df: pl.DataFrame) -> pl.DataFrame:
    if "verdict" not in df.columns:
        return df
    return df.with_columns(
        pl.col("verdict").replace_strict(labels.VERDICTS, default=pl.col("verdict"), return_dtype=pl.String)
        .fill_null(UNCHECKED).alias("verdict_label")
    )


def trends_chart(
    df: pl.DataFrame,
    *,
    x: str = "period",
    colour: str = "series",
    reported: pl.DataFrame | None = None,
    max_points: int = MAX_POINTS,
) -> tuple[alt.LayerChart, str]:
    """Claims of ONE metric and ONE unit over time. Returns (chart, mode): mode "points" draws every
    claim and is selectable (parameter PICK on claim_id); "summary" draws min–median–max per period
    and series when there are more than max_points claims."""
    xcol, xtitle = X_FIELDS[x]
    data = _with_verdict_label(df.filter(pl.col(xcol).is_not_null() & pl.col("value_h").is_not_null()))
    metric = data["metric"][0] if data.height else None
    unit_h = data["unit_h"][0] if data.height else ""
    ytitle = f"{labels.label(labels.METRICS, metric)} ({unit_h})"
    x_enc = alt.X(f"{xcol}:T", title=xtitle, axis=alt.Axis(format="%Y-%m", labelAngle=0), scale=alt.Scale(padding=24))
    y_enc = alt.Y("value_h:Q", title=ytitle)
    if colour == "verdict" and "verdict_label" in data.columns:
        colour_enc = alt.Color("verdict_label:N", title="Verdict 核查", legend=alt.Legend(**LEGEND),
                               scale=alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values())))
    else:
        colour_enc = alt.Color("series:N", title="Entity / product 主体/产品", legend=alt.Legend(**LEGEND))
    layers: list[alt.Chart] = []
    if reported is not None and x == "period" and metric is not None:
        layers += _reported_layers(reported, metric, data["unit"][0])
    if data.height > max_points:
        layers += _summary_layers(data, xcol, x_enc, y_enc, colour_enc)
        mode = "summary"
    else:
        layers += _point_layers(data, xcol, x_enc, y_enc, colour_enc, metric)
        mode = "points"
    chart = alt.layer(*layers).properties(height=380, width="container")
    return chart.resolve_scale(strokeDash="independent"), mode


def _point_layers(data, xcol, x_enc, y_enc, colour_enc, metric) -> list[alt.Chart]:
    cols = ["claim_id", xcol, "value_h", "value_high_h", "value_text", "qualifier_label", "period", "series",
            "publisher", "published", "quote", "metric",
            *[c for c in ("review_status", "verdict_label") if c in data.columns]]
    data = data.select(list(dict.fromkeys(cols)))  # x may be "published", listed twice: no repeats
    pick = alt.selection_point(name=PICK, fields=["claim_id"], on="click")
    present = {k: v for k, v in SHAPES.items() if k in set(data["qualifier_label"].to_list())}  # same shape per qualifier everywhere
    shape = alt.Shape("qualifier_label:N", title="Qualifier 限定", legend=alt.Legend(**LEGEND),
                      scale=alt.Scale(domain=list(present), range=list(present.values())))
    points = (
        alt.Chart(data)
        .mark_point(filled=True, size=90)
        .encode(x=x_enc, y=y_enc, color=colour_enc, shape=shape, tooltip=_tooltip(data),
                opacity=alt.condition(pick, alt.value(0.95), alt.value(0.3)))
        .add_params(pick)
        .properties(name=POINTS_NAME)  # Vega names the SVG group "claim_points_marks": a stable hook for tests
    )
    ranges = data.filter(pl.col("value_high_h").is_not_null())
    layers = []
    if ranges.height:  # "15%至50%": a bar from value to value_high
        layers.append(
            alt.Chart(ranges).mark_rule(strokeWidth=4, opacity=0.6)
            .encode(x=x_enc, y=y_enc, y2="value_high_h:Q", color=colour_enc, tooltip=_tooltip(ranges))
        )
    layers.append(points)
    if metric in PRICE_METRICS:  # the history of price cuts at a glance: label each month that has one
        tops = (data.group_by(xcol, "period").agg(pl.max_horizontal("value_h", "value_high_h").max().alias("top"))
                .sort(xcol))
        layers.append(
            alt.Chart(tops).mark_text(dy=-12, fontSize=11, color="#444")
            .encode(x=alt.X(f"{xcol}:T"), y=alt.Y("top:Q"), text="period:N")
        )
    return layers


def _summary_layers(data, xcol, x_enc, y_enc, colour_enc) -> list[alt.Chart]:
    field = colour_enc.to_dict()["field"]
    summary = (
        data.group_by(field, xcol)
        .agg(
            pl.col("value_h").min().alias("low"),
            pl.col("value_h").median().alias("value_h"),
            pl.col("value_h").max().alias("high"),
            pl.len().alias("claims"),
        )
        .sort(field, xcol)
    )
    tips = [alt.Tooltip(f"{field}:N", title="Series 系列"), alt.Tooltip(f"{xcol}:T", format="%Y-%m-%d"),
            alt.Tooltip("claims:Q", title="Claims 条数"), alt.Tooltip("low:Q", title="Min 最小"),
            alt.Tooltip("value_h:Q", title="Median 中位数"), alt.Tooltip("high:Q", title="Max 最大")]
    base = alt.Chart(summary)
    return [
        base.mark_rule(strokeWidth=2, opacity=0.5).encode(x=x_enc, y=alt.Y("low:Q", title=y_enc.to_dict()["title"]), y2="high:Q", color=colour_enc),
        base.mark_point(filled=True).encode(x=x_enc, y=y_enc, color=colour_enc, size=alt.Size("claims:Q", title="Claims 条数"), tooltip=tips),
    ]


def reported_for(reported: pl.DataFrame, metric: str, unit: str) -> pl.DataFrame:
    """The reported series matching a claim metric and unit, in human units, x at the quarter's middle."""
    if REPORTED_UNITS.get(metric) != unit:
        return reported.clear()
    div = labels.HUMAN_UNITS[unit][0]
    return reported.filter(pl.col("metric") == metric).with_columns(
        (pl.col("value") / div).alias("value_h"),
        (pl.col("period_start") + (pl.col("period_end") - pl.col("period_start")) / 2).alias("x_period"),
        pl.lit(REPORTED_LABEL).alias("source"),
    ).sort("x_period")


def _reported_layers(reported: pl.DataFrame, metric: str, unit: str) -> list[alt.Chart]:
    line = reported_for(reported, metric, unit)
    if not line.height:
        return []
    base = alt.Chart(line.select("x_period", "value_h", "period", "segment_basis", "source_url", "source")).encode(
        x=alt.X("x_period:T"), y=alt.Y("value_h:Q"),
        tooltip=[alt.Tooltip("period:N", title="Quarter 季度"), alt.Tooltip("value_h:Q", title="Reported 财报值"),
                 alt.Tooltip("segment_basis:N", title="Segment basis 口径"), alt.Tooltip("source_url:N", title="Source 来源")],
    )
    # detail=segment_basis breaks the line at restatements: figures on different bases are not comparable
    return [
        base.mark_line(color="#757575", strokeWidth=1.5).encode(
            strokeDash=alt.StrokeDash("source:N", title="", scale=alt.Scale(range=[[5, 3]]), legend=alt.Legend(labelLimit=0)),
            detail="segment_basis:N"),
        base.mark_point(color="#757575", size=20, filled=True),
    ]


def verdict_counts_chart(counts: pl.DataFrame) -> alt.Chart:
    """Stacked bars per publisher of consistent / inconsistent / unverifiable claims."""
    long = counts.unpivot(index="publisher", variable_name="verdict", value_name="claims").with_columns(
        pl.col("verdict").replace_strict(labels.VERDICTS, default=pl.col("verdict"), return_dtype=pl.String)
    )
    colours = {k: v for k, v in VERDICT_COLOURS.items() if k != UNCHECKED}
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("publisher:N", title="Publisher 媒体", sort="-x"),
        x=alt.X("claims:Q", title="Claims 条数", stack="zero"),
        color=alt.Color("verdict:N", title="Verdict 核查", scale=alt.Scale(domain=list(colours), range=list(colours.values()))),
        tooltip=["publisher:N", "verdict:N", "claims:Q"],
    ).properties(width="container")


# ------------------------------------------------------------------------------------ static export
def _spec(chart: alt.TopLevelMixin) -> dict:
    with alt.data_transformers.disable_max_rows():
        spec = chart.to_dict()
    if spec.get("width") == "container":  # a file has no container to fill
        spec["width"] = 800
    return spec


def chart_svg(chart: alt.TopLevelMixin) -> bytes:
    """SVG through vl-convert: no browser, no network (allowed_base_urls=[])."""
    return vl_convert.vegalite_to_svg(_spec(chart), allowed_base_urls=[]).encode()


def chart_png(chart: alt.TopLevelMixin) -> bytes:
    return vl_convert.vegalite_to_png(_spec(chart), scale=2, allowed_base_urls=[])
