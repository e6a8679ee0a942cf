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
from hypothesis import strategies as st

from extractors.recognize import numbers
from extractors.text import normalize

NUMERAL_CHARS = set("零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟")

# Pieces of Chinese financial text, numbers and the damage scraped text carries.
FRAGMENTS = [
    "一", "二", "两", "兩", "三", "五", "十", "百", "千", "万", "萬", "亿", "億", "零", "〇", "壹", "贰", "拾", "佰",
    "点", "點", "%", "％", "百分之", "个百分点", "個百分點", "成", "半", "元", "美元", "亿元", "億美元", "毛钱", "多",
    "余", "左右", "约", "超过", "-", "−", "－", "~", "至", "到", "负", "負", "+", "1", "23", "4.5", "0.02", ",",
    "，", "000", "１", "２", "．", "(", ")", "（", "）", "(yì)", "(hào)", "?duì)I", "\n", "\r\n", " ", "\t",
    "\u3000", "\u00a0", "…", "①", "½", "㎡", "ﬁ", "e\u0301", "\u0301", "\u0308", "阿里云", "阿里雲", "營收",
    "增长", "增長", "从", "降至", "分别", "和", "每百万tokens", "/千tokens", "tokens", "¥", "￥", "US$", "$",
    "https://x.cn/?q=", "关口", "数", "几", "第", "年", "月", "个", "次", "万次", "相关推荐", "展开", "特別聲明",
    "新台币", "港元", "千万", "不要", "零一万物", "五角", "\U0001f600", "\ufeff", "\u200b", "\u2028", "\r",
]
number_text = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)
mixed_text = st.text(
    alphabet=st.one_of(
        st.sampled_from("阿里云雲营營收增长長亿億万萬两兩点點个個百分之元美一二三十千零〇%％，。,.0123456789１２３"),
        st.characters(categories=["Mn", "Mc", "Me"]),  # combining marks
        st.characters(min_codepoint=0x3000, max_codepoint=0x9FFF),  # CJK, kana, full-width punctuation
        st.characters(min_codepoint=0xFF00, max_codepoint=0xFFEF),  # full- and half-width forms
    ),
    max_size=60,
)
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=80)  # surrogate-free, any script
texts = st.one_of(number_text, mixed_text, any_text)


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
