"""Period expressions in the text (extractors/rules/periods.yaml): explicit ones (2023年第一季度,
2015财年, FY25Q1, 截至6月30日止季度), ones relative to the publication date (今年5月, 上季度), and
ones that refer to the period the text is discussing (本季度, 上一季度, 去年同期, 第三财季), which
the resolver fills in. What cannot be resolved stays None, with the reason.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import regex

from extractors import calendar as cal
from extractors import patterns as rx_engine
from extractors import rules_data
from extractors.recognize import numbers
from extractors.recognize.scan import Alternation

# Types the resolver fills from the text's context.
CONTEXT_TYPES = frozenset({"context", "context_quarter", "context_previous", "context_year_before", "fiscal_part"})


@dataclass(slots=True)
class Expr:
    start: int
    end: int
    rule_id: str
    kind: str  # quarter | half | year | fiscal_year | month | day | context | unnamed ...
    period: cal.Period | None
    day: dt.date | None = None  # for month/day expressions: the date it names (report convention)
    reason: str | None = None  # why period is None
    type: str = ""  # the expression's type in periods.yaml
    q: int | None = None  # fiscal_part: the fiscal quarter named
    gloss: bool = False  # a calendar restatement of a fiscal label

    @property
    def explicit(self) -> bool:
        return self.period is not None and self.period.origin in ("explicit", "relative_to_text")


def _num(s: str) -> int:
    """七 -> 7, 十二 -> 12, 3 -> 3: the number grammar's own reading."""
    return int(numbers.to_number(s))


def _year(s: str) -> int:
    y = int(s)
    return 2000 + y if y < 100 else y


def _unique_groups(pattern: str, i: int, names: list[tuple[str, str]]) -> str:
    """The pattern with its groups renamed y -> y3 (y3_2 for a second y), each (name, new name) added to names."""
    def rename(m) -> str:
        n = m.group(1)
        k = sum(1 for name, _ in names if name == n)
        names.append((n, f"{n}{i}" + (f"_{k + 1}" if k else "")))
        return f"(?P<{names[-1][1]}>"

    return regex.sub(r"\(\?P<(\w+)>", rename, pattern)


@functools.cache
def _compiled():
    cfg = rules_data.load("periods")

    def expand(p: str) -> str:
        for k in ("YEAR", "YY", "NUM", "Q"):
            p = p.replace("{" + k + "}", cfg[k])
        return p

    parts, specs = [], []
    for i, e in enumerate(cfg["expressions"]):
        # group names must be unique across the alternation, and within a pattern for re: y -> y3, y3_2...
        names: list[tuple[str, str]] = []
        parts.append(_unique_groups(expand(e["pattern"]), i, names))
        specs.append((e, names))
    return {
        "cfg": cfg,
        "all": Alternation(parts, longest=False),
        "specs": specs,
        "span": rx_engine.compile(expand(cfg["span"])),
        "quarter_run": rx_engine.compile(expand(cfg["quarter_run"])),
        "report": rx_engine.compile(cfg["report"]),
        "report_latest": rx_engine.compile(cfg["report_latest"]),
        "effective": rx_engine.compile(cfg["effective"]),
        "ago": rx_engine.compile(cfg["ago"]),
    }


def _matches(scanner: Alternation, text: str, regions: list[tuple[int, int]] | None):
    for start, end in regions if regions is not None else [(0, len(text))]:
        yield from scanner.finditer(text, start, end)


def _ending(y: int | None, m: int, published: dt.date | None) -> cal.Period | None:
    """The quarter ending with month m: of year y, or the latest one ended by the publication date."""
    if m not in (3, 6, 9, 12):
        return None
    if y is None:
        if published is None:
            return None
        y = published.year if m < published.month else published.year - 1  # a quarter not yet over is last year's
    return cal.quarter(y, m // 3)


def find(text: str, published: dt.date | None, anchor_year: int | None = None,
         regions: list[tuple[int, int]] | None = None) -> list[Expr]:
    """Every period expression in the text (or in the sorted, disjoint `regions` of it), resolved where
    possible, in order."""
    return resolve(scan(text, regions), published, anchor_year)


Found = tuple[int, int, int, dict]  # start, end, expression index, named groups


def scan(text: str, regions: list[tuple[int, int]] | None = None) -> list[Found]:
    """The period expressions in the text, unresolved (resolve() gives their periods for a publication
    date). 七年之后 counts from the last year written before it, so a text that says N年后 is read whole."""
    c = _compiled()
    if regions is not None and any(w in text for w in c["cfg"]["counts_on"]):
        regions = None
    out = []
    for i, m in _matches(c["all"], text, regions):
        names = c["specs"][i][1]
        out.append((m.start(), m.end(), i, {n: m.group(full) for n, full in names if m.group(full)}))
    return out


def resolve(found: list[Found], published: dt.date | None, anchor_year: int | None = None) -> list[Expr]:
    c = _compiled()
    out: list[Expr] = []
    last_year = anchor_year
    for start, end, i, g in found:
        spec = c["specs"][i][0]
        t = spec["type"]
        e = Expr(start, end, spec["id"], t, None, type=t, gloss=bool(spec.get("gloss")))
        try:
            _resolve(e, t, spec, g, published, last_year)
        except (ValueError, KeyError) as err:  # 2023年13月
            e.period, e.reason = None, f"not a valid date ({err})"
        if "y" in g and e.period is not None:
            last_year = _year(g["y"])
        out.append(e)
    return out


def _resolve(e: Expr, t: str, spec: dict, g: dict, published: dt.date | None, last_year: int | None) -> None:
    if t == "unnamed":
        e.reason = spec["reason"]
    elif t in CONTEXT_TYPES or t == "context_half":
        e.kind = "context"
        e.reason = "refers to the period the text is discussing"
        if t == "fiscal_part":
            e.q = 1 if g.get("first") else _num(g["q"])
        if t == "context_half":
            e.kind, e.q = "half", 1 if g["h"] in _first_half() else 2
    elif t == "quarter_ending":
        y = _year(g["y"]) if "y" in g else None
        if "rel" in g:
            if published is None:
                e.reason = "relative to a publication date that is unknown"
                return
            y = published.year - spec["years_back"][g["rel"]]
        e.period, e.kind = _ending(y, int(g["m"]), published), "quarter"
        if e.period is None:
            e.reason = "a quarter end relative to a publication date that is unknown" if y is None else "not a quarter end"
    elif "y" in g:
        y = _year(g["y"])
        if t == "fiscal_quarter":
            e.period, e.kind = cal.fiscal_quarter(y, _num(g["q"])), "quarter"
        elif t == "fiscal_year":
            e.period = cal.fiscal_year(y)
        elif t == "quarter":
            e.period = cal.quarter(y, _num(g["q"]))
        elif t == "half":
            e.period = cal.half(y, 1 if g["h"] in _first_half() else 2)
        elif t in ("day", "month"):
            e.period = cal.month(y, int(g["m"]))
            e.day = dt.date(y, int(g["m"]), int(g.get("d", 1)))
        elif t == "year":
            e.period = cal.year(y)
    elif t == "years_later":
        if last_year is None:
            e.reason = "no earlier year in the text to count from"
        else:
            e.period, e.kind = cal.year(last_year + _num(g["n"]), "relative_to_text"), "year"
    elif published is None:
        e.reason = "relative to a publication date that is unknown"
    elif t == "relative_month":
        y = published.year - spec["years_back"]
        mo = int(g["m"])
        if spec["years_back"] == 0:
            ahead = (mo - published.month) % 12
            if 0 < ahead <= _compiled()["cfg"]["months_ahead"]:
                y += mo < published.month  # the coming month, across the new year too
            elif mo > published.month:
                y -= 1  # a month after publication is last year's
        e.period, e.kind = cal.month(y, mo, "relative"), "month"
        e.day = dt.date(y, mo, int(g["d"]) if "d" in g else 1)
    elif t == "relative_quarter":
        q = _num(g["q"])
        y = published.year if 3 * q - 2 <= published.month else published.year - 1  # not yet begun: last year's
        e.period, e.kind = cal.quarter(y, q, "relative"), "quarter"
    elif t == "last_quarter":
        e.period, e.kind = cal.shifted(cal.quarter_of(published), -1, "relative"), "quarter"
    elif t == "relative_half":
        e.period, e.kind = cal.half(published.year - spec["years_back"], 1 if g["h"] in _first_half() else 2, "relative"), "half"
    elif t == "relative_year_quarter":
        e.period, e.kind = cal.quarter(published.year - spec["years_back"][g["rel"]], _num(g["q"]), "relative"), "quarter"
    elif t == "relative_year":
        e.period, e.kind = cal.year(published.year - spec["years_back"][g["rel"]], "relative"), "year"
    elif t == "relative_fiscal_year":
        e.period, e.kind = cal.fiscal_year(cal.fiscal_year_of(published) - spec["years_back"][g["rel"]], "relative"), "year"
    elif t == "event":
        e.period, e.kind, e.day = cal.month(published.year, published.month, "relative"), "month", published


def takes_effect(text: str, e: Expr) -> bool:
    """A date followed by 生效/起: the day a price change took effect."""
    return bool(_compiled()["effective"].match(text, e.end))


def span_marker(text: str, start: int, end: int) -> str | None:
    m = _compiled()["span"].search(text, start, end)
    return m.group(0) if m else None


def quarter_run(text: str, start: int, end: int, discussed: cal.Period | None) -> list[cal.Period] | None:
    """The quarters of the last run named in text[start:end] (2024年前三个季度, 过去四个季度), in order; [] when
    its quarters are not known (2024年两个季度; 过去四个季度 with no quarter discussed); None when there is none."""
    found = list(_compiled()["quarter_run"].finditer(text, start, end))
    if not found:
        return None
    g = found[-1].groupdict()
    n = _num(g["n"])
    if g["y"] is not None:
        if n != 4 and g["first"] is None:
            return []
        return [cal.quarter(_year(g["y"]), q, "explicit") for q in range(1, n + 1)]
    if discussed is None or discussed.label[4:5] != "Q":
        return []
    return [cal.shifted(discussed, k - n + 1, "context") for k in range(n)]


def mentions_report(text: str, start: int, end: int) -> tuple[bool, bool]:
    """(mentions an earnings report, says it is the latest one)."""
    c = _compiled()
    return bool(c["report"].search(text, start, end)), bool(c["report_latest"].search(text, start, end))


def _first_half() -> list[str]:
    return _compiled()["cfg"]["first_half"]


def infer_published(exprs: list[Expr], text: str, fetched: dt.date | None = None) -> tuple[dt.date, str, str] | None:
    """(date, precision, evidence): "N天前" near the top, counted back from the fetch date when there is one;
    otherwise the latest full date the text states."""
    cfg = _compiled()["cfg"]
    m = _compiled()["ago"].search(text, 0, min(len(text), 400))
    if m and fetched is not None:
        if m.group("y"):
            days = cfg["ago_days"][m.group("y")]
        else:
            days = _num(m.group("n")) if m.group("u") in cfg["ago_day_units"] else 0
        return fetched - dt.timedelta(days=days), "day", f"inferred: '{m.group(0)}' before the fetch date {fetched}"
    dated = [(e.day, "day" if e.kind == "day" else "month", text[e.start : e.end]) for e in exprs
             if e.day is not None and e.rule_id in ("date", "iso_date", "month") and e.day <= dt.date.today()]
    if not dated:
        return None
    day, precision, words = max(dated, key=lambda d: d[0])
    return day, precision, f"inferred: the latest date the text states ({words})"
