"""Pathological text cannot hang extraction (issue 4).

1. Every regex call in the stages listed in TIMED passes the regex module's `timeout=` (normalize.TIMEOUT).
2. Documents crafted to make our patterns backtrack (long runs of digits, 百分之, 亿, separators, spaces,
   brackets) go through a batch: each is either extracted or reported as timed out, and an ordinary
   document in the same batch still gives its claim.
3. None of our own patterns is known to blow up, so the timeout path itself is shown with a pathological
   rule patched into normalize.yaml ((a|aa)+$, exponential in the regex module): that document is
   reported as timed out, by file name, and the rest of the batch goes on.
No test here measures time.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from extractors import rules_data
from extractors.recognize import numbers
from extractors.run import batch, cli
from extractors.text import normalize

ROOT = Path(__file__).resolve().parents[1]
TIMED = ["extractors/recognize/numbers.py", "extractors/text/normalize.py"]  # stages whose every regex call is checked
REGEX_METHODS = {"search", "match", "fullmatch", "finditer", "findall", "sub", "subn"}  # str has none of these


def _untimed_calls(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in REGEX_METHODS
                and not any(k.arg == "timeout" for k in node.keywords)):
            out.append(f"{path.name}:{node.lineno} .{node.func.attr}(...)")
    return out


@pytest.mark.parametrize("module", TIMED)
def test_every_regex_call_has_a_timeout(module):
    assert _untimed_calls(ROOT / module) == []


GOOD = "阿里云本季度营收同比增长6%。\n"

CRAFTED = [  # (file name, text): each built to make some pattern try many ways before failing
    ("digits.txt", "1" * 50_000 + "x"),
    ("digits_then_unit.txt", "9" * 5_000 + "亿元"),
    ("spaces_after_number.txt", "1" + " " * 50_000 + "x"),
    ("thousands_separators.txt", "1" + ",000" * 20_000 + "."),
    ("commas_and_digits.txt", ",1" * 30_000),
    ("decimal_points.txt", "1." * 30_000),
    ("per_hundred.txt", "百分之" * 20_000),
    ("per_hundred_digits.txt", "百分之1" * 20_000),
    ("yi.txt", "亿" * 50_000),
    ("digits_yi.txt", "1亿" * 30_000),
    ("chinese_numerals.txt", "一千零一万零" * 10_000),
    ("zeros.txt", "零" * 50_000),
    ("brackets.txt", "(" * 30_000 + ")" * 30_000),
    ("pinyin_brackets.txt", "號(hào)" * 20_000),
    ("unclosed_pinyin.txt", "號(" + "a" * 50_000),
    ("percent_ranges.txt", "1%-" * 30_000),
    ("dashes.txt", "1-" * 30_000),
    ("token_units.txt", "每百万tokens" * 5_000),
    ("cheng.txt", "一成" * 20_000),
    ("signs.txt", "-" * 50_000 + "1%"),
    # one line of 1,000 claims; at 20,000 the later stages take minutes (per-claim work there, not a regex)
    ("one_long_line.txt", "阿里云营收增长6%," * 1_000),
    ("many_similar_paragraphs.txt", "".join(f"阿里云本季度营收同比增长了{i}%\n" for i in range(5_000))),
]


def _write(folder: Path, files: list[tuple[str, str]]) -> list[Path]:
    paths = []
    for name, text in files:
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    return paths


def test_crafted_documents_are_extracted_or_reported_and_the_batch_goes_on(tmp_path):
    paths = _write(tmp_path, [("a_good.txt", GOOD)] + CRAFTED + [("z_good.txt", GOOD)])
    claims, docs = batch.extract(paths, jobs=1, cache_dir=None)
    errors = dict(zip(docs["doc_path"], docs["error"]))
    assert set(errors) == {str(p) for p in paths}
    assert all(e is None or e.startswith("timed out") for e in errors.values()), errors
    for good in ("a_good.txt", "z_good.txt"):
        rows = claims.filter(claims["doc_path"] == str(tmp_path / good))
        assert rows.select("metric", "value").rows() == [("revenue_growth", 6.0)]


@pytest.mark.parametrize("name,text", CRAFTED, ids=[n for n, _ in CRAFTED])
def test_crafted_text_through_the_stages(name, text):
    """normalize, find and mask either finish with sane mentions or raise the regex module's TimeoutError."""
    try:
        norm = normalize.normalize(text)
        mentions = numbers.find(norm.text)
        numbers.mask(norm.text, mentions)
    except TimeoutError:
        return
    for m in mentions:
        s, e = norm.offsets.span(m.start, m.end)
        assert 0 <= s < e <= len(text)


@pytest.fixture
def exploding_rule(monkeypatch):
    """normalize.yaml with one more drop_line rule that backtracks exponentially on a long run of 'a'."""
    real = rules_data.load

    def load(name):
        cfg = real(name)
        if name != "normalize":
            return cfg
        bad = {"id": "exploding", "pattern": "(a|aa)+$", "match": [], "no_match": []}
        return {**cfg, "drop_line": cfg["drop_line"] + [bad]}

    monkeypatch.setattr(rules_data, "load", load)
    monkeypatch.setattr(normalize, "TIMEOUT", 0.25)  # the budget, kept short so the test is quick
    normalize._compiled.cache_clear()
    yield
    normalize._compiled.cache_clear()


def test_a_pattern_that_times_out_marks_its_document_and_the_batch_goes_on(tmp_path, exploding_rule):
    paths = _write(tmp_path, [
        ("a_good.txt", GOOD),
        ("bad name with spaces.txt", "阿里云营收增长6%\n" + "a" * 80 + "!\n"),
        ("z_good.txt", GOOD),
    ])
    summary = batch.Summary()
    claims, docs = batch.extract(paths, jobs=1, cache_dir=None, summary=summary)
    errors = dict(zip(docs["doc_path"], docs["error"]))
    bad = str(paths[1])
    assert errors[bad].startswith("timed out")
    assert errors[str(paths[0])] is None and errors[str(paths[2])] is None
    assert sorted(claims["doc_path"].to_list()) == [str(paths[0]), str(paths[2])]
    # the CLI's summary names the file and the reason
    assert f"  {bad}: {errors[bad]}" in cli.summary_lines(summary, None)
