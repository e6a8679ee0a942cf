"""Who a claim is about (entity), which product or segment, and whom the text credits (cited_source)."""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass

import regex

from extractors import rules_data

CLAUSE_BREAKS = "，,：:；;"
CLAUSE_MAX = 200
UNTRACKED = "_untracked"  # a company we do not follow: its numbers are not attributed to anyone


@dataclass
class Alias:
    start: int
    end: int
    kind: str  # entity | product | source
    id: str


@functools.cache
def _compiled():
    cfg = rules_data.load("entities")
    names: dict[str, tuple[str, str]] = {}
    parts = []
    aliases = []
    tables = (("entity", cfg["entities"]), ("product", cfg["products"]), ("source", cfg["sources"]),
              ("entity", {UNTRACKED: cfg["others"]}))
    for kind, table in tables:
        for ident, spec in table.items():
            for a in (spec["aliases"] if isinstance(spec, dict) else spec):
                aliases.append((kind, ident, a))
    # longest first, so 阿里云智能 wins over 阿里云 at the same position
    aliases.sort(key=lambda x: -len(x[2]))
    for n, (kind, ident, a) in enumerate(aliases):
        names[f"a{n}"] = (kind, ident)
        parts.append(f"(?P<a{n}>{a})")
    owners = {p: spec.get("entity") for p, spec in cfg["products"].items()}
    denominators = {m: set(ids) for m, ids in cfg.get("denominators", {}).items()}
    return regex.compile("|".join(parts)), names, owners, regex.compile(cfg["joiners"]), denominators


def entity_labels() -> dict[str, str]:
    """Bilingual label of every tracked entity id, for tables, charts and exports."""
    return {k: v["label"] for k, v in rules_data.load("entities")["entities"].items()}


def product_labels() -> dict[str, str]:
    return {k: v["label"] for k, v in rules_data.load("entities")["products"].items()}


def find(text: str, regions: list[tuple[int, int]] | None = None) -> list[Alias]:
    """Aliases in the text, or in its sorted, disjoint `regions`, in order."""
    pattern, names = _compiled()[:2]
    out = []
    for start, end in regions if regions is not None else [(0, len(text))]:
        for m in pattern.finditer(text, start, end):
            kind, ident = names[m.lastgroup]
            out.append(Alias(m.start(), m.end(), kind, ident))
    return out


def _clause_start(text: str, sent_start: int, pos: int) -> int:
    """Just after the last clause break before pos; a clause is read at most CLAUSE_MAX chars back."""
    lo = max(sent_start, pos - CLAUSE_MAX)
    return max([text.rfind(c, lo, pos) + 1 for c in CLAUSE_BREAKS] + [lo])


@dataclass
class Index:
    """One sentence's aliases of one kind, by position, so each claim looks up in log time."""

    items: list[Alias]
    ends: list[int]

    @classmethod
    def of(cls, aliases: list[Alias]) -> Index:
        return cls(aliases, [a.end for a in aliases])

    def before(self, pos: int) -> int:
        """How many aliases end at or before pos."""
        return bisect.bisect_right(self.ends, pos)


def index(aliases: list[Alias]) -> dict[str, Index]:
    """Per kind (entity, product, source), for attribute()."""
    return {kind: Index.of([a for a in aliases if a.kind == kind]) for kind in ("entity", "product", "source")}


def _subject(found: Index, text: str, pos: int, lo: int, skip: set[str] = frozenset()) -> list[str]:
    """The alias nearest before pos (at or after lo), plus any joined to it by 、/和/与."""
    joiners = _compiled()[3]
    k = found.before(pos)
    while k > 0 and found.items[k - 1].id in skip:
        k -= 1
    if k == 0 or found.items[k - 1].start < lo:
        return []
    chosen = [found.items[k - 1]]
    for a in reversed(found.items[: k - 1]):
        if a.start >= lo and a.id not in skip and joiners.fullmatch(text, a.end, chosen[-1].start):
            chosen.append(a)
        else:
            break
    return [a.id for a in reversed(chosen)]


def attribute(text: str, sent_start: int, sent_end: int, pos: int, end: int, list_index: int | None,
              found: dict[str, Index], metric: str | None = None) -> tuple[list[str] | None, str | None, str | None]:
    """(entities, product, cited_source) for the number at [pos, end) in the sentence [sent_start, sent_end);
    `found` is index() of that sentence's aliases.

    entities is [] when the sentence names nobody (the caller may look back), None when its subject
    is a company we do not track."""
    _, _, owners, _, denominators = _compiled()
    skip = denominators.get(metric, set())
    ents, prods, srcs = found["entity"], found["product"], found["source"]
    clause = _clause_start(text, sent_start, pos)
    source = _nearest(srcs, pos)
    if list_index is not None:  # A和B分别降价x和y: the k-th subject takes the k-th value
        listed = _subject(prods, text, pos, clause) or _subject(ents, text, pos, clause, skip)
        if len(listed) > list_index:
            ident = listed[list_index]
            if ident in owners:
                return [owners[ident] or ""], ident, source
            return [ident], None, source
    # 800亿美元的AWS: an attributive number describes the entity right after 的
    k = bisect.bisect_left([a.start for a in ents.items], end + 1) if text[end : end + 1] == "的" else -1
    if 0 <= k < len(ents.items) and ents.items[k].start == end + 1 and ents.items[k].id not in skip:
        entities = [ents.items[k].id]
    else:
        entities = _subject(ents, text, pos, clause, skip) or _subject(ents, text, pos, sent_start, skip)
    product = None
    prod = _subject(prods, text, pos, sent_start)
    if prod:
        product = prod[-1]
        if owners.get(product):
            entities = [owners[product]]
    if UNTRACKED in entities:
        return None, product, source
    return entities, product, source


def _nearest(srcs: Index, pos: int) -> str | None:
    k = srcs.before(pos)
    return srcs.items[k - 1].id if k else (srcs.items[0].id if srcs.items else None)
