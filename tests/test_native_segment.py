"""The native segmenter (extractors/native/segment.pyx) gives what tokens.py's Python code gives, object for
object and field for field: paragraphs, sentences (headings, clauses, openers), merge, assign, and the Sentence
helpers by_kind, before and last_before; on the inputs the pipeline hands the segmenter for the bundled,
held-out and dev-set articles, the synthetic bench corpus and the hostile corpus, on a table of edge cases
(digits only the regex module knows, blank and wrapped lines, runs of spaces and brackets, lone surrogates),
on Hypothesis-made text, with every pattern on the regex module (CLOUDCLAIMS_PATTERNS=regex), and where the
kernel hands a call back; and the rows of the pipeline are those it gives without the kernels.

Skipped when the kernels are not built, unless CLOUDCLAIMS_REQUIRE_COMPILED=1 (CI)."""
from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import native, pipeline, rules_data, tokens
from tests import row_dump
from tests.native_kernels import require_kernel
from tests.text_strategies import texts

require_kernel("segment")
segment = native.kernel("segment")
FIELDS = segment.TOKEN_FIELDS


@contextlib.contextmanager
def _python():
    """tokens.py's own code: no kernel, for the segmenter nor the helpers."""
    with mock.patch.object(tokens, "_native", lambda: None), mock.patch.object(tokens, "_KERNEL", None):
        yield


def _token(t) -> tuple:
    return tuple(getattr(t, f) for f in FIELDS)


def _sentence(s) -> dict:
    return {k: ([_token(t) for t in v] if k == "tokens" else v) for k, v in vars(s).items() if k != "_by_kind"}


def _capture(files) -> list[dict]:
    """What the pipeline hands the segmenter for each document: text, paragraphs, kept paragraphs, token streams."""
    recs, cur = [], {}
    sentences, merge, assign = tokens.sentences, tokens.merge, tokens.assign

    def keep_sentences(text, paras=None, keep=None):
        cur.update(text=text, paras=paras, keep=keep)
        return sentences(text, paras, keep)

    def keep_merge(*streams):
        cur["streams"] = [[(t.kind, t.start, t.end, t.id, t.ref) for t in s] for s in streams]
        return merge(*streams)

    def keep_assign(text, sents, toks):
        recs.append(dict(cur))
        return assign(text, sents, toks)

    with mock.patch.object(tokens, "sentences", keep_sentences), mock.patch.object(tokens, "merge", keep_merge), \
            mock.patch.object(tokens, "assign", keep_assign):
        for f in files:
            pipeline.process_path(Path(f))
    return recs


def _segment(rec: dict) -> tuple:
    """Everything the segmenter gives for one document, as plain data (fresh tokens each time)."""
    text = rec["text"]
    streams = [[tokens.Token(k, a, b, i, ref=r) for k, a, b, i, r in s] for s in rec["streams"]]
    paras = tokens.paragraphs(text)
    sents = tokens.sentences(text, paras, rec["keep"])
    every = tokens.sentences(text)
    merged = tokens.merge(*streams)
    tokens.assign(text, sents, merged)
    helpers = []
    for s in sents:
        helpers.append(s.by_kind)
        for i in (*range(-1, len(s.tokens) + 2), 10**30, True):
            helpers.append([_token(t) for t in s.before(i, "num", "metric")])
            helpers.append([_token(t) for t in s.before(i, "period")])
            last = s.last_before(i, "metric")
            helpers.append(last and _token(last))
    return (paras, [_sentence(s) for s in sents], [_sentence(s) for s in every], [_token(t) for t in merged],
            helpers)


def _agree(recs: list[dict]) -> int:
    seg = tokens._native()
    assert seg is not None
    before = seg.fallbacks
    fast = [_segment(r) for r in recs]
    handed_back = seg.fallbacks - before
    with _python():
        reference = [_segment(r) for r in recs]
    for r, a, b in zip(recs, fast, reference):
        assert a == b, r["text"][:200]
    return handed_back


def _text_only(text: str) -> None:
    """paragraphs and sentences of any text, the kernel's and the Python code's."""
    seg = tokens._native()
    paras = seg.paragraphs(text)
    got = (paras, [_sentence(s) for s in seg.sentences(text)], [_sentence(s) for s in seg.sentences(text, paras, {0, 2})])
    with _python():
        paras = tokens.paragraphs(text)
        want = (paras, [_sentence(s) for s in tokens.sentences(text)],
                [_sentence(s) for s in tokens.sentences(text, paras, {0, 2})])
    assert got == want, text[:200]


def test_the_functions_use_the_kernel():
    text = "阿里云营收增长6%。腾讯云增长5%"
    seg = tokens._native()
    assert seg is not None and tokens._KERNEL is segment
    assert tokens.paragraphs(text) == seg.paragraphs(text) == [(0, len(text))]
    assert [(s.start, s.end) for s in tokens.sentences(text)] == [(0, 9), (10, 17)]


def test_the_articles_give_what_the_python_code_gives():
    recs = _capture(row_dump.corpus())
    assert len(recs) > 80 and sum(len(s) for r in recs for s in r["streams"]) > 5000
    assert _agree(recs) == 0  # and the kernel did it all


def test_the_bench_and_hostile_corpora_give_what_the_python_code_gives(tmp_path):
    subprocess.run([sys.executable, str(row_dump.ROOT / "bench" / "corpus.py"), str(tmp_path / "bench"), "-n", "150"],
                   check=True, capture_output=True)
    recs = _capture(sorted(str(p) for p in (tmp_path / "bench").rglob("*.*")))
    assert len(recs) >= 150
    assert _agree(recs) == 0
    (tmp_path / "hostile").mkdir()
    recs = _capture(row_dump.hostile_files(tmp_path / "hostile"))
    assert len(recs) > 5
    _agree(recs)


def test_the_segmenter_examples():
    for text, expected in rules_data.load("segmenter")["examples"]:
        assert [text[s.start : s.end] for s in tokens.sentences(text)] == expected
        _text_only(text)


KAWI = "".join(chr(0x11F50 + k) for k in range(10))  # digits of Unicode 15: the regex module's \d, not re's
EDGE = [
    "", "\n", "\n\n\n", " \t\u3000\n", "a", "。", "。。。", "[1]", "收入\ue001[1][22] - 云业务", "收入[" + KAWI[:2] + "]。后",
    "收入[" + KAWI[:4] + "]后", "同比 - " + KAWI[3] + "%", "同比 - \ue001", "同比 -\ue001", "Non - GAAP 利润", "a  - b",
    "a " + " " * 50_000 + "- b", "\t●要点 • 二 ▪三◆四■五", "●", "  ● ", "收入(06808)增长,(NYSE:BABA)", "(" * 3000 + "阿里云" + ")" * 3000,
    "一、云智能\n二、电商\n（一）收入\n【点评】好", "阿里云营收317.42亿元,同比增长\n\ue001\n(创近期新高);",
    "这一趋势在过去两个季度表现明显并将持续下去这一趋势在过去两个季度表现明显并\n持续下去。",
    "要点如下:\n- 收入\ue002\n- 增长\ue001", "1、收入\n2.增长\n3)利润\n12、a\n123、b\n(1)c\n（2）d", "1.5亿\n2.5亿",
    "标题\n\n正文第一段。\n\n第二段,\n接着写", "行一，\n行二、\n行三(\n行四（\n行五", "收入\r\n增长\r\n", "a\u2028b\u0085c\x1cd\x1fe",
    "\ud800收入\udfff。增长", "增长\U0001f600。\U0001d7d8", "表格 | 列 | 列 ||", "A——B──C：D:E，F,G（H）I", "收入  增长\t\t利润",
    "；；；;", "!?！？", "第一句。\n第二句!\n\n第三句?", "x" * 40 + "\n" + "y" * 41, "句" * 41 + "\n" + "句" * 40,
]


@pytest.mark.parametrize("text", EDGE, ids=[repr(t[:24]) for t in EDGE])
def test_edge_cases_give_what_the_python_code_gives(text):
    _text_only(text)
    _text_only(text.replace("\n", "\n\n"))
    masked = "".join(chr(0xE001 + k % 7) if ch.isdigit() else ch for k, ch in enumerate(text))
    _text_only(masked)
    if not any("\ud800" <= ch <= "\udfff" for ch in text):  # a file's text holds no lone surrogate
        _agree(_capture_text(text))


def _capture_text(text: str) -> list[dict]:
    recs = []
    original = tokens.assign

    def keep(t, sents, toks):
        recs.append({"text": t, "keep": None, "streams": [[(x.kind, x.start, x.end, x.id, x.ref) for x in toks]]})
        return original(t, sents, toks)

    with mock.patch.object(tokens, "assign", keep):
        pipeline.extract_text(text)
    return recs


def test_digits_only_the_regex_module_reads_end_a_citation():
    """sentence_end runs on the regex module (tokens._cfg), whose \\d holds Unicode 15's Kawi digits; the
    kernel's PCRE2 (Unicode 14) is given them by name."""
    text = "收入[" + KAWI[:2] + "]增长"
    assert tokens._cfg()["sentence"].search(text) and not tokens.rx_engine.compile(r"\[\d{1,3}\]").search(text)
    assert [(s.start, s.end) for s in tokens.sentences(text)] == [(0, 2), (6, 8)]


FIRST = [
    (r"[，,]|——|[ \t]{2,}", ",,\t ——，"),
    (r"(?<![ \t])[●•]|(?:\[\d{1,3}\])+", "[●•"),
    (r"x(?=y)|(?:ab|c)+d?", "acx"),
    (r"\bq|^r|$s", "qrs"),
    (r"[^a]", None), (r"\d", None), (r".", None), (r"a?", None), (r"(?:a|b*)", None), (r"(?i)a", None), (r"(a)\1", "a"),
    (r"()\1a", None), (r"(?=a)", None),
]


@pytest.mark.parametrize("pattern,first", FIRST, ids=[p for p, _ in FIRST])
def test_the_first_characters_of_a_pattern(pattern, first):
    """Where every match starts with one of a few characters, the kernel scans for them (PCRE2 tries the whole
    pattern at every character above U+00FF)."""
    runs = segment._first_chars(pattern, 0)
    assert (None if runs is None else {chr(c) for a, b in runs for c in range(a, b + 1)}) == \
        (None if first is None else set(first))


def _regex_cfg() -> dict:
    c = rules_data.load("segmenter")
    cfg = dict(tokens._cfg())
    for key, name in (("sentence", "sentence_end"), ("clause", "clause_break"), ("closed", "line_closed"),
                      ("continues", "line_continues"), ("item", "list_item"), ("item_end", "item_end"),
                      ("aside", "code_aside"), ("section", "section_mark")):
        cfg[key] = regex.compile(c[name])
    return cfg


def test_every_pattern_on_the_regex_module_gives_what_the_python_code_gives():
    """CLOUDCLAIMS_PATTERNS=regex: every pattern reads \\d as the regex module does."""
    cfg = _regex_cfg()
    seg = segment.Segmenter(cfg, tokens.Sentence, tokens.Token, tokens._SOFT_ENDS)
    with mock.patch.object(tokens, "_cfg", lambda: cfg), mock.patch.object(tokens, "_native", lambda: seg):
        for text in EDGE + [KAWI[:2] + "、收入\n" + KAWI[4] + "增长", "收入\n" + KAWI[4] + "增长"]:
            _text_only(text)
        _agree(_capture(row_dump.corpus()[:30]))
    assert seg.fallbacks == 0


def test_what_the_kernel_hands_back_the_python_code_does():
    seg = tokens._native()
    text = "阿里云营收增长6%。腾讯云增长5%"
    sents = tokens.sentences(text)
    toks = [tokens.Token("entity", 0, 3), tokens.Token("num", 7, 8)]
    n = seg.fallbacks
    assert seg.sentences(text, [(0, len(text) + 5)]) is None  # a paragraph beyond the text
    assert seg.merge(([tokens.Token("num", 0.5, 1)],)) is None  # an offset that is no int
    assert seg.merge(([tokens.Token("num", -5, -4)],)) is None  # out[-1] of an empty list: Python's IndexError
    assert seg.assign(text, sents, [*toks, "not a token"]) is False
    assert seg.assign(text, sents, toks) is True
    assert seg.assign(text, sents, toks) is False  # assigned before: clauses already there
    assert seg.fallbacks == n + 5
    with pytest.raises(IndexError):
        tokens.merge([tokens.Token("num", -5, -4)])
    with _python():
        fresh, again = tokens.sentences(text), [tokens.Token("entity", 0, 3), tokens.Token("num", 7, 8)]
        tokens.assign(text, fresh, again)
        tokens.assign(text, fresh, again)
    tokens.assign(text, sents, toks)  # the Python code, since the kernel hands it back
    assert [_sentence(s) for s in sents] == [_sentence(s) for s in fresh]


def test_classes_the_kernel_does_not_make_are_refused():
    from dataclasses import dataclass

    @dataclass
    class Other:
        start: int
        end: int

    with pytest.raises(ValueError):
        segment.Segmenter(tokens._cfg(), Other, tokens.Token, tokens._SOFT_ENDS)
    with pytest.raises(ValueError):
        segment.Segmenter(tokens._cfg(), tokens.Sentence, Other, tokens._SOFT_ENDS)


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(texts, st.sampled_from(EDGE[:40]), st.sampled_from(["\n", "\n\n", "。", " - ", "  ", "，"])),
                max_size=14).map("".join))
def test_generated_texts_give_what_the_python_code_gives(text):
    _text_only(text)
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        _agree(_capture_text("阿里云营收增长6%。" + text + "\n" + text))


def test_the_rows_are_those_without_the_kernels(tmp_path):
    subprocess.run([sys.executable, str(row_dump.ROOT / "bench" / "corpus.py"), str(tmp_path / "bench"), "-n", "150"],
                   check=True, capture_output=True)
    (tmp_path / "hostile").mkdir()
    files = row_dump.corpus() + sorted(str(p) for p in (tmp_path / "bench").rglob("*.*")) + \
        row_dump.hostile_files(tmp_path / "hostile")
    fast, reference = row_dump.rows(files), row_dump.rows(files, native="0")
    assert "tokens" in fast["compiled"]
    assert fast["files"] == reference["files"]
    assert sum(len(v) - 1 for v in fast["files"].values()) > 300
