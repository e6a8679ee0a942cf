"""Accuracy of the extractor against hand-checked gold claims (`cloudclaims eval`, `make eval`).

A gold item and a row match when they share the document's file name, entity, metric and unit, and the
value agrees within 0.5% (1e-6 absolute near zero), value_high too when the gold gives one. Matching is
one to one, preferring the same product, then the same period and qualifier. A gold item marked
`optional: true` counts neither way, and neither does the row it matches. Precision counts every
core-metric row attributed to a tracked entity.
"""
from __future__ import annotations

import collections
import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REL_TOL = 0.005
ABS_TOL = 1e-6


class GoldError(ValueError):
    """A gold file that cannot be read, naming the file and the problem."""


def load_gold(path: str | Path) -> list[dict]:
    p = Path(path)
    try:
        items = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise GoldError(f"{p}: cannot read gold file: {e}") from None
    if not isinstance(items, list):
        raise GoldError(f"{p}: a gold file is a YAML list of items")
    for n, g in enumerate(items, 1):
        missing = [k for k in ("doc", "entity", "metric", "value", "unit", "period") if not isinstance(g, dict) or k not in g]
        if missing:
            raise GoldError(f"{p}: item {n} lacks {', '.join(missing)}")
        if isinstance(g["value"], bool) or not isinstance(g["value"], (int, float)):
            raise GoldError(f"{p}: item {n}: value {g['value']!r} is not a number")
    return items


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def _period(g: dict) -> str | None:
    p = g.get("period")
    return None if p in (None, "unknown") else str(p)


def _compatible(g: dict, r: dict) -> bool:
    return (
        g["entity"] == r["entity"]
        and g["metric"] == r["metric"]
        and g["unit"] == r["unit"]
        and close(float(g["value"]), r["value"])
        and ("value_high" not in g or close(float(g["value_high"]), r["value_high"]))
    )


def _preference(g: dict, r: dict) -> tuple[bool, bool, bool]:
    return (g.get("product") == r["product"], _period(g) == r["period"], g.get("qualifier", "exact") == r["qualifier"])


def _match(gold: list[dict], rows: list[dict]) -> dict[int, int]:
    """gold index -> row index: a maximum one-to-one matching, greedy by preference, then augmented."""
    edges = collections.defaultdict(list)
    for i, g in enumerate(gold):
        for j, r in enumerate(rows):
            if _compatible(g, r):
                edges[i].append(j)
    for i in edges:
        edges[i].sort(key=lambda j: _preference(gold[i], rows[j]), reverse=True)
    pairs = sorted(((i, j) for i in edges for j in edges[i]),
                   key=lambda p: _preference(gold[p[0]], rows[p[1]]), reverse=True)
    g_to_r: dict[int, int] = {}
    r_to_g: dict[int, int] = {}
    for i, j in pairs:
        if i not in g_to_r and j not in r_to_g:
            g_to_r[i], r_to_g[j] = j, i

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in r_to_g or augment(r_to_g[j], seen):
                g_to_r[i], r_to_g[j] = j, i
                return True
        return False

    for i in edges:
        if i not in g_to_r:
            augment(i, set())
    return g_to_r


@dataclass
class Tally:
    hits: int = 0
    misses: int = 0
    extras: int = 0

    @property
    def recall(self) -> float:
        return self.hits / (self.hits + self.misses) if self.hits + self.misses else 1.0

    @property
    def precision(self) -> float:
        return self.hits / (self.hits + self.extras) if self.hits + self.extras else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    total: Tally = field(default_factory=Tally)
    period_right: int = 0
    qualifier_right: int = 0
    product_right: int = 0
    by: dict[str, dict[str, Tally]] = field(default_factory=lambda: {"metric": {}, "entity": {}, "doc": {}})
    misses: list[dict] = field(default_factory=list)
    extras: list[dict] = field(default_factory=list)
    wrong_period: list[tuple[dict, dict]] = field(default_factory=list)
    wrong_product: list[tuple[dict, dict]] = field(default_factory=list)

    def _count(self, item: dict, what: str) -> None:
        for key in ("metric", "entity", "doc"):
            t = self.by[key].setdefault(str(item[key]), Tally())
            setattr(t, what, getattr(t, what) + 1)
        setattr(self.total, what, getattr(self.total, what) + 1)

    def share(self, n: int) -> float:
        return n / self.total.hits if self.total.hits else 1.0

    @property
    def period(self) -> float:
        return self.share(self.period_right)

    @property
    def qualifier(self) -> float:
        return self.share(self.qualifier_right)

    @property
    def product(self) -> float:
        return self.share(self.product_right)


def evaluate(gold: list[dict], rows: list[dict], core_metrics, tracked_entities) -> Report:
    """Compare claim rows (dicts of the claims table) with gold items."""
    rep = Report()
    by_doc = collections.defaultdict(list)
    for r in rows:
        if r["metric"] in core_metrics and r["entity"] in tracked_entities:
            by_doc[Path(r["doc_path"]).name].append(r)
    gold_by_doc = collections.defaultdict(list)
    for g in gold:
        gold_by_doc[g["doc"]].append(g)
    for doc in sorted(set(by_doc) | set(gold_by_doc)):
        gs, rs = gold_by_doc.get(doc, []), by_doc.get(doc, [])
        pairs = _match(gs, rs)
        matched_rows = set(pairs.values())
        for i, g in enumerate(gs):
            if g.get("optional"):
                continue
            if i not in pairs:
                rep._count(g, "misses")
                rep.misses.append(g)
                continue
            r = rs[pairs[i]]
            rep._count(g, "hits")
            rep.period_right += _period(g) == r["period"]
            rep.qualifier_right += g.get("qualifier", "exact") == r["qualifier"]
            rep.product_right += g.get("product") == r["product"]
            if _period(g) != r["period"]:
                rep.wrong_period.append((g, r))
            if g.get("product") != r["product"]:
                rep.wrong_product.append((g, r))
        for j, r in enumerate(rs):
            if j not in matched_rows:
                item = {"doc": doc, **{k: r[k] for k in ("entity", "metric", "value", "unit", "period", "quote")}}
                rep._count(item, "extras")
                rep.extras.append(item)
    return rep


def _fmt_value(v) -> str:
    return "" if v is None else f"{v:g}"


def format_report(rep: Report, title: str = "", details: bool = True) -> str:
    t = rep.total
    lines = [f"== {title}" if title else "==",
             f"recall {t.recall:.3f}  precision {t.precision:.3f}  F1 {t.f1:.3f}  "
             f"({t.hits} found, {t.misses} missed, {t.extras} extra)",
             f"of the claims found: period right {rep.period:.3f}, qualifier right {rep.qualifier:.3f}, "
             f"product right {rep.product:.3f}"]
    for key in ("metric", "entity", "doc"):
        lines.append(f"-- per {key}: recall precision (found/missed/extra)")
        for name, x in sorted(rep.by[key].items()):
            lines.append(f"   {name:<44} {x.recall:.2f} {x.precision:.2f} ({x.hits}/{x.misses}/{x.extras})")
    if details:
        lines.append(f"-- misses ({len(rep.misses)})")
        lines += [f"   {g['doc']}: {g['entity']} {g['metric']} {_fmt_value(g['value'])} {g['period']} | "
                  f"{g.get('quote', '')}" for g in rep.misses]
        lines.append(f"-- extra rows ({len(rep.extras)})")
        lines += [f"   {x['doc']}: {x['entity']} {x['metric']} {_fmt_value(x['value'])} {x['period']} | "
                  f"{(x['quote'] or '')[:80]}" for x in rep.extras]
        lines.append(f"-- found with the wrong period ({len(rep.wrong_period)})")
        lines += [f"   {g['doc']}: {g['entity']} {g['metric']} {_fmt_value(g['value'])} gold {g['period']}, "
                  f"row {r['period'] or 'unknown'} ({r['period_origin']}) | {g.get('quote', '')}"
                  for g, r in rep.wrong_period]
        lines.append(f"-- found with the wrong product ({len(rep.wrong_product)})")
        lines += [f"   {g['doc']}: {g['entity']} {g['metric']} {_fmt_value(g['value'])} gold {g.get('product')}, "
                  f"row {r['product']} | {g.get('quote', '')}" for g, r in rep.wrong_product]
    return "\n".join(lines)


def below(rep: Report, min_recall: float | None, min_precision: float | None, min_period: float | None) -> list[str]:
    """The thresholds the report does not reach, as sentences."""
    out = []
    for name, value, floor in (("recall", rep.total.recall, min_recall), ("precision", rep.total.precision, min_precision),
                               ("period", rep.period, min_period)):
        if floor is not None and value < floor:
            out.append(f"{name} {value:.3f} is below {floor:.3f}")
    return out
