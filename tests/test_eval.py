"""Accuracy as `cloudclaims eval` measures it, guarded a little under what the extractor reaches, so a
rule change that loses claims, adds false ones or misdates them fails here. The matching itself is
tested on small tables of gold items and rows."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from extractors import evaluate, metrics
from extractors.recognize import lexicon
from extractors.run import batch, cli

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT.parent / "shared" / "devset"

# (gold, documents, min recall, min precision, min period): figures `make eval` prints, minus a margin
SETS = [
    ("bundled", ROOT / "tests" / "gold.yaml", ROOT / "data" / "articles", 1.0, 1.0, 1.0),
    ("held-out", ROOT / "tests" / "heldout" / "gold.yaml", ROOT / "tests" / "heldout" / "docs", 0.97, 0.97, 0.92),
    ("dev set", DEVSET / "gold.yaml", DEVSET / "docs", 0.95, 0.97, 0.92),
]


def _report(gold: Path, docs: Path) -> evaluate.Report:
    claims, _ = batch.extract([docs], jobs=1, cache_dir=None)
    return evaluate.evaluate(evaluate.load_gold(gold), claims.to_dicts(), metrics.core(), lexicon.tracked_entities())


@pytest.mark.parametrize("name,gold,docs,recall,precision,period", SETS, ids=[s[0] for s in SETS])
def test_accuracy_stays_above_its_floor(name, gold, docs, recall, precision, period):
    if not gold.exists():
        if os.environ.get("CLOUDCLAIMS_REQUIRE_DEVSET"):
            pytest.fail(f"{gold} is missing")
        pytest.skip(f"{gold} is not beside the repo")
    rep = _report(gold, docs)
    assert evaluate.below(rep, recall, precision, period) == [], evaluate.format_report(rep, name)


def test_the_eval_command_fails_below_a_floor_and_names_it(capsys):
    gold, docs = ROOT / "tests" / "gold.yaml", ROOT / "data" / "articles"
    assert cli.main(["eval", str(gold), str(docs), "--brief", "--min-recall", "0.9"]) == 0
    assert cli.main(["eval", str(gold), str(docs), "--brief", "--min-precision", "1.01"]) == 1
    out = capsys.readouterr()
    assert "recall 1.000" in out.out and "precision 1.000 is below 1.010" in out.err


def test_the_eval_command_fails_when_a_document_cannot_be_extracted(tmp_path, capsys):
    (tmp_path / "damaged.txt").write_bytes(b"\x00\x01\x02\x03" * 200)
    gold, docs = ROOT / "tests" / "gold.yaml", ROOT / "data" / "articles"
    assert cli.main(["eval", str(gold), str(docs), str(tmp_path), "--brief"]) == 1
    err = capsys.readouterr().err
    assert "damaged.txt: not read" in err and "1 document(s) could not be extracted" in err


def test_a_bad_gold_file_is_named(tmp_path, capsys):
    bad = tmp_path / "gold.yaml"
    bad.write_text("- doc: a.txt\n  entity: aws\n", encoding="utf-8")
    assert cli.main(["eval", str(bad), str(tmp_path)]) == 2
    assert str(bad) in capsys.readouterr().err


def _g(**kw) -> dict:
    return {"doc": "a.txt", "entity": "alibaba_cloud", "metric": "revenue_growth", "value": 6, "unit": "%",
            "period": "2024Q2", **kw}


def _r(**kw) -> dict:
    return {"doc_path": "x/a.txt", "entity": "alibaba_cloud", "product": None, "metric": "revenue_growth",
            "value": 6.0, "value_high": None, "unit": "%", "qualifier": "exact", "period": "2024Q2",
            "period_origin": "explicit", "quote": "q", **kw}


CORE, TRACKED = metrics.core(), lexicon.tracked_entities()
# gold items, rows -> (hits, misses, extras, period right)
MATCHING = [
    ([_g()], [_r()], (1, 0, 0, 1)),
    ([_g()], [_r(value=6.02)], (1, 0, 0, 1)),  # within 0.5%
    ([_g()], [_r(value=6.1)], (0, 1, 1, 0)),
    ([_g()], [_r(period=None)], (1, 0, 0, 0)),  # found, period wrong
    ([_g(period="unknown")], [_r(period=None)], (1, 0, 0, 1)),
    ([_g()], [_r(), _r()], (1, 0, 1, 1)),  # one to one: a repeat is an extra
    ([_g(optional=True)], [_r()], (0, 0, 0, 0)),  # optional counts neither way
    ([_g(value=19, value_high=20, metric="market_share")], [_r(value=19.0, value_high=None, metric="market_share")], (0, 1, 1, 0)),
    ([_g(product="external_revenue"), _g()], [_r(), _r(product="external_revenue")], (2, 0, 0, 2)),
    ([], [_r(entity="_untracked")], (0, 0, 0, 0)),  # untracked subjects are not counted
    ([], [_r(metric="customers", unit="count")], (0, 0, 0, 0)),  # nor metrics outside the core
    ([_g()], [_r(doc_path="x/b.txt")], (0, 1, 1, 0)),  # another document
]


@pytest.mark.parametrize("gold,rows,expected", MATCHING)
def test_matching(gold, rows, expected):
    rep = evaluate.evaluate(gold, rows, CORE, TRACKED)
    assert (rep.total.hits, rep.total.misses, rep.total.extras, rep.period_right) == expected


def test_preferring_the_same_product_when_two_rows_could_match():
    rep = evaluate.evaluate([_g(product="qwen")], [_r(), _r(product="qwen")], CORE, TRACKED)
    assert rep.product == 1.0 and rep.total.extras == 1
