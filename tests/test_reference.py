"""The reference table: precision notes and the validated loader.

Tables, one case per line. A malformed-row case is (what is wrong, the bad data line, the text the
error must contain); every error must also name the file and the line. Behaviour is tested on the
frozen fixture (tests/fixtures/reference/); the shipped files (data/reference/) only on invariants
that must hold whatever figures an analyst adds.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from extractors.calendar import parse_quarter, shift_quarter
from factcheck.reference import (
    CONFIDENCES,
    EXTERNAL_FILE,
    KINDS_FILE,
    LOADED_SCHEMA,
    REFERENCE_PATH,
    SOURCE_KINDS,
    ReferenceError,
    load_reference,
    precision_steps,
)

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "reference" / "alibaba_cloud_reported.csv"


# ---------------------------------------------------------------- precision notes (CNY million)
@pytest.mark.parametrize(
    "note, steps",
    [
        ("revenue to 0.1bn", {"revenue": 100.0}),
        ("revenue to 0.01bn", {"revenue": 10.0}),
        ("revenue and ebita to 0.1bn", {"revenue": 100.0, "ebita": 100.0}),
        ("ebita labelled EBITDA by its source", {}),  # a note, not a rounding statement
        ("revenue to 0.01bn; ebita labelled EBITDA by one source", {"revenue": 10.0}),  # parts read one by one
        ("revenue_yoy to 0.1 as stated by Dow Jones; ebita labelled EBITDA by its broker source", {"revenue_yoy": 0.1}),
        ("revenue_yoy and ebita_yoy to 0.1", {"revenue_yoy": 0.1, "ebita_yoy": 0.1}),
        ("", {}),
        (None, {}),
    ],
)
def test_precision_steps(note, steps):
    assert precision_steps(note) == steps


@pytest.mark.parametrize("note", [
    "revenue to 0.1 billion",
    "revenue_yoy to 0.1bn",  # growth is rounded to percentage points, not bn
    "revenue and revenue_yoy to 0.1bn",
    "ebita labelled EBITDA; revenue to one decimal",
])
def test_unreadable_precision_note_is_an_error_not_ignored(note):
    with pytest.raises(ValueError, match="not understood"):
        precision_steps(note)


# ---------------------------------------------------------------- the fixture: what loading derives
def test_the_loaded_table_has_dates_steps_kinds_and_external_growth():
    ref = load_reference(FIXTURE)
    assert dict(ref.schema) == LOADED_SCHEMA
    row = ref.row(by_predicate=pl.col("calendar_quarter") == "2024Q2", named=True)
    assert (row["revenue_cny_million"], row["revenue_step_cny_million"], row["adjusted_ebita_step_cny_million"]) == (26500, 100, 100)
    assert row["period_start"] == dt.date(2024, 4, 1) and row["revenue_yoy_step_pct"] is None
    assert (row["source_kind"], row["source_name"]) == ("announcement", "Stock Titan (Business Wire copy)")
    assert ref.row(by_predicate=pl.col("calendar_quarter") == "2023Q3", named=True)["source_kind"] is None  # not listed: not classified
    got = {q: (v, k) for q, v, k in ref.select("calendar_quarter", "external_revenue_yoy_pct", "external_qualifier").iter_rows() if v is not None}
    assert got == {"2024Q3": (7, "exact"), "2024Q4": (11, "over"), "2025Q1": (17, "exact"), "2025Q2": (26, "exact"), "2025Q3": (29, "exact")}


# ---------------------------------------------------------------- the shipped files: invariants only
@pytest.fixture(scope="module")
def shipped() -> pl.DataFrame:
    return load_reference(REFERENCE_PATH)


def test_shipped_reference_loads_one_row_per_quarter_without_gaps(shipped):
    quarters = shipped["calendar_quarter"].to_list()
    assert dict(shipped.schema) == LOADED_SCHEMA and len(quarters) >= 26
    assert quarters == [shift_quarter(quarters[0], i) for i in range(len(quarters))]  # in order, none missing


def test_every_shipped_row_is_sourced_classified_and_plausible(shipped):
    assert shipped["source_url"].str.starts_with("http").all()
    assert set(shipped["confidence"]) <= set(CONFIDENCES)
    assert shipped.filter(pl.col("source_kind").is_null())["source_url"].to_list() == []  # source_kinds.csv lists every source
    assert set(shipped["source_kind"]) <= set(SOURCE_KINDS)
    revenue = shipped["revenue_cny_million"].drop_nulls()
    assert revenue.min() > 1000 and revenue.max() < 200_000  # CNY million: 10亿 to 2000亿 a quarter
    growth = pl.concat([shipped["revenue_yoy_pct"], shipped["adjusted_ebita_yoy_pct"]]).drop_nulls()
    assert growth.abs().max() < 1000


def test_shipped_external_growth_names_quarters_of_the_reference(shipped):
    external = shipped.filter(pl.col("external_revenue_yoy_pct").is_not_null())
    assert external.height >= 1 and external["external_source_url"].is_not_null().all()
    assert all(parse_quarter(q) for q in external["calendar_quarter"])


# ---------------------------------------------------------------- malformed rows
HEADER = "calendar_quarter,fiscal_label,revenue_cny_million,revenue_yoy_pct,adjusted_ebita_cny_million,adjusted_ebita_yoy_pct,segment_basis,precision,confidence,source_url"
GOOD = "2024Q2,FY2025Q1,26500,6,2300,155,cloud_intelligence_group_b4,revenue and ebita to 0.1bn,medium,https://example.com/a"
# The bad line is line 3 (header 1, GOOD 2).
MALFORMED = [
    ("bad quarter label", "2024Q5,FY2025Q1,1,1,1,1,cloud_intelligence_group_b4,,high,https://e.com", "calendar_quarter '2024Q5' is not a calendar quarter"),
    ("fiscal quarter in the calendar column", "FY2025Q2,FY2025Q2,1,1,1,1,cloud_intelligence_group_b4,,high,https://e.com", "calendar_quarter 'FY2025Q2' is not a calendar quarter"),
    ("fiscal label disagrees", "2024Q3,FY2024Q2,29610,7,2661,89,cloud_intelligence_group_b4,,high,https://e.com", "fiscal_label FY2024Q2 does not match the calendar quarter (expected FY2025Q2)"),
    ("non-numeric revenue", "2024Q3,FY2025Q2,296.1亿,7,2661,89,cloud_intelligence_group_b4,,high,https://e.com", "revenue_cny_million '296.1亿' is not a number"),
    ("non-numeric growth", "2024Q3,FY2025Q2,29610,7%,2661,89,cloud_intelligence_group_b4,,high,https://e.com", "revenue_yoy_pct '7%' is not a number"),
    ("unknown basis", "2024Q3,FY2025Q2,29610,7,2661,89,cloud_b5,,high,https://e.com", "segment_basis 'cloud_b5' is not one of"),
    ("missing source_url", "2024Q3,FY2025Q2,29610,7,2661,89,cloud_intelligence_group_b4,,high,", "source_url is empty"),
    ("source is not a URL", "2024Q3,FY2025Q2,29610,7,2661,89,cloud_intelligence_group_b4,,high,Alibaba press release", "source_url 'Alibaba press release' is not an http(s) URL"),
    ("duplicate quarter", "2024Q2,FY2025Q1,26500,6,2300,155,cloud_intelligence_group_b4,,medium,https://e.com", "duplicate quarter 2024Q2 (first on line 2)"),
    ("unknown confidence", "2024Q3,FY2025Q2,29610,7,2661,89,cloud_intelligence_group_b4,,certain,https://e.com", "confidence 'certain' is not one of high, medium, low"),
    ("unreadable precision", "2024Q3,FY2025Q2,29610,7,2661,89,cloud_intelligence_group_b4,revenue to 1 decimal,high,https://e.com", "precision 'revenue to 1 decimal' not understood"),
    ("a cell short", "2024Q3,FY2025Q2,29610,7,2661,89,cloud_intelligence_group_b4,high,https://e.com", "expected 10 cells, found 9"),
    ("a cell too many", "2024Q3,FY2025Q2,29610,7,2661,89,cloud_intelligence_group_b4,,high,https://e.com,x", "expected 10 cells, found 11"),
]


@pytest.mark.parametrize("what, bad_line, message", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_row_names_file_line_and_problem(tmp_path, what, bad_line, message):
    path = tmp_path / "alibaba_cloud_reported.csv"
    path.write_text(f"{HEADER}\n{GOOD}\n{bad_line}\n", encoding="utf-8")
    with pytest.raises(ReferenceError) as err:
        load_reference(path)
    assert f"{path}, line 3" in str(err.value)
    assert message in str(err.value)


@pytest.mark.parametrize(
    "what, text, message",
    [
        ("missing column", HEADER.replace(",confidence", "") + "\n", "line 1 (header): missing column(s) confidence"),
        ("unknown column", HEADER + ",notes\n", "line 1 (header): unknown column(s) notes"),
        ("empty file", "", "line 1 (header): missing column(s) calendar_quarter"),
        ("basis goes back in time", f"{HEADER}\n{GOOD}\n2024Q3,FY2025Q2,1,1,1,1,cloud_legacy_b2,,high,https://e.com\n", "segment_basis cloud_legacy_b2 comes before 2024Q2's cloud_intelligence_group_b4"),
    ],
)
def test_malformed_file_names_file_and_problem(tmp_path, what, text, message):
    path = tmp_path / "alibaba_cloud_reported.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceError) as err:
        load_reference(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_file_saved_in_gbk_is_a_reference_error(tmp_path):
    path = tmp_path / "alibaba_cloud_reported.csv"
    path.write_bytes(f"{HEADER}\n{GOOD}\n2024Q3,FY2025Q2,29610,7,2661,89,cloud_intelligence_group_b4,阿里云,high,https://e.com\n".encode("gbk"))
    with pytest.raises(ReferenceError, match="not UTF-8 text"):
        load_reference(path)


def test_missing_reference_file_is_a_reference_error(tmp_path):
    with pytest.raises(ReferenceError, match="cannot read the reference file"):
        load_reference(tmp_path / "nope.csv")


EXTERNAL_HEADER = "calendar_quarter,external_revenue_yoy_pct,qualifier,source_url,note"
KINDS_HEADER = "source_url,kind,name"

# the files read beside the reference: which one, a bad data line (line 2), the text its error must contain
SIDE_FILES = [
    ("quarter not in the main table", EXTERNAL_FILE, "2025Q3,29,exact,https://e.com,", "quarter(s) 2025Q3 not in alibaba_cloud_reported.csv"),
    ("growth missing", EXTERNAL_FILE, "2024Q2,,exact,https://e.com,", "line 2: external_revenue_yoy_pct is empty"),
    ("unknown qualifier", EXTERNAL_FILE, "2024Q2,6,about,https://e.com,", "line 2: qualifier 'about' is not one of exact, over"),
    ("source neither URL nor file", EXTERNAL_FILE, "2024Q2,6,exact,press release,", "line 2 (2024Q2): source_url 'press release' is neither an http(s) URL nor a file"),
    ("unknown kind", KINDS_FILE, "https://example.com/a,blog,Someone", "line 2: kind 'blog' is not one of announcement, translation, press, other"),
    ("kind of something not a URL", KINDS_FILE, "press release,press,Someone", "line 2: source_url 'press release' is not an http(s) URL"),
    ("kind without a name", KINDS_FILE, "https://example.com/a,press,", "line 2: name is empty"),
    ("a source listed twice", KINDS_FILE, "https://example.com/a,press,A\nhttps://example.com/a,other,A", "line 3: duplicate source_url https://example.com/a"),
]


@pytest.mark.parametrize("what, name, lines, message", SIDE_FILES, ids=[c[0] for c in SIDE_FILES])
def test_malformed_files_beside_the_reference(tmp_path, what, name, lines, message):
    (tmp_path / "alibaba_cloud_reported.csv").write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    header = EXTERNAL_HEADER if name == EXTERNAL_FILE else KINDS_HEADER
    (tmp_path / name).write_text(f"{header}\n{lines}\n", encoding="utf-8")
    with pytest.raises(ReferenceError) as err:
        load_reference(tmp_path / "alibaba_cloud_reported.csv")
    assert name in str(err.value) and message in str(err.value)


def test_external_source_may_be_a_file_beside_the_table(tmp_path):
    (tmp_path / "alibaba_cloud_reported.csv").write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("external growth 2024Q2: +6%\n", encoding="utf-8")
    (tmp_path / EXTERNAL_FILE).write_text(f"{EXTERNAL_HEADER}\n2024Q2,6,exact,README.md,\n", encoding="utf-8")
    ref = load_reference(tmp_path / "alibaba_cloud_reported.csv")
    assert ref["external_source_url"].to_list() == [str(tmp_path / "README.md")]


def test_a_new_quarter_added_by_an_analyst_is_picked_up(tmp_path):
    fixture = FIXTURE.read_text(encoding="utf-8").rstrip("\n")
    new = "2025Q4,FY2026Q3,41000,30,3700,20,cloud_intelligence_group_b4,,medium,https://example.com/q4"
    (tmp_path / "alibaba_cloud_reported.csv").write_text(f"{fixture}\n{new}\n", encoding="utf-8")
    ref = load_reference(tmp_path / "alibaba_cloud_reported.csv")
    assert ref["calendar_quarter"].to_list()[-1] == "2025Q4"
    assert ref.height == load_reference(FIXTURE).height + 1
