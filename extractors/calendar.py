"""Periods and Alibaba's fiscal calendar: the one home for extraction, verdicts and the dashboard.

Labels: 2023Q1 (calendar quarter), 2023H1, 2023, FY2015 (Alibaba's fiscal year: April 2014 to March 2015),
2024-05 (a month). Fiscal quarter labels (FY2025Q1) are only ever an input: a claim's period is calendar.
"""
from __future__ import annotations

import calendar as _stdcal
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date
    # explicit | relative | relative_to_text | report_convention | context | heading | coreference |
    # fiscal_label (the document's date inferred from its own fiscal label)
    origin: str = "explicit"


def month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, _stdcal.monthrange(y, m)[1])


def quarter(y: int, q: int, origin: str = "explicit") -> Period:
    return Period(f"{y}Q{q}", dt.date(y, 3 * q - 2, 1), month_end(y, 3 * q), origin)


def half(y: int, h: int, origin: str = "explicit") -> Period:
    return Period(f"{y}H{h}", dt.date(y, 6 * h - 5, 1), month_end(y, 6 * h), origin)


def year(y: int, origin: str = "explicit") -> Period:
    return Period(str(y), dt.date(y, 1, 1), dt.date(y, 12, 31), origin)


def fiscal_year(y: int, origin: str = "explicit") -> Period:
    """Alibaba's fiscal year N runs April N-1 to March N."""
    return Period(f"FY{y}", dt.date(y - 1, 4, 1), dt.date(y, 3, 31), origin)


def fiscal_year_of(day: dt.date) -> int:
    """The fiscal year a day falls in: 2024-05-16 is in FY2025."""
    return day.year + (day.month >= 4)


def fiscal_quarter(y: int, q: int, origin: str = "explicit") -> Period:
    """FY N Q4 is calendar N Q1; FY N Q1-Q3 are calendar N-1 Q2-Q4."""
    return quarter(y, 1, origin) if q == 4 else quarter(y - 1, q + 1, origin)


def month(y: int, m: int, origin: str = "explicit") -> Period:
    return Period(f"{y}-{m:02d}", dt.date(y, m, 1), month_end(y, m), origin)


def quarter_of(day: dt.date, origin: str = "explicit") -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1, origin)


def report_quarter(day: dt.date) -> Period:
    """The quarter a results report published on `day` covers: the last one that ended before that month."""
    q = (day.month - 1) // 3
    return quarter(day.year - 1, 4, "report_convention") if q == 0 else quarter(day.year, q, "report_convention")


def previous(p: Period, origin: str) -> Period | None:
    """The period before p of the same length (a quarter, half, year or fiscal year), or None."""
    return shifted(p, -1, origin)


def year_before(p: Period, origin: str) -> Period | None:
    """The same period one year earlier: the baseline of a year-on-year comparison."""
    k = _kind(p.label)
    steps = {"quarter": 4, "half": 2, "year": 1, "fiscal_year": 1, "month": 12}
    return shifted(p, -steps[k], origin) if k in steps else None


def shifted(p: Period, n: int, origin: str) -> Period | None:
    """p moved by n periods of its own kind."""
    k, m = _kind(p.label), _LABEL.fullmatch(p.label)
    if k == "quarter":
        i = int(m["year"]) * 4 + int(m["q"]) - 1 + n
        return quarter(i // 4, i % 4 + 1, origin)
    if k == "half":
        i = int(m["year"]) * 2 + int(m["half"]) - 1 + n
        return half(i // 2, i % 2 + 1, origin)
    if k == "year":
        return year(int(m["year"]) + n, origin)
    if k == "fiscal_year":
        return fiscal_year(int(m["fyear"]) + n, origin)
    if k == "month":
        i = int(m["year"]) * 12 + int(m["month"]) - 1 + n
        return month(i // 12, i % 12 + 1, origin)
    return None


# ---------------------------------------------------------------- labels
_LABEL = re.compile(r"(?:(?P<fy>FY)(?P<fyear>\d{4})|(?P<year>\d{4})(?:H(?P<half>[12])|Q(?P<q>[1-4])|-(?P<month>0[1-9]|1[0-2]))?)")
_QUARTER = re.compile(r"(\d{4})Q([1-4])")
_FISCAL_QUARTER = re.compile(r"FY(\d{4})Q([1-4])")


def _kind(label: str) -> str | None:
    m = _LABEL.fullmatch(label or "")
    if not m:
        return None
    if m["fy"]:
        return "fiscal_year"
    return "half" if m["half"] else "quarter" if m["q"] else "month" if m["month"] else "year"


def parse(label: str, origin: str = "explicit") -> Period:
    """'2023Q1' -> Period(2023-01-01, 2023-03-31). Raises ValueError naming the label otherwise."""
    m = _LABEL.fullmatch(label.strip()) if label else None
    if not m:
        raise ValueError(f"period {label!r}: use YYYY, YYYYH1/H2, YYYYQ1-Q4, FYYYYY or YYYY-MM")
    if m["fy"]:
        return fiscal_year(int(m["fyear"]), origin)
    y = int(m["year"])
    if m["half"]:
        return half(y, int(m["half"]), origin)
    if m["q"]:
        return quarter(y, int(m["q"]), origin)
    if m["month"]:
        return month(y, int(m["month"]), origin)
    return year(y, origin)


def period_bounds(label: str) -> tuple[dt.date, dt.date]:
    """'2023Q1' -> (2023-01-01, 2023-03-31); FY is Alibaba's fiscal year, April to March."""
    p = parse(label)
    return p.start, p.end


def parse_quarter(label: str) -> tuple[int, int] | None:
    """'2024Q2' -> (2024, 2); anything else -> None."""
    m = _QUARTER.fullmatch(label or "")
    return (int(m[1]), int(m[2])) if m else None


def quarter_label(y: int, q: int) -> str:
    return f"{y}Q{q}"


def shift_quarter(label: str, n: int) -> str:
    """'2024Q1' shifted by -4 -> '2023Q1'."""
    return shifted(parse(label), n, "explicit").label


def fiscal_label(calendar_quarter: str) -> str:
    """Calendar quarter -> Alibaba fiscal label. FY N runs April N-1 to March N: 2024Q2 -> FY2025Q1."""
    y, q = parse_quarter(calendar_quarter)
    return f"FY{y}Q4" if q == 1 else f"FY{y + 1}Q{q - 1}"


def calendar_quarter(fiscal: str) -> str:
    """Alibaba fiscal label -> calendar quarter: FY2025Q1 -> 2024Q2, FY2025Q4 -> 2025Q1."""
    m = _FISCAL_QUARTER.fullmatch(fiscal or "")
    if not m:
        raise ValueError(f"not a fiscal quarter label: {fiscal!r}")
    return fiscal_quarter(int(m[1]), int(m[2])).label


def quarter_bounds(label: str) -> tuple[dt.date, dt.date]:
    """First and last day of a calendar quarter."""
    y, q = parse_quarter(label)
    p = quarter(y, q)
    return p.start, p.end


_PERIOD_FORMS: list[tuple[re.Pattern, Callable[[re.Match], list[str]]]] = [
    (_QUARTER, lambda m: [m[0]]),
    (_FISCAL_QUARTER, lambda m: [calendar_quarter(m[0])]),
    (re.compile(r"(\d{4})H([12])"), lambda m: [quarter_label(int(m[1]), 2 * int(m[2]) - 1 + i) for i in (0, 1)]),
    (re.compile(r"(\d{4})"), lambda m: [quarter_label(int(m[1]), q) for q in (1, 2, 3, 4)]),
    (re.compile(r"FY(\d{4})"), lambda m: [calendar_quarter(f"FY{m[1]}Q{q}") for q in (1, 2, 3, 4)]),
]


def period_quarters(period: str | None) -> list[str] | None:
    """The calendar quarters that make up a period label, or None when it is not whole quarters.

    2024Q2 -> [2024Q2]; FY2025Q1 -> [2024Q2]; 2023H1 -> [2023Q1, 2023Q2]; 2022 -> 2022Q1..Q4;
    FY2023 -> 2022Q2..2023Q1; a month (2024-05) or an unknown period -> None.
    """
    for pattern, quarters in _PERIOD_FORMS:
        m = pattern.fullmatch(period or "")
        if m:
            return quarters(m)
    return None


def label_mixups(period: str | None) -> list[str]:
    """Periods the same words denote under the other calendar, i.e. what a fiscal/calendar mix-up gives.

    For a calendar quarter YYYYQn: the quarter that FYYYYYQn names (a fiscal label read as calendar:
    2025Q2 -> 2024Q3, which is FY2025Q2), and the quarter whose calendar numbers are this quarter's
    fiscal numbers (a calendar label read as fiscal: 2023Q4 is FY2024Q3 -> 2024Q3).
    For a year YYYY: FYYYYY; for FYYYYY: YYYY.
    """
    if parse_quarter(period or ""):
        fy, fq = _FISCAL_QUARTER.fullmatch(fiscal_label(period)).groups()
        return [calendar_quarter(f"FY{period[:4]}Q{period[-1]}"), f"{fy}Q{fq}"]
    if re.fullmatch(r"\d{4}", period or ""):
        return [f"FY{period}"]
    if re.fullmatch(r"FY\d{4}", period or ""):
        return [period[2:]]
    return []
