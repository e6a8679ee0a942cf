"""Price tables: a bare number in a price column (| qwen-max | 2.4 | 9.6 |) is a token price in the
unit its header, or the 单位 line before the table, names. Numbers with units of their own are left
to the number grammar."""
from __future__ import annotations

import functools

import regex

from extractors import patterns as rx_engine
from extractors import rules_data
from extractors.recognize.numbers import Mention


@functools.cache
def _cfg():
    c = rules_data.load("numbers")
    t = c["tables"]
    units = "|".join(regex.escape(u) for u in sorted(c["token_units"], key=len, reverse=True))
    unit = t["unit"].replace("{token_units}", units).replace("{token_word}", c["token_word"])
    return {
        "row": rx_engine.compile(t["row"], regex.M),
        "price": rx_engine.compile(t["price_header"]),
        "unit": rx_engine.compile(unit),
        "unit_line": rx_engine.compile(t["unit_line"]),
        "before": int(t["unit_lines_before"]),
        "cell": rx_engine.compile(t["cell_number"]),
        "per": c["token_units"],
    }


def _cells(line: str, offset: int) -> list[tuple[int, int]]:
    """Spans of a table row's cells, between its bars."""
    bars = [offset + i for i, ch in enumerate(line) if ch == "|"]
    return [(a + 1, b) for a, b in zip(bars, bars[1:])]


def _per(cfg, text: str) -> float | None:
    """Tokens per price in a unit written in the text (元/百万tokens -> 1,000,000), or None."""
    m = cfg["unit"].search(text)
    return float(cfg["per"][m.group("unit")]) if m else None


def _tables(text: str) -> list[list[tuple[int, int]]]:
    """Runs of adjacent table rows, as (start, end) line spans."""
    out: list[list[tuple[int, int]]] = []
    last_end = -2
    for m in _cfg()["row"].finditer(text):
        if out and m.start() == last_end + 1:
            out[-1].append(m.span())
        else:
            out.append([m.span()])
        last_end = m.end()
    return out


def find(text: str, taken: list[Mention]) -> list[Mention]:
    """Token prices read from the price columns of tables, skipping cells a mention already covers."""
    cfg = _cfg()
    if "|" not in text:
        return []
    covered = [(m.start, m.end) for m in taken]
    out: list[Mention] = []
    for rows in _tables(text):
        (hs, he), body = rows[0], rows[1:]
        before = text[:hs].rstrip("\n").split("\n")[-cfg["before"]:]
        default = next((_per(cfg, ln) for ln in reversed(before) if cfg["unit_line"].search(ln)), None)
        columns = {}
        for k, (a, b) in enumerate(_cells(text[hs:he], hs)):
            if cfg["price"].search(text, a, b):
                per = _per(cfg, text[a:b]) or default
                if per:
                    columns[k] = per
        for rs, re_ in body:
            for k, (a, b) in enumerate(_cells(text[rs:re_], rs)):
                m = cfg["cell"].match(text[a:b])
                if k not in columns or not m or any(s < b and a < e for s, e in covered):
                    continue
                s, e = a + m.start("v"), a + m.end("v")
                value = round(float(m.group("v")) / columns[k] * 1e6, 9)
                out.append(Mention(s, e, value, None, "token", "CNY/1M tokens", "exact", text[s:e]))
    return out
