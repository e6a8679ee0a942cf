"""The hand-checked claims of the bundled corpus (tests/gold.yaml) against the extractor's table."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from extractors.metrics import core
from extractors.recognize import numbers
from extractors.text.normalize import normalize

CORE_METRICS = core()

GOLD = yaml.safe_load((Path(__file__).parent / "gold.yaml").read_text(encoding="utf-8"))


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-3, abs_tol=1e-9)


def _matches(row: dict, g: dict) -> bool:
    return (
        Path(row["doc_path"]).name == g["doc"]
        and row["entity"] == g["entity"]
        and row["product"] == g.get("product")
        and row["metric"] == g["metric"]
        and row["unit"] == g["unit"]
        and _close(row["value"], g["value"])
        and _close(row["value_high"], g.get("value_high"))
        and row["qualifier"] == g.get("qualifier", "exact")
        and row["period"] == (None if g["period"] == "unknown" else str(g["period"]))
    )


@pytest.fixture(scope="module")
def rows(corpus_tables):
    return corpus_tables[0].to_dicts()


@pytest.mark.parametrize("g", GOLD, ids=[f"{g['doc'][:3]}-{g['metric']}-{g['value']}-{g['entity']}" for g in GOLD])
def test_gold_claim_is_found_with_its_sentence(rows, g):
    found = [r for r in rows if _matches(r, g)]
    assert found, f"missing: {g}"
    # the quote is the whole sentence; the gold quote is part of it (or it, when the sentence is short)
    assert any(g["quote"] in r["quote"] or r["quote"] in g["quote"] for r in found), [r["quote"] for r in found]
    if g["period"] == "unknown":
        assert all(r["period_origin"] == "unknown" and r["period_start"] is None for r in found)


def test_no_core_claim_outside_gold(rows):
    """Precision: every core-metric row is a gold claim, each gold claim used once."""
    unmatched = list(GOLD)
    extra = []
    for r in rows:
        if r["metric"] not in CORE_METRICS:
            continue
        hit = next((g for g in unmatched if _matches(r, g)), None)
        if hit is None:
            extra.append((Path(r["doc_path"]).name, r["entity"], r["metric"], r["value"], r["quote"][:40]))
        else:
            unmatched.remove(hit)
    assert extra == []
    assert unmatched == []


def test_nothing_from_duplicated_half_or_portal_junk(corpus_tables):
    claims, docs = corpus_tables
    raw = {p: Path(p).read_text(encoding="utf-8") for p in docs["doc_path"]}
    for r in claims.to_dicts():
        text = raw[r["doc_path"]]
        if r["doc_path"].endswith("004_ff5f0be4fa116e32.txt"):
            # the body repeats from the second copy of the 7-quarter summary on
            second_copy = text.index("刚刚打破了连续7个季度", text.index("刚刚打破了连续7个季度", 400) + 10)
            assert r["span_start"] < second_copy, r
        if r["doc_path"].endswith("001_479661d9b4e347d3.txt"):
            assert r["span_start"] < text.index("相关推荐"), r


def test_every_span_contains_the_number_as_written(corpus_tables):
    claims, docs = corpus_tables
    raw = {p: Path(p).read_text(encoding="utf-8") for p in docs["doc_path"]}
    for r in claims.to_dicts():
        span = raw[r["doc_path"]][r["span_start"] : r["span_end"]]
        assert span in r["quote"] or r["quote"] in raw[r["doc_path"]]
        found = [m for m in numbers.find(normalize(span).text) if not m.ignored]
        assert found, (span, r)
        assert any(_close(m.value, abs(r["value"])) or _close(m.value, r["value"]) for m in found), (span, r["value"])


def test_documents_carry_metadata_with_origin(corpus_tables):
    docs = {Path(d["doc_path"]).name: d for d in corpus_tables[1].to_dicts()}
    assert docs["000_65f9f70029febef9.txt"]["published_origin"] == "front_matter"
    assert docs["000_65f9f70029febef9.txt"]["publisher"] == "极客公园"
    d3 = docs["003_e02a5a2e5eb133d1.txt"]
    assert (str(d3["published"]), d3["published_precision"], d3["published_origin"]) == ("2023-08-03", "day", "sources_yaml")
    d4 = docs["004_ff5f0be4fa116e32.txt"]
    assert (str(d4["published"])[:7], d4["published_precision"]) == ("2024-09", "month")
    assert all(d["error"] is None for d in docs.values())
