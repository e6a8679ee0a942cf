"""Which period a number refers to: explicit (2023年第一季度, 2015财年), relative to the
publication date (今年5月, 上半年), or by the earnings-report convention (an August report covers
April-June). What cannot be resolved stays None, with the reason."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import regex

from extractors import metrics, rules_data
from extractors.calendar import Period, fiscal_quarter, fiscal_year, half, month, quarter, report_quarter, year  # noqa: F401
from extractors.recognize import numbers

SENTENCE_BREAK = regex.compile("[。！？!?\n]")


@dataclass
class Expr:
    start: int
    end: int
    rule_id: str
    kind: str  # quarter | half | year | fiscal_year | month | day
    period: Period | None
    day: dt.date | None  # for month/day expressions: the date it names (report convention)
    reason: str | None = None  # why period is None


def _num(s: str) -> int:
    """七 -> 7, 十二 -> 12, 3 -> 3: the number grammar's own reading."""
    return int(numbers.to_number(s))


@functools.cache
def _compiled():
    cfg = rules_data.load("periods")

    def expand(p: str) -> str:
        return p.replace("{YEAR}", cfg["YEAR"]).replace("{NUM}", cfg["NUM"])

    parts, specs = [], {}
    for i, e in enumerate(cfg["expressions"]):
        # group names must be unique across the alternation: y -> y3
        names = regex.findall(r"\(\?P<(\w+)>", expand(e["pattern"]))
        body = regex.sub(r"\(\?P<(\w+)>", lambda m, i=i: f"(?P<{m.group(1)}{i}>", expand(e["pattern"]))
        parts.append(f"(?P<e{i}>{body})")
        specs[f"e{i}"] = (e, [(n, f"{n}{i}") for n in names])
    return {
        "cfg": cfg,
        "all": regex.compile("|".join(parts)),
        "specs": specs,
        "span": regex.compile(expand(cfg["span"])),
        "report": regex.compile(cfg["report"]),
        "report_latest": regex.compile(cfg["report_latest"]),
    }


def _matches(pattern, text: str, regions: list[tuple[int, int]] | None):
    for start, end in regions if regions is not None else [(0, len(text))]:
        yield from pattern.finditer(text, start, end)


def find(text: str, published: dt.date | None, anchor_year: int | None = None,
         regions: list[tuple[int, int]] | None = None) -> list[Expr]:
    """Every period expression in the text (or in the sorted, disjoint `regions` of it), resolved where
    possible, in order. 七年之后 counts from the last year written before it, so a text that says
    N年后 is always read whole."""
    c = _compiled()
    out: list[Expr] = []
    last_year = anchor_year
    last_year_end = -1
    if regions is not None and ("年后" in text or "年之后" in text):
        regions = None
    for m in _matches(c["all"], text, regions):
        spec, names = c["specs"][m.lastgroup]
        g = {n: m.group(full) for n, full in names if m.group(full)}
        t = spec["type"]
        e = Expr(m.start(), m.end(), spec["id"], t, None, None)
        try:
            if "y" in g:
                y = int(g["y"])
                if t == "fiscal_quarter":
                    e.period, e.kind = fiscal_quarter(y, _num(g["q"])), "quarter"
                elif t == "fiscal_year":
                    e.period = fiscal_year(y)
                elif t == "quarter":
                    e.period = quarter(y, _num(g["q"]))
                elif t == "half":
                    e.period = half(y, 1 if g["h"] == "上" else 2)
                elif t in ("day", "month"):
                    e.period = month(y, int(g["m"]))
                    e.day = dt.date(y, int(g["m"]), int(g.get("d", 1)))
                elif t == "year":
                    e.period = year(y)
                last_year, last_year_end = y, m.end()
            elif t == "years_later":
                if last_year is None:
                    e.reason = "no earlier year in the text to count from"
                else:
                    e.period, e.kind = year(last_year + _num(g["n"]), "relative_to_text"), "year"
            elif published is None:
                e.reason = "relative to a publication date that is unknown"
            elif t == "relative_month":
                y = published.year - spec["years_back"]
                mo = int(g["m"])
                if spec["years_back"] == 0 and mo > published.month:
                    y -= 1  # a month after publication is last year's
                e.period, e.kind = month(y, mo, "relative"), "month"
                e.day = dt.date(y, mo, int(g["d"]) if "d" in g else 1)
            elif t == "relative_quarter":
                q = _num(g["q"])
                y = published.year if 3 * q - 2 <= published.month else published.year - 1  # not yet begun: last year's
                e.period, e.kind = quarter(y, q, "relative"), "quarter"
            elif t == "relative_half":
                e.period, e.kind = half(published.year - spec["years_back"], 1 if g["h"] == "上" else 2, "relative"), "half"
            elif t == "relative_year":
                e.period, e.kind = year(published.year - spec["years_back"][g["rel"]], "relative"), "year"
            elif t == "context_half":
                same_sentence = last_year_end >= 0 and not SENTENCE_BREAK.search(text, last_year_end, m.start())
                y = last_year if same_sentence else published.year
                e.period = half(y, 1 if g["h"] == "上" else 2, "explicit" if same_sentence else "relative")
                e.kind = "half"
            elif t == "event":
                e.period, e.kind, e.day = month(published.year, published.month, "relative"), "month", published
        except (ValueError, KeyError) as err:  # 2023年13月
            e.period, e.reason = None, f"not a valid date ({err})"
        out.append(e)
    return out


def span_marker(text: str, start: int, end: int) -> str | None:
    m = _compiled()["span"].search(text, start, end)
    return m.group(0) if m else None


def mentions_report(text: str, start: int, end: int) -> tuple[bool, bool]:
    """(mentions an earnings report, says it is the latest one)."""
    c = _compiled()
    return (bool(c["report"].search(text, start, end)),
            bool(c["report_latest"].search(text, start, end)))


def as_metric_period(e: Expr, metric: str, report: bool) -> Period | None:
    """The period a claim of `metric` gets from expression `e` in its sentence."""
    if e.period is None:
        return None
    if metric in metrics.financial() and report and e.day is not None:
        return report_quarter(e.day)
    return e.period


AGO = regex.compile(r"(?P<n>\d{1,3}|[一二两三四五六七八九十]{1,3})[ \t]*(?P<u>天|日|小时|分钟)前|(?P<y>昨天|昨日|前天)")


def infer_published(exprs: list[Expr], text: str, fetched: dt.date | None = None) -> tuple[dt.date, str, str] | None:
    """(date, precision, evidence): "N天前" near the top, counted back from the fetch date when there is one;
    otherwise the latest full date the text states."""
    m = AGO.search(text, 0, min(len(text), 400))
    if m and fetched is not None:
        if m.group("y"):
            days = 1 if m.group("y") in ("昨天", "昨日") else 2
        else:
            days = _num(m.group("n")) if m.group("u") in ("天", "日") else 0
        return fetched - dt.timedelta(days=days), "day", f"inferred: '{m.group(0)}' before the fetch date {fetched}"
    dated = [(e.day, "day" if e.kind == "day" else "month", text[e.start : e.end]) for e in exprs
             if e.day is not None and e.rule_id in ("date", "iso_date", "month") and e.day <= dt.date.today()]
    if not dated:
        return None
    day, precision, words = max(dated, key=lambda d: d[0])
    return day, precision, f"inferred: the latest date the text states ({words})"
