"""Metric rules from extractors/rules/metric_rules.yaml, compiled once and run on masked sentences."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import regex

from extractors import rules_data
from extractors.recognize.numbers import PLACEHOLDER

SLOTS = {"P": PLACEHOLDER["percent"], "M": PLACEHOLDER["money"], "T": PLACEHOLDER["token"],
         "B": PLACEHOLDER["big"], "C": PLACEHOLDER["count"]}


@dataclass(frozen=True)
class Rule:
    id: str
    metric: str
    pattern: regex.Pattern
    sign: int  # applied when the group `neg` matched
    unit: str | None  # currency assumed for a bare magnitude (千亿)
    spec: dict


@dataclass
class Hit:
    rule: Rule
    position: int  # masked position of the claimed placeholder
    sign: int


def expand(pattern: str, fragments: dict[str, str]) -> str:
    """Replace {NAME} with its fragment (recursively) and {P}/{M}/... with placeholder characters."""
    def sub(m):
        name = m.group(1)
        if name in SLOTS:
            return SLOTS[name]
        if name in fragments:
            return expand(fragments[name], fragments)
        raise KeyError(f"unknown fragment {{{name}}} in metric_rules.yaml")

    return regex.sub(r"\{([A-Z][A-Z0-9_]*)\}", sub, pattern)


@functools.cache
def load() -> tuple[Rule, ...]:
    cfg = rules_data.load("metric_rules")
    out = []
    for spec in cfg["rules"]:
        try:
            pattern = regex.compile(expand(spec["pattern"], cfg["fragments"]))
        except (regex.error, KeyError) as e:
            raise ValueError(f"extractors/rules/metric_rules.yaml: rule {spec.get('id')}: {e}") from None
        out.append(Rule(spec["id"], spec["metric"], pattern, int(spec.get("sign", 1)), spec.get("unit"), spec))
    return tuple(out)


def match(text: str, start: int, end: int, claimed: set[int], only: str | None = None) -> list[Hit]:
    """Claims in the masked sentence text[start:end]; `claimed` placeholders are skipped and updated.
    `only` restricts to one rule id (to check a rule's own examples)."""
    hits = []
    for rule in load():
        if only is not None and rule.id != only:
            continue
        for m in rule.pattern.finditer(text, start, end, overlapped=True):
            sign = rule.sign if m.groupdict().get("neg") else 1
            for name in m.groupdict():
                if name[0] != "v":
                    continue
                for pos in m.starts(name):
                    if pos not in claimed:
                        claimed.add(pos)
                        hits.append(Hit(rule, pos, sign))
    hits.sort(key=lambda h: h.position)
    return hits
