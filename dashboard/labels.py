"""The one label table of the dashboard: bilingual labels and human units, so tables, charts and
exports say the same thing.

Metric labels come from the metric registry (extractors.metrics), entity and product labels from the
lexicon (extractors/rules/entities.yaml), everything else from dashboard/labels.yaml.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from extractors import metrics
from extractors.recognize import lexicon

_TABLE = yaml.safe_load(Path(__file__).with_name("labels.yaml").read_text(encoding="utf-8"))

METRICS: dict[str, str] = metrics.labels()
ENTITIES: dict[str, str] = lexicon.entity_labels()
PRODUCTS: dict[str, str] = lexicon.product_labels()
QUALIFIERS: dict[str, str] = _TABLE["qualifiers"]
REVIEW_STATUSES: dict[str, str] = _TABLE["review_statuses"]
ACTIONS: dict[str, str] = _TABLE["actions"]
VERDICTS: dict[str, str] = _TABLE["verdicts"]
NOT_CHECKABLE: str = _TABLE["not_checkable"]
REASON_GROUPS: dict[str, str] = _TABLE["reason_groups"]
HUMAN_UNITS: dict[str, tuple[float, str]] = {u: (float(d), h) for u, (d, h) in _TABLE["units"].items()}
SOURCE_KINDS: dict[str, str] = _TABLE["source_kinds"]
UNCLASSIFIED_SOURCE: str = _TABLE["unclassified_source"]
CONFIDENCE: dict[str, str] = _TABLE["confidence"]
SEGMENT_BASES: dict[str, str] = _TABLE["segment_bases"]
GRANULARITIES: dict[str, str] = _TABLE["granularities"]
FILTERS: dict[str, str] = _TABLE["filters"]
COLUMNS: dict[str, str] = _TABLE["columns"]


def label(mapping: dict[str, str], key: str | None) -> str:
    """The bilingual label, or the raw id when none is known (never hide an unexpected value)."""
    if key is None:
        return "—"
    return mapping.get(key, key)


def verdict_label(verdict: str | None) -> str:
    """A verdict in words; null means no reference can check the claim."""
    return NOT_CHECKABLE if verdict is None else label(VERDICTS, verdict)


def human_unit(unit: str | None) -> str:
    return HUMAN_UNITS.get(unit or "", (1.0, unit or ""))[1]


def divisor(unit: str | None) -> float:
    return HUMAN_UNITS.get(unit or "", (1.0, ""))[0]


def to_human(value: float | None, unit: str | None) -> float | None:
    """Canonical -> shown: 77590000000 CNY -> 775.9 (亿元)."""
    return None if value is None else value / divisor(unit)


def to_canonical(value: float | None, unit: str | None) -> float | None:
    """Shown -> canonical: 775.9 (亿元) -> 77590000000 CNY."""
    return None if value is None else value * divisor(unit)


def number_text(value: float | None) -> str:
    """775.9, 6, -2, 0.0005: up to 4 decimals, no trailing zeros (the same as display's number column)."""
    if value is None:
        return "—"
    text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def value_text(value: float | None, unit: str | None, value_high: float | None = None) -> str:
    """A canonical value in human units with its unit: 26.61 亿元, 6%, 15–50%."""
    if value is None:
        return "—"
    text = number_text(to_human(value, unit))
    if value_high is not None:
        text += "–" + number_text(to_human(value_high, unit))
    return text + ("" if unit == "%" else " ") + human_unit(unit)
