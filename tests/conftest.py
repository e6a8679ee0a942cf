"""Shared fixtures: the bundled corpus extracted once per test session."""
from __future__ import annotations

from pathlib import Path

import pytest

from extractors.text.documents import discover

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "data" / "articles"
N_ARTICLES = len(discover([ARTICLES]))  # counts follow the corpus: a sixth article breaks no test about the others


@pytest.fixture(scope="session")
def corpus_tables():
    """(claims, documents) for the bundled corpus, extracted without any cache."""
    from extractors.run import batch

    return batch.extract([ARTICLES], jobs=1, cache_dir=None)
