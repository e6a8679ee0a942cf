"""The words are data: no Chinese written out in a string of the extractors' Python code, outside
docstrings (a code point bound such as "\\u4e00" is no word). A rule that needs a word reads it from
extractors/rules/*.yaml, where its examples are tested."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
SOURCES = sorted((ROOT / "extractors").rglob("*.py"))


def _words(source: str) -> list[tuple[int, str]]:
    """(line, literal as written) of every string that spells out a Chinese character."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings \
                and CJK.search(node.value):
            written = ast.get_source_segment(source, node) or ""  # an f-string's parts: the whole f-string
            if CJK.search(written):
                out.add((node.lineno, written))
    return sorted(out)


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_no_chinese_words_in_python(path):
    assert _words(path.read_text(encoding="utf-8")) == []


NATIVE = sorted(p for p in (ROOT / "extractors" / "native").glob("*.p[xy][dx]"))


@pytest.mark.parametrize("path", NATIVE, ids=[str(p.relative_to(ROOT)) for p in NATIVE])
def test_no_chinese_in_the_native_kernels(path):
    """The kernels are engines the rules configure: not even a comment spells out a word."""
    assert [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if CJK.search(line)] == []


@pytest.mark.parametrize("source,found", [
    ('x = "营收"\n', 1),
    ('x = f"(?:{a}|营收)"\n', 1),
    ('def f():\n    """营收: a docstring."""\n', 0),
    ('x = "\\u4e00" <= c\n', 0),
    ('# 营收 in a comment\nx = 1\n', 0),
])
def test_the_check(source, found):
    assert len(_words(source)) == found
