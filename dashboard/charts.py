"""Chart builders: a polars frame (from display.with_display) in, an Altair chart out. No Streamlit.

Every mark carries its claims' ids and quotes in the tooltip, so a number on a chart is never
separated from its source sentence. Charts carry their own colours, title and source line, so the
screen (st.altair_chart with theme=None) and the PNG/SVG files look the same.
"""
from __future__ import annotations

import datetime as dt
import struct
import zlib

import altair as alt
import polars as pl
import vl_convert

from dashboard import display, labels

MAX_POINTS = 5_000  # above this a chart draws per-period summaries: a browser cannot take 100k marks
PICK = "pick"  # the point selection; st.altair_chart returns {"selection": {PICK: [{"claim_ids": "a b"}]}}
HIDE = "hide"  # legend selection: a click on an entry hides that series
ZOOM = "zoom"  # the time axis bound to the mouse: scroll to zoom, drag to pan, double-click to reset
POINTS_NAME = "claim_points"  # Vega names the SVG group "claim_points_marks": a stable hook for tests
PRICE_METRICS = ("price_cut", "token_price")
REPORTED_LABEL = "Reported by Alibaba 阿里财报"
UNCHECKED = labels.NOT_CHECKABLE
STACK_PX = 9  # claims of different series at one spot are spread this far apart, so each can be clicked
# Legends above and below the plot, never beside it, so the plot keeps the width at any screen size: the
# series (long bilingual labels, in columns) below, the short ones (qualifier, reported line) above.
LEGEND = dict(orient="bottom", direction="horizontal", labelLimit=260, columns=3, symbolLimit=60, titleLimit=400)
TOP_LEGEND = dict(orient="top", direction="horizontal", labelLimit=160, titleLimit=200)
SHAPES = dict(zip(labels.QUALIFIERS.values(),
                  ["circle", "diamond", "triangle-up", "triangle-right", "triangle-down", "square", "triangle-left", "cross"]))
VERDICT_COLOURS = {labels.VERDICTS["consistent"]: "#2e7d32", labels.VERDICTS["inconsistent"]: "#c62828",
                   labels.VERDICTS["unverifiable"]: "#9e9e9e", UNCHECKED: "#90a4ae"}
SERIES_COLOURS = "tableau10"  # fixed, so the screen and the exported files agree
X_FIELDS = {"period": ("x_period", "Period 期间"), "published": ("published", "Published 发布日期")}
# Tick labels of a period axis, from the tick's date (the period's middle, UTC): 2023Q1, 2023H2, 2022, FY2023, 2024-05.
PERIOD_LABELS = {
    "quarter": "utcyear(datum.value) + 'Q' + utcquarter(datum.value)",
    "half": "utcyear(datum.value) + 'H' + (utcmonth(datum.value) < 6 ? 1 : 2)",
    "year": "utcmonth(datum.value) >= 8 ? 'FY' + (utcyear(datum.value) + 1) : '' + utcyear(datum.value)",
    "month": "utcFormat(datum.value, '%Y-%m')",
}
# Money in reported series is CNY; growth is %. Which reported metric matches a claim metric and unit.
REPORTED_UNITS = {"revenue": "CNY", "adjusted_ebita": "CNY", "revenue_growth": "%", "adjusted_ebita_growth": "%"}
FINANCIAL = tuple(REPORTED_UNITS)
CONFIG = {"background": "white", "font": "sans-serif", "padding": 8,
          # legend entries never dim: a click hides that series (HIDE), it does not pick the others
          "legend": {"unselectedOpacity": 1},
          "title": {"anchor": "start", "fontSize": 15, "subtitleFontSize": 11, "subtitleColor": "#555"}}


def marks(df: pl.DataFrame, xcol: str, colour: str) -> pl.DataFrame:
    """One row per mark: identical claims (same place, value, range, series and qualifier) become one
    mark with their count and every claim id (`claim_ids`, space-separated: a click opens them all);
    marks of different series at one spot get `offset`, a few pixels apart, so that each can be clicked."""
    df = display.complete(df)  # labels and the value as shown, for the marks drawn only
    keys = [xcol, "value_h", "value_high_h", colour, "qualifier_label"]
    firsts = [c for c in ("value_text", "period", "series", "published", "metric", "review_label", "verdict_label")
              if c in df.columns and c not in keys]
    grouped = (
        df.sort("published", "claim_id", nulls_last=True)
        .group_by(keys, maintain_order=True)
        .agg(
            pl.col("claim_id").str.join(" ").alias("claim_ids"),
            pl.len().alias("claims"),
            *[pl.col(c).first() for c in firsts],
            pl.col("quote_shown").first().alias("quote"),
            pl.col("publisher_label").drop_nulls().unique(maintain_order=True).str.join("、").alias("publishers"),
        )
    )
    rank = pl.int_range(pl.len()).over([xcol, "value_h"])
    width = pl.len().over([xcol, "value_h"])
    return grouped.with_columns(
        ((rank - (width - 1) / 2) * STACK_PX).alias("offset"),
        pl.when(pl.col("claims") > 1).then(pl.format("{} claims 条", "claims")).otherwise(pl.lit("")).alias("count_text"),
    )


def _tooltip(rows: pl.DataFrame) -> list[alt.Tooltip]:
    tips = [
        alt.Tooltip("value_text:N", title="Value 数值"),
        alt.Tooltip("qualifier_label:N", title="Qualifier 限定"),
        alt.Tooltip("period:N", title="Period 期间"),
        alt.Tooltip("series:N", title="Entity / product 主体/产品"),
        alt.Tooltip("publishers:N", title="Publisher 媒体"),
        alt.Tooltip("published:T", title="Published 发布日期", format="%Y-%m-%d"),
        alt.Tooltip("quote:N", title="Quote 原句"),
        alt.Tooltip("claims:Q", title="Claims 条数"),
    ]
    if "review_label" in rows.columns:
        tips.append(alt.Tooltip("review_label:N", title="Review 审核"))
    if "verdict_label" in rows.columns:
        tips.append(alt.Tooltip("verdict_label:N", title="Verdict 核查"))
    return tips


def _x_axis(x: str, granularity: str | None, ticks: list[dt.date], title: str) -> alt.Axis:
    """A period axis labels each period present as analysts write it (2023Q1, FY2023); dates by month."""
    if x == "period" and granularity in PERIOD_LABELS:
        # DateTime objects: Streamlit's Vega drops plain timestamps given as tick values
        values = [alt.DateTime(year=d.year, month=d.month, date=d.day, utc=True) for d in sorted(set(ticks))]
        return alt.Axis(title=title, values=values, labelExpr=PERIOD_LABELS[granularity],
                        labelAngle=0, labelOverlap="greedy", grid=False)
    return alt.Axis(title=title, format="%Y-%m", labelAngle=0, labelOverlap="greedy")


def trends_chart(
    df: pl.DataFrame,
    *,
    x: str = "period",
    colour: str = "series",
    reported: pl.DataFrame | None = None,
    granularity: str | None = "quarter",
    log: bool = False,
    markers: pl.DataFrame | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    max_points: int = MAX_POINTS,
) -> tuple[alt.LayerChart, str]:
    """Claims of ONE metric, ONE unit and ONE period granularity over time. Returns (chart, mode): mode
    "points" draws every claim (identical ones as one mark with a count) and is selectable (parameter
    PICK on claim_ids); "summary" draws min–median–max per period and series when there are more than
    max_points claims. `markers` (from `markers`) draws results dates and segment restatements."""
    xcol, xtitle = X_FIELDS[x]
    # display.complete: the labels (verdict_label too) and human values, for the claims drawn only
    data = display.complete(df).filter(pl.col(xcol).is_not_null() & pl.col("value_h").is_not_null())
    if log:
        data = data.filter(pl.col("value_h") > 0)  # a log axis has no place for losses; the page says how many
    metric = data["metric"][0] if data.height else None
    unit_h = data["unit_h"][0] if data.height else ""
    line = reported_for(reported, metric, data["unit"][0]) if reported is not None and x == "period" and metric and \
        granularity == "quarter" else None
    ticks = data[xcol].unique().to_list() + (line["x_period"].to_list() if line is not None and line.height else [])
    x_enc = alt.X(f"{xcol}:T", axis=_x_axis(x, granularity, ticks, xtitle), scale=alt.Scale(padding=24))
    y_enc = alt.Y("value_h:Q", title=f"{labels.label(labels.METRICS, metric)} ({unit_h})",
                  scale=alt.Scale(type="log") if log else alt.Scale(zero=False))
    field = "verdict_label" if colour == "verdict" and "verdict_label" in data.columns else "series"
    if field == "verdict_label":
        colour_enc = alt.Color("verdict_label:N", title="Verdict 核查", legend=alt.Legend(**LEGEND),
                               scale=alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values())))
    else:
        domain = sorted(data["series"].unique().drop_nulls().to_list())  # fixed: a hidden series keeps its entry
        colour_enc = alt.Color("series:N", title="Entity / product 主体/产品 (click to hide 点击隐藏)",
                               legend=alt.Legend(**LEGEND), scale=alt.Scale(domain=domain, scheme=SERIES_COLOURS))
    layers: list[alt.Chart] = []
    if markers is not None and markers.height:
        layers += _marker_layers(markers)
    if line is not None and line.height:
        layers += _reported_layers(line)
    if data.height > max_points:
        layers += _summary_layers(data, xcol, x_enc, y_enc, colour_enc)
        mode = "summary"
    else:
        layers += _point_layers(data, xcol, x_enc, y_enc, colour_enc, field, metric)
        mode = "points"
    # One chart object with its properties: each .properties/.resolve_scale/.configure copies the whole
    # layered chart and checks what it was given against the schema (to_dict checks it all once).
    chart = alt.layer(*layers, height=380, width="container", title=alt.Title(title, subtitle=subtitle or alt.Undefined) if title
                      else alt.Undefined, resolve=alt.Resolve(scale=alt.ScaleResolveMap(strokeDash="independent")),
                      config=alt.Config(**CONFIG))
    return chart, mode


def _point_layers(data, xcol, x_enc, y_enc, colour_enc, field, metric) -> list[alt.Chart]:
    rows = marks(data, xcol, field)
    pick = alt.selection_point(name=PICK, fields=["claim_ids"], on="click")
    hide = alt.selection_point(name=HIDE, fields=[field], bind="legend", toggle="true")
    zoom = alt.selection_interval(name=ZOOM, bind="scales", encodings=["x"])
    present = {k: v for k, v in SHAPES.items() if k in set(rows["qualifier_label"].to_list())}  # same shape per qualifier everywhere
    shape = alt.Shape("qualifier_label:N", title="Qualifier 限定", legend=alt.Legend(**TOP_LEGEND),
                      scale=alt.Scale(domain=list(present), range=list(present.values())))
    opacity = alt.when(hide, empty=False).then(alt.value(0.06)).when(pick).then(alt.value(0.95)).otherwise(alt.value(0.35))
    points = (
        alt.Chart(rows)
        .mark_point(filled=True, xOffset=alt.expr("datum.offset"))
        .encode(x=x_enc, y=y_enc, color=colour_enc, shape=shape, tooltip=_tooltip(rows), opacity=opacity,
                size=alt.Size("claims:Q", scale=alt.Scale(range=[90, 260]), legend=None))
        .add_params(pick, hide, zoom)
        .properties(name=POINTS_NAME)
    )
    layers = []
    ranges = rows.filter(pl.col("value_high_h").is_not_null())
    if ranges.height:  # "15%至50%": a bar from value to value_high
        layers.append(
            alt.Chart(ranges).mark_rule(strokeWidth=4, opacity=0.6, xOffset=alt.expr("datum.offset"))
            .encode(x=x_enc, y=y_enc, y2="value_high_h:Q", color=colour_enc, tooltip=_tooltip(ranges))
        )
    layers.append(points)
    counts = rows.filter(pl.col("claims") > 1)
    if counts.height:  # "×3": identical claims drawn as one mark say how many they are
        layers.append(alt.Chart(counts).mark_text(dx=10, dy=-10, fontSize=11, color="#333", xOffset=alt.expr("datum.offset"))
                      .encode(x=alt.X(f"{xcol}:T"), y=alt.Y("value_h:Q"), text=alt.Text("claims_x:N"))
                      .transform_calculate(claims_x="'×' + datum.claims"))
    if metric in PRICE_METRICS:  # the history of price cuts at a glance: label each month that has one
        tops = (rows.group_by(xcol, "period").agg(pl.max_horizontal("value_h", "value_high_h").max().alias("top"))
                .sort(xcol, "period"))  # one order for ties: the same claims give the same chart
        layers.append(
            alt.Chart(tops).mark_text(dy=-14, fontSize=11, color="#444")
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
    """The reported series matching a claim metric and unit, in human units, x at the quarter's middle,
    with its source's kind, confidence and segment basis in words."""
    if REPORTED_UNITS.get(metric) != unit:
        return reported.clear()
    div = labels.HUMAN_UNITS[unit][0]
    kinds = {**labels.SOURCE_KINDS}
    return reported.filter(pl.col("metric") == metric).with_columns(
        (pl.col("value") / div).alias("value_h"),
        (pl.col("period_start") + (pl.col("period_end") - pl.col("period_start")) / 2).cast(pl.Date).alias("x_period"),
        pl.lit(REPORTED_LABEL).alias("source"),
        pl.col("source_kind").replace_strict(kinds, default=labels.UNCLASSIFIED_SOURCE, return_dtype=pl.String).alias("kind_label"),
        pl.col("confidence").replace_strict(labels.CONFIDENCE, default=pl.col("confidence"), return_dtype=pl.String).alias("confidence_label"),
        pl.col("segment_basis").replace_strict(labels.SEGMENT_BASES, default=pl.col("segment_basis"), return_dtype=pl.String).alias("basis_label"),
    ).sort("x_period")


def _reported_layers(line: pl.DataFrame) -> list[alt.Chart]:
    cols = ["x_period", "value_h", "period", "segment_basis", "basis_label", "kind_label", "source_name", "confidence_label",
            "source_url", "source"]
    base = alt.Chart(line.select(cols)).encode(
        x=alt.X("x_period:T"), y=alt.Y("value_h:Q"),
        tooltip=[alt.Tooltip("period:N", title="Quarter 季度"), alt.Tooltip("value_h:Q", title="Reported 财报值"),
                 alt.Tooltip("kind_label:N", title="Source 来源"), alt.Tooltip("source_name:N", title="Published by 发布方"),
                 alt.Tooltip("confidence_label:N", title="Confidence 可信度"),
                 alt.Tooltip("basis_label:N", title="Segment basis 口径"), alt.Tooltip("source_url:N", title="Link 链接")],
    )
    # detail=segment_basis breaks the line at restatements: figures on different bases are not comparable
    return [
        base.mark_line(color="#757575", strokeWidth=1.5).encode(
            strokeDash=alt.StrokeDash("source:N", title="", scale=alt.Scale(range=[[5, 3]]), legend=alt.Legend(**TOP_LEGEND)),
            detail="segment_basis:N"),
        base.mark_point(color="#757575", size=24, filled=True),
    ]


def markers(reference: pl.DataFrame | None, x: str) -> pl.DataFrame:
    """Vertical markers for a financial metric's chart: where Alibaba restated its cloud segment (the
    first quarter on a new basis) and, on the publication-date axis, the months Alibaba published each
    quarter's results (about two months after the quarter; the reference's README calendar: the exact
    day is not in the reference, so a month is marked, not a day)."""
    schema = {"x": pl.Date, "x2": pl.Date, "kind": pl.String, "text": pl.String}
    if reference is None or not reference.height:
        return pl.DataFrame(schema=schema)
    ref = reference.sort("period_start")
    rows = []
    first_of_basis = ref.filter(~pl.col("segment_basis").eq_missing(pl.col("segment_basis").shift(1))).slice(1)
    for r in ref.iter_rows(named=True):
        month = _month_start(r["period_end"], 2)  # March quarter -> May
        month_end = _month_start(month, 1) - dt.timedelta(days=1)
        restated = r["calendar_quarter"] in first_of_basis["calendar_quarter"].to_list()
        basis = labels.label(labels.SEGMENT_BASES, r["segment_basis"])
        if x == "published":
            rows.append((month, month_end, "results", f"{r['calendar_quarter']} ({r['fiscal_label']}) results, about "
                                                      f"{month:%Y-%m} 财报发布月"))
            if restated:
                rows.append((month, month, "restatement", f"Segment restated 口径调整: {basis}"))
        elif restated:
            rows.append((r["period_start"], r["period_start"], "restatement", f"Segment restated 口径调整: {basis}"))
    return pl.DataFrame(rows, schema=schema, orient="row")


def _month_start(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after the month of `day`."""
    n = day.year * 12 + day.month - 1 + months
    return dt.date(n // 12, n % 12 + 1, 1)


def _marker_layers(m: pl.DataFrame) -> list[alt.Chart]:
    results = m.filter(pl.col("kind") == "results")
    restated = m.filter(pl.col("kind") == "restatement")
    layers = []
    if results.height:
        layers.append(alt.Chart(results).mark_rect(color="#1565c0", opacity=0.07)
                      .encode(x="x:T", x2="x2:T", tooltip=[alt.Tooltip("text:N", title="Results 财报")]))
    if restated.height:
        layers.append(alt.Chart(restated).mark_rule(color="#6a1b9a", strokeDash=[2, 2], strokeWidth=1.5)
                      .encode(x="x:T", tooltip=[alt.Tooltip("text:N", title="Restatement 口径调整")]))
        layers.append(alt.Chart(restated).mark_text(align="left", baseline="top", dx=3, y=2, fontSize=10, color="#6a1b9a")
                      .encode(x="x:T", text=alt.value("restated")))
    return layers


def verdict_counts_chart(counts: pl.DataFrame, title: str | None = None, subtitle: str | None = None) -> alt.Chart:
    """Stacked bars per publisher of consistent / inconsistent / unverifiable claims."""
    long = counts.unpivot(index="publisher", variable_name="verdict", value_name="claims").with_columns(
        pl.col("verdict").replace_strict(labels.VERDICTS, default=pl.col("verdict"), return_dtype=pl.String)
    )
    colours = {k: v for k, v in VERDICT_COLOURS.items() if k != UNCHECKED}
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("publisher:N", title="Publisher 媒体", sort="-x", axis=alt.Axis(labelLimit=220)),
        x=alt.X("claims:Q", title="Claims 条数", stack="zero", axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("verdict:N", title="Verdict 核查", legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=list(colours), range=list(colours.values()))),
        tooltip=[alt.Tooltip("publisher:N", title="Publisher 媒体"), alt.Tooltip("verdict:N", title="Verdict 核查"),
                 alt.Tooltip("claims:Q", title="Claims 条数")],
    ).properties(width="container")
    if title:
        chart = chart.properties(title=alt.Title(title, subtitle=subtitle or alt.Undefined))
    return chart.configure(**CONFIG)


# ------------------------------------------------------------------------------------ static export
def source_line(df: pl.DataFrame, today: dt.date | None = None, limit: int = 6) -> str:
    """'Sources 来源: 智东西、雷峰网 and 3 more (12 articles) · cloudclaims, exported 2026-11-23'."""
    pubs = df.get_column("publisher_label").drop_nulls().value_counts(sort=True)["publisher_label"].to_list()
    shown = "、".join(pubs[:limit]) + (f" and {len(pubs) - limit} more 等" if len(pubs) > limit else "")
    docs = df.get_column("doc_id").n_unique()
    when = f", exported {today.isoformat()}" if today else ""
    return f"Sources 来源: {shown or '—'} ({docs} article{'s' if docs != 1 else ''} 篇) · cloudclaims{when}"


def _spec(chart: alt.TopLevelMixin, subtitle: str | None) -> dict:
    with alt.data_transformers.disable_max_rows():
        spec = chart.to_dict()
    if spec.get("width") == "container":  # a file has no container to fill
        spec["width"] = 900
    if subtitle is not None:
        title = spec.get("title") or {"text": ""}
        spec["title"] = {**(title if isinstance(title, dict) else {"text": title}), "subtitle": subtitle}
    return spec


def chart_svg(chart: alt.TopLevelMixin, subtitle: str | None = None) -> bytes:
    """SVG through vl-convert: no browser, no network (allowed_base_urls=[]). `subtitle` replaces the
    chart's source line (to add the date of export)."""
    return vl_convert.vegalite_to_svg(_spec(chart, subtitle), allowed_base_urls=[]).encode()


def chart_png(chart: alt.TopLevelMixin, subtitle: str | None = None) -> bytes:
    """PNG through vl-convert, with its title and source line also written into the file's metadata
    (iTXt Title and Source), so a report tool and a test can read them."""
    spec = _spec(chart, subtitle)
    png = vl_convert.vegalite_to_png(spec, scale=2, allowed_base_urls=[])
    title = spec.get("title") or {}
    text = title.get("text", "") if isinstance(title, dict) else str(title)
    return png_with_text(png, {"Title": text, "Source": title.get("subtitle", "") if isinstance(title, dict) else ""})


def png_with_text(png: bytes, fields: dict[str, str]) -> bytes:
    """The PNG with an iTXt chunk (UTF-8 text) per field, right after its header chunk."""
    head = 8 + 4 + 4 + 13 + 4  # signature, then IHDR: length, type, 13 bytes of data, CRC
    chunks = b""
    for key, value in fields.items():
        if not value:
            continue
        data = key.encode("latin-1") + b"\x00\x00\x00\x00\x00" + value.encode("utf-8")
        chunks += struct.pack(">I", len(data)) + b"iTXt" + data + struct.pack(">I", zlib.crc32(b"iTXt" + data))
    return png[:head] + chunks + png[head:]


def png_text(png: bytes) -> dict[str, str]:
    """The iTXt fields of a PNG (what png_with_text wrote)."""
    out, pos = {}, 8
    while pos < len(png):
        (length,), kind = struct.unpack(">I", png[pos:pos + 4]), png[pos + 4:pos + 8]
        data = png[pos + 8:pos + 8 + length]
        if kind == b"iTXt":  # keyword \0 flag method language \0 translated keyword \0 text
            key, _, rest = data.partition(b"\x00")
            _, _, rest = rest[2:].partition(b"\x00")
            _, _, text = rest.partition(b"\x00")
            out[key.decode("latin-1")] = text.decode("utf-8")
        pos += 12 + length
    return out


def trend_keys(claims: pl.DataFrame, shown: pl.Series, metric: str) -> pl.DataFrame:
    """The shown claims of one metric, as the Trends page narrows them (unit, then granularity, then
    unknown_period): only the columns it narrows on, with `row`, their index in claims, so that whole rows
    are gathered only for what is drawn and listed (a million claims cost five columns, not fifty)."""
    return (claims.select("unit", "granularity", "period_start", "published").with_row_index("row")
            .filter(shown & (claims.get_column("metric") == metric)))


def unknown_period(df: pl.DataFrame, x: str = "period") -> pl.DataFrame:
    """Claims a time chart cannot place: no period (x='period') or no publication date (x='published')."""
    col = "period_start" if x == "period" else "published"
    return df.filter(pl.col(col).is_null())
