"""Differential: the native scan of `Alternation` (extractors/native/alternation.pyx) finds what scan.py's own
Python scan finds, hit for hit: the lexicon (longest match, POSIX alternations run by PCRE2's DFA matcher) and
the period expressions (first listed, with their named groups), on the texts and regions the pipeline gives
them for the bundled, held-out, dev-set and synthetic articles, on Hypothesis-made text, on small pattern sets
built to tell leftmost-longest from first-listed matching, and the rows of whole documents.

Skipped when the kernels are not built, unless CLOUDCLAIMS_REQUIRE_COMPILED=1 (CI)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import native
from tests import row_dump
from tests.text_strategies import texts

if native.kernel("alternation") is None:
    if os.environ.get("CLOUDCLAIMS_REQUIRE_COMPILED") == "1":
        pytest.fail("the native kernel alternation is not built (or stale, or switched off)", pytrace=False)
    pytest.skip("the native kernel alternation is not built (`cloudclaims core build`)", allow_module_level=True)

from extractors import pipeline  # noqa: E402
from extractors.recognize import lexicon, periods, scan  # noqa: E402
from extractors.recognize.scan import Alternation  # noqa: E402

LEXICON = lexicon._compiled()[0]
PERIODS = periods._compiled()["all"]


def _reference(a: Alternation, text: str, start: int, end: int) -> list[tuple]:
    """scan.py's Python scan: (index, start, end) of each hit, and the named groups of a pattern's match."""
    if a.longest:
        return [(i, s, e) for i, s, e in a._spans(text, start, end)]
    return [(i, m.start(), m.end(), _groups(a, i, m)) for i, m in a._finditer(text, start, end)]


def _groups(a: Alternation, i: int, m) -> dict:
    """The named groups of pattern i, what periods reads of a match."""
    return {name: m.group(name) for name in a.patterns[i].groupindex}


def _native(a: Alternation, text: str, start: int, end: int) -> list[tuple]:
    assert a.kernel is not None
    if a.longest:
        return list(a.spans(text, start, end))
    return [(i, m.start(), m.end(), _groups(a, i, m)) for i, m in a.finditer(text, start, end)]


def _agree(a: Alternation, text: str, start: int = 0, end: int | None = None) -> list[tuple]:
    end = len(text) if end is None else end
    got = _native(a, text, start, end)
    assert got == _reference(a, text, start, end), (text[start:end], start, end)
    return got


def test_both_alternations_run_natively_without_falling_back():
    for a in (LEXICON, PERIODS):
        state = a.kernel.state()
        assert state["native_buckets"] == state["buckets"] > 0 and state["starts_memo"], state
    assert LEXICON.kernel.state()["strings"] == len(LEXICON.payloads) > 0


# ---------------------------------------------------------------- the pipeline's own inputs
def _inputs(files: list[str]) -> list[tuple]:
    """(text, regions, traditional) of every periods.scan and lexicon.tag call the pipeline makes on files."""
    seen, real_scan, real_tag = [], periods.scan, lexicon.tag

    def scan_(text, regions=None):
        seen.append(("scan", text, regions, False))
        return real_scan(text, regions)

    def tag_(text, regions=None, traditional=False):
        seen.append(("tag", text, regions, traditional))
        return real_tag(text, regions, traditional)

    periods.scan, lexicon.tag = scan_, tag_
    try:
        for f in files:
            pipeline.process_path(Path(f))
    finally:
        periods.scan, lexicon.tag = real_scan, real_tag
    return seen


def _check_inputs(seen: list[tuple], monkeypatch) -> int:
    hits = 0
    for kind, text, regions, traditional in seen:
        a = LEXICON if kind == "tag" else PERIODS
        for start, end in (regions or []) + [(0, len(text))]:
            hits += len(_agree(a, text, start, end))
        # and what the pipeline is given: tags and periods as the Python scan makes them
        got = lexicon.tag(text, regions, traditional) if kind == "tag" else periods.scan(text, regions)
        with monkeypatch.context() as m:
            m.setattr(a, "kernel", None)
            assert got == (lexicon.tag(text, regions, traditional) if kind == "tag" else periods.scan(text, regions))
    return hits


def test_the_articles_texts_give_the_hits_of_the_python_scan(monkeypatch):
    seen = _inputs(row_dump.corpus())
    assert len(seen) > 150
    assert _check_inputs(seen, monkeypatch) > 5000


def test_the_bench_corpus_gives_the_hits_of_the_python_scan(tmp_path, monkeypatch):
    subprocess.run([sys.executable, str(row_dump.ROOT / "bench" / "corpus.py"), str(tmp_path), "-n", "150"],
                   check=True, capture_output=True)
    seen = _inputs(sorted(str(p) for p in tmp_path.rglob("*.*")))
    assert len(seen) >= 300
    assert _check_inputs(seen, monkeypatch) > 10000


# ---------------------------------------------------------------- generated text
def _pieces(a: Alternation) -> list[str]:
    """Strings the patterns stand for, and their characters: text dense in near-hits."""
    words = [w for p in a.source if (split := scan._as_strings(p)) for w in split[1]]
    chars = sorted({ch for p in a.source for ch in p} | set("\ue001\ue002\ue003 \t-.0123456789"))
    return words + chars


def _dense(a: Alternation):
    return st.lists(st.sampled_from(_pieces(a)), max_size=30).map("".join)


@st.composite
def _region(draw, text_strategy):
    text = draw(text_strategy)
    start = draw(st.integers(0, len(text)))
    return text, start, draw(st.integers(start, len(text)))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_region(st.one_of(texts, _dense(LEXICON), st.tuples(texts, _dense(LEXICON)).map("".join))))
def test_lexicon_hits_on_generated_text(case):
    _agree(LEXICON, *case)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_region(st.one_of(texts, _dense(PERIODS), st.tuples(_dense(PERIODS), texts).map("".join))))
def test_period_hits_on_generated_text(case):
    _agree(PERIODS, *case)


# ---------------------------------------------------------------- small pattern sets
# Leftmost-longest against first listed; lookarounds around strings and patterns; a string against a
# longer or equal pattern; patterns PCRE2's DFA matcher cannot run exactly (a back reference, an atomic
# group, a possessive repeat), which the Python pattern matches for just their bucket.
SETS = [
    (["a|ab", "abc?", "b"], "ab abc abd b"),
    (["(?:a|ab)(?:c|bcd)", "abc"], "abcd abc abcde"),
    (["x[0-9.]*(?<![.])", "x1"], "x1.2. x. x1 x"),
    (["q(?:-(?!no)[a-z]+)*", "q-a"], "q-a-b q-no q-a-no q-ab-cd-"),
    (["(?<![a-z])id", "(?<=k)id(?=s)", "ids"], "id kids aid kid ids"),
    (["ab", "a[b]", "(?:a)b"], "ab"),
    (["(?P<x>a)(?P=x)b", "aa"], "aab aa aaab"),
    (["(?>a|ab)c", "ab"], "abc ac ab"),
    (["a++b", "a"], "aab ab a"),
    (["\\d+(?:\\.\\d+)?%?", "1"], "12.5% 1. 3%"),
    (["[\\ue001]\\s*(?:x|xy)", "\ue001x"], "\ue001 xy \ue001x \ue001xyz"),
    (["", "a?", "ab"], "ab a b"),
]


@pytest.mark.parametrize("longest", [True, False])
@pytest.mark.parametrize("two_chars", [True, False])
@pytest.mark.parametrize("patterns, text", SETS)
def test_small_sets(patterns, text, longest, two_chars):
    a = Alternation(patterns, longest=longest, two_chars=two_chars)
    assert a.kernel is not None
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 1):
            _agree(a, text, start, end)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SETS), st.booleans(), st.text(st.sampled_from("aabbcdxq-.1\ue001 kisno0"), max_size=24))
def test_small_sets_on_generated_text(case, longest, text):
    _agree(Alternation(case[0], longest=longest), text)


def test_a_bucket_the_dfa_matcher_cannot_run_falls_back_to_python():
    a = Alternation(["(?P<x>a)(?P=x)b", "ab", "aa"], longest=True)
    state = a.kernel.state()
    assert state["native_buckets"] < state["buckets"]
    assert _agree(a, "aab ab aa") == [(0, 0, 3), (1, 4, 6), (2, 7, 9)]
    assert a.kernel.state()["fallbacks"] > 0


# ---------------------------------------------------------------- whole documents
def test_the_rows_are_those_without_the_kernels():
    files = row_dump.corpus()
    with_kernels, without = row_dump.rows(files), row_dump.rows(files, native="0")
    assert with_kernels["files"] == without["files"]
    assert sum(len(v) - 1 for v in without["files"].values()) > 300
