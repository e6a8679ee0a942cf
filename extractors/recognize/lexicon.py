"""One longest-match tagger for every word kind of extractors/rules/lexicon.yaml.

It reads the masked text (each number one placeholder character), so an alias may look at the numbers
around it and never matches inside one. Kinds: entity, company, segment, cloud, coref, product, source,
metric (by family), growth, change, cut, yoy, qoq, forecast, exclusion, combined, comparison, list,
and, to, from, by, occupy, of.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

import regex

from extractors import patterns as rx_engine
from extractors import rules_data
from extractors.recognize.scan import Alternation

# Sections whose entries are {id: {aliases: [...], ...}} or {id: [aliases]}.
KEYED = {"entities": "entity", "companies": "company", "segments": "segment", "products": "product", "markets": "market",
         "geography": "geography", "geo_words": "geoword",
         "sources": "source", "metric_words": "metric", "growth_nouns": "growth", "changes": "change",
         "coreference": "coref", "forecast": "forecast"}
# Sections that are one list of aliases, one kind.
FLAT = {"cloud_words": "cloud", "cuts": "cut", "yoy": "yoy", "qoq": "qoq", "exclusions": "exclusion",
        "combined": "combined", "comparisons": "comparison", "lists": "list", "and": "and", "to": "to",
        "from": "from", "by": "by", "occupy": "occupy", "aspect": "aspect",
        "metric_reference": "metric_ref", "losses": "loss", "among": "among", "causes": "cause"}


class Tag(NamedTuple):  # a tuple: thousands are made per document, and a frozen dataclass is slow to make
    start: int
    end: int
    kind: str
    id: str


_tag = Tag._make  # tuple.__new__: NamedTuple's own __new__ is Python code made by eval, even when compiled


def _aliases(spec) -> list[str]:
    if isinstance(spec, dict):
        return spec.get("aliases") or spec.get("words") or []
    return list(spec)


@functools.cache
def data() -> dict:
    return rules_data.load("lexicon")


def _entries() -> list[tuple[str, str, str]]:
    """(kind, id, alias pattern) of every entry."""
    cfg = data()
    out: list[tuple[str, str, str]] = []
    for section, kind in KEYED.items():
        for ident, spec in cfg[section].items():
            out += [(kind, str(ident), a) for a in _aliases(spec)]
    for section, kind in FLAT.items():
        spec = cfg[section]
        out += [(kind, kind, a) for a in (spec["aliases"] if isinstance(spec, dict) else spec)]
    return out


@functools.cache
def _compiled() -> tuple[Alternation, list[tuple[str, str]], dict]:
    entries = _entries()
    names = [(kind, ident) for kind, ident, _ in entries]
    traditional = {word: (kind, ident) for word, (kind, ident) in data().get("traditional", {}).items()}
    return Alternation([a for _, _, a in entries], longest=True), names, traditional


def tag(text: str, regions: list[tuple[int, int]] | None = None, traditional: bool = False) -> list[Tag]:
    """Every lexicon word in text (or in its sorted, disjoint regions), in order, none overlapping;
    at one position the longest alias wins, whatever its kind."""
    scanner, names, variants = _compiled()
    out: list[Tag] = []
    for start, end in regions if regions is not None else [(0, len(text))]:
        for i, s, e in scanner.spans(text, start, end):
            kind, ident = names[i]
            if traditional and text[s:e] in variants:
                kind, ident = variants[text[s:e]]
            out.append(_tag((s, e, kind, ident)))
    return out


@functools.cache
def _self_valued():
    return rx_engine.compile("|".join(data()["changes"]["doubled"]))


def self_valued(text: str) -> list[int]:
    """Where a word states its own size (翻倍: +100%): a value without a number."""
    return [m.start() for m in _self_valued().finditer(text)]


@functools.cache
def _after_number() -> dict[str, regex.Pattern]:
    return {kind: rx_engine.compile(p) for kind, p in data()["after_number"].items()}


def after_numbers(text: str, positions: list[int]) -> list[Tag]:
    """Words that count only right after a number (the placeholder at each position)."""
    out = []
    for p in positions:
        for kind, rx in _after_number().items():
            m = rx.match(text, p + 1)
            if m:
                out.append(_tag((m.start(), m.end(), kind, kind)))
    return out


# ---------------------------------------------------------------- what the resolver asks of the words
def entity_labels() -> dict[str, str]:
    """Bilingual label of every tracked entity id, for tables, charts and exports."""
    return {k: v["label"] for k, v in data()["entities"].items()}


def product_labels() -> dict[str, str]:
    return {k: v["label"] for k, v in data()["products"].items()}


def tracked_entities() -> frozenset[str]:
    return frozenset(data()["entities"])


def entity(ident: str) -> dict:
    return data()["entities"][ident]


def company(ident: str) -> dict:
    return data()["companies"].get(ident, {})


def segment(ident: str) -> dict:
    return data()["segments"].get(ident, {})


def product(ident: str) -> dict:
    return data()["products"][ident]


@functools.cache
def _market_words() -> tuple[regex.Pattern, regex.Pattern]:
    return rx_engine.compile(data()["market_word"]), rx_engine.compile(data()["market_after"])


def names_market(text: str, start: int, end: int) -> bool:
    """A product named as a market: 存储服务市场, AI云市场 (not AI IaaS in passing)."""
    word, after = _market_words()
    return bool(word.search(text, start, end) or after.match(text, end))


def roles(family: str) -> dict[str, str]:
    return data()["metric_words"].get(family, {}).get("roles", {})


def market(ident: str, geography: str) -> str | None:
    """The tracked market a market word names in a text about `geography` (china | global), or None."""
    return data()["markets"][ident].get(geography)


def annual(family: str) -> bool:
    return bool(data()["metric_words"].get(family, {}).get("annual"))


def after_market(family: str) -> bool:
    return bool(data()["metric_words"].get(family, {}).get("after_market"))


def part_only(family: str) -> bool:
    return bool(data()["metric_words"].get(family, {}).get("part_only"))


@functools.cache
def cloud_of(company_id: str) -> str | None:
    """The tracked cloud entity of a company: alibaba -> alibaba_cloud."""
    for ident, spec in data()["entities"].items():
        if spec.get("company") == company_id and spec.get("level") != "company":
            return ident
    return data()["companies"].get(company_id, {}).get("cloud")


@functools.cache
def group_of(company_id: str) -> str | None:
    """The tracked group-level entity of a company, if we track one (alibaba -> alibaba_group)."""
    for ident, spec in data()["entities"].items():
        if spec.get("company") == company_id and spec.get("level") == "company":
            return ident
    return None
