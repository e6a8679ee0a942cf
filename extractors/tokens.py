"""Typed tokens and the one segmenter: paragraphs -> sentences -> clauses.

Tokens come from three recognisers over the masked text (numbers, periods, the lexicon) and are merged
here, longest first where two overlap. Sentences split at 。！？；, at hard line breaks and at the
bullet and citation marks of broker notes; clauses split at commas, colons and brackets. A line break
is soft (the sentence goes on) where the line before cannot have ended: it has no closing punctuation
and the next line continues it (a number, a bracket, a comma) or it was wrapped (a long line).
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field

from extractors import native, rules_data
from extractors import patterns as rx_engine


@dataclass(slots=True)
class Token:
    kind: str  # num | period | one of the lexicon's kinds (entity, metric, change, ...)
    start: int  # in the masked text
    end: int
    id: str | None = None  # entity / product / family / direction ...
    ref: object = None  # the Mention of a number, the Expr of a period
    clause: int = 0  # index of its clause in the sentence
    entity: str | None = None  # for a subject: the entity it stands for here (UNTRACKED, PART...)
    i: int = -1  # its index among its sentence's tokens


@dataclass
class Sentence:
    start: int
    end: int
    paragraph: int
    tokens: list[Token] = field(default_factory=list)
    clauses: list[tuple[int, int]] = field(default_factory=list)  # (start, end) of each clause
    openers: list[str] = field(default_factory=list)  # the break before each clause ("" for the first)
    heading: bool = False  # a short line of its own, without closing punctuation
    report: tuple[bool, bool] | None = None  # (mentions a results report, calls it the latest), when read
    k: int = 0  # its index among the document's sentences
    _by_kind: dict | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def by_kind(self) -> dict[str, list[int]]:
        """Indexes of the tokens of each kind, in order (asked for once the tokens are assigned): a
        sentence of thousands of numbers is read in linear time, not by a scan before each number.
        Kept by hand: functools.cached_property takes a lock on every read (Python 3.11)."""
        if self._by_kind is None:
            if _KERNEL is not None:
                self._by_kind = _KERNEL.by_kind(self.tokens)
                return self._by_kind
            self._by_kind = {}
            for t in self.tokens:
                self._by_kind.setdefault(t.kind, []).append(t.i)
        return self._by_kind

    def before(self, i: int, *kinds: str) -> list[Token]:
        """The tokens of these kinds before token i, in order."""
        if _KERNEL is not None and (found := _KERNEL.before(self, i, kinds)) is not NotImplemented:
            return found
        if i >= len(self.tokens):  # the whole sentence: one pass
            return [t for t in self.tokens if t.kind in kinds]
        found = [j for k in kinds for j in self.by_kind.get(k, ()) if j < i]
        return [self.tokens[j] for j in sorted(found)]

    def last_before(self, i: int, kind: str) -> Token | None:
        """The last token of this kind before token i."""
        if _KERNEL is not None and (found := _KERNEL.last_before(self, i, kind)) is not NotImplemented:
            return found
        idx = self.by_kind.get(kind, ())
        n = bisect.bisect_left(idx, i)
        return self.tokens[idx[n - 1]] if n else None


# The native segmenter (extractors/native/segment.pyx): these functions in typed Cython over PCRE2, or None
# (not built, or switched off: CLOUDCLAIMS_NATIVE=0). This module's own code stays the reference, and runs
# wherever the kernel hands a call back (it returns None).
_KERNEL = native.kernel("segment")
_SOFT_ENDS = ("，", ",", "、", "(", "（")  # a line ending so has not ended its sentence


@functools.cache
def _native():
    """The native segmenter configured with this module's patterns, or None: PCRE2 cannot run one of them as
    its engine does."""
    if _KERNEL is None:
        return None
    try:
        return _KERNEL.Segmenter(_cfg(), Sentence, Token, _SOFT_ENDS)
    except ValueError:  # regex32.Unsupported
        return None


@functools.cache
def _cfg():
    c = rules_data.load("segmenter")
    return {
        # Searched along whole paragraphs: the regex module scans these alternations 1.3-3x faster than re.
        "sentence": rx_engine.compile(c["sentence_end"], engine="regex"),
        "clause": rx_engine.compile(c["clause_break"], engine="regex"),
        "closed": rx_engine.compile(c["line_closed"]),
        "continues": rx_engine.compile(c["line_continues"]),
        "item": rx_engine.compile(c["list_item"]),
        "item_end": rx_engine.compile(c["item_end"]),
        "aside": rx_engine.compile(c["code_aside"]),
        "section": rx_engine.compile(c["section_mark"]),
        "wrap": int(c["wrapped_line_chars"]),
        "heading": int(c["heading_max_chars"]),
        "quote": int(c["quote_max_chars"]),
    }


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: lines joined where a line break is soft."""
    if (seg := _native()) is not None and (out := seg.paragraphs(text)) is not None:
        return out
    cfg = _cfg()
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    out: list[tuple[int, int]] = []
    prev = None  # the line before, when it is not blank: a blank line ends a paragraph
    for s, e in lines:
        if s == e or not text[s:e].strip():
            prev = None
            continue
        if out and prev is not None and _soft(text[prev[0] : prev[1]].rstrip(), text[s:e].lstrip(), cfg):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
        prev = (s, e)
    return out


def _soft(prev: str, nxt: str, cfg) -> bool:
    """Whether the break between two lines is soft: prev has not ended its sentence and nxt goes on with it."""
    if not prev or cfg["closed"].search(prev) or cfg["item"].match(nxt):
        return False
    return bool(cfg["continues"].match(nxt)) or prev.endswith(_SOFT_ENDS) or len(prev) >= cfg["wrap"]


def sentences(text: str, paras: list[tuple[int, int]] | None = None, keep: set[int] | None = None) -> list[Sentence]:
    """The sentences of the text (of the paragraphs in `keep`, by index), in order."""
    if (seg := _native()) is not None and (found := seg.sentences(text, paras, keep)) is not None:
        return found
    cfg = _cfg()
    out: list[Sentence] = []
    for p, (ps, pe) in enumerate(paragraphs(text) if paras is None else paras):
        if keep is not None and p not in keep:
            continue
        s = ps
        ends = [m for m in cfg["sentence"].finditer(text, ps, pe)]
        spans = []
        for m in ends:
            spans.append((s, m.start()))
            s = m.end()
        spans.append((s, pe))
        one = len([1 for a, b in spans if text[a:b].strip()]) == 1
        for a, b in spans:
            if not text[a:b].strip():
                continue
            sent = Sentence(a, b, p, k=len(out))
            sent.heading = one and b - a <= cfg["heading"] and not cfg["closed"].search(text[ps:pe].rstrip())
            out.append(sent)
    return out


def quote_span(sent: Sentence, start: int, end: int) -> tuple[int, int]:
    """The span to quote for a number at start..end: the sentence, or the clauses around it when that is too long."""
    limit = _cfg()["quote"]
    if sent.end - sent.start <= limit:
        return sent.start, sent.end
    clauses = sent.clauses or [(sent.start, sent.end)]
    i = next((k for k, (a, b) in enumerate(clauses) if a <= start < b), 0)
    lo, hi = i, i
    while True:
        grown = False
        for j in (hi + 1, lo - 1):
            if 0 <= j < len(clauses) and max(clauses[hi][1], clauses[j][1]) - min(clauses[lo][0], clauses[j][0]) <= limit:
                lo, hi, grown = min(lo, j), max(hi, j), True
        if not grown:
            break
    a, b = clauses[lo][0], clauses[hi][1]
    if b - a > limit:  # one clause, no commas: the window of characters around the number
        a = max(a, min(start - limit // 2, b - limit))
        b = min(b, max(a + limit, end))
    return a, b


def split_clauses(text: str, sent: Sentence) -> None:
    """The sentence's clauses (and the break before each); asides holding only a code are read through."""
    cfg = _cfg()
    a, b = sent.start, sent.end
    c, opener = a, ""
    quiet = [m.span() for m in cfg["aside"].finditer(text, a, b)]  # (06808), (NYSE:BABA): no clause
    for m in cfg["clause"].finditer(text, a, b):
        if quiet and any(qs <= m.start() < qe for qs, qe in quiet):
            continue
        if m.start() > c:
            sent.clauses.append((c, m.start()))
            sent.openers.append(opener)
            opener = ""
        opener += m.group()
        c = m.end()
    if b > c or not sent.clauses:
        sent.clauses.append((c, b))
        sent.openers.append(opener)


def merge(*streams: list[Token]) -> list[Token]:
    """Tokens in text order (each stream is in order); where two overlap the longer one stays (the
    earlier stream on a tie)."""
    if (seg := _native()) is not None and (merged := seg.merge(streams)) is not None:
        return merged
    # one sort of plain tuples (the k keeps each stream's order and never lets two tokens be compared)
    ranked = sorted((t.start, t.start - t.end, i, k, t) for i, stream in enumerate(streams) for k, t in enumerate(stream))
    out: list[Token] = []
    end = -1
    for start, _, _, _, t in ranked:
        if start >= end:
            out.append(t)
            end = t.end
        elif t.end - t.start > out[-1].end - out[-1].start and t.start == out[-1].start:
            out[-1] = t
            end = t.end
    return out


def assign(text: str, sents: list[Sentence], tokens: list[Token]) -> None:
    """Give each sentence its tokens (and each token its clause index); only sentences with tokens are
    split into clauses."""
    if (seg := _native()) is not None and seg.assign(text, sents, tokens):
        return
    i = 0
    for sent in sents:
        while i < len(tokens) and tokens[i].start < sent.start:
            i += 1
        if i < len(tokens) and tokens[i].start < sent.end:
            split_clauses(text, sent)
        clause = 0
        while i < len(tokens) and tokens[i].start < sent.end:
            t = tokens[i]
            while clause + 1 < len(sent.clauses) and t.start >= sent.clauses[clause][1]:
                clause += 1
            t.clause, t.i = clause, len(sent.tokens)
            sent.tokens.append(t)
            i += 1


def bracketed(sent: Sentence, clause: int) -> bool:
    """Whether the clause opens with a bracket: an aside."""
    return clause < len(sent.openers) and any(ch in sent.openers[clause] for ch in "(（")


def is_item(text: str, sent: Sentence) -> bool:
    """A sentence that is an item of a list: a bullet, or a line ending in ；."""
    cfg = _cfg()
    line_end = text.find("\n", sent.end)
    tail = text[sent.end : len(text) if line_end < 0 else line_end + 1]
    return bool(cfg["item"].match(text, sent.start) or cfg["item_end"].match(tail))


def opens_section(text: str, sent: Sentence) -> bool:
    """A heading of its own, or a line marked as one (二、, 【...】)."""
    line_start = text.rfind("\n", 0, sent.start) + 1
    return sent.heading or (line_start == sent.start and bool(_cfg()["section"].match(text, sent.start)))
