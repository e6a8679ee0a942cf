"""The one calendar: fiscal labels (FY N = April N-1 to March N), quarter arithmetic, labels and bounds.

Tables, one case per line.
"""
from __future__ import annotations

import datetime as dt

import pytest

from extractors.calendar import (
    calendar_quarter,
    fiscal_label,
    label_mixups,
    parse,
    period_bounds,
    period_quarters,
    quarter_bounds,
    report_quarter,
    shift_quarter,
    year_before,
)

FISCAL = [
    # calendar quarter, fiscal label
    ("2023Q1", "FY2023Q4"),
    ("2023Q2", "FY2024Q1"),
    ("2023Q3", "FY2024Q2"),
    ("2023Q4", "FY2024Q3"),
    ("2024Q1", "FY2024Q4"),
    ("2024Q2", "FY2025Q1"),
    ("2025Q3", "FY2026Q2"),
    ("2019Q1", "FY2019Q4"),
]


@pytest.mark.parametrize("calendar, fiscal", FISCAL)
def test_fiscal_label(calendar, fiscal):
    assert fiscal_label(calendar) == fiscal


@pytest.mark.parametrize("calendar, fiscal", FISCAL)
def test_calendar_quarter_inverts_fiscal_label(calendar, fiscal):
    assert calendar_quarter(fiscal) == calendar


@pytest.mark.parametrize(
    "quarter, start, end",
    [
        ("2024Q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
        ("2024Q2", dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
        ("2024Q3", dt.date(2024, 7, 1), dt.date(2024, 9, 30)),
        ("2024Q4", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
    ],
)
def test_quarter_bounds(quarter, start, end):
    assert quarter_bounds(quarter) == (start, end)


@pytest.mark.parametrize(
    "quarter, n, expected",
    [
        ("2024Q1", -4, "2023Q1"),
        ("2024Q1", -1, "2023Q4"),
        ("2023Q4", 1, "2024Q1"),
        ("2024Q2", 0, "2024Q2"),
    ],
)
def test_shift_quarter(quarter, n, expected):
    assert shift_quarter(quarter, n) == expected


@pytest.mark.parametrize(
    "period, quarters",
    [
        ("2024Q2", ["2024Q2"]),
        ("FY2025Q1", ["2024Q2"]),  # a fiscal quarter label is translated
        ("2023H1", ["2023Q1", "2023Q2"]),
        ("2023H2", ["2023Q3", "2023Q4"]),
        ("2022", ["2022Q1", "2022Q2", "2022Q3", "2022Q4"]),
        ("FY2023", ["2022Q2", "2022Q3", "2022Q4", "2023Q1"]),  # April 2022 .. March 2023
        ("2024-05", None),  # a month is not whole quarters
        ("unknown", None),
        (None, None),
        ("2024Q5", None),
    ],
)
def test_period_quarters(period, quarters):
    assert period_quarters(period) == quarters


@pytest.mark.parametrize(
    "period, mixups",
    [
        ("2025Q2", ["2024Q3", "2026Q1"]),  # FY2025Q2 is 2024Q3; 2025Q2 is itself FY2026Q1
        ("2023Q4", ["2023Q1", "2024Q3"]),  # FY2023Q4 is 2023Q1; 2023Q4 is FY2024Q3, so "2024 Q3" read as fiscal lands here
        ("2022", ["FY2022"]),
        ("FY2023", ["2023"]),
        ("2023H1", []),
        (None, []),
    ],
)
def test_label_mixups(period, mixups):
    assert label_mixups(period) == mixups




@pytest.mark.parametrize(
    "label, start, end",
    [
        ("2023Q1", dt.date(2023, 1, 1), dt.date(2023, 3, 31)),
        ("2024H2", dt.date(2024, 7, 1), dt.date(2024, 12, 31)),
        ("2022", dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
        ("FY2015", dt.date(2014, 4, 1), dt.date(2015, 3, 31)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ],
)
def test_period_bounds(label, start, end):
    assert period_bounds(label) == (start, end)


@pytest.mark.parametrize("label", ["2023Q5", "FY23", "2024-13", "Q1", "", "2023年"])
def test_bad_label_is_refused_with_the_label_named(label):
    with pytest.raises(ValueError, match="period"):
        parse(label)


@pytest.mark.parametrize(
    "label, before",
    [("2025Q3", "2024Q3"), ("2024Q1", "2023Q1"), ("2023H2", "2022H2"), ("2022", "2021"), ("FY2025", "FY2024"),
     ("2024-05", "2023-05")],
)
def test_year_before_is_the_year_on_year_baseline(label, before):
    assert year_before(parse(label), "baseline").label == before


@pytest.mark.parametrize(
    "published, covered",
    # a results report covers the last quarter that ended before its month; boundary months included
    [(dt.date(2025, 11, 25), "2025Q3"), (dt.date(2025, 8, 29), "2025Q2"), (dt.date(2025, 5, 15), "2025Q1"),
     (dt.date(2025, 2, 20), "2024Q4"), (dt.date(2025, 1, 3), "2024Q4"), (dt.date(2025, 4, 1), "2025Q1"),
     (dt.date(2025, 3, 31), "2024Q4"), (dt.date(2025, 7, 1), "2025Q2"), (dt.date(2025, 10, 1), "2025Q3")],
)
def test_report_quarter(published, covered):
    assert report_quarter(published).label == covered
