"""Clean the decoded text into one simplified, half-width string, keeping a map back to the original.

Traditional -> simplified (OpenCC t2s) and NFKC first, over the whole body; then, line by line,
portal chrome and repeated blocks are dropped, bracketed pinyin removed and known mojibake repaired
(the rules in extractors/rules/normalize.yaml see simplified, half-width text). Every later span is
mapped back to the original through OffsetMap.
"""
from __future__ import annotations

import bisect
import functools
import unicodedata
from dataclasses import dataclass

import regex

from extractors import native, rules_data
from extractors import patterns as rx_engine

# Full-width ASCII and the ideographic / no-break spaces: the common NFKC changes, all one char for one.
# Line separators other than \n (a lone \r, U+2028, form feed...) become \n, so \n alone ends a line.
# (one class first, \r with it, so a scan skips to them; a \r is taken only when no \n follows it)
_WIDE = rx_engine.compile("[\uff01-\uff5e\u3000\u00a0\u2028\u2029\x0b\x0c\x1c-\x1e\x85\r](?:(?<!\r)|(?!\n))")
_WIDE_TO_NARROW = ({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " ", "\u00a0": " "}
                   | {c: "\n" for c in "\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85\r"})
# What NFKC may still change after that: a compatibility character (…, ①, ㎡), or a starter with the
# combining marks that may compose with it (e + U+0301).
_UNSTABLE = rx_engine.compile(r"(?P<compat>\p{NFKC_QC=N})|\p{NFKC_QC=M}+")  # marks are read with the char before them


@functools.cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


@functools.cache
def _compiled():
    cfg = rules_data.load("normalize")
    cut = "|".join(f"(?:{r['pattern']})" for r in cfg["cut_from"])
    drop = "|".join(f"(?:{r['pattern']})" for r in cfg["drop_line"])
    # One scan of the whole text; a cut line wins over a dropped one.
    chrome = rx_engine.compile(f"^(?:(?P<cut>{cut})|(?P<drop>{drop}))", regex.MULTILINE)
    pinyin = cfg["pinyin"]["pattern"]
    damaged = [regex.escape(fold(m["damaged"])) for m in cfg["mojibake"]]
    # One scan of the whole body: the regex module runs this alternation about 2x faster than re.
    fix = rx_engine.compile("|".join([f"(?P<pinyin>{pinyin})", f"(?P<han_space>{cfg['han_space']['pattern']})"]
                                 + [f"(?P<m{i}>{d})" for i, d in enumerate(damaged)]), engine="regex")
    repaired = {"pinyin": "", "han_space": ""} | {f"m{i}": fold(m["repaired"]) for i, m in enumerate(cfg["mojibake"])}
    return chrome, fix, repaired, int(cfg["repeat_min_chars"])


@functools.cache
def _lost_char():
    """A '?' a re-encoding put for a character it could not carry, inside a word: it ends no sentence."""
    cfg = rules_data.load("normalize")
    rule = cfg["lost_char"]
    known = "|".join(regex.escape(m["damaged"]) for m in cfg["mojibake"])  # repaired later, as a whole
    # A scan of the whole body, as fix above: faster on the regex module.
    pattern = (f"(?!{known})" if known else "") + rule["pattern"]
    return rx_engine.compile(pattern, engine="regex"), rule["stands_for"]


class OffsetMap:
    """Maps positions in the normalized text to the original text.

    A piece is linear (one char for one char) or a replacement (its chars all map to one original range).
    A map may sit on a `base` map: its pieces then point into the base's text, which maps on to the original.
    """

    def __init__(self, base: OffsetMap | None = None) -> None:
        self.n_starts: list[int] = []
        self.pieces: list[tuple[int, int, bool]] = []  # (orig_start, orig_end, linear)
        self.base = base

    def add(self, n_start: int, o_start: int, o_end: int, linear: bool) -> None:
        self.n_starts.append(n_start)
        self.pieces.append((o_start, o_end, linear))

    def start(self, n: int) -> int:
        i = bisect.bisect_right(self.n_starts, n) - 1
        o_start, o_end, linear = self.pieces[max(i, 0)]
        pos = min(o_start + (n - self.n_starts[i]), o_end) if linear and i >= 0 else o_start
        return self.base.start(pos) if self.base else pos

    def end(self, n: int) -> int:
        """Original position just after normalized char n-1."""
        if n <= 0:
            return self.start(0)
        i = bisect.bisect_right(self.n_starts, n - 1) - 1
        o_start, o_end, linear = self.pieces[max(i, 0)]
        pos = min(o_start + (n - self.n_starts[i]), o_end) if linear and i >= 0 else o_end
        return self.base.end(pos) if self.base else pos

    def span(self, n_start: int, n_end: int) -> tuple[int, int]:
        return self.start(n_start), self.end(n_end)


@dataclass
class Normalized:
    text: str  # simplified, NFKC, one paragraph per line
    offsets: OffsetMap
    dropped_lines: int  # portal chrome and repeats, for the document's report
    traditional: bool = False  # written in traditional characters: some words mean something else there


def fold(s: str) -> str:
    """Traditional -> simplified, then NFKC (full-width digits, % and commas become ASCII)."""
    return unicodedata.normalize("NFKC", _converter().convert(s))


_char_fold = fold  # the name tests/test_rule_examples.py uses


def _simplified(body: str) -> str:
    """t2s, one char for one char. OpenCC keeps lengths in practice; where it does not, a line is
    converted char by char, and kept as it was if even that changes its length."""
    simp = _converter().convert(body)
    if len(simp) == len(body):
        return simp
    out = []
    for line in body.splitlines(keepends=True):
        s = _converter().convert(line)
        if len(s) != len(line):
            s = "".join(_converter().convert(ch) for ch in line)
        out.append(s if len(s) == len(line) else line)
    return "".join(out)


TRADITIONAL_SHARE = 0.02  # of the characters t2s changes: a simplified text with a stray 於 is not traditional


TRADITIONAL_SAMPLE = 2000  # characters read to tell the script: enough for any article, cheap on a long one


def _is_traditional(body: str, simplified: str) -> bool:
    n = min(len(body), TRADITIONAL_SAMPLE)
    enough = max(3, TRADITIONAL_SHARE * n)
    changed = 0
    for i in range(0, n, 64):  # equal stretches compare as wholes; stop once enough differ
        a, b = body[i : min(n, i + 64)], simplified[i : min(n, i + 64)]
        if a != b:
            changed += sum(map(str.__ne__, a, b))
            if changed >= enough:
                return True
    return False


def _folded(body: str, offset: int) -> tuple[str, OffsetMap | None, bool]:
    """The body simplified and NFKC-folded, a map from it to the original (None when char for char), and
    whether it was written in traditional characters.

    NFKC is applied per character (with the combining marks that follow it), so a change that keeps
    the length keeps every position; only the rare ones that do not (… -> ..., ½ -> 1⁄2) become pieces."""
    simp = _simplified(body)
    traditional = _is_traditional(body, simp)
    if "?" in simp:  # before full-width punctuation folds: a real ？ stays a question mark
        lost, mark = _lost_char()
        simp = lost.sub(mark, simp)
    wide = set(_WIDE.findall(simp))
    if "\r" in wide:  # a lone \r: replace() would also take the \r of \r\n
        text = _WIDE.sub(lambda m: _WIDE_TO_NARROW[m.group()], simp)
    else:  # the few distinct wide characters, each replaced in one pass
        text = simp
        for ch in wide:
            text = text.replace(ch, _WIDE_TO_NARROW[ch])
    if unicodedata.is_normalized("NFKC", text):
        return text, None, traditional
    omap = OffsetMap()
    parts: list[str] = []
    i = 0  # text[:i] is in parts
    lin, n_lin, n = 0, 0, 0  # the current linear stretch starts at text[lin], folded position n_lin
    for m in _UNSTABLE.finditer(text):
        start = m.start() - 1 if m.group("compat") is None and m.start() > i else m.start()
        old = text[start : m.end()]
        new = unicodedata.normalize("NFKC", old)
        parts.append(text[i:start])
        n += start - i
        i = m.end()
        if len(new) == len(old):
            parts.append(new)
            n += len(new)
            continue
        if start > lin:
            omap.add(n_lin, offset + lin, offset + start, True)
        if new:
            omap.add(n, offset + start, offset + m.end(), False)
            parts.append(new)
            n += len(new)
        lin, n_lin = m.end(), n
    parts.append(text[i:])
    n += len(text) - i
    if not omap.pieces:
        return "".join(parts), None, traditional
    omap.add(n_lin, offset + lin, offset + len(text), True)
    omap.add(n, offset + len(text), offset + len(text), True)  # sentinel for end positions
    return "".join(parts), omap, traditional


@functools.cache
def _native():
    """The line pass's kernel with chrome and fix on PCRE2, or None (not built, or a rule only regex reads)."""
    kernel = native.kernel("normalize")
    if kernel is None:
        return None
    from extractors.native import regex32

    chrome, fix, repaired, min_repeat = _compiled()
    try:
        chrome32, fix32 = regex32.compile(chrome.pattern, regex.MULTILINE), regex32.compile(fix.pattern)
    except regex32.Unsupported:
        return None
    reps: list[str | None] = [None] * (fix32.groups + 1)
    for name, rep in repaired.items():
        reps[fix32.groupindex[name]] = rep
    return kernel, chrome32, chrome32.groupindex["cut"], fix32, reps, min_repeat


def normalize(raw: str, start: int = 0) -> Normalized:
    """Normalize raw[start:] (the body after any front matter)."""
    body, base, traditional = _folded(raw[start:], start)
    origin = 0 if base else start  # pieces point into the body's coordinates, shifted by origin
    fast = _native()
    omap = OffsetMap(base)
    text, omap.n_starts, omap.pieces, dropped = fast[0].clean(body, origin, *fast[1:]) if fast else lines(body, origin)
    return Normalized(text, omap, dropped, traditional)


def lines(body: str, origin: int) -> tuple[str, list[int], list[tuple[int, int, bool]], int]:
    """The line pass over the folded body: (text, the map's n_starts and pieces, lines dropped). The reference
    of the native kernel (extractors/native/normalize.pyx)."""
    chrome, fix, repaired, min_repeat = _compiled()
    cut_at, drops = len(body) + 1, set()
    for m in chrome.finditer(body):
        if m.group("cut") is not None:
            cut_at = m.start()
            break
        drops.add(m.start())
    fixes = [(m.start(), m.end(), repaired[m.lastgroup])
             for m in fix.finditer(body, 0, cut_at)]
    out: list[str] = []
    omap = OffsetMap()
    n = 0
    seen = _Seen(min_repeat)
    dropped = 0
    pos = k = 0
    run = run_end = 0  # body[run:run_end]: kept lines not yet copied, each ending in a plain \n

    def flush() -> None:
        nonlocal n
        if run_end > run:
            omap.add(n, origin + run, origin + run_end, True)
            out.append(body[run:run_end])
            n += run_end - run

    for line in body.split("\n"):
        o_line, pos = pos, pos + len(line) + 1  # pos: the start of the next line
        if o_line >= len(body):
            break  # nothing after the last \n
        if o_line >= cut_at:
            dropped += body.count("\n", o_line) + (not body.endswith("\n"))
            break
        content = line.rstrip("\r")
        if o_line in drops or seen.repeated(content.strip()):
            dropped += 1
            continue
        while k < len(fixes) and fixes[k][0] < o_line:
            k += 1  # in a dropped line
        here = []
        while k < len(fixes) and fixes[k][0] < o_line + len(content):
            here.append(fixes[k])
            k += 1
        if not here and pos <= len(body) and len(content) == len(line):  # copied as it is, with its \n
            if run_end != o_line:
                flush()
                run = o_line
            run_end = pos
            continue
        flush()
        run = run_end = pos
        i = o_line  # pieces of this line: linear stretches and replacements
        for f_start, f_end, rep in here:
            if f_start > i:
                omap.add(n, origin + i, origin + f_start, True)
                out.append(body[i:f_start])
                n += f_start - i
            if rep:
                omap.add(n, origin + f_start, origin + f_end, False)
                out.append(rep)
                n += len(rep)
            i = f_end
        omap.add(n, origin + i, origin + min(pos, len(body)), True)
        out.append(body[i : o_line + len(content)] + "\n")
        n += o_line + len(content) - i + 1
    flush()
    end_of_body = origin + len(body)
    omap.add(n, end_of_body, end_of_body, True)  # sentinel for end positions
    return "".join(out), omap.n_starts, omap.pieces, dropped




@functools.cache
def _display_fixes():
    cfg = rules_data.load("normalize")
    damaged = [m["damaged"] for m in cfg["mojibake"]]
    parts = [f"(?P<pinyin>{cfg['pinyin']['pattern']})"] + [f"(?P<m{i}>{regex.escape(d)})" for i, d in enumerate(damaged)]
    return rx_engine.compile("|".join(parts)), [m["repaired"] for m in cfg["mojibake"]]


def clean_for_display(text: str) -> str:
    """A sentence as a reader should see it: bracketed pinyin removed and known mojibake repaired (the
    rules of normalize.yaml), in the text's own script. Only for showing: spans always index the
    original text, which this never changes."""
    pattern, repaired = _display_fixes()
    simplified = _converter().convert(text) == text

    def fix(m: regex.Match) -> str:
        if m.lastgroup == "pinyin":
            return ""
        r = repaired[int(m.lastgroup[1:])]
        return fold(r) if simplified else r

    return pattern.sub(fix, text)


class _Seen:
    """Paragraphs already read: a line at least `min_chars` long repeats one when it equals it or is its
    truncated head. Lines are kept sorted per leading `min_chars` characters, so the check is a bisect,
    not a scan of every earlier line."""

    def __init__(self, min_chars: int) -> None:
        self.min_chars = min_chars
        self.buckets: dict[str, list[str]] = {}

    def repeated(self, key: str) -> bool:
        if len(key) < self.min_chars:
            return False
        bucket = self.buckets.setdefault(key[: self.min_chars], [])
        i = bisect.bisect_left(bucket, key)
        if i < len(bucket) and bucket[i].startswith(key):  # equal, or a longer line that starts with it
            return True
        bucket.insert(i, key)
        return False
