"""The one registry of metrics (extractors/rules/metrics.yaml): kind, financial or not, labels."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from extractors import rules_data


@dataclass(frozen=True)
class Metric:
    id: str
    kind: str  # money | percent | token | count
    financial: bool  # its period follows results reports and fiscal labels
    core: bool  # counted by the evaluation, charted by default
    label: str  # bilingual, for tables, charts and exports
    growth: str | None = None  # the metric measuring this one's year-on-year change
    price: bool = False  # a price change dates to the month it took effect


@functools.cache
def registry() -> dict[str, Metric]:
    return {k: Metric(id=k, **spec) for k, spec in rules_data.load("metrics")["metrics"].items()}


@functools.cache  # asked for per claim
def core() -> tuple[str, ...]:
    return tuple(k for k, m in registry().items() if m.core)


@functools.cache  # asked for per claim
def financial() -> frozenset[str]:
    return frozenset(k for k, m in registry().items() if m.financial)


@functools.cache  # asked for per claim
def priced() -> frozenset[str]:
    return frozenset(k for k, m in registry().items() if m.price)


def labels() -> dict[str, str]:
    return {k: m.label for k, m in registry().items()}
