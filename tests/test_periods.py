"""Period expressions as news writes them, simplified and traditional, resolved against a publication date."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from extractors import calendar as cal
from extractors import pipeline
from extractors.recognize import periods
from extractors.text import documents
from extractors.text.normalize import normalize

D = dt.date

# text, publication date, expected (label, start, end, origin) of the last expression in the text
EXPRESSIONS = [
    ("2023财年第四季度", D(2023, 8, 3), ("2023Q1", "2023-01-01", "2023-03-31", "explicit")),
    ("2023財年第四季度", D(2023, 8, 3), ("2023Q1", "2023-01-01", "2023-03-31", "explicit")),
    ("2025财年第一季度", D(2024, 8, 15), ("2024Q2", "2024-04-01", "2024-06-30", "explicit")),
    ("2025財年第二季度", D(2024, 11, 15), ("2024Q3", "2024-07-01", "2024-09-30", "explicit")),
    ("2024财年第三季度", D(2024, 2, 7), ("2023Q4", "2023-10-01", "2023-12-31", "explicit")),
    ("2026财年第2季度", D(2025, 11, 25), ("2025Q3", "2025-07-01", "2025-09-30", "explicit")),
    ("2015财年", D(2023, 8, 3), ("FY2015", "2014-04-01", "2015-03-31", "explicit")),
    ("2023財年", D(2023, 8, 3), ("FY2023", "2022-04-01", "2023-03-31", "explicit")),
    ("自然年2023年第一季度", D(2023, 8, 3), ("2023Q1", "2023-01-01", "2023-03-31", "explicit")),
    ("2024年第三季度", D(2024, 11, 1), ("2024Q3", "2024-07-01", "2024-09-30", "explicit")),
    ("2024年二季度", D(2024, 11, 1), ("2024Q2", "2024-04-01", "2024-06-30", "explicit")),
    ("2024Q4", D(2025, 3, 1), ("2024Q4", "2024-10-01", "2024-12-31", "explicit")),
    ("2021年上半年", D(2024, 9, 19), ("2021H1", "2021-01-01", "2021-06-30", "explicit")),
    ("2023年下半年", D(2024, 9, 19), ("2023H2", "2023-07-01", "2023-12-31", "explicit")),
    ("2022年", D(2023, 4, 1), ("2022", "2022-01-01", "2022-12-31", "explicit")),
    ("2022年全年", D(2023, 4, 1), ("2022", "2022-01-01", "2022-12-31", "explicit")),
    ("2024年2月底", D(2024, 9, 19), ("2024-02", "2024-02-01", "2024-02-29", "explicit")),
    ("2023年4月", D(2024, 9, 19), ("2023-04", "2023-04-01", "2023-04-30", "explicit")),
    ("2022年12月9日", D(2023, 4, 1), ("2022-12", "2022-12-01", "2022-12-31", "explicit")),
    ("2024-09-19", D(2024, 9, 20), ("2024-09", "2024-09-01", "2024-09-30", "explicit")),
    ("今年5月", D(2024, 9, 19), ("2024-05", "2024-05-01", "2024-05-31", "relative")),
    ("去年11月", D(2024, 9, 19), ("2023-11", "2023-11-01", "2023-11-30", "relative")),
    ("今年", D(2024, 9, 19), ("2024", "2024-01-01", "2024-12-31", "relative")),
    ("去年", D(2024, 9, 19), ("2023", "2023-01-01", "2023-12-31", "relative")),
    ("前年", D(2024, 9, 19), ("2022", "2022-01-01", "2022-12-31", "relative")),
    ("過去一年", D(2024, 11, 1), ("2024", "2024-01-01", "2024-12-31", "relative")),
    ("今年上半年", D(2024, 9, 19), ("2024H1", "2024-01-01", "2024-06-30", "relative")),
    ("FY25Q1", D(2024, 8, 15), ("2024Q2", "2024-04-01", "2024-06-30", "explicit")),
    ("FY2026Q2", D(2025, 11, 25), ("2025Q3", "2025-07-01", "2025-09-30", "explicit")),
    ("4QFY25", D(2025, 5, 15), ("2025Q1", "2025-01-01", "2025-03-31", "explicit")),
    ("2QFY2025", D(2024, 11, 15), ("2024Q3", "2024-07-01", "2024-09-30", "explicit")),
    ("2025财年Q1", D(2024, 8, 15), ("2024Q2", "2024-04-01", "2024-06-30", "explicit")),
    ("22财年第三季度", D(2022, 2, 1), ("2021Q4", "2021-10-01", "2021-12-31", "explicit")),
    ("2026會計年度第一季", D(2025, 8, 29), ("2025Q2", "2025-04-01", "2025-06-30", "explicit")),
    ("2025年Q2", D(2025, 9, 1), ("2025Q2", "2025-04-01", "2025-06-30", "explicit")),
    ("日历年 24Q2", D(2024, 8, 15), ("2024Q2", "2024-04-01", "2024-06-30", "explicit")),
    ("2025H1", D(2025, 9, 1), ("2025H1", "2025-01-01", "2025-06-30", "explicit")),
    ("截至6月30日止季度", D(2025, 8, 29), ("2025Q2", "2025-04-01", "2025-06-30", "explicit")),
    ("截至9月底", D(2025, 11, 25), ("2025Q3", "2025-07-01", "2025-09-30", "explicit")),
    ("截至2024年12月31日止季度", D(2025, 2, 20), ("2024Q4", "2024-10-01", "2024-12-31", "explicit")),
    ("2024年12月31日季度", None, ("2024Q4", "2024-10-01", "2024-12-31", "explicit")),
    ("截至去年12月底止季度", D(2025, 2, 21), ("2024Q4", "2024-10-01", "2024-12-31", "explicit")),
    ("去年第一季度", D(2022, 5, 4), ("2021Q1", "2021-01-01", "2021-03-31", "relative")),
    ("上季度", D(2025, 11, 26), ("2025Q3", "2025-07-01", "2025-09-30", "relative")),
    ("上年", D(2025, 3, 1), ("2024", "2024-01-01", "2024-12-31", "relative")),
    ("8月15日", D(2024, 9, 19), ("2024-08", "2024-08-01", "2024-08-31", "relative")),
    ("11月15日", D(2024, 2, 7), ("2023-11", "2023-11-01", "2023-11-30", "relative")),
    ("在8月公布", D(2024, 9, 19), ("2024-08", "2024-08-01", "2024-08-31", "relative")),
    ("第二季度", D(2024, 8, 2), ("2024Q2", "2024-04-01", "2024-06-30", "relative")),
    ("第四季度", D(2024, 8, 2), ("2023Q4", "2023-10-01", "2023-12-31", "relative")),
    ("本次大会上", D(2024, 9, 19), ("2024-09", "2024-09-01", "2024-09-30", "relative")),
    ("2015 年的阿里云。七年之后", D(2022, 11, 3), ("2022", "2022-01-01", "2022-12-31", "relative_to_text")),
]


@pytest.mark.parametrize("text,published,expected", EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_period_expression(text, published, expected):
    found = periods.find(normalize(text).text, published)
    p = found[-1].period
    assert (p.label, p.start.isoformat(), p.end.isoformat(), p.origin) == expected


# text, publication date: nothing resolvable, and why
UNRESOLVED = [
    ("今年5月", None, "publication date that is unknown"),
    ("2021年某季度", D(2024, 1, 1), "does not name"),
    ("此前", D(2024, 1, 1), "does not name"),
    # these refer to the period the text discusses: the resolver fills them (tests/test_claims.py)
    ("上半年", D(2024, 9, 19), "the period the text is discussing"),
    ("本季度", D(2024, 9, 19), "the period the text is discussing"),
    ("去年同期", D(2024, 9, 19), "the period the text is discussing"),
    ("第三财季", D(2024, 9, 19), "the period the text is discussing"),
    ("七年之后", D(2022, 11, 3), "no earlier year"),
    ("2023年13月", D(2024, 1, 1), "not a valid date"),
]


@pytest.mark.parametrize("text,published,reason", UNRESOLVED)
def test_unresolvable_period_says_why(text, published, reason):
    found = periods.find(normalize(text).text, published)
    assert found and found[-1].period is None and reason in found[-1].reason


# every month's first and last day: a report covers the last quarter that ended before its month
REPORT_MONTHS = [(D(2024, m, 1), q) for m, q in zip(range(1, 13), ["2023Q4"] * 3 + ["2024Q1"] * 3 + ["2024Q2"] * 3
                                                    + ["2024Q3"] * 3)]
REPORT_MONTHS += [(D(2024, m, 28 if m == 2 else 30), q) for (_, q), m in zip(REPORT_MONTHS, range(1, 13))]


@pytest.mark.parametrize("day,label", REPORT_MONTHS, ids=[str(d) for d, _ in REPORT_MONTHS])
def test_report_quarter_at_every_month_boundary(day, label):
    assert cal.report_quarter(day).label == label


@pytest.mark.parametrize("day,label", [(D(2024, 1, 1), "2023Q4"), (D(2024, 3, 31), "2023Q4"), (D(2024, 4, 1), "2024Q1"),
                                       (D(2024, 6, 30), "2024Q1"), (D(2024, 7, 1), "2024Q2"), (D(2024, 9, 30), "2024Q2"),
                                       (D(2024, 10, 1), "2024Q3"), (D(2024, 12, 31), "2024Q3")])
def test_a_claim_dated_by_the_latest_report_takes_the_quarter_before_the_month(day, label):
    doc = documents.Document(path=Path("case.txt"), doc_id="case", raw="阿里巴巴发布最新季报,阿里云经调整EBITA利润为26.61亿元。",
                             meta={"published": day}, origin={"published": "front_matter"}, precision="day")
    rows = [r for r in pipeline.extract(doc) if r["metric"] == "adjusted_ebita"]
    assert [(r["period"], r["period_origin"]) for r in rows] == [(label, "report_convention")]


@pytest.mark.parametrize("text", ["连续7个季度增长不足5%", "已連續兩季度營收增長接近0%", "连续三个季度超过50%",
                                  "连续第七个季度同比增速超过20%", "过去4个季度累计投入"])
def test_span_markers(text):
    t = normalize(text).text
    assert periods.span_marker(t, 0, len(t))
