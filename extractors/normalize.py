"""Clean the decoded text into one simplified, half-width string, keeping a map back to the original.

Portal chrome and repeated blocks are dropped, bracketed pinyin removed, known mojibake repaired,
then traditional -> simplified (OpenCC) and NFKC. Every later span is mapped back through OffsetMap.
"""
from __future__ import annotations

import bisect
import functools
import unicodedata
from dataclasses import dataclass

import regex

from extractors import rules_data

TIMEOUT = 2.0  # seconds for any one regex call on one document


@functools.cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


@functools.cache
def _compiled():
    cfg = rules_data.load("normalize")
    drop = regex.compile("|".join(f"(?:{r['pattern']})" for r in cfg["drop_line"]))
    cut = regex.compile("|".join(f"(?:{r['pattern']})" for r in cfg["cut_from"]))
    pinyin = cfg["pinyin"]["pattern"]
    damaged = [regex.escape(m["damaged"]) for m in cfg["mojibake"]]
    fix = regex.compile("|".join([f"(?P<pinyin>{pinyin})"] + [f"(?P<m{i}>{d})" for i, d in enumerate(damaged)]))
    repaired = {f"m{i}": m["repaired"] for i, m in enumerate(cfg["mojibake"])}
    return drop, cut, fix, repaired, int(cfg["repeat_min_chars"])


class OffsetMap:
    """Maps positions in the normalized text to the original text.

    A piece is linear (one char for one char) or a replacement (its chars all map to one original range).
    """

    def __init__(self) -> None:
        self.n_starts: list[int] = []
        self.pieces: list[tuple[int, int, bool]] = []  # (orig_start, orig_end, linear)

    def add(self, n_start: int, o_start: int, o_end: int, linear: bool) -> None:
        self.n_starts.append(n_start)
        self.pieces.append((o_start, o_end, linear))

    def start(self, n: int) -> int:
        i = bisect.bisect_right(self.n_starts, n) - 1
        o_start, o_end, linear = self.pieces[i]
        return min(o_start + (n - self.n_starts[i]), o_end) if linear else o_start

    def end(self, n: int) -> int:
        """Original position just after normalized char n-1."""
        i = bisect.bisect_right(self.n_starts, n - 1) - 1
        o_start, o_end, linear = self.pieces[i]
        return min(o_start + (n - self.n_starts[i]), o_end) if linear else o_end

    def span(self, n_start: int, n_end: int) -> tuple[int, int]:
        return self.start(n_start), self.end(n_end)


@dataclass
class Normalized:
    text: str  # simplified, NFKC, one paragraph per line
    offsets: OffsetMap
    dropped_lines: int  # portal chrome and repeats, for the document's report


def _char_fold(s: str) -> str:
    return unicodedata.normalize("NFKC", _converter().convert(s))


def normalize(raw: str, start: int = 0) -> Normalized:
    """Normalize raw[start:] (the body after any front matter)."""
    drop, cut, fix, repaired, min_repeat = _compiled()
    out: list[str] = []
    omap = OffsetMap()
    n = 0
    seen: set[str] = set()
    dropped = 0
    pos = start
    for line in raw[start:].splitlines(keepends=True):
        o_line, pos = pos, pos + len(line)
        content = line.rstrip("\r\n")
        if cut.match(content, timeout=TIMEOUT):
            dropped += raw.count("\n", o_line) + 1
            break
        if drop.match(content, timeout=TIMEOUT):
            dropped += 1
            continue
        key = _char_fold(content.strip())
        if len(key) >= min_repeat:
            if key in seen or any(s.startswith(key) for s in seen if len(s) > len(key)):
                dropped += 1
                continue
            seen.add(key)
        # pieces of this line: linear stretches and replacements
        i = 0
        for m in fix.finditer(content, timeout=TIMEOUT):
            if m.start() > i:
                omap.add(n, o_line + i, o_line + m.start(), True)
                out.append(content[i : m.start()])
                n += m.start() - i
            rep = "" if m.lastgroup == "pinyin" else repaired[m.lastgroup]
            if rep:
                omap.add(n, o_line + m.start(), o_line + m.end(), False)
                out.append(rep)
                n += len(rep)
            i = m.end()
        tail = content[i:] + "\n"
        omap.add(n, o_line + i, o_line + len(line), True)
        out.append(tail)
        n += len(tail)
    omap.add(n, len(raw), len(raw), True)  # sentinel for end positions
    text = "".join(out)
    folded = _char_fold(text)
    if len(folded) != len(text):
        folded, omap = _fold_per_piece(text, omap)
    return Normalized(folded, omap, dropped)


def _fold_per_piece(text: str, omap: OffsetMap) -> tuple[str, OffsetMap]:
    """Slow path when folding changes the length (e.g. NFKC of ①): fold char by char."""
    new = OffsetMap()
    parts: list[str] = []
    n = 0
    for idx in range(len(text)):
        piece = _char_fold(text[idx])
        o_s, o_e = omap.start(idx), omap.end(idx + 1)
        if piece:
            new.add(n, o_s, o_e, len(piece) == 1 and o_e - o_s == 1)
            parts.append(piece)
            n += len(piece)
    new.add(n, omap.pieces[-1][0], omap.pieces[-1][1], True)
    return "".join(parts), new
