"""Differential: the standard library's re runs the patterns it can read, the regex module the rest
(extractors/patterns.py); every row must be what the regex module alone gives, on the bundled corpus, the
held-out articles, the hostile corpus and (when it is beside the repo) the dev set."""
from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import patterns
from tests import row_dump
from tests.text_strategies import texts


def test_every_row_is_what_the_regex_module_alone_gives():
    files = row_dump.corpus()
    fast, reference = row_dump.rows(files)["files"], row_dump.rows(files, patterns="regex")["files"]
    assert sum(len(v) - 1 for v in reference.values()) > 300  # the corpus holds claims to compare
    assert fast == reference


def test_hostile_texts_give_what_the_regex_module_alone_gives(tmp_path):
    paths = row_dump.hostile_files(tmp_path)
    assert row_dump.rows(paths)["files"] == row_dump.rows(paths, patterns="regex")["files"]


@pytest.mark.parametrize("pattern,engine", [
    (r"[0-9]+%", "re"),
    (r"(?<=\p{Han})[ \t](?=\p{Han})", "re"),  # \p{Han} spelled out as code point ranges
    (r"[^()\p{Han}\n]", "re"),
    (r"[\P{Han}]", "regex"),  # \P{Han} inside a class: not spelled out
    (r"\p{Greek}", "regex"),  # any other property: the regex module
    (r"(?<!\d年?[ \t]*[至到])2020年", "regex"),  # variable-length lookbehind
    (r"(?p)收入|营收", "regex"),  # POSIX leftmost-longest
    (r"[[a-z]--[aeiou]]", "regex"),  # a set operation re would read otherwise
])
def test_each_pattern_goes_to_the_engine_that_reads_it(pattern, engine):
    compiled = patterns.compile(pattern)
    assert type(compiled).__module__.split(".")[0].lstrip("_") == engine


def test_the_han_ranges_are_what_the_regex_module_reads_as_han():
    import regex

    han = regex.compile(r"\p{Han}")
    inside = {cp for a, b in patterns.HAN_RANGES for cp in range(a, b + 1)}
    assert all((han.match(chr(cp)) is not None) == (cp in inside) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF)


@pytest.mark.parametrize("pattern,text", [
    (r"(?<=\p{Han})[ \t](?=\p{Han})", "中国 电商 a b 集团〇 二"),
    (r"[^()（）\p{Han}\n]{1,30}", "(06808)阿里巴巴(NYSE:BABA)\n"),
    (r"\d(?=[元万]|\P{Han}|$)", "3元 5万 7亿 9x 1"),
])
def test_a_pattern_spelled_out_for_re_matches_what_regex_matches(pattern, text):
    import regex

    fast = patterns.compile(pattern)
    assert type(fast).__module__ == "re"
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in regex.finditer(pattern, text)]


@pytest.mark.parametrize("pattern,expected", [
    (r"a\d", [("a", "char", False), ("\\d", "escape", False)]),
    (r"[]a]b", [("[]", "open", True), ("a", "char", True), ("]", "close", True), ("b", "char", False)]),
    (r"[^]\]]", [("[^]", "open", True), ("\\]", "escape", True), ("]", "close", True)]),
    (r"[[]\[", [("[", "open", True), ("[", "char", True), ("]", "close", True), ("\\[", "escape", False)]),
    (r"\p{Han}\p{Hanx", [("\\p{Han}", "escape", False), ("\\p{Hanx", "escape", False)]),
    (r"\u4e00\u4e\N{DIGIT ONE}\N{", [("\\u4e00", "escape", False), ("\\u", "escape", False), ("4", "char", False),
                                     ("e", "char", False), ("\\N{DIGIT ONE}", "escape", False), ("\\N", "escape", False),
                                     ("{", "char", False)]),
    ("\\", [("\\", "escape", False)]),
])
def test_the_pattern_walker_reads_escapes_and_classes(pattern, expected):
    pieces = list(patterns.pieces(pattern))
    assert [p[1:] for p in pieces] == expected and "".join(p[1] for p in pieces) == pattern
    assert all(pattern.startswith(text, start) for start, text, _, _ in pieces)


@settings(deadline=None, max_examples=3, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(texts, min_size=100, max_size=100))
def test_generated_texts_give_what_the_regex_module_alone_gives(tmp_path, generated):
    """Hypothesis-made text (financial fragments, scraped damage, any script), both engines, row for row."""
    paths = row_dump.generated_files(tmp_path, generated)
    assert row_dump.rows(paths)["files"] == row_dump.rows(paths, patterns="regex")["files"]


@functools.cache
def _scanners() -> list[tuple]:
    """(name, the scanner, the same patterns filtered by their first character only)."""
    from extractors.recognize import lexicon, periods
    from extractors.recognize.scan import Alternation
    return [(name, fast, Alternation(fast.source, fast.longest, fast.flags, two_chars=False))
            for name, fast in (("lexicon", lexicon._compiled()[0]), ("periods", periods._compiled()["all"]))]


def _hits(scanner, text: str) -> list[tuple]:
    return [(i, m.start(), m.end()) for i, m in scanner.finditer(text)]


def test_the_two_character_start_filter_skips_no_match():
    """A pattern is tried only where its first two characters can stand: every hit a scan by the first
    character alone finds, on every article of the corpus."""
    from extractors.text import normalize
    bodies = [normalize.normalize(Path(f).read_text(encoding="utf-8", errors="replace")).text for f in row_dump.corpus()]
    for name, fast, reference in _scanners():
        found = [_hits(fast, b) for b in bodies]
        assert sum(map(len, found)) > 500, name  # the corpus holds hits to compare
        assert found == [_hits(reference, b) for b in bodies], name


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_the_two_character_start_filter_skips_no_match_in_any_text(text):
    for name, fast, reference in _scanners():
        assert _hits(fast, text) == _hits(reference, text), name
