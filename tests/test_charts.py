"""Chart builders: what each chart draws, read back from its Vega-Lite spec."""
from __future__ import annotations

import datetime as dt
import re

import altair as alt
import polars as pl
import pytest
import vl_convert
from sample import REFERENCE, write_sample_corpus

from dashboard import charts, decisions, display
from dashboard.reviews import DECISION_SCHEMA
from factcheck.reference import load_reference


@pytest.fixture(scope="module")
def effective(tmp_path_factory):
    claims, _ = write_sample_corpus(tmp_path_factory.mktemp("a"))
    return decisions.apply_reviews(claims, pl.DataFrame(schema=DECISION_SCHEMA))


@pytest.fixture(scope="module")
def shown(effective):
    return display.with_display(effective)


def spec(chart) -> dict:
    with alt.data_transformers.disable_max_rows():
        return chart.to_dict()


def layers(s: dict) -> list[tuple[str, dict, list[dict]]]:
    """(mark type, encoding, rows) per layer."""
    out = []
    for layer in s["layer"]:
        mark = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        name = layer.get("data", s.get("data"))["name"]  # Altair hoists data shared by every layer
        out.append((mark, layer.get("encoding", {}), s["datasets"][name]))
    return out


def params(s: dict) -> list[dict]:
    """Selection parameters, wherever Altair put them (top level when one layer has them)."""
    return s.get("params", []) + [p for layer in s["layer"] for p in layer.get("params", [])]


REPORTED = pl.DataFrame(
    {"metric": ["revenue", "revenue", "revenue_growth"], "period": ["2022Q4", "2023Q1", "2023Q1"],
     "period_start": [dt.date(2022, 10, 1), dt.date(2023, 1, 1), dt.date(2023, 1, 1)],
     "period_end": [dt.date(2022, 12, 31), dt.date(2023, 3, 31), dt.date(2023, 3, 31)],
     "value": [2.018e10, 1.8582e10, -2.0], "segment_basis": ["cloud_legacy_b2"] * 3,
     "source_url": ["https://www.alibabagroup.com/q"] * 3, "source_kind": ["announcement"] * 3,
     "source_name": ["Alibaba Group"] * 3, "confidence": ["high", "high", "medium"], "precision": [None] * 3},
)

CASES = [
    # (metric, unit, x, reported, expected marks in layer order)
    ("revenue", "CNY", "period", None, ["point"]),
    ("revenue", "CNY", "period", REPORTED, ["line", "point", "point"]),
    ("revenue", "CNY", "published", REPORTED, ["point"]),  # reported figures have no publication date
    ("revenue_growth", "%", "period", REPORTED, ["line", "point", "point"]),
    ("price_cut", "%", "period", REPORTED, ["rule", "point", "text"]),  # 15%至50% as a bar; month labels
    ("token_price", "CNY/1M tokens", "period", None, ["point", "text"]),
]


@pytest.mark.parametrize("metric,unit,x,reported,marks", CASES)
def test_trends_chart_layers(shown, metric, unit, x, reported, marks):
    df = shown.filter((pl.col("metric") == metric) & (pl.col("unit") == unit))
    chart, mode = charts.trends_chart(df, x=x, reported=reported)
    got = layers(spec(chart))
    assert mode == "points" and [m for m, _, _ in got] == marks
    mark, enc, rows = next(layer for layer in got if layer[0] == "point" and "shape" in layer[1])
    xcol = charts.X_FIELDS[x][0]
    assert enc["x"]["field"] == xcol and enc["y"]["field"] == "value_h"
    placed = df.filter(pl.col(xcol).is_not_null())
    assert sorted(c for r in rows for c in r["claim_ids"].split()) == sorted(placed["claim_id"])  # every placed claim once
    assert all(r["quote"] for r in rows)
    assert "quote" in [t["field"] for t in enc["tooltip"]]


def test_marks_are_selectable_by_their_claims_legend_entries_hide_a_series_and_the_time_axis_zooms(shown):
    s = spec(charts.trends_chart(shown.filter(pl.col("metric") == "revenue_growth"))[0])
    got = {p["name"]: {k: v for k, v in p.items() if k not in ("views", "name")} for p in params(s)}
    assert got == {
        charts.PICK: {"select": {"type": "point", "fields": ["claim_ids"], "on": "click"}},
        charts.HIDE: {"select": {"type": "point", "fields": ["series"], "toggle": "true"}, "bind": "legend"},
        charts.ZOOM: {"select": {"type": "interval", "encodings": ["x"]}, "bind": "scales"},
    }


def _claims(shown, n: int, **changes) -> pl.DataFrame:
    """n copies of the 2023Q1 revenue-growth claim, each its own claim id, with `changes` applied."""
    one = shown.filter((pl.col("metric") == "revenue_growth") & (pl.col("period") == "2023Q1")).head(1)
    return pl.concat([one.with_columns(**{"claim_id": pl.lit(f"c{i}"), **{k: pl.lit(v) for k, v in changes.items()}}) for i in range(n)])


def test_identical_claims_are_one_mark_that_counts_and_opens_them_all(shown):
    got = charts.marks(_claims(shown, 3), "x_period", "series")
    assert got.select("claims", "claim_ids", "offset").rows() == [(3, "c0 c1 c2", 0.0)]
    labels = layers(spec(charts.trends_chart(_claims(shown, 3))[0]))
    assert [r["claims"] for m, _, rows in labels if m == "text" for r in rows] == [3]  # "×3" beside the mark


def test_claims_of_different_series_at_one_spot_are_spread_apart_to_stay_clickable(shown):
    df = pl.concat([_claims(shown, 1), _claims(shown, 1, series="AWS 亚马逊云科技", claim_id="aws"),
                    _claims(shown, 1, series="Azure", claim_id="azure")])
    got = charts.marks(df, "x_period", "series").sort("offset")
    assert got["offset"].to_list() == [-charts.STACK_PX, 0.0, charts.STACK_PX] and got["claims"].to_list() == [1, 1, 1]
    svg = vl_convert.vegalite_to_svg(spec(charts.trends_chart(df)[0]) | {"width": 600}, allowed_base_urls=[])
    xs = sorted(float(x) for x in re.findall(r'roledescription="point" transform="translate\(([\d.]+),', svg))
    assert len(xs) == 3 and xs[1] - xs[0] == pytest.approx(charts.STACK_PX) and xs[2] - xs[1] == pytest.approx(charts.STACK_PX)


# granularity, periods of the claims, the tick labels the axis shows
PERIOD_AXES = [
    ("quarter", ["2023Q1", "2024Q2", "2024Q3"], ["2023Q1", "2024Q2", "2024Q3"]),
    ("year", ["2022", "FY2023", "FY2025"], ["2022", "FY2023", "FY2025"]),
    ("half", ["2023H1", "2023H2"], ["2023H1", "2023H2"]),
    ("month", ["2024-05", "2024-09"], ["2024-05", "2024-09"]),
]


@pytest.mark.parametrize("granularity,periods,ticks", PERIOD_AXES)
def test_a_period_axis_is_labelled_by_period_not_by_month(shown, granularity, periods, ticks):
    from extractors.calendar import period_bounds

    base = _claims(shown, 1)
    df = display.with_display(pl.concat([
        base.with_columns(claim_id=pl.lit(p), period=pl.lit(p), period_start=pl.lit(period_bounds(p)[0]),
                          period_end=pl.lit(period_bounds(p)[1]), value=pl.lit(float(i))) for i, p in enumerate(periods)]))
    svg = vl_convert.vegalite_to_svg(spec(charts.trends_chart(df, granularity=granularity)[0]) | {"width": 700}, allowed_base_urls=[])
    axis = svg[svg.index('aria-label="X-axis'):]
    labels = axis[axis.index("role-axis-label"):axis.index("role-axis-domain")]
    assert re.findall(r"<text[^>]*>([^<]*)</text>", labels) == ticks


def test_legends_sit_above_and_below_the_plot_never_beside_it(shown):
    s = spec(charts.trends_chart(shown.filter(pl.col("metric") == "revenue"), reported=REPORTED)[0])
    legends = [enc[ch]["legend"] for layer in s["layer"] for ch, enc_ in [("", {})] for enc in [layer.get("encoding", {})]
               for ch in ("color", "shape", "strokeDash") if ch in enc and enc[ch].get("legend")]
    assert legends and {lg["orient"] for lg in legends} <= {"top", "bottom"}


def test_money_can_be_drawn_on_a_log_scale_without_the_losses(shown):
    df = pl.concat([_claims(shown, 1, metric="adjusted_ebita", unit="CNY", value_h=26.61, claim_id="profit"),
                    _claims(shown, 1, metric="adjusted_ebita", unit="CNY", value_h=-1.79, claim_id="loss")])
    s = spec(charts.trends_chart(df, log=True)[0])
    mark, enc, rows = next(layer for layer in layers(s) if layer[0] == "point" and "shape" in layer[1])
    assert enc["y"]["scale"]["type"] == "log" and [r["claim_ids"] for r in rows] == ["profit"]


def test_markers_show_segment_restatements_and_results_months():
    ref = load_reference(REFERENCE)
    on_periods = charts.markers(ref, "period")
    assert on_periods.select("x", "kind").rows() == [(dt.date(2021, 4, 1), "restatement"), (dt.date(2023, 4, 1), "restatement"),
                                                      (dt.date(2024, 4, 1), "restatement")]
    on_dates = charts.markers(ref, "published")
    results = on_dates.filter(pl.col("kind") == "results")
    assert results.height == ref.height  # one results month per reported quarter
    may = results.filter(pl.col("text").str.starts_with("2023Q1")).row(0, named=True)
    assert (may["x"], may["x2"]) == (dt.date(2023, 5, 1), dt.date(2023, 5, 31)) and "FY2023Q4" in may["text"]
    assert on_dates.filter(pl.col("kind") == "restatement")["x"].to_list() == [dt.date(2021, 8, 1), dt.date(2023, 8, 1), dt.date(2024, 8, 1)]


def test_a_range_is_a_bar_from_value_to_value_high(shown):
    got = layers(spec(charts.trends_chart(shown.filter(pl.col("metric") == "price_cut"))[0]))
    mark, enc, rows = got[0]
    assert mark == "rule" and enc["y2"]["field"] == "value_high_h"
    assert [(r["value_h"], r["value_high_h"], r["period"]) for r in rows] == [(15.0, 50.0, "2023-04")]


def test_price_cut_history_is_labelled_by_month(shown):
    got = layers(spec(charts.trends_chart(shown.filter(pl.col("metric") == "price_cut"))[0]))
    labels = sorted(r["period"] for m, _, rows in got if m == "text" for r in rows)
    assert labels == ["2023-04", "2024-02", "2024-05", "2024-09"]


def test_the_reported_line_breaks_at_segment_restatements_and_is_in_human_units(shown):
    got = layers(spec(charts.trends_chart(shown.filter(pl.col("metric") == "revenue"), reported=REPORTED)[0]))
    mark, enc, rows = got[0]
    assert mark == "line" and enc["detail"]["field"] == "segment_basis"
    assert [(r["period"], r["value_h"]) for r in rows] == [("2022Q4", 201.8), ("2023Q1", 185.82)]


def test_reported_money_is_not_drawn_against_claims_in_another_currency():
    assert charts.reported_for(REPORTED, "revenue", "USD").height == 0
    assert charts.reported_for(REPORTED, "market_share", "%").height == 0


def test_colour_by_verdict_uses_fixed_colours_and_labels_unchecked_claims(shown):
    df = shown.filter(pl.col("metric") == "revenue_growth").with_columns(
        verdict=pl.when(pl.col("period") == "2023Q1").then(pl.lit("consistent")))
    mark, enc, rows = next(layer for layer in layers(spec(charts.trends_chart(df, colour="verdict")[0])) if layer[0] == "point")
    assert enc["color"]["field"] == "verdict_label"
    assert sorted({r["verdict_label"] for r in rows}) == ["consistent 一致", charts.UNCHECKED]


def test_above_max_points_the_chart_summarises_per_period_and_is_not_selectable(shown):
    growth = shown.filter(pl.col("metric") == "revenue_growth")
    big = pl.concat([growth.with_columns(claim_id=pl.col("claim_id") + str(i), value_h=pl.col("value_h") + i % 7) for i in range(60)])
    chart, mode = charts.trends_chart(big, max_points=100)
    s = spec(chart)
    assert mode == "summary" and params(s) == []
    rows = layers(s)[1][2]
    assert sum(r["claims"] for r in rows) == big.filter(pl.col("x_period").is_not_null()).height
    assert all(r["low"] <= r["value_h"] <= r["high"] for r in rows)


def test_static_exports_render_chinese_with_title_and_source_line_without_a_browser(shown):
    df = shown.filter(pl.col("metric") == "revenue")
    chart, _ = charts.trends_chart(df, title="Revenue 营收 (亿元)", subtitle=charts.source_line(df))
    stamped = charts.source_line(df, today=dt.date(2026, 11, 23))
    svg = charts.chart_svg(chart, stamped).decode()
    assert svg.startswith("<svg") and "营收" in svg and "mark-symbol" in svg
    assert "Revenue 营收 (亿元)" in svg and "exported 2026-11-23" in svg
    png = charts.chart_png(chart, stamped)
    assert png.startswith(b"\x89PNG") and charts.png_text(png) == {"Title": "Revenue 营收 (亿元)", "Source": stamped}


def test_the_source_line_names_the_publishers_and_how_many_articles(shown):
    line = charts.source_line(shown, today=dt.date(2026, 11, 23), limit=2)
    assert line.startswith("Sources 来源: ") and " and 1 more 等 (4 articles 篇)" in line and line.endswith("exported 2026-11-23")


def test_verdict_counts_chart_stacks_each_publisher():
    counts = pl.DataFrame({"publisher": ["智東西", "雷峰网"], "consistent": [1, 0], "inconsistent": [2, 1], "unverifiable": [0, 3]})
    rows = layers({"layer": [spec(charts.verdict_counts_chart(counts))], "datasets": spec(charts.verdict_counts_chart(counts))["datasets"]})[0][2]
    assert {(r["publisher"], r["verdict"], r["claims"]) for r in rows} >= {("智東西", "inconsistent 不一致", 2), ("雷峰网", "unverifiable 无法核实", 3)}


def test_the_trends_pages_narrowing_on_key_columns_gathers_what_filtering_whole_rows_gives(shown):
    """Differential: the Trends page narrows a metric's claims on five columns (charts.trend_keys) and
    gathers whole rows for the chart and the unplaced list; they equal filtering the whole table, for
    every metric, unit, granularity and time axis of the sample, under a filter that hides some rows."""
    mask = pl.Series([i % 3 != 0 for i in range(shown.height)])
    for metric in shown["metric"].unique().to_list():
        df = shown.filter(pl.lit(mask) & (pl.col("metric") == metric))  # the full path: whole rows filtered
        keys = charts.trend_keys(shown, mask, metric)
        assert keys["unit"].value_counts(sort=True).equals(df["unit"].value_counts(sort=True))
        for unit in df["unit"].unique().to_list():
            in_unit, narrowed = df.filter(pl.col("unit") == unit), keys.filter(pl.col("unit") == unit)
            assert narrowed["granularity"].drop_nulls().value_counts(sort=True).equals(
                in_unit["granularity"].drop_nulls().value_counts(sort=True))
            for gran in [*in_unit["granularity"].drop_nulls().unique().to_list(), None]:
                want = in_unit.filter(pl.col("granularity") == gran) if gran else in_unit.clear()
                got = shown[narrowed.filter(pl.col("granularity") == gran)["row"]] if gran else shown.clear()
                assert got.equals(want)
            for x in charts.X_FIELDS:
                assert shown[charts.unknown_period(narrowed, x)["row"]].equals(charts.unknown_period(in_unit, x))


def test_charts_of_the_lean_view_equal_charts_of_the_full_display_columns(effective, shown):
    """Differential: the view keeps display.VIEW_COLUMNS only (with_display(lean=True)); a chart writes
    the other display columns for the claims it draws, and every mark, tooltip, count and layer is the same."""
    lean = display.with_display(effective, lean=True)
    assert set(lean.columns) == set(effective.columns) | set(display.VIEW_COLUMNS)
    assert display.complete(lean).select(shown.columns).equals(shown)
    for metric in shown["metric"].unique().to_list():
        for x in charts.X_FIELDS:
            args = dict(x=x, granularity="quarter")
            assert spec(charts.trends_chart(lean.filter(pl.col("metric") == metric), **args)[0]) == spec(
                charts.trends_chart(shown.filter(pl.col("metric") == metric), **args)[0])
        assert charts.marks(lean.filter(pl.col("metric") == metric), "x_period", "series").equals(
            charts.marks(shown.filter(pl.col("metric") == metric), "x_period", "series"))
