"""Property tests (hypothesis) for normalize and numbers on arbitrary text.

The offset-map property, precisely: for every mention M that numbers.find reads in normalize(raw).text,
with (s, e) = offsets.span(M.start, M.end),
  * 0 <= s <= e <= len(raw), and
  * the numerals of M.text (Arabic digits and Chinese numeral characters) appear, in order and
    contiguously, among the numerals of fold(raw[s:e]) -- the original span, simplified and NFKC-folded;
    when every character of raw[s:e] folds to exactly one character, the two numeral strings are equal.
So the span shows the number as written: 185.82億(yì)元 for 185.82亿元, ６％ for 6%, ① for 1.
"""
from __future__ import annotations

import math
import unicodedata

from hypothesis import given, settings

from extractors.recognize import numbers
from extractors.text import normalize
from tests.text_strategies import any_text, mixed_text, number_text, texts

NUMERAL_CHARS = set("零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟")



def _numerals(s: str) -> str:
    return "".join(ch for ch in s if ch.isdecimal() or ch in NUMERAL_CHARS)


def _folds_one_for_one(s: str) -> bool:
    return all(len(unicodedata.normalize("NFKC", ch)) == 1 for ch in s) and not any(
        unicodedata.combining(ch) for ch in s)


def _check_offsets(raw: str, start: int = 0) -> None:
    norm = normalize.normalize(raw, start)
    mentions = numbers.find(norm.text)
    for m in mentions:
        s, e = norm.offsets.span(m.start, m.end)
        assert start <= s <= e <= len(raw), (m, s, e)
        written = raw[s:e]
        have, want = _numerals(normalize.fold(written)), _numerals(m.text)
        assert want in have, (m.text, written)
        if _folds_one_for_one(written):
            assert have == want, (m.text, written)
    masked = numbers.mask(norm.text, mentions)
    for p, ch in enumerate(masked.text):
        if masked.mention_at(p) is None:
            assert norm.text[masked.to_normalized(p)] == ch


@settings(deadline=None, max_examples=300)
@given(number_text)
def test_offsets_hold_on_number_fragments(raw):
    _check_offsets(raw)


@settings(deadline=None, max_examples=150)
@given(mixed_text)
def test_offsets_hold_on_mixed_scripts_and_combining_marks(raw):
    _check_offsets(raw)


@settings(deadline=None, max_examples=150)
@given(any_text)
def test_offsets_hold_on_arbitrary_unicode(raw):
    _check_offsets(raw)


@settings(deadline=None, max_examples=100)
@given(texts, texts)
def test_offsets_hold_after_front_matter(front, body):
    _check_offsets(front + body, len(front))


@settings(deadline=None, max_examples=200)
@given(texts)
def test_find_and_parse_value_accept_unnormalized_text(raw):
    for m in numbers.find(raw):  # the finder is also safe on text that skipped normalize
        assert math.isfinite(m.value) and m.start < m.end <= len(raw)
    value = numbers.parse_value(raw)
    assert value is None or math.isfinite(value)


@settings(deadline=None, max_examples=300)
@given(texts)
def test_anchored_scan_equals_full_scan(raw):
    """Looking for numbers only near their anchors (%, 万, 亿, 元...) misses nothing a full scan finds."""
    text = normalize.normalize(raw).text
    full = [(m.start, m.end, m.value, m.kind) for m in numbers.find(text, anchored=False)]
    assert [(m.start, m.end, m.value, m.kind) for m in numbers.find(text)] == full
