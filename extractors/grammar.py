"""Claim frames (extractors/rules/frames.yaml) compiled over token kinds, and matched on sentences.

Each sentence becomes a string with one code character per token that a frame can see (numbers,
metric words, changes, markers) and one per clause break; a frame compiles to a regular expression
over those codes. Subjects, products and periods are not coded: the resolver attaches them. Every
frame runs; a number claimed by a longer match is not claimed by a shorter one, so the most specific
reading wins whatever the order of the file.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import regex

from extractors import native, rules_data
from extractors.recognize import numbers
from extractors.tokens import Sentence, Token

# kind -> id -> code; attr classes below
_NUM = {"percent": "P", "signed": "S", "money": "M", "token": "T", "big": "B", "count": "N", "points": "p"}
_FAMILY = {"revenue": "r", "annual_revenue": "R", "ebita": "e", "profit": "o", "share": "s", "spending": "x", "market_size": "z",
           "price": "j", "cost": "k", "downloads": "d", "derivatives": "v", "customers": "u", "ai_revenue": "a",
           "blocked": "b", "company_only": "q", "portion": "s"}  # 占比 reads as a share where it is one
_CHANGE = {"up": "C", "down": "c", "doubled": "D", "sign_up": "G", "sign_down": "g"}
_SIMPLE = {"growth": None, "cut": "U", "yoy": "Y", "qoq": "Q", "to": "Z", "from": "J", "by": "I",
           "occupy": "O", "of": "E", "list": "L", "and": "A", "loss": "X"}
_BREAKS = {",": ",", "(": "(", ")": ")"}

NAMES = {
    "NUM": "[PSMTBNp]", "NUM:percent": "[PS]", "NUM:signed": "S", "NUM:money": "M", "NUM:token": "T",
    "NUM:big": "B", "NUM:count": "N", "NUM:points": "p",
    "MET": "[" + "".join(_FAMILY.values()) + "]",
    **{f"MET:{f}": c for f, c in _FAMILY.items()},
    "MET:revenue": "[rR]", "MET:blocked": "[bq]",
    "GROWTH": "[Ww]", "GROWTH:up": "W", "GROWTH:down": "w",
    "CHANGE": "[CcDGg]", "CHANGE:up": "[CG]", "CHANGE:down": "[cg]", "CHANGE:doubled": "D", "CHANGE:sign": "[Gg]",
    "CUT": "U", "YOY": "Y", "QOQ": "Q", "TO": "Z", "FROM": "J", "BY": "I", "OCCUPY": "O", "OF": "E",
    "LIST": "L", "AND": "A", "LOSS": "X", "MARKET": "K", "BREAK": ",", "OPEN": r"\(", "CLOSE": r"\)",
    "START": "^",
}
_VALUES = {"percent": "[PS]", "signed": "S", "money": "M"}
_MARKETS = frozenset(k for k, v in rules_data.load("lexicon")["entities"].items() if v.get("market"))


def code(t: Token) -> str | None:
    """The frame code of a token, or None for tokens frames do not see (subjects, periods...)."""
    if t.kind == "num":
        m = t.ref
        if m.ignored:
            return None
        if numbers.signed(m):
            return "S"
        return _NUM.get(m.kind)
    if t.kind == "metric":
        return _FAMILY[t.id]
    if t.kind == "change":
        return _CHANGE[t.id]
    if t.kind == "growth":
        return "W" if t.id == "up" else "w"
    if t.kind == "market" or (t.kind == "entity" and t.id in _MARKETS):
        return "K"
    return _SIMPLE.get(t.kind)


@dataclass(frozen=True)
class ClaimSpec:
    value: str
    role: str
    metric: str | None = None  # a label, or a metric id
    sign: str | None = None
    as_written: bool = False


@dataclass(frozen=True)
class Frame:
    id: str
    pattern: regex.Pattern
    claims: tuple[ClaimSpec, ...]
    labels: frozenset[str]
    required: tuple[frozenset[str], ...]  # a sentence holds a code of each, or the frame cannot match

    @functools.cached_property
    def masks(self) -> tuple[int, ...]:
        """`required` as bit masks over code characters (see _mask)."""
        return tuple(_mask(r) for r in self.required)


def _mask(chars) -> int:
    """One bit per code character: a sentence's codes and a frame's needs compared in one AND."""
    out = 0
    for ch in chars:
        out |= 1 << (ord(ch) & 127)
    return out


@dataclass(slots=True)
class Claim:
    """One number a frame claims, with the tokens that decide its metric and sign."""

    frame: str
    number: Token
    role: str
    metric_token: Token | None  # the frame's metric word, if it names one
    metric_id: str | None  # a metric the frame names outright
    sign_token: Token | None
    as_written: bool
    in_list: int | None  # position in a list of values, None for a single value
    list_len: int = 1
    respectively: bool = False  # the list follows 分别
    list_qualifier: str | None = None  # 4%和2%左右: the qualifier after the last item is the list's


_ELEMENT = regex.compile(r"\s*(?P<not_after>!)?(?:(?P<label>[a-z]\w*)=)?(?P<name>[A-Z]+(?::[a-z_]+)?|\(|\)|\|)(?P<q>[?*+])?")


def compile_pattern(src: str) -> tuple[str, frozenset[str], tuple[frozenset[str], ...]]:
    """'m=MET? YOY? c=CHANGE g=VALUES:percent' -> a regex over codes, the labels it defines, and the code
    sets a sentence must hold one of each of for the frame to match (its mandatory elements)."""
    out, labels, pos, depth = [], set(), 0, 0
    required: list[frozenset[str]] = []
    while pos < len(src.rstrip()):
        m = _ELEMENT.match(src, pos)
        if not m:
            raise ValueError(f"frames.yaml: cannot read {src[pos:]!r} in {src!r}")
        pos = m.end()
        name, q, label = m["name"], m["q"] or "", m["label"]
        if name in ("(", ")", "|"):
            depth += {"(": 1, ")": -1, "|": 0}[name]
            if name == "(" and label:
                labels.add(label)
                out.append(f"(?P<{label}>")
            else:
                out.append({"(": "(?:", ")": ")", "|": "|"}[name] + (q if name == ")" else ""))
            continue
        if name.startswith("VALUES:"):
            k = _VALUES[name.split(":")[1]]
            body = f"L?{k}(?:A{k})*"
        elif name == "START":
            out.append("^")
            continue
        elif name in NAMES:
            body = NAMES[name]
        else:
            raise ValueError(f"frames.yaml: unknown token {name!r} in {src!r}")
        if m["not_after"]:  # !NAME: what follows may not come right after one
            out.append(f"(?<!{body})")
            continue
        if depth == 0 and q not in ("?", "*"):
            required.append(frozenset(_CODE_CHARS.findall(body.replace("L?", ""))[:1] and _class(body)))
        if label:
            labels.add(label)
            body = f"(?P<{label}>{body})"
        else:
            body = f"(?:{body})"
        out.append(body + q)
    return "".join(out), frozenset(labels), tuple(r for r in required if r)


_CODE_CHARS = regex.compile(r"[A-Za-z$,]")


def _class(body: str) -> set[str]:
    """The code characters one element can start with: 'L?[PS](?:A[PS])*' -> {P, S}."""
    body = body.replace("L?", "", 1)
    if body.startswith("["):
        return set(body[1 : body.index("]")].replace("\\", ""))
    return {body[0].replace("\\", "")} if body else set()


@functools.cache
def frames() -> tuple[Frame, ...]:
    out = []
    for spec in rules_data.load("frames")["frames"]:
        try:
            rx, labels, required = compile_pattern(spec["pattern"])
            claims = tuple(ClaimSpec(**c) for c in spec.get("claims", []))
            for c in claims:
                for ref in (c.value, c.sign):
                    if ref is not None and ref not in labels:
                        raise ValueError(f"label {ref!r} is not in the pattern")
            out.append(Frame(spec["id"], regex.compile(rx), claims, labels, required))
        except (regex.error, ValueError, TypeError) as e:
            raise ValueError(f"extractors/rules/frames.yaml: frame {spec.get('id')}: {e}") from None
    return tuple(out)


def codes(sent: Sentence, text: str) -> tuple[str, list[Token | None]]:
    """The sentence as a code string, and the token behind each code (None for clause breaks)."""
    chars, toks = [], []
    clause = 0
    for t in sent.tokens:
        while clause < t.clause:
            clause += 1
            br = sent.openers[clause].strip() or ","
            chars.append("(" if br[-1] in "(（" else ")" if br[0] in ")）" else ",")
            toks.append(None)
        c = code(t)
        if c is not None:
            if c != ")" and chars[-2:] == ["(", ")"]:  # 阿里巴巴(阿里云)7.9%: an aside naming the subject
                del chars[-2:], toks[-2:]
            chars.append(c)
            toks.append(t)
    return "".join(chars), toks


@functools.lru_cache(maxsize=4096)
def _possible(have: int) -> tuple[tuple[int, Frame], ...]:
    """(order, frame) of the frames a sentence holding these codes can match: few distinct sets recur."""
    return tuple((k, f) for k, f in enumerate(frames()) if all(have & r for r in f.masks))


@functools.cache
def _kernel():
    """The native match (extractors/native/frames.pyx) configured with these frames and tables, or None when
    the kernels are not built or are switched off; `_match` below is its reference."""
    kernel = native.kernel("frames")
    if kernel is None:
        return None
    return kernel.Frames(frames(), Claim, _NUM, _FAMILY, _CHANGE, _SIMPLE, _MARKETS, numbers._cfg()["signs"])


def match(sent: Sentence, text: str, only: str | None = None) -> list[Claim]:
    """The claims frames make in one sentence, longest match first; `only` restricts to one frame id."""
    kernel = _kernel()
    if kernel is not None:
        return kernel.match(sent, text, only)
    return _match(sent, text, only)


def _match(sent: Sentence, text: str, only: str | None = None) -> list[Claim]:
    s, toks = codes(sent, text)
    found = []
    for order, f in _possible(_mask(set(s))):
        if only is not None and f.id != only:
            continue
        for m in f.pattern.finditer(s, overlapped=True):
            if m.end() > m.start():
                found.append((-(m.end() - m.start()), order, m.start(), f, m))
    found.sort(key=lambda x: x[:3])
    taken: set[int] = set()
    out: list[Claim] = []
    for _, _, _, f, m in found:
        nums = [i for i in range(m.start(), m.end()) if toks[i] is not None and _is_value(toks[i])]
        if any(i in taken for i in nums):
            continue
        taken.update(nums)
        for c in f.claims:
            out += _claims(f, c, m, toks)
    out += translations(sent, text, out)
    out.sort(key=lambda c: c.number.start)
    return out


def _is_value(t: Token) -> bool:
    return t.kind == "num" or (t.kind == "change" and t.id == "doubled")


def _tok(m, label: str | None, toks: list[Token | None]) -> Token | None:
    if label is None or m.start(label) < 0:
        return None
    return toks[m.start(label)]


def _claims(f: Frame, c: ClaimSpec, m, toks: list[Token | None]) -> list[Claim]:
    start, end = m.span(c.value)
    if start < 0:
        return []
    inside = [toks[i] for i in range(start, end) if toks[i] is not None]
    values = [t for t in inside if t.kind in ("num", "change")]
    respectively = any(t.kind == "list" for t in inside)
    metric_token = _tok(m, c.metric, toks) if c.metric in f.labels else None
    metric_id = c.metric if c.metric is not None and c.metric not in f.labels else None
    n = len(values)
    tail = values[-1].ref.qualifier if values and values[-1].kind == "num" else None
    shared = tail if n > 1 and tail not in (None, "exact") else None
    return [Claim(f.id, v, c.role, metric_token, metric_id, _tok(m, c.sign, toks), c.as_written,
                  None if n == 1 else k, n, respectively, shared) for k, v in enumerate(values)]


def translations(sent: Sentence, text: str, claims: list[Claim]) -> list[Claim]:
    """(约350亿美元) right after an amount is the same figure in another currency: a claim like it."""
    toks = sent.tokens
    claimed = {id(c.number) for c in claims}
    out = []
    for c in claims:
        if c.role != "amount" or c.number.kind != "num" or c.number.ref.kind != "money" or \
                (c.metric_token is not None and c.metric_token.id not in ("revenue", "annual_revenue")):
            continue  # USD translations of revenue are claims; of EBITA they are not
        i = c.number.i
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if (nxt is not None and nxt.kind == "num" and nxt.ref.kind == "money" and id(nxt) not in claimed
                and nxt.ref.unit != c.number.ref.unit and nxt.clause == c.number.clause + 1
                and any(ch in sent.openers[nxt.clause] for ch in "(（")):
            out.append(dataclasses.replace(c, frame="amount.translation", number=nxt, in_list=None, list_len=1))
            claimed.add(id(nxt))
    return out
