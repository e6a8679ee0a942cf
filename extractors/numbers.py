"""Find numeric expressions in normalized text: values in canonical units, with qualifiers.

Kinds: percent, money (CNY/USD), token (CNY per 1M tokens), big (a bare magnitude such as 千亿),
count (4000万次). Ranges (15%至50%) give value and value_high; transitions (从A降至B) and
lists (分别A和B) are linked afterwards on the masked text.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import regex

from extractors import rules_data
from extractors.normalize import TIMEOUT

PLACEHOLDER = {"percent": "\ue001", "money": "\ue002", "token": "\ue003", "big": "\ue004", "count": "\ue005"}
IGNORED = "\ue006"  # thresholds and vague numbers: masked, but no rule reads them
ANY_PLACEHOLDER = "[\ue001-\ue006]"


@dataclass
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


@functools.cache
def _cfg():
    c = rules_data.load("numbers")
    num = f"(?:{c['arabic']}|{c['chinese']})"
    mag = _alt(c["magnitudes"])
    cur = "|".join(f"(?P<§cur_{code}>{_alt(words)})" for code, words in c["currencies"].items())
    money_core = (f"(?P<§v>{num})(?P<§more1>多|余)?[ \\t]*(?P<§mag>{mag})?(?P<§more>多|余)?[ \\t]*"
                  f"(?:(?:{cur})(?!宇宙|年)|(?P<§jiao>{_alt(c['jiao'])}))")
    tok_unit = _alt(c["token_units"])
    tok = c["token_word"]
    conn = _alt(c["range_connectors"])
    parts = [
        "(?P<token_after>" + money_core.replace("§", "ta_") + f"[ \\t]*/[ \\t]*每?(?P<ta_unit>{tok_unit})[ \\t]*{tok})",
        f"(?P<token_before>每?(?P<tb_unit>{tok_unit})[ \\t]*{tok}[^。；，,\\n\\d]{{0,14}}?" + money_core.replace("§", "tb_") + ")",
        f"(?P<pct_range>(?P<pa>{num})[ \\t]*%?[ \\t]*(?:{conn})[ \\t]*(?P<pb>{num})[ \\t]*%)",
        f"(?P<pct>(?P<pv>{num})[ \\t]*%|百分之(?P<pv2>{num}))",
        "(?P<money>" + money_core.replace("§", "m_") + ")",
        f"(?P<count>(?P<cv>{num})(?P<cmore1>多|余)?[ \\t]*(?P<cmag>{mag})?(?P<cmore>多|余)?[ \\t]*(?P<cunit>{_alt(c['count_units'])}))",
        f"(?P<big>(?P<bv>{num})(?P<bmore1>多|余)?[ \\t]*(?P<bmag>{mag})(?P<bmore>多|余)?)",
    ]
    master = regex.compile("|".join(parts), regex.V0)
    quals = []  # (name, kind, word) in precedence order
    for name, spec in c["qualifiers"].items():
        for where in ("scope", "before", "after"):
            quals.extend((name, where, w) for w in spec.get(where, []))
    x = ANY_PLACEHOLDER.replace("\ue006", "\ue005")  # thresholds take part in no structure
    return {
        "c": c,
        "master": master,
        "quals": quals,
        "join": regex.compile(c["joiners_before_number"] + "$"),
        "threshold": regex.compile(c["threshold_after"]),
        "vague": regex.compile(c["vague_before"]),
        "transition": regex.compile(c["transition"].replace("{X}", x)),
        "respectively": regex.compile(c["respectively"].replace("{X}", x)),
    }


def cn_to_number(s: str) -> float:
    """一百二十三 -> 123, 两万 -> 20000, 三点五 -> 3.5, 二〇二三 -> 2023."""
    c = _cfg()["c"]
    digits, units, sections = c["digits"], c["units"], c["sections"]
    if "点" in s:
        whole, frac = s.split("点", 1)
        return (cn_to_number(whole) if whole else 0) + float("0." + "".join(str(digits[ch]) for ch in frac))
    if len(s) > 1 and all(ch in digits for ch in s):
        return float("".join(str(digits[ch]) for ch in s))
    total = section = num = 0
    for ch in s:
        if ch in digits:
            num = digits[ch]
        elif ch in units:
            section += (num or 1) * units[ch]
            num = 0
        elif ch in sections:
            if sections[ch] == 100000000:
                total = (total + section + num) * 100000000
            else:
                total += (section + num or 1) * sections[ch]
            section = num = 0
    return float(total + section + num)


def to_number(s: str) -> float:
    s = s.strip()
    if s[0] in "0123456789-−+":
        return float(s.replace(",", "").replace("−", "-"))
    return cn_to_number(s)


def _clean(x: float) -> float:
    """Round away binary noise: 0.0005/1000*1e6 is 0.5, not 0.49999999999999994."""
    return 0.0 if x == 0 else round(x, 9 - int(math.floor(math.log10(abs(x)))))


def _is_round(written: str) -> bool:
    """One significant digit and no decimals: 800, 百, 2,000."""
    if "." in written or "点" in written:
        return False
    return len(str(int(abs(to_number(written)))).rstrip("0")) <= 1


def _money(m, p: str, mags: dict) -> tuple[float, str, bool, bool]:
    """(value in base units, currency, has magnitude, has 多/余) from a money_core match with prefix p."""
    v = to_number(m.group(f"{p}v"))
    mag = m.group(f"{p}mag")
    if mag:
        v *= mags[mag]
    if m.group(f"{p}jiao"):
        return v / 10, "CNY", False, False
    cur = next(k[len(p) + 4 :] for k, val in m.groupdict().items() if k.startswith(f"{p}cur_") and val)
    return v, cur, bool(mag), bool(m.group(f"{p}more1") or m.group(f"{p}more"))


def _qualifier(text: str, start: int, end: int, inner: str, more: bool) -> str:
    """Qualifier from the words around a number; scope words (平均, 最高, 低至) win over degree words."""
    cfg = _cfg()
    before = text[max(0, start - cfg["c"]["scope_window"]) : start]
    for stop in "。；;，,\n":  # a qualifier never reaches across a clause
        before = before.rsplit(stop, 1)[-1]
    before = regex.split(ANY_PLACEHOLDER + r"|\d", before)[-1]
    after = text[end : end + 3]
    for name, where, word in cfg["quals"]:
        if where == "scope" and (word in before or word in inner):
            return name
    for name, where, word in cfg["quals"]:
        if where == "before":
            i = before.rfind(word)
            if i >= 0 and cfg["join"].match(before[i + len(word) :]):
                return name
        elif where == "after" and after.startswith(word):
            return name
    return "over" if more else "exact"


def find(text: str) -> list[Mention]:
    """Every numeric mention in normalized text, in order."""
    cfg = _cfg()
    c = cfg["c"]
    mags = c["magnitudes"]
    out: list[Mention] = []
    for m in cfg["master"].finditer(text, timeout=TIMEOUT):
        kind = m.lastgroup if m.lastgroup in ("pct_range", "pct", "money", "count", "big") else None
        value_high = None
        unit = None
        magnitude = more = False
        inner = ""
        if m.group("token_after") or m.group("token_before"):
            p = "ta_" if m.group("token_after") else "tb_"
            amount, cur, _, _ = _money(m, p, mags)
            if cur != "CNY":
                continue  # USD token prices are not in the canonical unit; skip rather than guess a rate
            value = amount / c["token_units"][m.group(f"{p}unit")] * 1e6
            kind, unit = "token", "CNY/1M tokens"
            inner = m.group(0)
        elif kind == "pct_range":
            value, value_high = to_number(m.group("pa")), to_number(m.group("pb"))
            kind, unit = "percent", "%"
        elif kind == "pct":
            value = to_number(m.group("pv") or m.group("pv2"))
            kind, unit = "percent", "%"
        elif kind == "money":
            value, unit, magnitude, more = _money(m, "m_", mags)
        elif kind == "count":
            if not (m.group("cmag") or m.group("cmore1") or m.group("cmore") or m.group("cunit") == "次"):
                continue  # 7个季度 is not a quantity claim
            value = to_number(m.group("cv")) * (mags[m.group("cmag")] if m.group("cmag") else 1)
            unit, magnitude = "count", bool(m.group("cmag"))
            more = bool(m.group("cmore1") or m.group("cmore"))
        elif kind == "big":
            value = to_number(m.group("bv")) * mags[m.group("bmag")]
            magnitude, more = True, bool(m.group("bmore1") or m.group("bmore"))
        else:
            continue
        s, e = m.span()
        qualifier = _qualifier(text, s, e, inner, more)
        mention = Mention(s, e, _clean(value), None if value_high is None else _clean(value_high), kind, unit,
                          qualifier, m.group(0), magnitude)
        if cfg["threshold"].match(text, e, timeout=TIMEOUT):
            mention.ignored = "threshold"
        elif cfg["vague"].search(text[max(0, s - 2) : s]):
            mention.ignored = "vague"
        written = m.group("m_v") if kind == "money" else m.group("bv") if kind == "big" else None
        if c["round_money_is_approx"] and written and magnitude and qualifier == "exact" and _is_round(written):
            mention.qualifier = "approx"
        out.append(mention)
    return out


@dataclass
class Masked:
    """Normalized text with each mention replaced by one placeholder character."""

    text: str
    positions: list[int]  # masked position of mention i
    mentions: list[Mention]

    def to_normalized(self, pos: int) -> int:
        """Normalized position of a masked position that is not a placeholder."""
        import bisect

        i = bisect.bisect_left(self.positions, pos)
        shift = sum(len(self.mentions[j].text) - 1 for j in range(i))
        return pos + shift

    def mention_at(self, pos: int) -> int | None:
        import bisect

        i = bisect.bisect_left(self.positions, pos)
        return i if i < len(self.positions) and self.positions[i] == pos else None


def mask(text: str, mentions: list[Mention]) -> Masked:
    parts, positions, last, shift = [], [], 0, 0
    for m in mentions:
        parts.append(text[last : m.start])
        positions.append(m.start - shift)
        parts.append(m.placeholder)
        shift += len(m.text) - 1
        last = m.end
    parts.append(text[last:])
    masked = Masked("".join(parts), positions, mentions)
    _link(masked)
    return masked


def _link(masked: Masked) -> None:
    """Mark transitions (从A降至B) and 分别 lists on the mentions."""
    cfg = _cfg()
    for m in cfg["transition"].finditer(masked.text, overlapped=True, timeout=TIMEOUT):
        a, b = masked.mention_at(m.start("a")), masked.mention_at(m.start("b"))
        if a is not None and b is not None and masked.mentions[a].role is None:
            masked.mentions[a].role, masked.mentions[a].partner = "from", b
            masked.mentions[b].role, masked.mentions[b].partner = "to", a
    for m in cfg["respectively"].finditer(masked.text, timeout=TIMEOUT):
        starts = [m.start("a")] + m.starts("b")
        for k, s in enumerate(starts):
            i = masked.mention_at(s)
            if i is not None:
                masked.mentions[i].list_index = k
