"""Verdicts on claims, against a frozen fixture reference (tests/fixtures/reference/: the shipped
reference as it was at commit 67a091d), so these cases do not move when data/reference/ is updated.
Only the end-to-end checks at the bottom (the bundled corpus) read the shipped reference.

Each table line is one claim: what it tests, its period, metric, value (canonical: CNY or percent
points; yi(185.82) is 185.82亿元), unit, qualifier, and the expected verdict with a piece of text the
verdict_reason must contain. Reported figures used below (CNY million / percent):
2023Q1 revenue 18580 (to 0.01bn), growth -2 | 2023Q2 revenue 25123 (b3), growth 4; 2022Q2 17685 (b2)
2024Q2 revenue 26500 (to 0.1bn), growth 6, EBITA growth 155 | 2024Q3 revenue 29610, growth 7,
EBITA 2661, EBITA growth 89 | 2025Q1 growth 18, external 17 | 2025Q3 growth 34, external 29.
New cases: add a line to the table of the behaviour they exercise.
"""
from __future__ import annotations

import random
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest
import yaml

from extractors.table import CLAIM_SCHEMA, claims_frame, read_table
from factcheck.reference import REFERENCE_PATH, load_reference
from factcheck.verdicts import (
    GROUP_ENTITIES,
    METRICS,
    REPORTED_SERIES_SCHEMA,
    VERDICT_SCHEMA,
    Figure,
    Reference,
    add_verdicts,
    check_claim,
    claim_bounds,
    claim_bounds_expr,
    matches,
    reason_group,
    reported_series,
    verdict_columns,
    written_step,
    written_step_expr,
)

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "reference" / "alibaba_cloud_reported.csv"


def yi(x: float) -> float:
    return x * 1e8


@pytest.fixture(scope="module")
def reference() -> pl.DataFrame:
    return load_reference(FIXTURE)


@pytest.fixture(scope="module")
def shipped() -> pl.DataFrame:
    return load_reference(REFERENCE_PATH)


def claim(period, metric, value, unit, qualifier="exact", **extra) -> dict:
    return {"doc_id": "d1", "entity": "alibaba_cloud", "period": period, "metric": metric, "value": value,
            "unit": unit, "qualifier": qualifier, "quote": "", **extra}


def verdict_of(reference, row: dict) -> dict:
    return add_verdicts(claims_frame([row]), reference).row(0, named=True)


# what, period, metric, value, unit, qualifier, expected verdict, text in verdict_reason
QUALIFIERS = [
    ("6% vs 6", "2024Q2", "revenue_growth", 6, "%", "exact", "consistent", "matches reported 6% for 2024Q2 (FY2025Q1)"),
    ("7% vs 6", "2024Q2", "revenue_growth", 7, "%", "exact", "inconsistent", "claims 7%; reported 6% for 2024Q2 (FY2025Q1), off by +1 pp"),
    ("5% vs 6", "2024Q2", "revenue_growth", 5, "%", "exact", "inconsistent", "off by -1 pp"),
    ("超过6% vs 6", "2024Q2", "revenue_growth", 6, "%", "over", "consistent", "matches"),
    ("超过5% vs 6", "2024Q2", "revenue_growth", 5, "%", "over", "consistent", "matches"),
    ("超过7% vs 6", "2024Q2", "revenue_growth", 7, "%", "over", "inconsistent", "claims over 7%"),
    ("至少6% vs 6", "2024Q2", "revenue_growth", 6, "%", "at_least", "consistent", "matches"),
    ("低至5% vs 6", "2024Q2", "revenue_growth", 5, "%", "as_low_as", "consistent", "matches"),
    ("不足5% vs 6", "2024Q2", "revenue_growth", 5, "%", "under", "inconsistent", "claims under 5%; reported 6%"),
    ("不足7% vs 6", "2024Q2", "revenue_growth", 7, "%", "under", "consistent", "matches"),
    ("不足6% vs 6 (6 may be 5.8)", "2024Q2", "revenue_growth", 6, "%", "under", "consistent", "matches"),
    ("最高6% vs 6", "2024Q2", "revenue_growth", 6, "%", "up_to", "consistent", "matches"),
    ("最高5% vs 6", "2024Q2", "revenue_growth", 5, "%", "up_to", "inconsistent", "claims up_to 5%"),
    ("约7% vs 6: one step", "2024Q2", "revenue_growth", 7, "%", "approx", "consistent", "matches"),
    ("约8% vs 6", "2024Q2", "revenue_growth", 8, "%", "approx", "inconsistent", "claims approx 8%"),
    ("平均6% read as exact", "2024Q2", "revenue_growth", 6, "%", "average", "consistent", "matches"),
    ("平均8%", "2024Q2", "revenue_growth", 8, "%", "average", "inconsistent", "off by +2 pp"),
    ("突破265亿 vs 265", "2024Q2", "revenue", yi(265), "CNY", "over", "consistent", "matches reported 265.00亿元"),
    ("突破280亿 vs 265", "2024Q2", "revenue", yi(280), "CNY", "over", "inconsistent", "off by +15.00亿元"),
]

ROUNDING = [
    ("185.82亿 vs 18,580 given to 0.01bn", "2023Q1", "revenue", yi(185.82), "CNY", "exact", "consistent", "matches reported 185.80亿元 for 2023Q1 (FY2023Q4)"),
    ("185.84亿: inside the reference rounding", "2023Q1", "revenue", yi(185.84), "CNY", "exact", "consistent", "matches"),
    ("185.86亿: outside it", "2023Q1", "revenue", yi(185.86), "CNY", "exact", "inconsistent", "off by +0.06亿元"),
    ("185.9亿: intervals only touch", "2023Q1", "revenue", yi(185.9), "CNY", "exact", "inconsistent", "off by +0.10亿元"),
    ("186亿 written to whole 亿", "2023Q1", "revenue", yi(186), "CNY", "exact", "consistent", "matches"),
    ("296.1亿 vs 29,610", "2024Q3", "revenue", yi(296.1), "CNY", "exact", "consistent", "matches"),
    ("296.2亿 vs 29,610", "2024Q3", "revenue", yi(296.2), "CNY", "exact", "inconsistent", "off by +0.10亿元"),
    ("296亿 vs 29,610", "2024Q3", "revenue", yi(296), "CNY", "exact", "consistent", "matches"),
    ("265.4亿 vs 26,500 to 0.1bn", "2024Q2", "revenue", yi(265.4), "CNY", "exact", "consistent", "matches"),
    ("265.6亿 vs 26,500 to 0.1bn", "2024Q2", "revenue", yi(265.6), "CNY", "exact", "inconsistent", "off by +0.60亿元"),
    ("26.61亿 EBITA", "2024Q3", "adjusted_ebita", yi(26.61), "CNY", "exact", "consistent", "matches reported 26.61亿元"),
    ("26.6亿 EBITA", "2024Q3", "adjusted_ebita", yi(26.6), "CNY", "exact", "consistent", "matches"),
    ("26.7亿 EBITA", "2024Q3", "adjusted_ebita", yi(26.7), "CNY", "exact", "inconsistent", "off by +0.09亿元"),
    ("-1.79亿 EBITA loss", "2020Q1", "adjusted_ebita", yi(-1.79), "CNY", "exact", "consistent", "matches reported -1.79亿元"),
    ("6.4% vs 6", "2024Q2", "revenue_growth", 6.4, "%", "exact", "consistent", "matches"),
    ("6.6% vs 6", "2024Q2", "revenue_growth", 6.6, "%", "exact", "inconsistent", "off by +0.6 pp"),
    ("-2% vs -2", "2023Q1", "revenue_growth", -2, "%", "exact", "consistent", "matches reported -2%"),
    ("155% EBITA growth", "2024Q2", "adjusted_ebita_growth", 155, "%", "exact", "consistent", "matches"),
    ("150% vs 155", "2024Q2", "adjusted_ebita_growth", 150, "%", "exact", "inconsistent", "off by -5 pp"),
]

MIXUPS = [
    ("2024Q3's revenue labelled 2025Q2 (FY2025Q2 read as calendar)", "2025Q2", "revenue", yi(296.1), "CNY", "exact", "inconsistent", "equals the reported figure for 2024Q3 (FY2025Q2): fiscal and calendar labels mixed up"),
    ("2024Q3's growth labelled 2025Q2", "2025Q2", "revenue_growth", 7, "%", "exact", "inconsistent", "equals the reported figure for 2024Q3 (FY2025Q2): fiscal and calendar"),
    ("2024Q3's growth labelled 2023Q4 (calendar read as fiscal)", "2023Q4", "revenue_growth", 7, "%", "exact", "inconsistent", "equals the reported figure for 2024Q3 (FY2025Q2)"),
    ("2024Q3's EBITA labelled 2025Q2", "2025Q2", "adjusted_ebita", yi(26.61), "CNY", "exact", "inconsistent", "2024Q3 (FY2025Q2): fiscal and calendar"),
    ("2024Q4's revenue labelled 2025Q3 (FY2025Q3 read as calendar)", "2025Q3", "revenue", yi(317.42), "CNY", "exact", "inconsistent", "equals the reported figure for 2024Q4 (FY2025Q3): fiscal and calendar"),
    ("another quarter's revenue, no label pattern", "2025Q3", "revenue", yi(280.66), "CNY", "exact", "inconsistent", "equals the reported figure for another quarter, 2023Q4 (FY2024Q3)"),
    ("another quarter's revenue, within its 0.1bn rounding", "2025Q3", "revenue", yi(265.45), "CNY", "exact", "inconsistent", "equals the reported figure for another quarter, 2024Q2 (FY2025Q1)"),
]

BASIS_AND_EXTERNAL = [
    ("+42% computed across b2->b3", "2023Q2", "revenue_growth", 42, "%", "exact", "inconsistent", "equals growth computed across the segment-basis break: 251.23亿元 (cloud_intelligence_group_b3) against 176.85亿元 (cloud_legacy_b2)"),
    ("+21% computed across b1->b2", "2021Q4", "revenue_growth", 21, "%", "exact", "inconsistent", "195.39亿元 (cloud_legacy_b2) against 161.00亿元 (cloud_legacy_b1) a year before gives +21.4%"),
    ("the reported +4% on a restated base", "2023Q2", "revenue_growth", 4, "%", "exact", "consistent", "matches reported 4%"),
    ("external growth 29% given as total", "2025Q3", "revenue_growth", 29, "%", "exact", "inconsistent", "equals the external-revenue growth (29%, excluding Alibaba-consolidated subsidiaries), not the total"),
    ("external growth 17% given as total", "2025Q1", "revenue_growth", 17, "%", "exact", "inconsistent", "equals the external-revenue growth (17%"),
    ("external over 11% given as total 11%", "2024Q4", "revenue_growth", 11, "%", "exact", "inconsistent", "equals the external-revenue growth (over 11%"),
]

ANNUAL = [
    ("FY2025 revenue = sum of 2024Q2..2025Q1, all b4", "FY2025", "revenue", yi(1179.79), "CNY", "exact", "consistent", "matches reported 1,179.79亿元 for FY2025 (sum of 2024Q2, 2024Q3, 2024Q4, 2025Q1)"),
    ("FY2025 revenue written to whole 亿", "FY2025", "revenue", yi(1180), "CNY", "exact", "consistent", "matches"),
    ("FY2025 revenue 1200亿", "FY2025", "revenue", yi(1200), "CNY", "exact", "inconsistent", "off by +20.21亿元"),
    ("FY2025 revenue 超1000亿", "FY2025", "revenue", yi(1000), "CNY", "over", "consistent", "matches"),
    ("FY2024 revenue, all b3", "FY2024", "revenue", yi(1064.32), "CNY", "exact", "consistent", "matches reported 1,064.32亿元"),
    ("calendar 2024 spans b3 and b4", "2024", "revenue", yi(1149), "CNY", "exact", "unverifiable", "the quarters of 2024 are on different segment bases (2024Q1 cloud_intelligence_group_b3, 2024Q2 cloud_intelligence_group_b4"),
    ("2022 lacks 2022Q4 revenue", "2022", "revenue", yi(775.9), "CNY", "exact", "unverifiable", "the sum over 2022 needs all four quarters: no reported revenue for 2022Q4"),
    ("FY2025 EBITA lacks 2025Q1", "FY2025", "adjusted_ebita", yi(100), "CNY", "exact", "unverifiable", "no reported adjusted_ebita for 2025Q1"),
    ("FY2015: no rows at all", "FY2015", "revenue", yi(12.71), "CNY", "exact", "unverifiable", "no reference row for 2014Q2, 2014Q3, 2014Q4, 2015Q1"),
    ("annual growth is not summed", "FY2025", "revenue_growth", 11, "%", "exact", "unverifiable", "annual growth is not in the reference"),
]

PERIODS = [
    ("no period", None, "revenue_growth", 6, "%", "exact", "unverifiable", "period unknown"),
    ("period written as unknown", "unknown", "revenue_growth", 6, "%", "exact", "unverifiable", "period unknown"),
    ("half year", "2023H1", "revenue", yi(430), "CNY", "exact", "unverifiable", "period 2023H1 spans 2 quarters; only single quarters and full years are checked"),
    ("a month", "2024-05", "revenue_growth", 6, "%", "exact", "unverifiable", "period 2024-05 is not made of calendar quarters"),
    ("quarter missing from the table", "2019Q3", "revenue_growth", 64, "%", "exact", "unverifiable", "no reference row for 2019Q3 (FY2020Q2)"),
    ("quarter after the table", "2030Q1", "revenue", yi(500), "CNY", "exact", "unverifiable", "no reference row for 2030Q1"),
    ("figure not reported", "2019Q1", "revenue", yi(50), "CNY", "exact", "unverifiable", "no reported revenue for 2019Q1 (FY2019Q4) in the reference"),
    ("fiscal quarter label translated", "FY2025Q1", "revenue_growth", 6, "%", "exact", "consistent", "matches reported 6% for 2024Q2 (FY2025Q1)"),
]

COVERAGE = [
    ("USD revenue", "2023Q1", "revenue", 2706000000.0, "USD", "exact", "unverifiable", "reported in USD"),
    ("revenue with a percent unit", "2023Q1", "revenue", 5, "%", "exact", "unverifiable", "unit % cannot be compared with CNY"),
    ("market share: not checkable at all", "2023H1", "market_share", 29.9, "%", "exact", None, "not checkable: the reference has no market_share figures"),
    ("price cut: not checkable at all", "2024-05", "price_cut", 97, "%", "exact", None, "not checkable: the reference has no price_cut figures"),
]

ALL_CASES = QUALIFIERS + ROUNDING + MIXUPS + BASIS_AND_EXTERNAL + ANNUAL + PERIODS + COVERAGE


@pytest.mark.parametrize("what, period, metric, value, unit, qualifier, verdict, reason", ALL_CASES, ids=[c[0] for c in ALL_CASES])
def test_verdict(reference, what, period, metric, value, unit, qualifier, verdict, reason):
    got = verdict_of(reference, claim(period, metric, value, unit, qualifier))
    assert (got["verdict"], reason in got["verdict_reason"]) == (verdict, True), got["verdict_reason"]


# what, claim fields beyond the defaults, expected verdict, text in verdict_reason
SPECIAL = [
    ("range 5%-10% holds 6", dict(period="2024Q2", metric="revenue_growth", value=5, value_high=10, unit="%"), "consistent", "matches"),
    ("range 7%-10% misses 6", dict(period="2024Q2", metric="revenue_growth", value=7, value_high=10, unit="%"), "inconsistent", "reported 6%"),
    ("external 29% checked against external", dict(period="2025Q3", metric="revenue_growth", value=29, unit="%", product="external_revenue"), "consistent", "matches reported 29%"),
    ("external claim equal to the total", dict(period="2025Q3", metric="revenue_growth", value=34, unit="%", product="external_revenue"), "inconsistent", "equals the total revenue growth, not the external-revenue growth"),
    ("external growth not reported for 2024Q2", dict(period="2024Q2", metric="revenue_growth", value=6, unit="%", product="external_revenue"), "unverifiable", "no reported external-revenue growth for 2024Q2"),
    ("a product's revenue: not checkable", dict(period="2024Q2", metric="revenue", value=yi(10), unit="CNY", product="qwen"), None, "not checkable: product qwen is not in the reference"),
    ("group context in the sentence", dict(period="2024Q2", metric="revenue_growth", value=4, unit="%", quote="阿里巴巴集团本季度收入增长4%，阿里云增长4%"), "inconsistent", "the figure may be the group's"),
    ("no value", dict(period="2024Q2", metric="revenue_growth", value=None, unit="%"), "unverifiable", "no value"),
    ("range whose upper end holds another quarter", dict(period="2025Q3", metric="revenue", value=yi(290.01), value_high=yi(296.2), unit="CNY"), "inconsistent", "another quarter, 2024Q3 (FY2025Q2)"),
    ("range holding two quarters as near: the earlier is named", dict(period="2024Q4", metric="revenue", value=yi(295.99), value_high=yi(302.01), unit="CNY"), "inconsistent", "another quarter, 2024Q3 (FY2025Q2)"),
]


@pytest.mark.parametrize("what, fields, verdict, reason", SPECIAL, ids=[c[0] for c in SPECIAL])
def test_verdict_special(reference, what, fields, verdict, reason):
    row = {**claim(None, None, None, None), **fields}
    got = verdict_of(reference, row)
    assert (got["verdict"], reason in got["verdict_reason"]) == (verdict, True), got["verdict_reason"]


def test_annual_label_mix_up_once_an_analyst_adds_2025q4(tmp_path):
    """Calendar 2025 becomes checkable when 2025Q4 is added; FY2025's sum written as 2025 is then caught."""
    fixture = FIXTURE.read_text(encoding="utf-8").rstrip("\n")
    new = "2025Q4,FY2026Q3,41000,29,3700,18,cloud_intelligence_group_b4,,medium,https://example.com/q4"
    (tmp_path / "alibaba_cloud_reported.csv").write_text(f"{fixture}\n{new}\n", encoding="utf-8")
    ref = load_reference(tmp_path / "alibaba_cloud_reported.csv")
    got = verdict_of(ref, claim("2025", "revenue", yi(1179.79), "CNY"))
    assert got["verdict"] == "inconsistent" and got["reported_value"] == pytest.approx(144349e6)
    assert "equals the reported figure for FY2025: fiscal and calendar labels mixed up" in got["verdict_reason"]
    assert verdict_of(ref, claim("2025", "revenue", yi(1443.49), "CNY"))["verdict"] == "consistent"


# Chance equalities must not be offered as causes. what, claim, text the reason must NOT contain
NOT_BLAMED = [
    ("whole-亿 revenue near another quarter", claim("2024Q2", "revenue", yi(296), "CNY"), "another quarter"),
    ("just outside the 0.1bn rounding of 2024Q2's revenue", claim("2025Q3", "revenue", yi(265.56), "CNY"), "another quarter"),
    ("growth equal to far quarters' growth (2022Q3, 2023Q2)", claim("2025Q3", "revenue_growth", 4, "%"), "equals"),
    ("云智能集团 is the cloud, not the group", {**claim("2024Q2", "revenue_growth", 4, "%"), "quote": "阿里云智能集团收入增长4%"}, "group"),
    ("阿里巴巴云 is the cloud, not the group", {**claim("2024Q2", "revenue_growth", 4, "%"), "quote": "阿里巴巴云收入增长4%"}, "group"),
]


@pytest.mark.parametrize("what, row, absent", NOT_BLAMED, ids=[c[0] for c in NOT_BLAMED])
def test_no_cause_from_chance(reference, what, row, absent):
    got = verdict_of(reference, row)
    assert got["verdict"] == "inconsistent" and absent not in got["verdict_reason"], got["verdict_reason"]


def test_other_entities_get_no_verdict(reference):
    got = verdict_of(reference, {**claim("2023Q1", "revenue_growth", 16, "%"), "entity": "aws"})
    assert (got["verdict"], got["verdict_reason"], got["reported_value"]) == (None, "not an Alibaba Cloud figure", None)


def test_group_growth_stated_in_the_same_sentence(reference):
    quote = "阿里巴巴集团收入同比增长4%，其中云业务增长4%"
    rows = [
        {**claim("2024Q2", "revenue_growth", 4, "%"), "quote": quote, "entity": "alibaba_group"},
        {**claim("2024Q2", "revenue_growth", 4, "%"), "quote": quote},
    ]
    got = add_verdicts(claims_frame(rows), reference)
    assert got["verdict"].to_list() == [None, "inconsistent"]
    assert "equals the group's figure stated in the same sentence" in got["verdict_reason"][1]


def test_group_claim_without_value_is_no_group_figure(reference):
    quote = "阿里巴巴集团收入同比增长，其中云业务增长4%"
    rows = [
        {**claim("2024Q2", "revenue_growth", None, "%"), "quote": quote, "entity": "alibaba_group"},
        {**claim("2024Q2", "revenue_growth", 4, "%"), "quote": quote},
    ]
    got = add_verdicts(claims_frame(rows), reference)
    assert got["verdict"].to_list() == [None, "inconsistent"]
    assert "the figure may be the group's" in got["verdict_reason"][1]


@pytest.mark.parametrize(
    "period, metric, value, unit, reported_value, source",
    [
        ("2023Q1", "revenue", yi(185.82), "CNY", 18580e6, "https://en.pingwest.com/amp/a/11746"),
        ("2024Q2", "revenue_growth", 7, "%", 6.0, "https://stocktitan.net/news/BABA/alibaba-group-announces-june-quarter-2024-oar9xyv8z5p8.html"),
        ("2025Q3", "revenue_growth", 29, "%", 34.0, "https://www.worldjournal.com/wj/story/121347/9163337"),
        ("2025Q2", "revenue_growth", 26, "%", 26.0, "https://www.itiger.com/news/2563043180"),
        ("FY2025", "revenue", yi(1179.79), "CNY", 117979e6, "https://stocktitan.net/news/BABA/alibaba-group-announces-june-quarter-2024-oar9xyv8z5p8.html https://guba.sina.com.cn/?s=thread&bid=13015&tid=50117 https://52alpha.cn/tag/%e9%98%bf%e9%87%8c%e5%b7%b4%e5%b7%b4 https://www.itiger.com/news/2535816722"),
        (None, "revenue", yi(185.82), "CNY", None, None),
    ],
)
def test_reported_value_and_source(reference, period, metric, value, unit, reported_value, source):
    got = verdict_of(reference, claim(period, metric, value, unit))
    assert (got["reported_value"], got["reported_source"]) == (pytest.approx(reported_value) if reported_value else None, source)


WRITTEN_STEPS = [
    (yi(185.82), "CNY", 1e6),
        (yi(775.9), "CNY", 1e7),
        (yi(26.61), "CNY", 1e6),
        (yi(300), "CNY", 1e8),  # whole 亿: given to 1亿, not to 100亿
        (yi(1000), "CNY", 1e8),
        (2706000000.0, "USD", 1e6),
        (6, "%", 1.0),
        (150, "%", 1.0),
        (14.7, "%", 0.1),
        (-2, "%", 1.0),
        (6.6000000000000005, "%", 0.1),  # float noise from arithmetic is not precision
        (0.5, "%", 0.1),
]
QUALIFIER_NAMES = ["exact", "approx", "over", "at_least", "as_low_as", "under", "up_to", "average"]


@pytest.mark.parametrize("value, unit, step", WRITTEN_STEPS)
def test_written_step(value, unit, step):
    assert written_step(value, unit) == pytest.approx(step)


# ---------------------------------------------------------------- table behaviour
def test_add_verdicts_keeps_rows_columns_and_order_and_can_be_reapplied(reference):
    rows = [claim("2024Q2", "revenue_growth", v, "%") for v in (6, 7, 8)] + [claim(None, "revenue", 1.0, "CNY")]
    claims = claims_frame(rows).with_columns(pl.Series("review", ["a", "b", "c", "d"]))
    once = add_verdicts(claims, reference)
    assert once.columns == claims.columns + list(VERDICT_SCHEMA)
    assert {c: once.schema[c] for c in VERDICT_SCHEMA} == VERDICT_SCHEMA
    assert once["review"].to_list() == ["a", "b", "c", "d"]
    assert once["verdict"].to_list() == ["consistent", "inconsistent", "inconsistent", "unverifiable"]
    assert add_verdicts(once, reference).equals(once)


def test_empty_claims_table(reference):
    got = add_verdicts(claims_frame([]), reference)
    assert got.height == 0 and list(got.columns[-4:]) == list(VERDICT_SCHEMA)


def test_add_verdicts_says_which_columns_are_missing(reference):
    with pytest.raises(ValueError, match="lacks column\\(s\\) quote"):
        add_verdicts(claims_frame([claim("2024Q2", "revenue_growth", 6, "%")]).drop("quote"), reference)


def test_reported_series(reference):
    series = reported_series(reference)
    assert dict(series.schema) == REPORTED_SERIES_SCHEMA
    assert series.select("metric", "period").is_duplicated().sum() == 0
    assert set(series["metric"]) == {"revenue", "revenue_growth", "adjusted_ebita", "adjusted_ebita_growth"}
    got = {(m, p): v for m, p, v in series.select("metric", "period", "value").iter_rows()}
    assert got[("revenue", "2024Q3")] == 29610e6  # canonical CNY, like claims
    assert got[("revenue_growth", "2024Q3")] == 7
    assert got[("adjusted_ebita", "2020Q1")] == -179e6
    assert ("revenue", "2019Q1") not in got  # not reported: a gap, not a zero
    assert ("revenue", "2019Q3") not in got
    assert series["source_url"].str.starts_with("http").all()
    revenue = series.filter(pl.col("metric") == "revenue")
    assert revenue["period_start"].is_sorted()


# ---------------------------------------------------------------- the table path agrees with the one-claim path
def mixed_claims(reference, n: int, seed: int = 6) -> pl.DataFrame:
    """n claims that reach every branch of the check: three in ten are the table cases above in other
    sentences, the rest drawn from the reported figures and periods around them; with repeats (the
    same value and period in other sentences) and group figures stated beside cloud claims."""
    rnd = random.Random(seed)
    figures = reported_series(reference).group_by("metric").agg("value").rows()
    money = [v for m, values in figures if m in ("revenue", "adjusted_ebita") for v in values]
    growth = [v for m, values in figures if m.endswith("growth") for v in values] + [-0.0, 0.0, 6.4, 14.7]
    periods = [None, "", "unknown", "2024-05", "2023H1", "2022", "2024", "FY2015", "FY2024", "FY2025", "FY2025Q1",
               "FY2024Q3", "2018Q4", "2030Q1"] + [f"{y}Q{q}" for y in range(2019, 2026) for q in (1, 2, 3, 4)] * 2
    quotes = ["阿里云收入增长", "阿里巴巴集团收入增长，阿里云同样增长", "阿里云智能集团收入增长", "集团与云业务均有增长", ""]
    cases = [dict(period=c[1], metric=c[2], value=c[3], unit=c[4], qualifier=c[5]) for c in ALL_CASES]
    cases += [fields for _, fields, _, _ in SPECIAL]
    rows = []
    for _ in range(n):
        metric = rnd.choice(["revenue", "revenue_growth", "adjusted_ebita", "adjusted_ebita_growth", "market_share"])
        money_metric = metric in ("revenue", "adjusted_ebita")
        value = round(rnd.choice(money) / 1e8, rnd.choice([0, 1, 2])) * 1e8 if money_metric else rnd.choice(growth)
        if rnd.random() < 0.1:
            value += rnd.choice([-1, 1]) * written_step(value, "CNY" if money_metric else "%")
        row = {
            "doc_id": f"d{rnd.randrange(6)}", "quote": rnd.choice(quotes), "metric": metric, "period": rnd.choice(periods),
            "entity": rnd.choice(["alibaba_cloud"] * 6 + ["aws", "alibaba_group", "alibaba"]),
            "product": rnd.choice([None] * 8 + ["external_revenue"] * 3 + ["qwen"]),
            "value": None if rnd.random() < 0.02 else value,
            "unit": rnd.choice(["CNY" if money_metric else "%"] * 12 + ["USD", "%", "CNY"]),
            "qualifier": rnd.choice([None, "exact", "exact", "approx", "over", "under", "up_to", "as_low_as", "at_least", "average"]),
            "value_high": value * 1.1 if rnd.random() < 0.05 else None,
        }
        rows.append({**row, **rnd.choice(cases)} if rnd.random() < 0.3 else row)
    return claims_frame(rows)


def one_by_one(claims: pl.DataFrame, reference: pl.DataFrame) -> list[tuple]:
    """check_claim on each row alone, given the group's figures stated in its sentence."""
    ref, group = Reference(reference), defaultdict(set)
    for r in claims.iter_rows(named=True):
        if r["entity"] in GROUP_ENTITIES and r["value"] is not None:
            group[(r["doc_id"], r["quote"], r["metric"])].add(r["value"])
    verdicts = [check_claim(r, ref, group[(r["doc_id"], r["quote"], r["metric"])]) for r in claims.iter_rows(named=True)]
    return [(v.verdict, v.reported_value, v.reason, v.source) for v in verdicts]


@pytest.mark.parametrize("seed", [6, 7, 8])
def test_whole_column_verdicts_equal_the_table_verdicts(reference, seed):
    """verdict_columns (the dashboard's view of a million claims) decides over whole columns; each row
    gets add_verdicts' verdict, reported_value and reported_source, every branch included."""
    claims = mixed_claims(reference, 4000, seed)
    claims = pl.concat([claims, claims.filter(pl.col("value") == 0).with_columns(-pl.col("value"))])
    columns = ["verdict", "reported_value", "reported_source"]
    want = add_verdicts(claims, reference)
    got = verdict_columns(claims.with_columns(pl.lit("stale").alias("verdict")), reference)
    assert got.columns == [*claims.columns, *columns]
    assert got.select(claims.columns).equals(claims)
    diff = got.select(columns).with_row_index().join(want.select(columns).with_row_index(), on="index", suffix="_want").filter(
        pl.any_horizontal(~pl.col(c).eq_missing(pl.col(f"{c}_want")) for c in columns))
    assert diff.height == 0, diff.head(5)
    assert set(want["verdict"].drop_nulls()) == {"consistent", "inconsistent", "unverifiable"}


def test_whole_column_verdicts_of_an_empty_table(reference):
    empty = pl.DataFrame(schema=CLAIM_SCHEMA)
    assert verdict_columns(empty, reference).columns == [*CLAIM_SCHEMA, "verdict", "reported_value", "reported_source"]


# Every branch mixed_claims must reach, by a piece of its verdict_reason.
BRANCHES = [
    "not an Alibaba Cloud figure", "not checkable: the reference has no", "not checkable: product qwen", "the claim has no value",
    "reported in USD", "cannot be compared with", "period unknown", "is not made of calendar quarters",
    "only single quarters and full years", "annual growth is not in the reference", "the sum over",
    "different segment bases", "no reference row for", "no reported revenue for", "no reported adjusted_ebita for",
    "external-revenue growth is quarterly", "no reported external-revenue growth", "matches reported", "(sum of",
    "claims over", "claims approx", "claims -0%", "fiscal and calendar labels mixed up", "for another quarter",
    "equals the total revenue growth", "equals the external-revenue growth", "across the segment-basis break",
    "equals the group's figure stated in the same sentence", "the figure may be the group's",
]


def test_table_verdicts_equal_one_claim_verdicts(reference):
    """add_verdicts decides once per distinct combination and joins back; every row must still get
    exactly the verdict check_claim gives it alone."""
    claims = mixed_claims(reference, 4000)
    # polars groups -0.0 with 0.0, which a reason prints differently: give every zero its twin.
    claims = pl.concat([claims, claims.filter(pl.col("value") == 0).with_columns(-pl.col("value"))])
    got = add_verdicts(claims, reference).select(list(VERDICT_SCHEMA)).rows()
    want = one_by_one(claims, reference)
    assert len(got) == len(want)
    assert [i for i, (g, w) in enumerate(zip(got, want)) if g != w][:5] == [], "rows whose verdicts differ"
    reasons = "\n".join(r for _, _, r, _ in want)
    assert [b for b in BRANCHES if b not in reasons] == [], "branches the mixed claims do not reach"
    assert claims.select("value", "period", "metric").is_duplicated().any()  # repeats exercise the grouping


# ---------------------------------------------------------------- the bundled corpus (issue 6 expectations)
def gold_claims() -> pl.DataFrame:
    """The hand-checked claims of the bundled corpus (tests/gold.yaml) as a claims table."""
    items = yaml.safe_load((REPO / "tests" / "gold.yaml").read_text(encoding="utf-8"))
    rows = [
        {"doc_id": g["doc"][:3], "doc_path": g["doc"], "entity": g["entity"], "product": g.get("product"),
         "metric": g["metric"], "value": float(g["value"]), "value_high": g.get("value_high"), "unit": g["unit"],
         "qualifier": g.get("qualifier", "exact"), "period": None if g["period"] == "unknown" else str(g["period"]),
         "period_origin": "unknown" if g["period"] == "unknown" else "text", "quote": g["quote"]}
        for g in items
    ]
    return claims_frame(rows)


# doc, period, metric, value, expected verdict (every gold claim matching the first four)
CORPUS = [
    ("003", "2023Q1", "revenue", 18582000000, "consistent"),
    ("003", "2023Q1", "revenue_growth", -2, "consistent"),
    ("004", "2024Q2", "revenue_growth", 6, "consistent"),
    ("004", "2024Q2", "adjusted_ebita_growth", 155, "consistent"),
    ("001", "2024Q3", "adjusted_ebita", 2661000000, "consistent"),
    ("001", "2024Q3", "adjusted_ebita_growth", 89, "consistent"),
]


@pytest.mark.parametrize("doc, period, metric, value, verdict", CORPUS)
def test_bundled_corpus_expectations(shipped, doc, period, metric, value, verdict):
    got = add_verdicts(gold_claims(), shipped).filter(
        (pl.col("doc_id") == doc) & (pl.col("period") == period) & (pl.col("metric") == metric)
        & (pl.col("value") == value) & (pl.col("entity") == "alibaba_cloud") & pl.col("product").is_null()
    )
    assert got.height >= 1
    assert got["verdict"].to_list() == [verdict] * got.height, got["verdict_reason"].to_list()


def test_bundled_corpus_unknown_periods_are_unverifiable(shipped):
    got = add_verdicts(gold_claims(), shipped).filter(pl.col("period").is_null() & (pl.col("entity") == "alibaba_cloud")
                                                      & pl.col("metric").is_in(list(METRICS)) & pl.col("product").is_null())
    assert got.height >= 4
    assert set(got["verdict"]) == {"unverifiable"}


def test_bundled_corpus_has_no_inconsistent_claim(shipped):
    """The bundled articles report Alibaba's figures correctly; an inconsistent verdict here is our bug."""
    got = add_verdicts(gold_claims(), shipped)
    assert got.filter(pl.col("verdict") == "inconsistent")["verdict_reason"].to_list() == []


def test_extracted_corpus_end_to_end(shipped, tmp_path):
    """`cloudclaims extract` on data/articles, then verdicts: the issue's corpus expectations hold."""
    out = tmp_path / "claims.parquet"
    subprocess.run([sys.executable, "-m", "extractors.run.cli", "extract", "data/articles", "--out", str(out), "--no-cache", "--jobs", "1"], cwd=REPO, check=True)
    got = add_verdicts(read_table(out, CLAIM_SCHEMA), shipped)
    for doc, period, metric, value, verdict in CORPUS:
        rows = got.filter(
            pl.col("doc_path").str.contains(f"{doc}_") & (pl.col("period") == period) & (pl.col("metric") == metric)
            & ((pl.col("value") - value).abs() < 1e-6 * max(1, abs(value))) & (pl.col("entity") == "alibaba_cloud")
            & pl.col("product").is_null()
        )
        assert rows.height >= 1, (doc, period, metric, value)
        assert set(rows["verdict"]) == {verdict}, rows["verdict_reason"].to_list()
    unknown = got.filter(pl.col("period").is_null() & (pl.col("entity") == "alibaba_cloud") & pl.col("metric").is_in(list(METRICS))
                         & pl.col("product").is_null())
    assert unknown.height >= 4 and set(unknown["verdict"]) == {"unverifiable"}
    not_checkable = got.filter((pl.col("entity") == "alibaba_cloud") & ~pl.col("metric").is_in(list(METRICS)))
    assert not_checkable.height >= 1 and not_checkable["verdict"].null_count() == not_checkable.height


# ---------------------------------------------------------------- why unverifiable, in groups
# the reason as add_verdicts writes it (a piece), the group the Fact-check page lists it under
REASONS = [
    ("period unknown", "period_unknown"),
    ("period 2023H1 spans 2 quarters; only single quarters and full years are checked", "period_not_checkable"),
    ("period 2024-05 is not made of calendar quarters", "period_not_checkable"),
    ("period FY2025 is not one quarter; external-revenue growth is quarterly", "period_not_checkable"),
    ("no reference row for 2030Q1", "quarters_missing"),
    ("no reported revenue for 2019Q1 (FY2019Q4) in the reference", "quarters_missing"),
    ("the sum over 2022 needs all four quarters: no reported revenue for 2022Q4", "quarters_missing"),
    ("no reported external-revenue growth for 2024Q2", "quarters_missing"),
    ("the quarters of 2024 are on different segment bases (...)", "segment_bases"),
    ("reported in USD", "unit"),
    ("unit % cannot be compared with CNY", "unit"),
    ("the claim has no value", "no_value"),
    ("something new", "other"),
]


@pytest.mark.parametrize("reason, group", REASONS)
def test_reason_group(reason, group):
    assert reason_group(reason) == group


def test_every_unverifiable_reason_has_a_group(reference):
    """No reason the checks give falls through to "other": the Fact-check page lists each under its group."""
    got = add_verdicts(mixed_claims(reference, 2000), reference).filter(pl.col("verdict") == "unverifiable")
    assert got.height > 100
    assert sorted({r for r in got["verdict_reason"] if reason_group(r) == "other"}) == []


# value, value_high, qualifier, written step, (low, high) the claim allows
BOUNDS = [
    (6, None, "exact", 1, (5.5, 6.5)),
    (6, None, "approx", 1, (5, 7)),
    (6, None, "average", 1, (5.5, 6.5)),
    (6, None, "over", 1, (5.5, float("inf"))),
    (6, None, "under", 1, (float("-inf"), 6.5)),
    (15, 50, "exact", 1, (14.5, 50.5)),
    (yi(185.82), None, "exact", 1e6, (yi(185.815), yi(185.825))),
]


@pytest.mark.parametrize("value, value_high, qualifier, step, bounds", BOUNDS)
def test_claim_bounds(value, value_high, qualifier, step, bounds):
    assert claim_bounds(value, value_high, qualifier, step) == pytest.approx(bounds)


def test_a_figure_matches_exactly_when_it_lies_inside_the_claim_bounds():
    """matches() is claim_bounds() widened by the reported figure's rounding: one rule, read two ways."""
    rnd = random.Random(12)
    for _ in range(2000):
        value, step = rnd.choice([6, 6.5, 185.82, -2, 0]), rnd.choice([0.1, 1])
        qualifier = rnd.choice(["exact", "approx", "over", "under", "at_least", "up_to", "average"])
        high = rnd.choice([None, value + 3])
        figure = Figure(value + rnd.uniform(-2, 2), rnd.choice([0.0, 0.1, 1.0]), "", "")
        lo, hi = claim_bounds(value, high, qualifier, step)
        inside = lo - figure.step / 2 < figure.value < hi + figure.step / 2
        near_edge = min(abs(figure.value - (lo - figure.step / 2)), abs(figure.value - (hi + figure.step / 2))) < 1e-6
        assert near_edge or matches(value, high, qualifier, step, figure) == inside


def test_the_column_rules_equal_the_one_claim_rules():
    """written_step_expr and claim_bounds_expr (whole tables: conflicts) give what written_step and
    claim_bounds give one claim at a time (verdicts)."""
    rnd = random.Random(7)
    values = [v for v, _, _ in WRITTEN_STEPS] + [round(rnd.uniform(-1e3, 1e3), rnd.randrange(0, 7)) for _ in range(3000)]
    values += [round(rnd.uniform(0, 5e3), rnd.randrange(0, 5)) * 1e8 for _ in range(3000)] + [0.1 + 0.2, -0.0, 1e-7, 3e15]
    rows = [(v, rnd.choice([None, v + 1]), rnd.choice([None, *QUALIFIER_NAMES]), rnd.choice(["%", "CNY", "USD", "count"])) for v in values]
    frame = pl.DataFrame(rows, schema={"value": pl.Float64, "value_high": pl.Float64, "qualifier": pl.String, "unit": pl.String}, orient="row")
    step = written_step_expr(pl.col("value"), pl.col("unit"))
    lo, hi = claim_bounds_expr(pl.col("value"), pl.col("value_high"), pl.col("qualifier"), step)
    got = frame.select(step.alias("step"), lo.alias("lo"), hi.alias("hi")).rows()
    want = [(written_step(v, u), *claim_bounds(v, h, q, written_step(v, u))) for v, h, q, u in rows]
    assert [i for i, (g, w) in enumerate(zip(got, want)) if g != pytest.approx(w, rel=1e-12)][:5] == []


def test_a_growth_rounding_note_sets_the_reported_step(tmp_path):
    """2024Q1's 3.4% is given to 0.1 (a precision note): a claim of 3% is consistent, 3.6% is not."""
    header = FIXTURE.read_text(encoding="utf-8").splitlines()[0]
    row = "2024Q1,FY2024Q4,25595,3.4,,,cloud_intelligence_group_b3,revenue_yoy to 0.1 as stated by Dow Jones,medium,https://example.com/q"
    (tmp_path / "alibaba_cloud_reported.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    ref = load_reference(tmp_path / "alibaba_cloud_reported.csv")
    assert ref["revenue_yoy_step_pct"].to_list() == [0.1]
    assert [verdict_of(ref, claim("2024Q1", "revenue_growth", v, "%"))["verdict"] for v in (3, 3.4, 3.5, 3.6)] == [
        "consistent", "consistent", "inconsistent", "inconsistent"]
