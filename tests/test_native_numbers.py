"""The native number finder (extractors/native/numbers.pyx) gives the mentions numbers.find's Python code gives,
one for one and field for field (values bit for bit), on the bundled, held-out and dev-set articles, the
synthetic bench corpus, the hostile corpus, a table of edge cases (each branch of _read, the values that leave
64-bit arithmetic, links, qualifiers, other currencies) and Hypothesis-made text; and the rows of the pipeline
are those it gives without the kernels (CLOUDCLAIMS_NATIVE=0).

Skipped when the kernels are not built, unless CLOUDCLAIMS_REQUIRE_COMPILED=1 (CI)."""
from __future__ import annotations

import subprocess
import sys
from dataclasses import astuple
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors import native
from extractors.recognize import numbers
from extractors.text import documents, normalize
from tests import row_dump
from tests.native_kernels import require_kernel
from tests.test_numbers import ALL_TEXTS
from tests.text_strategies import texts

require_kernel("numbers")


def _finder(to_number=numbers.to_number):
    return native.kernel("numbers").Finder(numbers._cfg(), numbers.Mention, to_number, numbers.TAIL,
                                           numbers.CLAUSE_STOPS, numbers.FIRST_PLACEHOLDER + numbers.LAST_PLACEHOLDER)


FINDER = _finder()


def _fields(mentions) -> list[str]:
    return [repr(astuple(m)) for m in mentions]  # repr: -0.0 is not 0.0


def _python(text: str) -> list[str]:
    with mock.patch.object(numbers, "_native", lambda: None):
        return _fields(numbers.find(text))


def _agree(text: str) -> int:
    fast = _fields(FINDER.find(text))
    assert fast == _python(text), text[:200]
    return len(fast)


def _normalized(files) -> list[str]:
    out = []
    for f in files:
        doc = documents.read_document(Path(f), None)
        if doc.error is None:
            out.append(normalize.normalize(doc.raw, doc.body_start).text)
    return out


def test_find_uses_the_kernel():
    assert numbers._native() is not None
    text = normalize.normalize("阿里云营收增长6%,收入为人民币296.10亿元").text
    assert _fields(numbers.find(text)) == _fields(FINDER.find(text)) == _python(text)
    assert len(numbers.find(text)) == 2


def test_the_articles_give_the_mentions_of_the_python_code():
    texts_ = _normalized(row_dump.corpus())
    assert sum(_agree(t) for t in texts_) > 1000


def test_the_bench_and_hostile_corpora_give_the_mentions_of_the_python_code(tmp_path):
    subprocess.run([sys.executable, str(row_dump.ROOT / "bench" / "corpus.py"), str(tmp_path / "bench"), "-n", "150"],
                   check=True, capture_output=True)
    assert sum(_agree(t) for t in _normalized(sorted(str(p) for p in (tmp_path / "bench").rglob("*.*")))) > 1000
    (tmp_path / "hostile").mkdir()
    hostile = _normalized(row_dump.hostile_files(tmp_path / "hostile"))
    assert len(hostile) > 5
    for t in hostile:
        _agree(t)


EDGE = [
    "", "6%", "%", "亿", "百分之", "负百分之三", "增长-0%", "增长负0%", "增长+6%", "下降−2.5%", "增长٣٠%", "增长١٢٫٥%",
    "营收1,063.5亿元", "营收1,063,000.25万元", "营收1.2.3亿元", "营收12,34亿元",
    "营收" + "9" * 30 + "万元", "营收" + "9" * 17 + "元", "营收" + "9" * 400 + "亿元", "1" * 20_000 + "亿元",
    "营收" + "1" * 70 + ".5%", "营收0." + "1" * 70 + "%",
    "营收九千九百九十九万九千九百九十九亿九千九百九十九万九千九百九十九元",
    "营收9999千9999百9999十9999万9999亿9999千9999百9999万9999元", "营收9999亿9999万元",
    "营收9999千9999百9999十九万9999千9999百9999十九亿元", "营收九千九百九十九万亿元", "营收五亿零六元",
    "营收一千三", "营收一万三元", "营收25万6千元", "营收3万4000元", "营收二三十亿美元", "营收三五百万元", "营收两两万元",
    "营收零点五亿元", "营收零零点零五亿元", "营收〇点〇〇一%", "营收三点一四一五九二六五三五八九七九三二三八四六二六亿元",
    "营收100亿至120亿元", "估值15-20亿美元", "成本三十至五十万元", "2023-2024年", "营收20亿至10亿元",
    "营收1万至2万亿元", "营收1至2万亿元", "营收100 亿 至 120 亿元", "营收15~20美元",
    "降价15%至50%", "降价15-50%", "降价15 % 到 50 %", "提升3.2个百分点", "下滑两个百分点",
    "超过三成", "近九成企业", "占比七成六", "降低两成半", "统一成本", "这一成果", "第三成员", "十成把握", "11成",
    "每百万tokens输入价格低至0.5元", "0.0005元/千tokens", "¥0.0008/千tokens", "$0.5/千tokens",
    "每千tokens 2美元", "每百万Token 2元", "百万token调用花费降到了3毛钱", "1M tokens 仅需3元",
    "输入价格为0.005元/1,000 tokens", "价格为¥ 2/百万Token", "¥5元", "$5元", "¥5美元", "US$5美元",
    "RMB 100亿", "RMB247.7bn", "US$ 3.5亿", "营收$12亿", "HK$12亿", "人民币10亿元", "人民币约10亿元",
    "3毛钱", "1亿毛钱", "五角大楼", "毛利率3毛", "两万多人", "30多万家企业", "4000万次", "7个季度", "100次", "10万万次",
    "两万多", "千亿", "已突破千亿", "百亿级云服务商", "数十亿美元", "几百亿元", "好几千万元", "跌破30%关口",
    "800亿美元", "850亿美元", "百亿美元", "约800亿美元", "800亿至900亿美元", "1,000亿元", "1000.0亿元",
    "新台币6,259亿元", "新台币约1250亿元", "新台币 约 1250亿元", "100亿港元", "100亿  港元", "100亿" + " " * 11 + "港元",
    "千万不要", "千万别忘", "零一万物", "五百分之二", "GPT-4级", "Qwen-2.5", "通义千问2.5版本",
    "https://x.cn/?q=30%25&n=100亿元 营收增长6%", "www.x.cn/100亿元", "见https://a.b/6%与7%",
    "平均降价超20%", "最高降幅达85%", "价格低至0.5元/百万tokens", "不低于70亿元", "增长不到5%", "增长了6%以上",
    "收入约为27.06亿美元", "增长10%左右", "增长近了达10%", "约合人民币10亿元", "超。6%", "约3 6%",
    "约\ue0016%", "增速3%,约6%", "平均\n6%", "营收两亿三季度又增长",
    "\ud800增长6%\udfff", "增长\U0001d7d86%", "６％", "营收\u3000６％", "增长6%\r\n利润增长8%",
]


@pytest.mark.parametrize("text", EDGE, ids=[t[:24] for t in EDGE])
def test_edge_cases_give_the_mentions_of_the_python_code(text):
    _agree(text)
    if not any("\ud800" <= ch <= "\udfff" for ch in text):  # normalize takes no lone surrogate
        _agree(normalize.normalize(text).text)


@pytest.mark.parametrize("text", ALL_TEXTS, ids=[t[:20] for t in ALL_TEXTS])
def test_the_number_tables_give_the_mentions_of_the_python_code(text):
    _agree(normalize.normalize(text).text)


BIG = ["营收9999千9999百9999十九万9999千9999百9999十九亿元",
       "营收9999千9999百9999十九万9999千9999百9999十九亿9999千9999百9999十九万9999千9999百9999十九元", "营收" + "9" * 400 + "亿元",
       "营收" + "1" * 70 + ".5%"]


@pytest.mark.parametrize("text", BIG, ids=[t[:24] for t in BIG])
def test_values_beyond_64_bits_are_read_by_the_python_code(text):
    """Where a value's arithmetic leaves 64-bit integers or a short decimal buffer, numbers.to_number reads it."""
    calls = []

    def to_number(s):
        calls.append(s)
        return numbers.to_number(s)

    assert _fields(_finder(to_number).find(text)) == _python(text)
    assert calls


def test_a_text_the_kernel_gives_up_on_is_read_by_the_python_code():
    class GivesUp:
        def find(self, text):
            raise RuntimeError("PCRE2 error -46")

    text = "阿里云营收增长6%,收入为人民币296.10亿元"
    with mock.patch.object(numbers, "_native", lambda: GivesUp()):
        assert _fields(numbers.find(text)) == _python(text)


@settings(deadline=None, max_examples=400)
@given(st.lists(texts, max_size=12).map("".join))
def test_generated_texts_give_the_mentions_of_the_python_code(text):
    _agree(text)
    _agree(normalize.normalize(text).text)


def test_the_rows_are_those_without_the_kernels():
    files = row_dump.corpus()
    fast, reference = row_dump.rows(files), row_dump.rows(files, native="0")
    assert "recognize.numbers" in fast["compiled"]
    assert fast["files"] == reference["files"]


def _member(classes, ch: str) -> bool:
    tests = {"CATEGORY_DIGIT": str.isdecimal, "CATEGORY_SPACE": str.isspace,
             "CATEGORY_WORD": lambda c: c.isalnum() or c == "_"}
    for negated, ranges, cats in classes:
        inside = any(lo <= ord(ch) <= hi for lo, hi in ranges) or any(
            tests[c.replace("NOT_", "")](ch) != ("NOT_" in c) for c in cats)
        if inside != negated:
            return True
    return False


def test_the_scan_skips_only_where_no_match_starts():
    """Every position where re matches a scanned pattern holds a character first_classes names, and (the
    number-led form) follows none that leading_not_behind names: the kernel skips no match."""
    kernel, cfg = native.kernel("numbers"), numbers._cfg()
    names = ("anchors", "lead_anchors", "url", "lead", "numbered")
    first = {n: kernel.first_classes(cfg[n].pattern) for n in names}
    assert all(first[n] is not None for n in names)
    behind = kernel.leading_not_behind(cfg["numbered"].pattern)
    assert behind is not None
    compiled = {n: numbers._rx(n) if isinstance(cfg[n], numbers.Source) else cfg[n] for n in names}
    seen = dict.fromkeys(names, 0)
    for text in _normalized(row_dump.corpus()[::3]) + [t for t in EDGE if len(t) < 1000]:
        for p in range(len(text)):
            for n in names:
                if compiled[n].match(text, p):
                    seen[n] += 1
                    assert _member(first[n], text[p]), (n, text[p : p + 20])
                    if n == "numbered":
                        assert p == 0 or not _member(behind, text[p - 1]), text[p - 1 : p + 20]
    assert all(seen.values()), seen


@pytest.mark.parametrize("pattern,starts,not_starts", [
    ("a|b+c", "ab", "c"), ("(?:x?)y", "xy", "z"), ("(?<=q)[0-9]", "05", "q"), ("[^a]", "b\u4e00", "a"),
    (r"\d", "1\u0663", "a"), (r"(?=a)\w", "a_", " "), ("(?P<g>a)?(?(g)b|c)", "abc", "d"),
])
def test_first_classes(pattern, starts, not_starts):
    classes = native.kernel("numbers").first_classes(pattern)
    assert all(_member(classes, ch) for ch in starts) and not any(_member(classes, ch) for ch in not_starts)


@pytest.mark.parametrize("pattern", ["", "a*", "(?i)a", ".b", r"(a?)\1x"])
def test_first_classes_gives_up_where_a_match_may_start_anywhere(pattern):
    assert native.kernel("numbers").first_classes(pattern) is None
