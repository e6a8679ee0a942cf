"""Who a claim is about (entity), which product or segment, and whom the text credits (cited_source)."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import regex

from extractors import rules_data
from extractors.normalize import TIMEOUT

CLAUSE_BREAKS = "，,：:；;"
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


def find(text: str, start: int = 0, end: int | None = None) -> list[Alias]:
    pattern, names = _compiled()[:2]
    out = []
    for m in pattern.finditer(text, start, len(text) if end is None else end, timeout=TIMEOUT):
        kind, ident = names[m.lastgroup]
        out.append(Alias(m.start(), m.end(), kind, ident))
    return out


def _clause_start(text: str, sent_start: int, pos: int) -> int:
    for i in range(pos - 1, sent_start - 1, -1):
        if text[i] in CLAUSE_BREAKS:
            return i + 1
    return sent_start


def _subject(aliases: list[Alias], text: str, pos: int, lo: int) -> list[str]:
    """The alias nearest before pos (at or after lo), plus any joined to it by 、/和/与."""
    joiners = _compiled()[3]
    before = [a for a in aliases if lo <= a.start and a.end <= pos]
    if not before:
        return []
    chosen = [before[-1]]
    for a in reversed(before[:-1]):
        if joiners.match(text[a.end : chosen[-1].start]):
            chosen.append(a)
        else:
            break
    return [a.id for a in reversed(chosen)]


def attribute(text: str, sent_start: int, sent_end: int, pos: int, end: int, list_index: int | None,
              aliases: list[Alias], metric: str | None = None) -> tuple[list[str] | None, str | None, str | None]:
    """(entities, product, cited_source) for the number at [pos, end) in the sentence [sent_start, sent_end).

    entities is [] when the sentence names nobody (the caller may look back), None when its subject
    is a company we do not track."""
    _, _, owners, _, denominators = _compiled()
    skip = denominators.get(metric, set())
    ents = [a for a in aliases if a.kind == "entity" and sent_start <= a.start < sent_end and a.id not in skip]
    prods = [a for a in aliases if a.kind == "product" and sent_start <= a.start < sent_end]
    srcs = [a for a in aliases if a.kind == "source" and sent_start <= a.start < sent_end]
    clause = _clause_start(text, sent_start, pos)
    product = None
    if list_index is not None:  # A和B分别降价x和y: the k-th subject takes the k-th value
        listed = _subject(prods, text, pos, clause) or _subject(ents, text, pos, clause)
        if len(listed) > list_index:
            ident = listed[list_index]
            if ident in owners:
                return [owners[ident] or ""], ident, _nearest(srcs, pos)
            return [ident], None, _nearest(srcs, pos)
    # 800亿美元的AWS: an attributive number describes the entity right after 的
    after = [a for a in ents if a.start in (end + 1,) and text[end : end + 1] == "的"]
    entities = [after[0].id] if after else (_subject(ents, text, pos, clause) or _subject(ents, text, pos, sent_start))
    prod = _subject(prods, text, pos, sent_start)
    if prod:
        product = prod[-1]
        if owners.get(product):
            entities = [owners[product]]
    if UNTRACKED in entities:
        return None, product, _nearest(srcs, pos)
    return entities, product, _nearest(srcs, pos)


def _nearest(srcs: list[Alias], pos: int) -> str | None:
    before = [a for a in srcs if a.end <= pos]
    return before[-1].id if before else (srcs[0].id if srcs else None)
