"""Every example written next to a rule in extractors/rules/*.yaml is checked here, so an analyst
can add a rule (with its examples) without touching Python."""
from __future__ import annotations

import math

import pytest
import regex

from extractors import rules, rules_data
from extractors.recognize import lexicon as entities
from extractors.recognize import numbers, periods
from extractors.text import normalize


def _sentence(text: str) -> numbers.Masked:
    norm = normalize.normalize(text)
    return numbers.mask(norm.text, numbers.find(norm.text))


def _values(text: str, rule_id: str | None = None) -> list[float]:
    masked = _sentence(text)
    hits = rules.match(masked.text, 0, len(masked.text), set(), only=rule_id)
    return [masked.mentions[masked.mention_at(h.position)].value * h.sign for h in hits]


def _cases(name: str, key: str):
    cfg = rules_data.load(name)
    return [pytest.param(r, id=r["id"]) for r in cfg[key]]


METRIC_RULES = rules_data.load("metric_rules")["rules"]


@pytest.mark.parametrize("rule", [pytest.param(r, id=r["id"]) for r in METRIC_RULES])
def test_metric_rule_examples(rule):
    assert rule.get("match"), f"rule {rule['id']} has no positive example"
    for sentence, expected in rule["match"]:
        got = _values(sentence, rule["id"])
        assert len(got) == len(expected) and all(math.isclose(a, b) for a, b in zip(got, expected)), (sentence, got)
    for sentence in rule.get("no_match", []):
        assert _values(sentence, rule["id"]) == [], sentence


def test_metric_rule_ids_are_unique_and_metrics_known():
    ids = [r["id"] for r in METRIC_RULES]
    assert len(ids) == len(set(ids))
    for r in METRIC_RULES:
        assert r["id"].split(".")[0] == r["metric"], r["id"]


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


NORMALIZE = rules_data.load("normalize")


@pytest.mark.parametrize("rule", _cases("normalize", "drop_line") + _cases("normalize", "cut_from"))
def test_line_rule_examples(rule):
    pattern = regex.compile(rule["pattern"])
    for line in rule["match"]:
        assert pattern.match(line), line
    for line in rule["no_match"]:
        assert not pattern.match(line), line


def test_pinyin_rule_examples():
    rule = NORMALIZE["pinyin"]
    for text in rule["match"]:
        assert "(" not in normalize.normalize(text).text, text
    for text in rule["no_match"]:
        assert normalize.normalize(text).text.count("(") == text.count("(") + text.count("（"), text


@pytest.mark.parametrize("rule", _cases("normalize", "mojibake"))
def test_mojibake_examples(rule):
    for text in rule["match"]:
        out = normalize.normalize(text).text
        assert rule["damaged"] not in out and normalize._char_fold(rule["repaired"]) in out


@pytest.mark.parametrize("example", rules_data.load("entities")["examples"])
def test_entity_examples(example):
    sentence, expected_entities, expected_product, metric = (example + [None])[:4]
    masked = _sentence(sentence)
    pos = masked.positions[-1]
    start = masked.text.rfind("。", 0, pos) + 1  # the number's own sentence
    ents, product, _ = entities.attribute(masked.text, start, len(masked.text), pos, pos + 1, None,
                                          entities.index(entities.find(masked.text)), metric)
    assert (ents, product) == (expected_entities, expected_product)
