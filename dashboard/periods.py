"""Period labels -> date bounds, for corrections typed by a reviewer (the extractor resolves its own)."""
from __future__ import annotations

import calendar
import datetime as dt
import re

_LABEL = re.compile(r"(?:(?P<fy>FY)(?P<fyear>\d{4})|(?P<year>\d{4})(?:H(?P<half>[12])|Q(?P<q>[1-4])|-(?P<month>0[1-9]|1[0-2]))?)")


def period_bounds(label: str) -> tuple[dt.date, dt.date]:
    """'2023Q1' -> (2023-01-01, 2023-03-31). FY is Alibaba's fiscal year, April to March.

    Raises ValueError naming the label when it is not one of YYYY, YYYYHn, YYYYQn, FYYYYY, YYYY-MM.
    """
    m = _LABEL.fullmatch(label.strip()) if label else None
    if not m:
        raise ValueError(f"period {label!r}: use YYYY, YYYYH1/H2, YYYYQ1-Q4, FYYYYY or YYYY-MM")
    if m["fy"]:
        y = int(m["fyear"])
        return dt.date(y - 1, 4, 1), dt.date(y, 3, 31)
    y = int(m["year"])
    if m["half"]:
        first = 1 if m["half"] == "1" else 7
        return _months(y, first, first + 5)
    if m["q"]:
        first = 3 * int(m["q"]) - 2
        return _months(y, first, first + 2)
    if m["month"]:
        return _months(y, int(m["month"]), int(m["month"]))
    return dt.date(y, 1, 1), dt.date(y, 12, 31)


def _months(year: int, first: int, last: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])
