"""Find numeric expressions in normalized text: values in canonical units, with qualifiers.

Kinds: percent, points (个百分点), money (CNY/USD), token (CNY per 1M tokens), big (a bare
magnitude such as 千亿), count (4000万次). Ranges (15%至50%) give value and value_high;
transitions (从A降至B) and lists (分别A和B) are linked afterwards on the masked text.
The grammar lives in extractors/rules/numbers.yaml; this module composes and reads it.
"""
from __future__ import annotations

import bisect
import functools
import math
from dataclasses import dataclass
from typing import NamedTuple

import regex

from extractors import native, rules_data
from extractors import patterns as rx_engine
from extractors.recognize import scan
from extractors.text.normalize import fold

PLACEHOLDER = {"percent": "\ue001", "money": "\ue002", "token": "\ue003", "big": "\ue004", "count": "\ue005",
               "points": "\ue007"}
IGNORED = "\ue006"  # thresholds and vague numbers: masked, but no rule reads them
ANY_PLACEHOLDER = "[\ue001-\ue007]"
VALUE_PLACEHOLDER = "[" + "".join(PLACEHOLDER.values()) + "]"  # what transitions and lists link
# A qualifier word never reaches across a clause (these characters) nor across another number (a digit, or a
# placeholder: FIRST_PLACEHOLDER to LAST_PLACEHOLDER).
CLAUSE_STOPS = "。；;，,\n"
FIRST_PLACEHOLDER, LAST_PLACEHOLDER = "\ue001", "\ue007"


@dataclass(slots=True)
class Mention:
    start: int  # in the normalized text
    end: int
    value: float
    value_high: float | None
    kind: str
    unit: str | None
    qualifier: str
    text: str
    magnitude: bool = False  # written with 万/亿
    role: str | None = None  # "from" or "to" in a transition
    partner: int | None = None  # the other end of a transition
    list_index: int | None = None  # position in a 分别 list
    ignored: str | None = None  # "threshold" or "vague": not a value

    @property
    def placeholder(self) -> str:
        return IGNORED if self.ignored else PLACEHOLDER[self.kind]


def _alt(words) -> str:
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


def _expand(pattern: str, fragments: dict[str, str]) -> str:
    """Replace {name} (lowercase) by its grammar fragment, recursively; {0,14} quantifiers stay."""
    return regex.sub(r"\{([a-z_]+)\}", lambda m: _expand(fragments[m.group(1)], fragments), pattern)


class Source(NamedTuple):
    """A grammar pattern not compiled yet: `pattern` is the text re would be given (what a compiled pattern's
    .pattern says, which the native finder compiles for PCRE2), `source` the rule's own; _rx compiles it."""
    pattern: str
    flags: int
    source: str


def _source(pattern: str, flags: int = 0) -> Source:
    return Source(rx_engine.for_re(pattern, flags) or pattern, flags, pattern)


@functools.cache
def _rx(name: str):
    """The grammar's pattern `name` compiled for the Python scan, on first use: the largest take a third of
    a second to compile, which a process that runs the native finder never needs."""
    spec = _cfg()[name]
    return rx_engine.compile(spec.source, spec.flags)


@functools.cache
def _cfg():
    c = rules_data.load("numbers")
    g = dict(c["grammar"])
    g.update(c["percent"])
    num = _expand("{number}", g)
    mag = _alt(c["magnitudes"])
    w = c["words"]
    more = f"(?:{_alt(w['more'])})"
    per = f"(?:{regex.escape(w['per'])})?"
    not_currency = f"(?!{_alt(w['not_currency_after'])})"
    cur = "|".join(f"(?P<§cur_{code}>{_alt(words)})" for code, words in c["currencies"].items())
    jiao = f"(?P<§jiao>{c['jiao']})"  # 1亿毛 is refused in _read
    tok_unit = _alt(c["token_units"])
    sections = "".join(c["sections"])
    numeral_chars = "".join(c["digits"]) + "".join(c["units"]) + sections
    tok = c["token_word"]
    # After the number: 多, 万, 亿. Spaces are possessive ([ \\t]*+): two optional runs of spaces that
    # could trade characters would make "1" + 20,000 spaces quadratic.
    amount = f"(?P<§more1>{more})?[ \\t]*+(?P<§mag>{mag})?(?P<§more>{more})?"
    # Alternatives that start with a word come first: 百万tokens 0.3元 is a token price, not 百万.
    tb_head = f"{per}(?P<tb_unit>{tok_unit})[ \\t]*+"  # what may stand before the token word
    prefixes = "|".join(f"(?P<mp_pre_{k}>{p})" for k, p in c["currency_prefixes"].items())
    lead = [
        # 每百万tokens输入价格低至0.5元: the price is the first number within 14 characters of the unit.
        f"(?P<token_before>{tb_head}{tok}"
        f"[^。；，,\\n\\d{numeral_chars}]{{0,14}}+(?P<tb_v>{num})"
        + amount.replace("§", "tb_") + f"[ \\t]*+(?:(?:{cur}){not_currency}|{jiao})".replace("§", "tb_") + ")",
        f"(?P<money_pre>(?:{prefixes})"
        + f"[ \\t]*+(?P<mp_v>{num})" + amount.replace("§", "mp_") + f"(?P<mp_suffix>{_alt(w['suffixes_after_prefix'])})?"
        + f"(?P<mp_per>[ \\t]*+/[ \\t]*+{per}(?P<mp_unit>{tok_unit})[ \\t]*+{tok})?)",
        f"(?P<per_hundred>{g['per_hundred']}(?P<pv2>{num}))",
    ]
    # Then a number and what follows it. The number is read once; the tails decide the kind.
    conn = _alt(c["range_connectors"])
    right_after = "|".join([
        f"(?P<pct_range>[ \\t]*+%?[ \\t]*+(?:{conn})[ \\t]*+(?P<pb>{num})[ \\t]*+%)",
        # 100亿至120亿元, 15-20亿美元: the first amount takes the second's magnitude when it has none.
        f"(?P<money_range>(?P<ra_mag>{mag})?[ \\t]*+(?:{conn})[ \\t]*+(?P<rb_v>{num})"
        + amount.replace("§", "rb_") + f"[ \\t]*+(?:{cur}){not_currency})".replace("§", "rb_"),
        "(?P<pct>[ \\t]*+%)",
        f"(?P<points>{g['points']})",
        _expand("(?P<cheng>{cheng})", g),
    ])
    with_amount = "|".join([
        f"[ \\t]*+(?:(?:{cur}){not_currency}|{jiao})".replace("§", "")
        + f"(?P<per>[ \\t]*+/[ \\t]*+{per}(?P<ta_unit>{tok_unit})[ \\t]*+{tok})?",
        f"[ \\t]*+(?P<cunit>{_alt(c['count_units'])})",
        f"(?P<big>(?(mag)|(?:(?<=[{sections}])|(?<=[{sections}]{more}))))",  # a bare magnitude: 千亿, 两万多
    ])
    numbered = f"(?P<v>{num})(?:{right_after}|{amount.replace('§', '')}(?:{with_amount}))"
    names = list(c["qualifiers"])  # precedence order
    spec = c["qualifiers"]
    before_words = {w: names.index(n) for n in names for w in spec[n].get("before", [])}
    return {
        "c": c,
        # Two scans, merged as one alternation would be (see _scan): the word-led forms are rare and
        # cheap to look for on their own, and the number-led scan is then not slowed by them.
        "lead": _source("|".join(lead), regex.V0),
        # Every word-led form holds one of these; it starts at it or, over `lead_back`, before it.
        "lead_anchors": rx_engine.compile(c["lead_anchors"]),
        "lead_back": frozenset(tb_head + "".join(c["token_units"]) + " \t"),
        "numbered": _source(numbered, regex.V0),
        "numbered_starts": _source(scan.first_chars(numbered, regex.V0)),
        "anchors": rx_engine.compile(c["anchors"]),
        "reach": int(c["anchor_reach"]),
        "number_chars": frozenset(c["number_chars"]),
        "whole": _source(f"(?P<v>{num}){amount.replace('§', '')}", regex.V0),
        "cheng_value": rx_engine.compile(_expand("{cheng_value}", g)),
        "cheng_before": rx_engine.compile(_expand("{cheng_before}", g)),
        "url": rx_engine.compile(c["url"]),
        "per_tokens": rx_engine.compile(f"(?P<unit>{tok_unit})[ \\t]*{tok}"),
        "token_units": c["token_units"],
        # Word lists checked with str methods on a few characters around a number: no regex.
        "other_currencies": tuple(c["other_currencies"]),
        "not_numbers": tuple(c["not_numbers"]),
        "scope": [(n, w) for n in names for w in spec[n].get("scope", [])],
        "degree_before": sorted(before_words.items(), key=lambda kv: kv[1]),  # (word, rank), by precedence
        "any_before": tuple(before_words),
        "joiners": c["joiners_before_number"],
        "degree_after": [(names.index(n), w) for n in names for w in spec[n].get("after", [])],
        "after_words": tuple(w for n in names for w in spec[n].get("after", [])),
        "minus": tuple(w["minus"]),
        "signs": ("+", *w["minus"]),
        "rank_name": names,
        "threshold": tuple(c["threshold_after"]),
        "vague": tuple(c["vague_before"]),
        "vague_after": tuple(c["vague_after"]),
        "transition": rx_engine.compile(c["transition"].replace("{X}", VALUE_PLACEHOLDER), engine="regex"),
        "respectively": rx_engine.compile(c["respectively"].replace("{X}", VALUE_PLACEHOLDER), engine="regex"),
    }


def _tokens(s: str) -> list[str]:
    """Characters, with runs of Arabic digits kept together: 25万6千 -> 25, 万, 6, 千.
    The integer part of a Chinese numeral is a few dozen characters at most (see the grammar)."""
    out: list[str] = []
    for ch in s:
        if ch.isdecimal() and out and out[-1][-1].isdecimal():
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _cn_integer(s: str) -> float:
    """一百零一万一千 -> 1011000; 一千三 -> 1300 (a last digit right after a unit is one place down);
    25万6千 -> 256000 (Arabic digits as coefficients)."""
    c = _cfg()["c"]
    digits, units, sections = c["digits"], c["units"], c["sections"]
    total = wan = sec = 0
    num: int | None = None
    prev = before = ""
    for tok in _tokens(s):
        if tok[0].isdecimal():  # Arabic digits as a coefficient (any script: int() reads them)
            num = int(tok)
        elif tok in digits:
            if digits[tok] and not (prev in digits and digits[prev]):  # 二三十: the lower of the pair
                num = digits[tok]
        elif tok in units:
            sec += (1 if num is None else num) * units[tok]
            num = None
        elif tok in sections:
            group = sec + (num or 0)
            if sections[tok] == 100000000:
                total = (total + wan + group) * 100000000
                wan = 0
            else:
                wan = group * 10000
            sec, num = 0, None
        before, prev = prev, tok
    if num is not None and prev in digits and (before in units or before in sections):
        scale = (units.get(before) or sections[before]) // 10
        num *= max(scale, 1)
    return float(total + wan + sec + (num or 0))


def cn_to_number(s: str) -> float:
    """一百二十三 -> 123, 两万 -> 20000, 三点五 -> 3.5, 四亿零六 -> 400000006."""
    digits = _cfg()["c"]["digits"]
    w = _cfg()["c"]["words"]
    whole, _, frac = s.partition(w["point"])
    value = _cn_integer(whole) if whole.strip(w["zeros"]) else 0.0
    if frac:
        value += float("0." + "".join(str(digits[ch]) for ch in frac))
    return value


def to_number(s: str) -> float:
    """The value of a string matched by the `number` grammar: 1,063.5 -> 1063.5, 负三 -> -3."""
    s = s.strip()
    sign = 1.0
    if s.startswith(_cfg()["minus"]):
        sign, s = -1.0, s[1:]
    elif s[:1] == "+":
        s = s[1:]
    if s.replace(",", "").replace(".", "").isdecimal():
        return sign * float(s.replace(",", ""))
    return sign * cn_to_number(s)


def signed(m: Mention) -> bool:
    """A percent written with its sign (+6%, 负3%, -2%): a change, not a level."""
    return m.kind == "percent" and m.text.startswith(_cfg()["signs"])


def parse_value(text: str) -> float | None:
    """The value of `text` when the whole of it is one number (with an optional magnitude), else None.

    Uses the finder's grammar, so it answers what find() would read if a unit followed:
    '一千二百三十四万' -> 12340000.0, '4.78萬億' -> 4.78e12, '两万多' -> 20000.0,
    '二三十' -> None (an estimate).
    """
    cfg = _cfg()
    m = _rx("whole").fullmatch(fold(text).strip())
    if not m or _estimate(m.group("v")) is not None:
        return None
    mag = m.group("mag")
    value = to_number(m.group("v")) * (cfg["c"]["magnitudes"][mag] if mag else 1)
    return _clean(value) if math.isfinite(value) else None


def _estimate(written: str) -> str | None:
    """'vague' for 二三十 (an estimate), 'invalid' for 两两 (not a number), None for one value."""
    if written.isascii():
        return None
    digits = _cfg()["c"]["digits"]
    whole = written.partition(_cfg()["c"]["words"]["point"])[0]  # a few dozen characters at most
    for a, b in zip(whole, whole[1:]):
        if digits.get(a) and digits.get(b):
            return "vague" if a + b in _cfg()["c"]["approximate_pairs"] else "invalid"
    return None


def _clean(x: float) -> float:
    """Round away binary noise (to 12 significant digits): 0.0005/1000*1e6 is 0.5, not 0.49999999999999994."""
    if x == 0 or not math.isfinite(x):
        return 0.0 if x == 0 else x
    return round(x, 11 - int(math.floor(math.log10(abs(x)))))


def _is_round(written: str) -> bool:
    """One significant digit and no decimals: 800, 百, 2,000."""
    if "." in written or _cfg()["c"]["words"]["point"] in written:
        return False
    return len(str(int(abs(to_number(written)))).rstrip("0")) <= 1


def _has_section(written: str) -> bool:
    return any(ch in written for ch in _cfg()["c"]["sections"])


def _qualifier(text: str, start: int, end: int, inner: str, more: bool) -> str:
    """Qualifier from the words around a number; scope words (平均, 最高, 低至) win over degree words,
    and among degree words the qualifier listed first in numbers.yaml wins."""
    cfg = _cfg()
    before = text[max(0, start - cfg["c"]["scope_window"]) : start]
    for stop in CLAUSE_STOPS:  # a qualifier never reaches across a clause
        before = before.rsplit(stop, 1)[-1]
    for i in range(len(before) - 1, -1, -1):  # nor across another number
        if before[i].isdecimal() or FIRST_PLACEHOLDER <= before[i] <= LAST_PLACEHOLDER:
            before = before[i + 1 :]
            break
    for name, word in cfg["scope"]:
        if word in before or word in inner:
            return name
    found = []  # ranks of the qualifiers whose words touch the number
    tail = before
    for _ in range(3):  # the word, then up to two joiners (了, 达, 到...) before the number
        if tail.endswith(cfg["any_before"]):
            found.extend(rank for word, rank in cfg["degree_before"] if tail.endswith(word))
        if not tail or tail[-1] not in cfg["joiners"]:
            break
        tail = tail[:-1]
    after = text[end : end + 3]
    if after.startswith(cfg["after_words"]):  # one C test first: most numbers have no such word after them
        found.extend(rank for rank, word in cfg["degree_after"] if after.startswith(word))
    if found:
        return cfg["rank_name"][min(found)]
    return "over" if more else "exact"


def _read(m, text: str, mags: dict, token_units: dict):
    """(kind, value, value_high, unit, magnitude, more, inner, written) of one master match, or None to skip it."""
    g = m.group
    lead = m.re is _rx("lead")
    if lead and g("token_before"):
        return _token(m, "tb_", mags, token_units)
    if lead and g("money_pre"):
        cur = "CNY" if g("mp_pre_CNY") else "USD"
        if g("mp_suffix") and (g("mp_suffix") == _cfg()["c"]["words"]["cny_suffix"]) != (cur == "CNY"):
            return None  # $5元: the two currencies disagree
        written, mag = g("mp_v"), g("mp_mag")
        value = to_number(written) * (mags[mag] if mag else 1)
        if g("mp_per"):  # ¥0.0008/千tokens
            if cur != "CNY":
                return None
            return "token", per_million(value, token_units[g("mp_unit")]), None, "CNY/1M tokens", False, False, g(0), written
        more = bool(g("mp_more1") or g("mp_more"))
        return "money", value, None, cur, bool(mag) or _has_section(written), more, "", written
    if lead:  # 百分之
        sign = -1 if g("ph_sign") else 1
        return "percent", sign * to_number(g("pv2")), None, "%", False, False, "", g("pv2")
    written = g("v")
    if g("money_range") is not None:
        high_v, sections = g("rb_v"), _cfg()["c"]["sections"]
        scale = mags[g("rb_mag")] if g("rb_mag") else 1  # 20亿 / 20 亿: the magnitude the first amount borrows
        for ch in reversed(high_v.rstrip(" \t")):
            if ch not in sections:
                break
            scale *= sections[ch]
        high = to_number(high_v) * (mags[g("rb_mag")] if g("rb_mag") else 1)
        if g("ra_mag"):
            low = to_number(written) * mags[g("ra_mag")]
        else:
            low = to_number(written) * (1 if _has_section(written) else scale)
        if not low < high:
            return None  # 2023-2024: not a range of amounts
        magnitude = bool(g("rb_mag")) or _has_section(g("rb_v"))
        unit = "CNY" if g("rb_cur_CNY") else "USD"
        return "money", low, high, unit, magnitude, bool(g("rb_more1") or g("rb_more")), "", written
    if g("pct_range") is not None:
        return "percent", to_number(written), to_number(g("pb")), "%", False, False, "", written
    if g("pct") is not None:
        return "percent", to_number(written), None, "%", False, False, "", written
    if g("points") is not None:
        return "points", to_number(written), None, "pp", False, False, "", written
    if g("cheng") is not None:
        cfg = _cfg()
        if (not cfg["cheng_value"].fullmatch(written)
                or cfg["cheng_before"].match(text, max(m.start() - 1, 0), m.start())):
            return None  # only 一成 to 十成, and not inside a word (统一成)
        value = to_number(written) * 10 + (to_number(g("chd")) if g("chd") else 5 if g("chh") else 0)
        return "percent", value, None, "%", False, False, "", written
    mag = g("mag")
    magnitude = bool(mag) or _has_section(written)
    more = bool(g("more1") or g("more"))
    if g("cunit") is not None and not (magnitude or more or g("cunit") in _cfg()["c"]["words"]["counted_always"]):
        return None  # 7个季度 is not a quantity claim
    value = to_number(written) * (mags[mag] if mag else 1)
    if g("per") is not None:
        return _token(m, "", mags, token_units)
    if g("jiao"):
        if magnitude:
            return None  # nobody writes 1亿毛
        return "money", value / 10, None, "CNY", False, False, "", written
    if g("cur_CNY") or g("cur_USD"):
        return "money", value, None, "CNY" if g("cur_CNY") else "USD", magnitude, more, "", written
    if g("cunit") is not None:
        return "count", value, None, "count", magnitude, more, "", written
    return "big", value, None, None, True, more, "", written


def _token(m, p: str, mags: dict, token_units: dict):
    """A token price from a match whose amount groups carry prefix p (tb_ before, none after)."""
    g = m.group
    written, mag = g(f"{p}v"), g(f"{p}mag")
    amount = to_number(written) * (mags[mag] if mag else 1)
    if g(f"{p}jiao"):
        amount /= 10
    elif not g(f"{p}cur_CNY"):
        return None  # USD token prices are not in the canonical unit; skip rather than guess a rate
    unit = g("tb_unit") if p else g("ta_unit")
    return "token", per_million(amount, token_units[unit]), None, "CNY/1M tokens", False, False, g(0), written


TAIL = 96  # how far a number-led match may run past the end of its last anchor


def _regions(text: str) -> list[tuple[int, int]]:
    """Sorted, disjoint stretches where a number-led form may start: up to anchor_reach characters
    before each anchor (further back over a long number), to the anchor's end."""
    cfg = _cfg()
    return _windows(text, cfg["anchors"], cfg["reach"], cfg["number_chars"])


def _lead_windows(text: str) -> list[tuple[int, int]]:
    """Sorted, disjoint stretches holding every position where a word-led form may start."""
    cfg = _cfg()
    return _windows(text, cfg["lead_anchors"], 0, cfg["lead_back"])


def _windows(text: str, anchors, reach: int, back: frozenset[str]) -> list[tuple[int, int]]:
    """From `reach` characters before each anchor, and on back over characters in `back`, to its end; merged."""
    out: list[tuple[int, int]] = []
    for a in anchors.finditer(text):
        start = max(0, a.start() - reach)
        floor = out[-1][1] if out else 0  # what lies before the last stretch's end is covered already
        while start > floor and text[start - 1] in back:
            start -= 1
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], a.end())
        else:
            out.append((start, a.end()))
    return out


def _lead_after(text: str, pos: int, windows: list[tuple[int, int]] | None, i: int):
    """The leftmost word-led match starting at or after pos, as a search would find it, and the window
    index to resume from (with no windows: a search of the whole text)."""
    lead = _rx("lead")
    if windows is None:
        return lead.search(text, pos), i
    while i < len(windows):
        start, end = windows[i]
        for p in range(max(pos, start), end):
            m = lead.match(text, p)
            if m:
                return m, i
        i += 1
    return None, i


def _numbered_after(text: str, pos: int, regions: list[tuple[int, int]], i: int, skip: bool = True):
    """The leftmost number-led match starting at or after pos inside a region, and the region index
    to resume from. Searching only the regions gives what a search of the whole text would."""
    numbered, first = _rx("numbered"), _rx("numbered_starts")
    while i < len(regions):
        start, end = regions[i]
        if end <= pos:
            i += 1
            continue
        stop = min(len(text), end + TAIL)
        if skip:  # tried only where a character can start a number: the first that matches is the search's
            p = max(pos, start)
            while (f := first.search(text, p, end)) is not None:
                m = numbered.match(text, f.start(), stop)
                if m:
                    return m, i
                p = f.start() + 1
        else:
            m = numbered.search(text, max(pos, start), stop)
            if m and m.start() < end:
                return m, i
        i += 1
    return None, i


def _scan(text: str, anchored: bool = True):
    """Matches of lead|numbered, leftmost first, a lead form winning a tie, each search resuming where
    the last match ended: what finditer over the alternation gives, in two cheaper scans. The
    number-led scan reads only the regions around anchors, from a character that can start a number, unless
    `anchored` is False."""
    regions = _regions(text) if anchored else [(0, len(text))]
    windows = _lead_windows(text) if anchored else None
    pos, i, j = 0, 0, 0
    a, j = _lead_after(text, pos, windows, j)
    b, i = _numbered_after(text, pos, regions, i, anchored)
    while a or b:
        m = a if a and (not b or a.start() <= b.start()) else b
        yield m
        pos = m.end() if m.end() > m.start() else m.end() + 1
        if a and a.start() < pos:
            a, j = _lead_after(text, pos, windows, j)
        if b and b.start() < pos:
            b, i = _numbered_after(text, pos, regions, i, anchored)


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    """Whether pos falls in one of the sorted, disjoint spans."""
    i = bisect.bisect_right(spans, (pos, math.inf)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def per_million(amount: float, tokens: int) -> float:
    """A price for `tokens` tokens as the canonical price per 1M tokens, binary noise rounded away."""
    return _clean(amount / tokens * 1e6)


def per_tokens(mention: Mention) -> int | None:
    """How many tokens a token price's written amount is for (每百万Token降至0.8元: 1,000,000)."""
    m = _cfg()["per_tokens"].search(mention.text) if mention.kind == "token" else None
    return _cfg()["token_units"][m["unit"]] if m else None


def _currency_before(text: str, s: int, cfg: dict) -> bool:
    """新台币6,259亿元, 新台币约1250亿元: another currency written before the number, a degree word between."""
    before = text[max(0, s - 12) : s].rstrip(" \t")
    degree = next((w for w in cfg["any_before"] if before.endswith(w)), "") if before.endswith(cfg["any_before"]) else ""
    return before[: len(before) - len(degree)].rstrip(" \t").endswith(cfg["other_currencies"])


@functools.cache
def _native():
    """The native finder (extractors/native/numbers.pyx) set up with this grammar, or None: not built, switched
    off, or the grammar holds what PCRE2 cannot read as re does (regex32.Unsupported is a ValueError). Not under
    CLOUDCLAIMS_PATTERNS=regex, the reference path of the regex engines."""
    kernel = native.kernel("numbers")
    if kernel is None or rx_engine.REGEX_ONLY:
        return None
    try:
        return kernel.Finder(_cfg(), Mention, to_number, TAIL, CLAUSE_STOPS, FIRST_PLACEHOLDER + LAST_PLACEHOLDER)
    except ValueError:
        return None


def find(text: str, anchored: bool = True) -> list[Mention]:
    """Every numeric mention in normalized text, in order. `anchored=False` scans every position
    (the reference the anchored scan is tested against). The native finder gives the same mentions, when
    it is built (tests/test_native_numbers.py); the code below is its reference."""
    if anchored and (finder := _native()) is not None:
        try:
            return finder.find(text)
        except RuntimeError:  # PCRE2 stopped at one of its limits: the Python code reads this text
            pass
    cfg = _cfg()
    c = cfg["c"]
    mags = c["magnitudes"]
    links = []  # numbers inside a link are part of the address
    if "://" in text or "www." in text:
        links = [u.span() for u in cfg["url"].finditer(text)]
    out: list[Mention] = []
    for m in _scan(text, anchored):
        s, e = m.span()
        if links and _inside(links, s):
            continue
        read = _read(m, text, mags, c["token_units"])
        if read is None or text.startswith(cfg["not_numbers"], s):
            continue
        if read[0] in ("money", "big") and (_currency_before(text, s, cfg)
                                            or text[e : e + 12].lstrip(" \t").startswith(cfg["other_currencies"])):
            continue  # an amount in another currency
        kind, value, value_high, unit, magnitude, more, inner, written = read
        if not (math.isfinite(value) and (value_high is None or math.isfinite(value_high))):
            continue  # a run of 400 digits is not a figure anyone reported
        estimate = _estimate(written)
        if estimate == "invalid":
            continue
        qualifier = _qualifier(text, s, e, inner, more)
        mention = Mention(s, e, _clean(value), None if value_high is None else _clean(value_high), kind, unit,
                          qualifier, m.group(0), magnitude)
        if estimate == "vague":
            mention.ignored, mention.qualifier = "vague", "approx"
        elif text[e : e + 12].lstrip().startswith(cfg["threshold"]):
            mention.ignored = "threshold"
        elif text[max(0, s - 2) : s].endswith(cfg["vague"]) or (magnitude and text.startswith(cfg["vague_after"], e)):
            mention.ignored = "vague"
        if (c["round_money_is_approx"] and kind in ("money", "big") and magnitude and qualifier == "exact"
                and value_high is None and _is_round(written)):  # a range says its own precision
            mention.qualifier = "approx"
        out.append(mention)
    return out


@dataclass
class Masked:
    """Normalized text with each mention replaced by one placeholder character."""

    text: str
    positions: list[int]  # masked position of mention i
    mentions: list[Mention]
    shifts: list[int] | None = None  # shifts[i]: characters removed before masked position positions[i] + 1

    def to_normalized(self, pos: int) -> int:
        """Normalized position of a masked position that is not a placeholder."""
        i = bisect.bisect_left(self.positions, pos)
        return pos + (self.shifts[i - 1] if i else 0)

    def mention_at(self, pos: int) -> int | None:
        i = bisect.bisect_left(self.positions, pos)
        return i if i < len(self.positions) and self.positions[i] == pos else None


def mask(text: str, mentions: list[Mention]) -> Masked:
    parts, positions, shifts, last, shift = [], [], [], 0, 0
    for m in mentions:
        parts.append(text[last : m.start])
        positions.append(m.start - shift)
        parts.append(m.placeholder)
        shift += len(m.text) - 1
        shifts.append(shift)
        last = m.end
    parts.append(text[last:])
    masked = Masked("".join(parts), positions, mentions, shifts)
    _link(masked)
    return masked


def _link(masked: Masked) -> None:
    """Mark transitions (从A降至B) and 分别 lists on the mentions."""
    cfg = _cfg()
    for m in cfg["transition"].finditer(masked.text, overlapped=True):
        a, b = masked.mention_at(m.start("a")), masked.mention_at(m.start("b"))
        if a is not None and b is not None and masked.mentions[a].role is None:
            masked.mentions[a].role, masked.mentions[a].partner = "from", b
            masked.mentions[b].role, masked.mentions[b].partner = "to", a
    for m in cfg["respectively"].finditer(masked.text):
        starts = [m.start("a")] + m.starts("b")
        for k, s in enumerate(starts):
            i = masked.mention_at(s)
            if i is not None:
                masked.mentions[i].list_index = k
