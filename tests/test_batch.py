"""Many documents at once: the output does not depend on --jobs, windows or chunks; bad files do not stop a batch."""
from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from conftest import ARTICLES, N_ARTICLES, ROOT

from extractors.run import batch
from extractors.table import CLAIM_SCHEMA, DOCUMENT_SCHEMA, documents_path, read_table


def load_bench_corpus():
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """The bundled articles (with their sources.yaml) plus 40 synthetic ones from the benchmark's generator."""
    root = tmp_path_factory.mktemp("archive")
    shutil.copytree(ARTICLES, root / "bundled")
    load_bench_corpus().write(root / "synthetic", 40, seed=3)
    return root


@pytest.fixture(autouse=True)
def workers_even_for_small_batches(monkeypatch):
    """These archives are small; make jobs > 1 really start worker processes."""
    monkeypatch.setattr(batch, "POOL_MIN", 1)


@pytest.fixture(scope="module")
def reference(archive):
    """One process, no cache: the tables every other configuration must reproduce."""
    return batch.extract([archive], jobs=1, cache_dir=None)


def test_the_archive_has_claims_from_both_parts(reference):
    claims, docs = reference
    assert docs.height == N_ARTICLES + 40 and docs["error"].null_count() == N_ARTICLES + 40
    assert claims.filter(pl.col("doc_path").str.contains("synthetic")).height > 0
    assert claims.filter(pl.col("doc_path").str.contains("bundled")).height > 0


@pytest.mark.parametrize(
    "jobs, window, chunk",
    [
        (2, 256, 32),  # the defaults, two workers
        (2, 8, 3),  # many windows and chunks in flight: order must survive the interleaving
        (1, 8, 3),  # in-process, small windows
        (None, 256, 32),  # all cores, chosen automatically
    ],
)
def test_jobs_windows_and_chunks_do_not_change_the_tables(archive, reference, monkeypatch, jobs, window, chunk):
    monkeypatch.setattr(batch, "WINDOW", window)
    monkeypatch.setattr(batch, "CHUNK", chunk)
    claims, docs = batch.extract([archive], jobs=jobs, cache_dir=None)
    assert claims.equals(reference[0])  # same rows, same order, same claim_ids
    assert docs.equals(reference[1])


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_streamed_files_hold_the_same_tables(archive, reference, tmp_path, monkeypatch, suffix):
    monkeypatch.setattr(batch._Sink, "FLUSH_ROWS", 50)  # several batches per file
    out = tmp_path / f"claims{suffix}"
    summary = batch.extract_to([archive], out, jobs=2, cache_dir=None)
    assert read_table(out, CLAIM_SCHEMA).equals(reference[0])
    assert read_table(documents_path(out), DOCUMENT_SCHEMA).equals(reference[1])
    assert (summary.files, summary.read, summary.claims) == (N_ARTICLES + 40, N_ARTICLES + 40, reference[0].height)
    assert dict(summary.per_metric) == dict(reference[0]["metric"].value_counts().iter_rows())
    if suffix == ".csv":
        assert out.read_bytes().startswith(b"\xef\xbb\xbfclaim_id,doc_id,")  # Excel needs the BOM
        assert out.read_bytes().count(b"\xef\xbb\xbf") == 1
    assert not list(tmp_path.glob("*.tmp"))


def _bad_archive(root: Path) -> Path:
    shutil.copy(ARTICLES / "003_e02a5a2e5eb133d1.txt", root / "good.txt")
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    (root / "latin.md").write_bytes(bytes(range(128, 256)) * 20)
    return root


# processors for the worker-crash test: importable by name in spawned workers (tests/ is on their sys.path)
def flaky_process(path, sources, overrides):
    from extractors import pipeline

    if path.name == "raises.txt":
        raise ValueError("a bug on this text")
    if path.name == "dies.txt":
        os._exit(3)  # as if killed by the OOM killer or a crash in native code
    return pipeline.process_path(path, sources, overrides)


@pytest.mark.parametrize("jobs", [1, 2])
def test_unreadable_files_become_error_rows_and_the_batch_goes_on(tmp_path, jobs):
    claims, docs = batch.extract([_bad_archive(tmp_path)], jobs=jobs, cache_dir=None)
    errors = dict(docs.select(pl.col("doc_path").str.split("/").list.last(), "error").iter_rows())
    assert errors["good.txt"] is None
    assert all(errors[name] for name in ("empty.txt", "binary.txt", "latin.md")), errors
    assert claims.height > 0 and set(claims["doc_path"].str.split("/").list.last()) == {"good.txt"}


def test_a_crashing_or_dying_extractor_costs_only_its_own_file(tmp_path):
    for name in ("a.txt", "raises.txt", "dies.txt", "z.txt"):
        shutil.copy(ARTICLES / "003_e02a5a2e5eb133d1.txt", tmp_path / name)
    out = tmp_path / "out" / "claims.parquet"
    s = batch.extract_to([tmp_path], out, jobs=2, cache_dir=None, processor="test_batch:flaky_process")
    errors = dict(s.errors)
    assert set(errors) == {str(tmp_path / "raises.txt"), str(tmp_path / "dies.txt")}
    assert errors[str(tmp_path / "raises.txt")] == "extractor failed: ValueError: a bug on this text"
    assert "process died" in errors[str(tmp_path / "dies.txt")]
    claims = read_table(out)
    assert set(claims["doc_path"].str.split("/").list.last()) == {"a.txt", "z.txt"}


def test_a_failed_run_leaves_the_previous_tables_in_place(tmp_path, monkeypatch):
    out = tmp_path / "claims.parquet"
    batch.extract_to([ARTICLES], out, jobs=1, cache_dir=None)
    before = out.read_bytes()

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch._Runner, "emit", boom)
    with pytest.raises(KeyboardInterrupt):
        batch.extract_to([ARTICLES], out, jobs=1, cache_dir=None)
    assert out.read_bytes() == before
    assert not list(tmp_path.glob("*.tmp"))
