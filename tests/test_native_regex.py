"""The native kernels' regex layer (extractors/native/regex32.pyx) finds what Python's re finds: the character
classes over every code point, and every rule pattern re reads, over real and generated text.

Skipped when the kernels are not built, unless CLOUDCLAIMS_REQUIRE_COMPILED=1 (CI)."""
from __future__ import annotations

import os
import re
import sys

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors import compiled, rules_data
from extractors.recognize import numbers
from tests import row_dump
from tests.text_strategies import texts

if not compiled.native_status()["ok"]:
    if os.environ.get("CLOUDCLAIMS_REQUIRE_COMPILED") == "1":
        pytest.fail(f"the native kernels are not built: {compiled.native_status()}", pytrace=False)
    pytest.skip("the native kernels are not built (`cloudclaims core build`)", allow_module_level=True)

from extractors.native import dialect, regex32  # noqa: E402

ALL = "".join(chr(c) for c in range(sys.maxunicode + 1))


def _finditer(rx: regex32.Pattern, t: regex32.Text, pos: int = 0, endpos: int | None = None) -> list[tuple]:
    return rx.finditer_spans(t, pos, t.n if endpos is None else endpos)


def _python(rx: re.Pattern, text: str, pos: int = 0, endpos: int | None = None) -> list[tuple]:
    endpos = len(text) if endpos is None else endpos
    return [tuple(m.span(g) for g in range(rx.groups + 1)) for m in rx.finditer(text, pos, endpos)]


@pytest.mark.parametrize("pattern", [r"\d", r"\D", r"\w", r"\W", r"\s", r"\S", r"[\s,]", r"[^\d\s]", r"\p{Han}",
                                     r"[\p{Han}a-z]", r"\bx", r".", r"(?s:.)", r"[\u4e00-\u9fff]", r"\U0001F600"])
def test_a_class_holds_the_code_points_python_gives_it(pattern):
    t = regex32.Text(ALL)
    assert _finditer(regex32.compile(pattern), t) == _python(dialect.python_pattern(pattern), ALL)


@pytest.mark.parametrize("pattern, text", [
    (r"x{,2}", "xxxy"),  # re reads {,n} as {0,n}; PCRE2 10.42 as text
    (r"end\Z", "end\n"),  # \Z: the very end, not before a last newline
    (r"end$", "end\n"),  # $: before a last newline too
    (r"(?m)^a", "b\na\r\na"),  # only \n ends a line
    (r"a.b", "a\rb a\nb a\x85b"),  # . takes everything but \n
    (r"\N{DIGIT ONE}", "01"),
    (r"(?P<x>a)|(?P<y>b)", "ab"),
    (r"(?<=a)b", "ab b"),
    (r"(a)\1", "aa"),
    (r"^[^\S\n]*x", " \t\u3000x\n\nx"),  # \S in a class: PCRE2 has no set difference
    (r"[a\S]+", "a b\u3000c"),
    (r"[^\S]", "a b"),
    (r"[]a]+", "]a]"),
])
def test_python_syntax_reads_as_python_reads_it(pattern, text):
    t = regex32.Text(text)
    assert _finditer(regex32.compile(pattern), t) == _python(dialect.python_pattern(pattern), text)


@pytest.mark.parametrize("pattern", [r"(?p)ab|a", r"\p{L}", r"(?i)abc", r"(?x)a b", "\\K"])
def test_what_only_the_regex_module_reads_is_refused(pattern):
    with pytest.raises(regex32.Unsupported):
        regex32.compile(pattern)


def _rule_patterns() -> list[str]:
    """Every string of the rule files that re reads as a pattern with something to match."""
    out: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str) and node:
            out.add(node)

    for path in sorted(rules_data.RULES_DIR.glob("*.yaml")):
        walk(yaml.load(path.read_text(encoding="utf-8"), Loader=rules_data.YAML_LOADER))
    ok = []
    for p in sorted(out):
        try:
            if dialect.python_pattern(p).search("") is None or "(" in p or "\\" in p or "[" in p:
                ok.append(p)
        except regex32.Unsupported:
            pass
    return ok


RULE_PATTERNS = _rule_patterns()


def _native_rules() -> dict[str, regex32.Pattern]:
    out = {}
    for p in RULE_PATTERNS:
        try:
            out[p] = regex32.compile(p)
        except regex32.Unsupported:
            pass
    return out


NATIVE_RULES = _native_rules()


@pytest.fixture(scope="module")
def corpus_text() -> str:
    parts = []
    for f in row_dump.corpus():
        try:
            parts.append(open(f, encoding="utf-8", errors="surrogateescape").read())
        except OSError:
            pass
    return "\n".join(parts)


def _read_by(read, pattern: str):
    """What re makes of a pattern (flags, groups, group names), or "unsupported"."""
    try:
        rx = read(pattern)
    except regex32.Unsupported:
        return "unsupported"
    return rx.flags, rx.groups, rx.groupindex


def _quick(pattern: str) -> re.Pattern:
    return dialect.checked(pattern)[1]


@pytest.mark.parametrize("pattern", [r"\p{Han}+", r"[^\p{Han}\d]", r"\P{Han}", r"(?<=\p{Han})(?P<x>a)", r"[\p{Han}-]",
                                     r"(?s)(\p{Han}{2})\1", r"(\p{Han}", r"(?<=\p{Han}+)a", r"[\p{Han}--a]", r"\p{L}"])
def test_the_quick_check_reads_a_pattern_as_re_does(pattern):
    """dialect.checked (what the kernels compile from) and re's own compile agree on the flags, groups and
    whether re reads the pattern at all; only the members of a spelled-out Han class are cut for the check."""
    assert _read_by(_quick, pattern) == _read_by(dialect.python_pattern, pattern)
    if _read_by(_quick, pattern) != "unsupported":
        assert dialect.checked(pattern)[0] == dialect.python_pattern(pattern).pattern


def test_the_quick_check_agrees_on_every_rule_pattern_and_the_number_grammar():
    grammar = [v.pattern for v in numbers._cfg().values() if isinstance(v, numbers.Source)]
    differ = [p for p in RULE_PATTERNS + grammar if _read_by(_quick, p) != _read_by(dialect.python_pattern, p)]
    assert len(grammar) >= 3 and differ == []


def test_the_rules_hold_patterns_to_compare():
    assert len(RULE_PATTERNS) > 100


def test_every_rule_pattern_matches_the_corpus_as_python_does(corpus_text):
    t = regex32.Text(corpus_text)
    differ = [p for p, native in NATIVE_RULES.items()
              if _finditer(native, t) != _python(dialect.python_pattern(p), corpus_text)]
    assert len(NATIVE_RULES) > 0.9 * len(RULE_PATTERNS) and differ == []


@settings(deadline=None, max_examples=60)
@given(texts, st.integers(0, 40), st.integers(0, 40))
def test_every_rule_pattern_matches_generated_text_as_python_does(text, a, b):
    t = regex32.Text(text)
    pos, endpos = min(a, len(text)), max(min(b, len(text)), min(a, len(text)))
    for p, native in NATIVE_RULES.items():
        assert _finditer(native, t, pos, endpos) == _python(dialect.python_pattern(p), text, pos, endpos), p
