"""Every example written next to a rule in extractors/rules/*.yaml is checked here, so an analyst
can add a rule (with its examples) without touching Python."""
from __future__ import annotations

import datetime as dt
import math

import pytest
import regex
import yaml

from extractors import grammar, pipeline, rules_data, tokens
from extractors.recognize import lexicon, numbers, periods, tables
from extractors.text import normalize


def _cases(name: str, key: str):
    cfg = rules_data.load(name)
    return [pytest.param(r, id=r["id"]) for r in cfg[key]]


def _masked(text: str) -> str:
    norm = normalize.normalize(text)
    return numbers.mask(norm.text, numbers.find(norm.text)).text


PUBLISHED = dt.date(2025, 11, 20)  # frame examples are read as if published then


def _rows(sentence: str, frame_id: str) -> list[tuple[str, float]]:
    return [(r["metric"], r["value"]) for r in pipeline.extract_text(sentence, PUBLISHED) if r["rule_id"] == frame_id]


FRAMES = rules_data.load("frames")["frames"]


@pytest.mark.parametrize("frame", [pytest.param(f, id=f["id"]) for f in FRAMES])
def test_frame_examples(frame):
    """Each frame reads its own examples, and only them: the rows it makes are the ones written beside it."""
    assert frame.get("match") or frame.get("no_match"), f"frame {frame['id']} has no example"
    for sentence, expected in frame.get("match", []):
        got = _rows(sentence, frame["id"])
        assert len(got) == len(expected), (sentence, got)
        for (metric, value), (want_metric, want_value) in zip(got, expected):
            assert metric == want_metric and math.isclose(value, want_value), (sentence, got)
    for sentence in frame.get("no_match", []):
        assert _rows(sentence, frame["id"]) == [], sentence


def test_frame_ids_are_unique_and_compile():
    ids = [f["id"] for f in FRAMES]
    assert len(ids) == len(set(ids))
    assert len(grammar.frames()) == len(FRAMES)


@pytest.mark.parametrize("text,expected", lexicon.data()["examples"], ids=[e[0] for e in lexicon.data()["examples"]])
def test_lexicon_examples(text, expected):
    """The tagger reads exactly the words listed (kind, id, text), in order."""
    masked = _masked(text)
    got = [[t.kind, t.id, masked[t.start : t.end]] for t in lexicon.tag(masked)]
    assert got == expected


def test_every_lexicon_alias_compiles_and_tags_itself():
    """A literal alias, written alone, is read as itself (a pattern that never fires is a dead rule)."""
    for kind, ident, alias in lexicon._entries():
        regex.compile(alias)
        if not regex.search(r"[\\()\[\]?*+|{}.^$]", alias):
            tags = lexicon.tag(alias)
            assert tags and (tags[0].start, tags[0].end) == (0, len(alias)), (kind, ident, alias, tags)


@pytest.mark.parametrize("text,expected", rules_data.load("segmenter")["examples"], ids=lambda x: str(x)[:20])
def test_segmenter_examples(text, expected):
    got = [text[s.start : s.end] for s in tokens.sentences(text)]
    assert got == expected


@pytest.mark.parametrize("text,expected", rules_data.load("numbers")["tables"]["examples"])
def test_price_table_examples(text, expected):
    norm = normalize.normalize(text).text
    got = tables.find(norm, numbers.find(norm))
    assert [m.value for m in got] == pytest.approx(expected)
    assert all(m.kind == "token" and norm[m.start : m.end] == m.text for m in got)


@pytest.mark.parametrize("text,expected", rules_data.load("numbers")["examples"])
def test_number_examples(text, expected):
    got = [(m.value, m.value_high, m.kind, m.unit, m.qualifier) for m in numbers.find(normalize.normalize(text).text)
           if not m.ignored]
    if expected is None:
        assert got == []
    else:
        assert len(got) == 1, got
        value, high, kind, unit, qualifier = got[0]
        assert math.isclose(value, expected[0]) and (high == expected[1] or math.isclose(high, expected[1]))
        assert (kind, unit, qualifier) == tuple(expected[2:])


PERIODS = rules_data.load("periods")


@pytest.mark.parametrize("spec", [pytest.param(e, id=e["id"]) for e in PERIODS["expressions"]])
def test_period_examples(spec):
    published = PERIODS["example_published"]
    for text, expected in spec["match"]:
        found = periods.find(text, published, PERIODS["example_anchor_year"])
        label = found[0].period.label if found and found[0].period else None
        assert label == expected, (text, found)
        if expected is not None:
            assert found[0].rule_id == spec["id"]


@pytest.mark.parametrize("text,published,expected", PERIODS["quarter_run_examples"], ids=[e[0] for e in PERIODS["quarter_run_examples"]])
def test_quarter_run_examples(text, published, expected):
    from extractors import calendar as cal

    run = periods.quarter_run(text, 0, len(text), cal.report_quarter(published))
    assert ([p.label for p in run] if run else None) == expected


NORMALIZE = rules_data.load("normalize")


@pytest.mark.parametrize("rule", _cases("normalize", "drop_line") + _cases("normalize", "cut_from"))
def test_line_rule_examples(rule):
    pattern = regex.compile(rule["pattern"])
    for line in rule["match"]:
        assert pattern.match(line), line
    for line in rule["no_match"]:
        assert not pattern.match(line), line


def test_han_space_examples():
    rule = NORMALIZE["han_space"]
    for text in rule["match"]:
        assert " " not in normalize.normalize(text).text, text
    for text in rule["no_match"]:
        assert normalize.normalize(text).text.count(" ") == text.count(" "), text


def test_pinyin_rule_examples():
    rule = NORMALIZE["pinyin"]
    for text in rule["match"]:
        assert "(" not in normalize.normalize(text).text, text
    for text in rule["no_match"]:
        assert normalize.normalize(text).text.count("(") == text.count("(") + text.count("（"), text


def test_lost_char_examples():
    """A '?' inside a word ends no sentence; a question mark still does."""
    rule = NORMALIZE["lost_char"]
    for text in rule["match"]:
        assert "?" not in normalize.normalize(text).text, text
    for text in rule["no_match"]:
        assert "?" in normalize.normalize(text).text, text


@pytest.mark.parametrize("text,sentences", [
    ("腾讯云的收?rù为120亿元,同比增长10%。", 1),
    ("阿里云会降价吗？阿里云表示会。", 2),
    ("阿里云会降价吗? 阿里云表示会。", 2),
])
def test_a_lost_character_does_not_split_a_sentence(text, sentences):
    norm = normalize.normalize(text)
    assert len(tokens.sentences(norm.text)) == sentences


@pytest.mark.parametrize("rule", _cases("normalize", "mojibake"))
def test_mojibake_examples(rule):
    for text in rule["match"]:
        out = normalize.normalize(text).text
        assert rule["damaged"] not in out and normalize._char_fold(rule["repaired"]) in out


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="this PyYAML is built without libyaml")
@pytest.mark.parametrize("path", sorted(rules_data.RULES_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_rules_read_the_same_with_libyaml_as_with_the_python_loader(path):
    """Rules are read with libyaml when it is installed (fast start-up); it must give what PyYAML's own
    loader gives, or a machine without libyaml would run other rules."""
    assert rules_data.YAML_LOADER is yaml.CSafeLoader
    text = path.read_text(encoding="utf-8")
    assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.load(text, Loader=yaml.SafeLoader)
