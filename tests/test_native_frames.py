"""The native frames kernel (extractors/native/frames.pyx) gives the claims grammar._match gives, claim for claim,
field for field and token for token (the very Token objects), with `only=` for every frame too: on the sentences
the pipeline hands grammar.match for the bundled, held-out and dev-set articles, the synthetic bench corpus, the
hostile corpus and Hypothesis-made text; on Hypothesis-made sentences of tokens of every kind the frames read
(which reach every frame, lists, asides, translations); with every frame on the regex module (the kernel's fallback
when PCRE2 cannot take a pattern); and the rows of the pipeline are those it gives without the kernels.

Skipped when the kernels are not built, unless CLOUDCLAIMS_REQUIRE_COMPILED=1 (CI)."""
from __future__ import annotations

import dataclasses
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import grammar, native, pipeline, rules_data
from extractors.recognize import numbers
from extractors.tokens import Sentence, Token
from tests import row_dump
from tests.native_kernels import require_kernel
from tests.text_strategies import texts

require_kernel("frames")
KERNEL = grammar._kernel()


def _key(c: grammar.Claim) -> tuple:
    """A claim's fields, its tokens by identity, and the types of its flags (1 is not True here)."""
    return (c.frame, id(c.number), c.role, id(c.metric_token), c.metric_id, id(c.sign_token),
            type(c.as_written), c.as_written, type(c.in_list), c.in_list, type(c.list_len), c.list_len,
            type(c.respectively), c.respectively, c.list_qualifier)


def _agree(sent: Sentence, text: str, kernel=KERNEL, only: str | None = None) -> int:
    reference = grammar._match(sent, text, only)
    fast = kernel.match(sent, text, only)
    assert all(type(c) is grammar.Claim for c in fast)
    assert [_key(c) for c in fast] == [_key(c) for c in reference], text[sent.start : sent.end]
    assert fast == reference
    return len(fast)


def _sentences(files) -> list[tuple[Sentence, str]]:
    """What the pipeline hands grammar.match for each of these files, checked there and then (the resolver
    comes after)."""
    seen = []

    def spy(sent, text, only=None):
        assert KERNEL.codes(sent) == grammar.codes(sent, text)[0]
        _agree(sent, text)
        seen.append((sent, text))
        return grammar._match(sent, text, only)

    match = grammar.match
    pipeline.grammar.match = spy
    try:
        for f in files:
            pipeline.process_path(f)
    finally:
        pipeline.grammar.match = match
    return seen


def test_match_uses_the_kernel():
    assert KERNEL is not None and KERNEL.unsupported == []  # every frame pattern runs on PCRE2
    rows = pipeline.extract_text("阿里云营收同比增长34%至398.24亿元。")
    assert [(r["metric"], r["rule_id"]) for r in rows] == [("revenue_growth", "growth.then_amount"),
                                                           ("revenue", "growth.then_amount")]


def test_the_articles_give_the_claims_of_the_python_code():
    seen = _sentences(row_dump.corpus())
    assert len(seen) > 500 and sum(len(grammar._match(s, t)) for s, t in seen) > 800
    for f in grammar.frames():  # only= for every frame
        for s, t in seen[::3]:
            _agree(s, t, only=f.id)


def test_the_bench_and_hostile_corpora_give_the_claims_of_the_python_code(tmp_path):
    subprocess.run([sys.executable, str(row_dump.ROOT / "bench" / "corpus.py"), str(tmp_path / "bench"), "-n", "150"],
                   check=True, capture_output=True)
    assert len(_sentences(sorted((tmp_path / "bench").rglob("*.*")))) > 1000
    (tmp_path / "hostile").mkdir()
    assert len(_sentences(row_dump.hostile_files(tmp_path / "hostile"))) > 10


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(texts, min_size=1, max_size=6))
def test_generated_texts_give_the_claims_of_the_python_code(tmp_path, generated):
    _sentences(row_dump.generated_files(tmp_path, generated))


# ------------------------------------------------------------ sentences of tokens, made up
_MARKET_IDS = sorted(grammar._MARKETS)[:2]
_LEXICON = ([("metric", f) for f in grammar._FAMILY] + [("change", c) for c in grammar._CHANGE] +
            [("growth", "up"), ("growth", "down"), ("market", None), ("period", "q3"), ("subject", "aliyun")] +
            [("entity", e) for e in _MARKET_IDS + ["alibaba"]] + [(k, None) for k in grammar._SIMPLE] +
            [("unknown_kind", None)])
_MENTION_KINDS = [*grammar._NUM, "percent", "money", "ratio"]
_OPENERS = ["", "，", ",", "(", "（", ")", "）", " ( ", "：", "），（", "、 ", "\u3000）"]
_MORE = ["阿里巴巴集团收入2477亿元(约合350亿美元)。", "阿里云营收人民币296亿元（约41亿美元），同比增长6%。",
         "阿里云、华为云和腾讯云的市场份额分别为26%、13%和9%左右。", "阿里云营收增长6%(阿里云)7.9%。",
         "阿里云收入2477亿元(350亿美元的收入)。"]  # a translation's number claimed already: no translation


def _pieces() -> list[tuple[list[tuple], list[str]]]:
    """The sentences of frames.yaml's examples (and a few more) as (kind, id, mention, clause) and openers."""
    out = []

    def spy(sent, text, only=None):
        toks = [(t.kind, t.id, None if t.kind != "num" else (t.ref.kind, t.ref.unit, t.ref.qualifier, t.ref.text,
                                                            t.ref.ignored), t.clause) for t in sent.tokens]
        out.append((toks, list(sent.openers)))
        return grammar._match(sent, text, only)

    match = grammar.match
    pipeline.grammar.match = spy
    try:
        for spec in rules_data.load("frames")["frames"]:
            for s in [m[0] for m in spec.get("match", [])] + spec.get("no_match", []):
                pipeline.extract_text(s)
        for s in _MORE:
            pipeline.extract_text(s)
    finally:
        pipeline.grammar.match = match
    return out


PIECES = _pieces()


def _mention(i: int, kind: str, unit, qualifier: str, text: str, ignored) -> numbers.Mention:
    return numbers.Mention(i, i + 1, 6.0, None, kind, unit, qualifier, text, ignored=ignored)


@st.composite
def _token(draw, i: int) -> Token:
    if draw(st.booleans()):
        m = _mention(i, draw(st.sampled_from(_MENTION_KINDS)), draw(st.sampled_from(["CNY", "USD", None])),
                     draw(st.sampled_from(["exact", "about", "over"])),
                     draw(st.sampled_from(["6%", "+6%", "-6%", "负6%", "6亿元", "6"])),
                     draw(st.sampled_from([None, None, "vague"])))
        return Token("num", 10 * i, 10 * i + 1, ref=m)
    kind, ident = draw(st.sampled_from(_LEXICON))
    return Token(kind, 10 * i, 10 * i + 2, ident)


@st.composite
def _sentence(draw) -> Sentence:
    """Sentences of the examples' tokens, some left out, run together, with tokens of every kind between them
    and breaks of every sort."""
    sent = Sentence(0, 0, 0, openers=[""])
    clause = 0

    def add(t: Token) -> None:
        t.clause, t.i = clause, len(sent.tokens)
        sent.tokens.append(t)

    for piece in draw(st.lists(st.one_of(st.sampled_from(PIECES), st.none()), max_size=4)):
        if sent.tokens and draw(st.booleans()):
            clause += 1
            sent.openers.append(draw(st.sampled_from(_OPENERS)))
        if piece is None:
            for _ in range(draw(st.integers(1, 3))):
                add(draw(_token(len(sent.tokens))))
            continue
        toks, openers = piece
        base = clause
        for kind, ident, m, c in toks:
            while clause < base + c:
                clause += 1
                sent.openers.append(openers[clause - base] if draw(st.integers(0, 4)) else
                                    draw(st.sampled_from(_OPENERS)))
            if draw(st.integers(0, 9)) == 0:
                add(draw(_token(len(sent.tokens))))  # one more
            if draw(st.integers(0, 9)) == 0:
                continue  # left out
            i = len(sent.tokens)
            add(Token(kind, 10 * i, 10 * i + 2, ident, ref=None if m is None else _mention(i, *m)))
    sent.end = 10 * len(sent.tokens) + 10
    return sent


def _found(sent: Sentence) -> list[tuple]:
    """What grammar._match finds before it sorts: each frame's non-empty overlapped matches, in frame order."""
    s, _ = grammar.codes(sent, "")
    return [(order, m.regs) for order, f in grammar._possible(grammar._mask(set(s)))
            for m in f.pattern.finditer(s, overlapped=True) if m.end() > m.start()]


@settings(deadline=None, max_examples=1000)
@given(_sentence())
def test_made_up_sentences_give_the_claims_of_the_python_code(sent):
    assert KERNEL.codes(sent) == grammar.codes(sent, "")[0]
    assert KERNEL.found(sent) == _found(sent)  # overlapped as the regex module overlaps
    _agree(sent, "")


def test_made_up_sentences_reach_every_frame_and_translation():
    """The strategy above is worth its examples: it makes claims of every frame that claims, and translations."""
    made = set()

    @settings(deadline=None, max_examples=1500, database=None, derandomize=True)
    @given(_sentence())
    def collect(sent):
        made.update(c.frame for c in KERNEL.match(sent, ""))

    collect()
    assert {f.id for f in grammar.frames() if f.claims} - made == set()
    assert "amount.translation" in made


def test_a_sentence_of_thousands_of_numbers():
    sent = Sentence(0, 10**6, 0)
    for i in range(3000):
        kind, ident = ("metric", "revenue") if i % 7 == 0 else ("and", None) if i % 3 == 0 else ("num", None)
        ref = numbers.Mention(i, i + 1, 1.0, None, "money" if i % 2 else "percent", "CNY", "exact", "1%")
        t = Token(kind, i, i + 1, ident, ref=ref if kind == "num" else None)
        t.clause, t.i = i // 50, i
        sent.tokens.append(t)
    sent.openers = [""] + ["（" if k % 2 else "，" for k in range(1, 60)]
    assert _agree(sent, "") > 100


# ------------------------------------------------------------ the fallback: frames PCRE2 does not take
class _RegexOnly:
    """A frame pattern under a source PCRE2 is not given (regex-module syntax): the kernel runs the pattern."""

    def __init__(self, pattern):
        self.inner, self.pattern = pattern, "(?p)" + pattern.pattern

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_frames_pcre2_does_not_take_run_on_the_regex_module():
    frames = [dataclasses.replace(f, pattern=_RegexOnly(f.pattern)) if k % 2 else f
              for k, f in enumerate(grammar.frames())]
    kernel = native.kernel("frames").Frames(frames, grammar.Claim, grammar._NUM, grammar._FAMILY, grammar._CHANGE,
                                            grammar._SIMPLE, grammar._MARKETS, numbers._cfg()["signs"])
    assert [i for i, _ in kernel.unsupported] == [f.id for k, f in enumerate(grammar.frames()) if k % 2]
    seen = []
    spy_match = grammar.match

    def spy(sent, text, only=None):
        _agree(sent, text, kernel)
        seen.append(1)
        return grammar._match(sent, text, only)

    pipeline.grammar.match = spy
    try:
        for f in row_dump.corpus():
            pipeline.process_path(f)
    finally:
        pipeline.grammar.match = spy_match
    assert len(seen) > 500


def test_the_rows_are_those_without_the_kernels(tmp_path):
    subprocess.run([sys.executable, str(row_dump.ROOT / "bench" / "corpus.py"), str(tmp_path), "-n", "150"],
                   check=True, capture_output=True)
    files = row_dump.corpus() + sorted(str(p) for p in tmp_path.rglob("*.*"))
    fast, reference = row_dump.rows(files), row_dump.rows(files, native="0")
    assert "frames" in fast["native"] and "frames" not in reference["native"]
    assert fast["files"] == reference["files"]
