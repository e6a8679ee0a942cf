"""The native line pass of normalization (extractors/native/normalize.pyx) gives what normalize.lines gives:
the text, every piece of the map back to the original and the dropped-line count, on the bundled, held-out and
dev-set articles, the synthetic bench corpus, the hostile corpus, made-up edge cases and Hypothesis-made text.

Skipped when the kernels are not built, unless CLOUDCLAIMS_REQUIRE_COMPILED=1 (CI)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.text import documents, normalize
from tests import row_dump
from tests.native_kernels import require_kernel
from tests.text_strategies import texts

require_kernel("normalize")


def _both(raw: str, start: int = 0):
    body, base, _ = normalize._folded(raw[start:], start)
    origin = 0 if base else start
    kernel, *args = normalize._native()
    return kernel.clean(body, origin, *args), normalize.lines(body, origin)


def _agree_on_files(files) -> int:
    n = 0
    for f in files:
        doc = documents.read_document(Path(f), None)
        if doc.error is None:
            fast, reference = _both(doc.raw, doc.body_start)
            assert fast == reference, f
            n += 1
    return n


def test_the_articles_normalize_as_the_python_pass_does():
    assert _agree_on_files(row_dump.corpus()) > 50


def test_the_bench_and_hostile_corpora_normalize_as_the_python_pass_does(tmp_path):
    subprocess.run([sys.executable, str(row_dump.ROOT / "bench" / "corpus.py"), str(tmp_path / "bench"), "-n", "150"],
                   check=True, capture_output=True)
    assert _agree_on_files(sorted(str(p) for p in (tmp_path / "bench").rglob("*.*"))) >= 150
    (tmp_path / "hostile").mkdir()
    assert _agree_on_files(row_dump.hostile_files(tmp_path / "hostile")) > 5


@pytest.mark.parametrize("raw", [
    "", "\n", "a", "a\n", "\n\n\na", "line one\r\nline two\r\n", "x\r\r\n", "trailing\n\n\n",
    "same paragraph repeated here, long enough\nsame paragraph repeated here, long enough\n",
    "a long line that is repeated later as its head\na long line that is repeated\n",
    "\u3000 \t indented and spaced \u3000\n", "\U0002000b astral\n",
])
def test_edge_cases_normalize_as_the_python_pass_does(raw):
    fast, reference = _both(raw)
    assert fast == reference


@settings(deadline=None, max_examples=200)
@given(st.lists(texts, min_size=1, max_size=6), st.integers(0, 5))
def test_generated_text_normalizes_as_the_python_pass_does(paragraphs, start):
    raw = "\n".join(paragraphs + paragraphs[:2])  # repeats, so the repeated-paragraph check has work
    fast, reference = _both(raw, min(start, len(raw)))
    assert fast == reference
