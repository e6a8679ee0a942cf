"""Many patterns over one text, fast.

`Alternation` finds what one alternation of all the patterns would, scanned left to right without
overlaps. Patterns that are a finite set of strings once their outer lookarounds are set aside
(经调整[ \\t]*EBITA(?:利润)?, 增(?!速|幅)) go into one Aho-Corasick automaton (ahocorasick-rs, a DFA), their
lookarounds checked where a string is found; the rest are tried only where the text holds a character
they can start with. The lexicon (longest match wins) and the period expressions (the first listed
wins) use it.
"""
from __future__ import annotations

import itertools

import ahocorasick_rs
import regex

from extractors import native
from extractors import patterns as rx_engine

# A leading lookbehind looks at the text before the start: it does not decide the first character.
_LEADING_LOOKBEHIND = regex.compile(r"^\(\?<[=!](?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)")
_TRAILING_LOOKAHEAD = regex.compile(r"\(\?[=!](?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)$")
_CONTROL = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xE001, 0xE008)} | {"\t", "\n"}
MAX_STRINGS = 96  # a pattern that stands for more strings than this is tried as a pattern


class Alternation:
    """Hits are (index of the pattern, match-like object with start(), end(), group()); with `longest`
    the longest at a position wins (the first listed on a tie), else the first listed that matches."""

    def __init__(self, patterns: list[str], longest: bool, flags: int = 0, two_chars: bool = True):
        self.patterns = [rx_engine.compile(p, flags) for p in patterns]
        self.source, self.flags, self.longest = list(patterns), flags, longest
        strings: dict[str, list[tuple[int, regex.Pattern | None, regex.Pattern | None]]] = {}
        rest = list(range(len(patterns)))
        if longest:  # the first-listed rule needs every pattern's own match: only longest uses strings
            rest = []
            for i, p in enumerate(patterns):
                split = _as_strings(p)
                if split is None:
                    rest.append(i)
                    continue
                behind, words, ahead = split
                for w in words:
                    strings.setdefault(w, []).append((i, behind and rx_engine.compile(behind, flags),
                                                      ahead and rx_engine.compile(ahead, flags)))
        self.strings = None  # the automaton; self.payloads[k]: (length, plain, payload) of its k-th string
        self.payloads: list[tuple[int, int, list]] = []
        if strings:
            for w, payload in strings.items():
                payload.sort(key=lambda e: e[0])
                # the first listed needs no lookaround: it is the string's hit wherever the string stands
                plain = payload[0][0] if payload[0][1] is None and payload[0][2] is None else -1
                self.payloads.append((len(w), plain, payload))
            self.strings = ahocorasick_rs.AhoCorasick(list(strings), implementation=ahocorasick_rs.Implementation.DFA)
        heads = {i: regex.compile(_LEADING_LOOKBEHIND.sub("", patterns[i], count=1), flags) for i in rest}
        alphabet = {ch for i in rest for ch in patterns[i]} | _CONTROL
        buckets: dict[str, list[int]] = {}
        for i, rx in heads.items():
            for ch in alphabet:
                if rx.match(ch, partial=True):
                    buckets.setdefault(ch, []).append(i)
        posix = "(?p)" if longest else ""
        self.by_char = {ch: rx_engine.compile(posix + "|".join(f"(?P<a{i}>{patterns[i]})" for i in idx), flags)
                        for ch, idx in buckets.items()}
        self.starts = rx_engine.compile(_starts(buckets, heads, alphabet, two_chars) if self.by_char else "(?!)")
        self.kernel = _kernel(self, list(strings))  # the native scan (extractors/native/alternation.pyx), or None

    def finditer(self, text: str, start: int = 0, end: int | None = None):
        end = len(text) if end is None else end
        if self.kernel is not None and start >= 0:
            return self._native_finditer(text, start, end)
        return self._finditer(text, start, end)

    def _native_finditer(self, text: str, start: int, end: int):
        """finditer's hits from the kernel. A pattern's match object is its by_char pattern's own match there; the
        first listed takes the winning pattern's own match instead (the same, but for back references), when it
        ends where the kernel says."""
        by_char, patterns, solo = self.by_char, self.patterns, self.kernel.solo if not self.longest else None
        for i, s, e, word in self.kernel.hits_with_source(text, start, end):
            if word:
                yield i, _Hit(text, s, e)
                continue
            m = patterns[i].match(text, s, end) if solo is not None and solo[i] else None
            yield i, (m if m is not None and m.end() == e else by_char[text[s]].match(text, s, end))

    def _finditer(self, text: str, start: int, end: int):
        if not self.longest:
            yield from self._first_listed(text, start, end)
            return
        for i, s, e, m in self._longest(text, start, end):
            yield i, (m if m is not None else _Hit(text, s, e))

    def spans(self, text: str, start: int = 0, end: int | None = None):
        """(index of the pattern, start, end) of each hit, in longest mode: finditer without match objects."""
        end = len(text) if end is None else end
        if self.kernel is not None and self.longest and start >= 0:
            return self.kernel.spans(text, start, end)
        return self._spans(text, start, end)

    def _spans(self, text: str, start: int, end: int):
        for i, s, e, _ in self._longest(text, start, end):
            yield i, s, e

    def _longest(self, text: str, start: int, end: int):
        found: dict[int, tuple[int, int]] = {}  # start -> (length, -index): the best string there
        if self.strings is not None:
            payloads = self.payloads
            # every occurrence, overlapping ones too, of a string that lies inside text[start:end]
            for k, s, e in self.strings.find_matches_as_indexes(text[start:end], overlapping=True):
                n, plain, payload = payloads[k]
                s, e = s + start, e + start
                if plain >= 0:
                    if (n, -plain) > found.get(s, (0, 0)):
                        found[s] = (n, -plain)
                    continue
                for i, behind, ahead in payload:
                    if (behind is None or behind.match(text, s)) and (ahead is None or ahead.match(text, e, end)):
                        if (n, -i) > found.get(s, (0, 0)):
                            found[s] = (n, -i)
                        break  # the payload is in index order: the first that passes is the best here
        heads = sorted(found)
        k, pos = 0, start
        starts = self.starts
        cand = -1  # the next position where a pattern (not a string) may start, searched lazily
        while True:
            while k < len(heads) and heads[k] < pos:
                k += 1
            if cand < pos:
                m0 = starts.search(text, pos, end)
                cand = m0.start() if m0 else end
            p = min(heads[k] if k < len(heads) else end, cand)
            if p >= end:
                return
            best = found.get(p)
            rx = self.by_char.get(text[p]) if cand == p else None
            m = rx.match(text, p, end) if rx is not None else None
            if m is not None and m.end() > p:
                i = int(m.lastgroup[1:])
                if best is None or (m.end() - p, -i) > best:
                    yield i, p, m.end(), m
                    pos = m.end()
                    continue
            if best is None:
                pos = p + 1
                continue
            yield -best[1], p, p + best[0], None
            pos = p + best[0]

    def _first_listed(self, text: str, start: int, end: int):
        pos = start
        while True:
            m0 = self.starts.search(text, pos, end)
            if m0 is None:
                return
            p = m0.start()
            m = self.by_char[text[p]].match(text, p, end)
            if m is None or m.end() == p:
                pos = p + 1
                continue
            yield int(m.lastgroup[1:]), m
            pos = m.end()


def _kernel(alternation: Alternation, words: list[str]):
    """The native scanner of an alternation (its strings in the order of its payloads), or None when the kernels
    are not built or switched off, or a pattern it needs does not run on PCRE2 as on Python."""
    kernel = native.kernel("alternation")
    if kernel is None:
        return None
    try:
        return kernel.Scanner(alternation, words)
    except kernel.Unsupported:
        return None


# Characters no pattern names, tried as the second character: one that passes means any may follow,
# but for a digit of another script, which means \d may.
_PROBES = "\x00é\u0436\u03a9\u2003\u3042\uffff\U00020000"
_DIGIT_PROBE = "\u0660"


def first_chars(pattern: str, flags: int = 0) -> str:
    """A class of the characters a match of the pattern can start with (of those it names, the controls, and
    \\d for digits of any script), so a scan can skip to one; any character when it may start with one it
    does not name."""
    rx = regex.compile(pattern, flags)
    if any(rx.match(p, partial=True) for p in _PROBES):
        return "(?s:.)"
    digits = "\\d" if rx.match(_DIGIT_PROBE, partial=True) else ""
    alphabet = set(pattern) | _CONTROL
    return "[" + digits + "".join(regex.escape(ch) for ch in sorted(alphabet) if rx.match(ch, partial=True)) + "]"


def _starts(buckets: dict[str, list[int]], heads: dict, alphabet: set[str], two_chars: bool) -> str:
    """Where a pattern may start: its first character and, with `two_chars`, the characters that may
    follow it (a pattern that can end after one character, or go on with any, needs only the first)."""
    if not two_chars:
        return "[" + "".join(regex.escape(ch) for ch in sorted(buckets)) + "]"
    parts = []
    for ch, idx in sorted(buckets.items()):
        second: set[str] = set()
        for i in idx:
            one = heads[i].match(ch)
            if (one is not None and one.end() == 1) or any(heads[i].match(ch + p, partial=True) for p in _PROBES):
                second = set()
                break
            second |= {regex.escape(c) for c in alphabet if heads[i].match(ch + c, partial=True)}
            if heads[i].match(ch + _DIGIT_PROBE, partial=True):
                second.add("\\d")
        parts.append(regex.escape(ch) + ("[" + "".join(sorted(second)) + "]" if second else ""))
    return "|".join(parts)  # each part opens with its own character, so a scan skips to them


class _Hit:
    """What a string hit offers of a regex match."""

    __slots__ = ("text", "a", "b")

    def __init__(self, text: str, a: int, b: int):
        self.text, self.a, self.b = text, a, b

    def start(self) -> int:
        return self.a

    def end(self) -> int:
        return self.b

    def group(self, *_) -> str:
        return self.text[self.a : self.b]


# ---------------------------------------------------------------- patterns as sets of strings
_SIMPLE_ESCAPE = set(r"()[]{}?*+|.^$\/-")


def _as_strings(pattern: str) -> tuple[str | None, list[str], str | None] | None:
    """(leading lookbehind, the strings the rest stands for, trailing lookahead), or None."""
    behind = ahead = None
    m = _LEADING_LOOKBEHIND.match(pattern)
    if m:
        behind, pattern = m.group(), pattern[m.end() :]
    m = _TRAILING_LOOKAHEAD.search(pattern)
    if m and m.start() > 0:
        ahead, pattern = m.group(), pattern[: m.start()]
    try:
        words, rest = _seq(pattern, 0)
    except _NotStrings:
        return None
    if rest != len(pattern) or not words or len(words) > MAX_STRINGS or "" in words:
        return None
    return behind, sorted(set(words)), ahead


class _NotStrings(Exception):
    pass


def _seq(p: str, i: int) -> tuple[list[str], int]:
    """The strings of the sequence starting at p[i], up to a '|' or ')' (returned index)."""
    out = [""]
    while i < len(p) and p[i] not in "|)":
        alts, i = _atom(p, i)
        if i < len(p) and p[i] in "?*+":
            q = p[i]
            i += 1
            if i < len(p) and p[i] in "?+":
                raise _NotStrings  # lazy or possessive
            if q == "?":
                alts = [""] + alts
            elif q == "*" and alts in ([" "], [" ", "\t"], ["\t", " "]):
                alts = ["", " "]  # [ \t]* : none or one space is what text holds
            elif q == "+" and alts in ([" "], [" ", "\t"], ["\t", " "]):
                alts = [" "]
            else:
                raise _NotStrings
        out = [a + b for a, b in itertools.product(out, alts)]
        if len(out) > MAX_STRINGS:
            raise _NotStrings
    return out, i


def _atom(p: str, i: int) -> tuple[list[str], int]:
    ch = p[i]
    if ch == "\\":
        if i + 1 < len(p) and p[i + 1] in _SIMPLE_ESCAPE:
            return [p[i + 1]], i + 2
        if p[i + 1 : i + 2] == "t":
            return ["\t"], i + 2
        raise _NotStrings
    if ch == "(":
        if not p.startswith("(?:", i):
            raise _NotStrings
        i += 3
        alts: list[str] = []
        while True:
            words, i = _seq(p, i)
            alts += words
            if i >= len(p):
                raise _NotStrings
            if p[i] == ")":
                return alts, i + 1
            i += 1  # '|'
    if ch == "[":
        j = p.find("]", i + 1)
        body = p[i + 1 : j]
        if j < 0 or not body or body[0] == "^" or "-" in body.replace("\\-", "") or len(body) > 8:
            raise _NotStrings
        chars = regex.findall(r"\\.|.", body)
        return [{"\\t": "\t"}.get(c, c[-1]) for c in chars], j + 1
    if ch in ".^$*+?{":
        raise _NotStrings
    return [ch], i + 1
