"""The per-document work of a batch: what runs in a worker process (or in the parent with --jobs 1, or in a
Ray task), shared by the local engine (batch.py) and the Ray one (scale.py)."""
from __future__ import annotations

import contextlib
import importlib
import os
from pathlib import Path

import pyarrow as pa

from extractors.run import cache as cachelib
from extractors.run import inputs, watchdog
from extractors.table import claims_frame, documents_frame
from extractors.text import documents

CHUNK = 64  # files per task sent to a worker (fewer, larger tasks: less per-task overhead in parent and workers)
PROCESSOR = "extractors.pipeline:process_path"


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# ---- the per-document work (runs in workers, or here with jobs=1) --------------------------------------------
_WORKER: dict = {}


def _init_worker(sources, overrides, processor: str = PROCESSOR, board: watchdog.Board | None = None,
                 parent: int | None = None) -> None:
    _WORKER.update(sources=sources, overrides=overrides, processor=processor, process=None, board=board, slot=None)
    if board is not None:  # a worker process: load the extractor now, while the parent plans
        _process()
        watchdog.die_with_parent(parent)
        _WORKER["slot"] = board.join()


def _process():
    """The per-document function, imported on first use (a run that finds everything cached never loads it)."""
    if _WORKER["process"] is None:
        module, name = _WORKER["processor"].split(":")
        _WORKER["process"] = getattr(importlib.import_module(module), name)
    return _WORKER["process"]


def _failed_row(path: Path, reason: str) -> dict:
    try:
        doc_id = inputs.file_sha256(path)[:16]
    except OSError:
        doc_id = None
    return {"doc_id": doc_id, "doc_path": documents.path_text(path), "n_claims": 0, "error": reason}


def _text(path: str) -> str:
    """A path as the tables show it (documents.path_text), without building a Path in the common UTF-8 case."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:  # a name that is not UTF-8: shown escaped
        return documents.path_text(Path(path))


def _one_batch(table: pa.Table, schema: pa.Schema) -> pa.RecordBatch:
    batches = table.cast(schema).combine_chunks().to_batches()
    return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=schema)


def extract_chunk(paths: list[Path], numbers: list[int] | None = None, alarm: float | None = None,
                  sources: dict | None = None) -> tuple[pa.RecordBatch, pa.RecordBatch, list[int], list[bool]]:
    """Docs batch, claims batch, claims per document, and whether each document may be cached.

    numbers: each document's number in the batch, shown on the watchdog's board (in a worker);
    alarm: the watchdog's base limit, for work done in this process (main thread only);
    sources: the sources.yaml entries of these paths (else those the worker was started with)."""
    docs, claims, counts, cacheable = [], [], [], []
    sources = _WORKER["sources"] if sources is None else sources
    for i, p in enumerate(paths):
        try:
            with _watched(p, numbers[i] if numbers else -1, alarm):
                doc, rows = _process()(p, sources, _WORKER["overrides"])
            ok = True
        except watchdog.DocTimeout:
            doc, rows, ok = _failed_row(p, watchdog.message(watchdog.limit(watchdog.file_size(p), alarm))), [], False
        except Exception as e:  # a bug on one odd text must not stop the archive
            doc, rows, ok = _failed_row(p, f"extractor failed: {type(e).__name__}: {e}"), [], False
        docs.append(doc)
        claims += rows
        counts.append(len(rows))
        cacheable.append(ok)
    return (_one_batch(documents_frame(docs).to_arrow(), cachelib.DOCS_ARROW),
            _one_batch(claims_frame(claims).to_arrow(), cachelib.CLAIMS_ARROW), counts, cacheable)


def worker_chunk(paths: list[Path], numbers: list[int], sources: dict | None = None):
    """A pool task: extract_chunk, and the checksum the cache stores the rows under (computed here, in parallel)."""
    docs, claims, counts, cacheable = extract_chunk(paths, numbers, sources=sources)
    return docs, claims, counts, cacheable, cachelib.stored_checksum(docs, claims)


@contextlib.contextmanager
def _watched(path: Path, number: int, alarm: float | None):
    board, slot = _WORKER.get("board"), _WORKER.get("slot")
    if board is not None and slot is not None:
        board.begin(slot, number, watchdog.file_size(path))
        try:
            yield
        finally:
            board.end(slot)
    elif alarm is not None:
        with watchdog.alarm(watchdog.limit(watchdog.file_size(path), alarm)):
            yield
    else:
        yield
