"""Chart builders: what each chart draws, read back from its Vega-Lite spec."""
from __future__ import annotations

import datetime as dt

import altair as alt
import polars as pl
import pytest

from dashboard import charts, data
from dashboard.reviews import DECISION_SCHEMA
from dashboard.sample import synthetic_claims, write_sample_corpus


@pytest.fixture(scope="module")
def shown(tmp_path_factory):
    claims, _ = write_sample_corpus(tmp_path_factory.mktemp("a"))
    return data.with_display(data.apply_reviews(claims, pl.DataFrame(schema=DECISION_SCHEMA)))


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
     "source_url": ["https://www.alibabagroup.com/q"] * 3},
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
    assert sorted(r["claim_id"] for r in rows) == sorted(placed["claim_id"])  # every placed claim, no other
    assert all(r["quote"] for r in rows)
    assert "quote" in [t["field"] for t in enc["tooltip"]]


def test_points_are_selectable_by_claim_id(shown):
    s = spec(charts.trends_chart(shown.filter(pl.col("metric") == "revenue_growth"))[0])
    assert [{k: v for k, v in p.items() if k != "views"} for p in params(s)] == [
        {"name": charts.PICK, "select": {"type": "point", "fields": ["claim_id"], "on": "click"}}]


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
    mark, enc, rows = layers(spec(charts.trends_chart(df, colour="verdict")[0]))[-1]
    assert enc["color"]["field"] == "verdict_label"
    assert sorted({r["verdict_label"] for r in rows}) == ["consistent 一致", charts.UNCHECKED]


def test_above_max_points_the_chart_summarises_per_period_and_is_not_selectable():
    big = data.with_display(synthetic_claims(3_000, seed=1)).filter(pl.col("metric") == "revenue_growth")
    chart, mode = charts.trends_chart(big, max_points=100)
    s = spec(chart)
    assert mode == "summary" and params(s) == []
    rows = layers(s)[1][2]
    assert sum(r["claims"] for r in rows) == big.filter(pl.col("x_period").is_not_null()).height
    assert all(r["low"] <= r["value_h"] <= r["high"] for r in rows)


def test_static_exports_render_chinese_without_a_browser(shown):
    chart, _ = charts.trends_chart(shown.filter(pl.col("metric") == "revenue"))
    svg = charts.chart_svg(chart).decode()
    assert svg.startswith("<svg") and "营收" in svg and "mark-symbol" in svg
    assert charts.chart_png(chart).startswith(b"\x89PNG")


def test_verdict_counts_chart_stacks_each_publisher():
    counts = pl.DataFrame({"publisher": ["智東西", "雷峰网"], "consistent": [1, 0], "inconsistent": [2, 1], "unverifiable": [0, 3]})
    rows = layers({"layer": [spec(charts.verdict_counts_chart(counts))], "datasets": spec(charts.verdict_counts_chart(counts))["datasets"]})[0][2]
    assert {(r["publisher"], r["verdict"], r["claims"]) for r in rows} >= {("智東西", "inconsistent 不一致", 2), ("雷峰网", "unverifiable 无法核实", 3)}
