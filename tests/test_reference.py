"""The reference table: precision notes and the validated loader.

Tables, one case per line. A malformed-row case is (what is wrong, the bad data line, the text the
error must contain); every error must also name the file and the line.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from factcheck.reference import (
    EXTERNAL_FILE,
    LOADED_SCHEMA,
    REFERENCE_PATH,
    ReferenceError,
    load_reference,
    precision_steps,
)


# ---------------------------------------------------------------- precision notes (CNY million)
@pytest.mark.parametrize(
    "note, steps",
    [
        ("revenue to 0.1bn", {"revenue": 100.0}),
        ("revenue to 0.01bn", {"revenue": 10.0}),
        ("revenue and ebita to 0.1bn", {"revenue": 100.0, "ebita": 100.0}),
        ("ebita labelled EBITDA by its source", {}),  # a note, not a rounding statement
        ("", {}),
        (None, {}),
    ],
)
def test_precision_steps(note, steps):
    assert precision_steps(note) == steps


def test_unreadable_precision_note_is_an_error_not_ignored():
    with pytest.raises(ValueError, match="not understood"):
        precision_steps("revenue to 0.1 billion")


# ---------------------------------------------------------------- the shipped files
def test_shipped_reference_loads_with_every_quarter_sourced():
    ref = load_reference(REFERENCE_PATH)
    assert dict(ref.schema) == LOADED_SCHEMA
    assert ref["calendar_quarter"].is_unique().all()
    assert ref["source_url"].str.starts_with("http").all()
    assert ref["calendar_quarter"].to_list()[0] == "2019Q1" and "2019Q3" not in ref["calendar_quarter"].to_list()
    row = ref.row(by_predicate=pl.col("calendar_quarter") == "2024Q2", named=True)
    assert (row["revenue_cny_million"], row["revenue_step_cny_million"], row["adjusted_ebita_step_cny_million"]) == (26500, 100, 100)
    assert row["period_start"] == dt.date(2024, 4, 1)


def test_shipped_external_growth_is_joined_by_quarter():
    ref = load_reference(REFERENCE_PATH)
    got = {q: (v, k) for q, v, k in ref.select("calendar_quarter", "external_revenue_yoy_pct", "external_qualifier").iter_rows() if v is not None}
    assert got == {"2024Q3": (7, "exact"), "2024Q4": (11, "over"), "2025Q1": (17, "exact"), "2025Q2": (26, "exact"), "2025Q3": (29, "exact")}


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


@pytest.mark.parametrize(
    "what, line, message",
    [
        ("quarter not in the main table", "2025Q3,29,exact,https://e.com,", "quarter(s) 2025Q3 not in alibaba_cloud_reported.csv"),
        ("growth missing", "2024Q2,,exact,https://e.com,", "line 2: external_revenue_yoy_pct is empty"),
        ("unknown qualifier", "2024Q2,6,about,https://e.com,", "line 2: qualifier 'about' is not one of exact, over"),
        ("source neither URL nor file", "2024Q2,6,exact,press release,", "line 2 (2024Q2): source_url 'press release' is neither an http(s) URL nor a file"),
    ],
)
def test_malformed_external_growth(tmp_path, what, line, message):
    (tmp_path / "alibaba_cloud_reported.csv").write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    (tmp_path / EXTERNAL_FILE).write_text(f"{EXTERNAL_HEADER}\n{line}\n", encoding="utf-8")
    with pytest.raises(ReferenceError) as err:
        load_reference(tmp_path / "alibaba_cloud_reported.csv")
    assert EXTERNAL_FILE in str(err.value) and message in str(err.value)


def test_external_source_may_be_a_file_beside_the_table(tmp_path):
    (tmp_path / "alibaba_cloud_reported.csv").write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("external growth 2024Q2: +6%\n", encoding="utf-8")
    (tmp_path / EXTERNAL_FILE).write_text(f"{EXTERNAL_HEADER}\n2024Q2,6,exact,README.md,\n", encoding="utf-8")
    ref = load_reference(tmp_path / "alibaba_cloud_reported.csv")
    assert ref["external_source_url"].to_list() == [str(tmp_path / "README.md")]


def test_a_new_quarter_added_by_an_analyst_is_picked_up(tmp_path):
    shipped = Path(REFERENCE_PATH).read_text(encoding="utf-8").rstrip("\n")
    new = "2025Q4,FY2026Q3,41000,30,3700,20,cloud_intelligence_group_b4,,medium,https://example.com/q4"
    (tmp_path / "alibaba_cloud_reported.csv").write_text(f"{shipped}\n{new}\n", encoding="utf-8")
    ref = load_reference(tmp_path / "alibaba_cloud_reported.csv")
    assert ref["calendar_quarter"].to_list()[-1] == "2025Q4"
    assert ref.height == load_reference(REFERENCE_PATH).height + 1
