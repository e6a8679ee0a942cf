"""The gold expectations (tests/test_gold.py) again, on tables that came out of the cache.

The first run fills a fresh cache on two workers; the tables under test are those of the second run, every
document of which is read back from the cache.
"""
from __future__ import annotations

import pytest
from conftest import ARTICLES, N_ARTICLES
from test_gold import (  # noqa: F401  collected again here, with the fixture below
    rows,
    test_documents_carry_metadata_with_origin,
    test_every_span_contains_the_number_as_written,
    test_gold_claim_is_found_with_its_sentence,
    test_no_core_claim_outside_gold,
    test_nothing_from_duplicated_half_or_portal_junk,
)

from extractors.run import batch


@pytest.fixture(scope="module")
def corpus_tables(tmp_path_factory):
    batch.POOL_MIN, pool_min = 1, batch.POOL_MIN  # the first run on two worker processes
    cache_dir = tmp_path_factory.mktemp("cache")
    cold, warm = batch.Summary(), batch.Summary()
    try:
        first = batch.extract([ARTICLES], jobs=2, cache_dir=cache_dir, summary=cold)
    finally:
        batch.POOL_MIN = pool_min
    second = batch.extract([ARTICLES], jobs=2, cache_dir=cache_dir, summary=warm)
    assert (cold.extracted, warm.cached, warm.extracted) == (N_ARTICLES, N_ARTICLES, 0)
    assert second[0].equals(first[0]) and second[1].equals(first[1])
    return second
