"""Microsoft Recognizers-Text's published Chinese number, percent and currency cases, run through
extractors.recognize.numbers. tests/peer_specs_scope.yaml says which cases are in scope (and why the others are
not) and which in-scope cases are known to fail (xfail, strict: a fix shows up).

Spec conventions: Start/End index the input and End is inclusive; values are strings ("2.4%", "5E-06");
`Text` is the normalized spelling, so we compare spans in the input rather than texts.
Run `python tests/test_peer_specs.py` for the figures.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import regex
import yaml

from extractors.recognize import numbers
from extractors.text import normalize

HERE = Path(__file__).parent
SPECS = HERE / "peer_specs" / "recognizers-text" / "Specs"
SCOPE = yaml.safe_load((HERE / "peer_specs_scope.yaml").read_text(encoding="utf-8"))


def _load() -> list[tuple[str, int, dict]]:
    out = []
    for rel in SCOPE["files"]:
        cases = json.loads((SPECS / rel).read_text(encoding="utf-8-sig"))
        out.extend((rel, i, case) for i, case in enumerate(cases))
    return out


CASES = _load()


def _stem(rel: str) -> str:
    return Path(rel).stem


def _holds(when: dict, rel: str, case: dict) -> bool:
    results = case["Results"]
    text = case["Input"]
    checks = {
        "file": lambda v: _stem(rel) == v,
        "input": lambda v: regex.search(v, text) is not None,
        "text": lambda v: any(regex.search(v, r["Text"]) for r in results),
        "results": lambda v: bool(results) == (v == "some"),
        "not_whole": lambda v: (len(results) != 1
                                or normalize.fold(results[0]["Text"]) != normalize.fold(text).strip()) == v,
        "unit_not_in": lambda v: any(r["Resolution"].get("isoCurrency") not in v for r in results),
    }
    return all(checks[k](v) for k, v in when.items())


def scope_of(rel: str, case: dict) -> str | None:
    """The id of the out-of-scope rule that takes this case, or None when it is in scope."""
    return next((r["id"] for r in SCOPE["out_of_scope"] if _holds(r["when"], rel, case)), None)


def _known(rel: str, case: dict) -> str | None:
    return next((k["why"] for k in SCOPE["known_failures"] if k["file"] == _stem(rel) and k["input"] == case["Input"]),
                None)


def _value(resolution: dict) -> float:
    return float(resolution["value"].rstrip("%"))


def expected(rel: str, case: dict) -> list[tuple]:
    units = SCOPE["files"][rel].get("units")
    return [(r["Start"], r["End"], _value(r["Resolution"]), units[r["Resolution"]["isoCurrency"]] if units else None)
            for r in case["Results"]]


def observed(rel: str, case: dict) -> list[tuple]:
    """What cloudclaims reads, in the spec's shape: (Start, End inclusive, value, unit)."""
    spec = SCOPE["files"][rel]
    text = case["Input"]
    if spec["mode"] == "whole":
        value = numbers.parse_value(text)
        if value is None:
            return []
        start = len(text) - len(text.lstrip())
        return [(start, len(text.rstrip()) - 1, value, None)]
    norm = normalize.normalize(text)
    out = []
    for m in numbers.find(norm.text):
        if m.kind in spec["kinds"] and not m.ignored:
            s, e = norm.offsets.span(m.start, m.end)
            out.append((s, e - 1, m.value, m.unit if spec.get("units") else None))
    return out


def passes(rel: str, case: dict) -> bool:
    """Same spans, values and units; only spans where the spec says its own resolution is wrong."""
    got, want = observed(rel, case), expected(rel, case)
    if case.get("IgnoreResolution"):
        return [g[:2] for g in got] == [w[:2] for w in want]
    return len(got) == len(want) and all(
        g[:2] == w[:2] and math.isclose(g[2], w[2], rel_tol=1e-9, abs_tol=1e-12) and g[3] == w[3]
        for g, w in zip(got, want))


def _params():
    out = []
    for rel, i, case in CASES:
        if scope_of(rel, case) is not None:
            continue
        why = _known(rel, case)
        marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
        out.append(pytest.param(rel, case, id=f"{_stem(rel)}-{i}-{case['Input'][:24]}", marks=marks))
    return out


@pytest.mark.parametrize("rel,case", _params())
def test_peer_case(rel, case):
    assert passes(rel, case), (case["Input"], observed(rel, case), expected(rel, case))


def figures() -> dict:
    """Cases in total, in scope, passing, per file and per out-of-scope rule."""
    fig = {"total": 0, "in_scope": 0, "passing": 0, "in_scope_positive": 0, "passing_positive": 0,
           "files": {}, "out_of_scope": {}}
    for rel, _, case in CASES:
        f = fig["files"].setdefault(_stem(rel), {"total": 0, "in_scope": 0, "passing": 0})
        fig["total"] += 1
        f["total"] += 1
        rule = scope_of(rel, case)
        if rule is not None:
            fig["out_of_scope"][rule] = fig["out_of_scope"].get(rule, 0) + 1
            continue
        ok = passes(rel, case)
        fig["in_scope"] += 1
        f["in_scope"] += 1
        fig["passing"] += ok
        f["passing"] += ok
        if case["Results"]:
            fig["in_scope_positive"] += 1
            fig["passing_positive"] += ok
    return fig


def test_scope_file_is_consistent_and_figures_add_up():
    """Every scope rule takes at least one case (no stale rules), every known failure names an in-scope
    case, and the pass count is exactly the in-scope count minus the known failures."""
    fig = figures()
    assert set(fig["out_of_scope"]) == {r["id"] for r in SCOPE["out_of_scope"]}
    by_key = {(_stem(rel), c["Input"]): (rel, c) for rel, _, c in CASES}
    for k in SCOPE["known_failures"]:
        rel, case = by_key[(k["file"], k["input"])]
        assert scope_of(rel, case) is None, k
    assert fig["in_scope"] - fig["passing"] == len(SCOPE["known_failures"])
    print(_report(fig))


def _report(fig: dict) -> str:
    lines = [f"peer specs: {fig['total']} cases, {fig['in_scope']} in scope, {fig['passing']} pass "
             f"({fig['passing'] / fig['in_scope']:.1%}); with expected numbers: {fig['passing_positive']}/"
             f"{fig['in_scope_positive']}"]
    lines += [f"  {name}: {f['total']} cases, {f['in_scope']} in scope, {f['passing']} pass" for name, f in fig["files"].items()]
    lines += [f"  out of scope, {rule}: {n}" for rule, n in fig["out_of_scope"].items()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(_report(figures()))
