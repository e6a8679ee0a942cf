"""`extract --engine ray`: the local engine's per-document work (worker.extract_chunk, so
extractors.pipeline.process_path), mapped by Ray Data over Arrow batches of file paths, on this machine or a cluster.

- Ray is an optional extra (`pip install -e '.[scale]'`), imported only here and only when asked for.
- With no address, Ray starts a private instance of this machine's cores on 127.0.0.1: no dashboard, usage
  statistics off (RAY_USAGE_STATS_ENABLED=0, forced), worker logs not forwarded. With an address (--ray-address,
  or RAY_ADDRESS), it joins that cluster; every node must have cloudclaims installed and see the articles at the
  same paths (a shared mount; give absolute paths).
- Discovery, sources.yaml and the order of the rows are this process's, as with the local engine; the rows come
  back here in order (preserve_order) and are written here, by the same sinks: the same rows, one for one.
- Each document runs under the watchdog's alarm inside its Ray worker (signals reach a task's main thread).
- No per-document cache: every document is extracted (the local engine is the one for incremental re-runs).
"""
from __future__ import annotations

import importlib.util
import itertools
import logging
import os
import pickle
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from extractors.run import cache as cachelib
from extractors.run import watchdog, worker
from extractors.run.summary import Summary
from extractors.text import documents

INSTALL = "pip install -e '.[scale]'"


class EngineUnavailable(RuntimeError):
    """Ray is not installed, or cannot start or reach its cluster; the message says which and what to do."""


def _ray():
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # before ray is imported: nothing leaves the machine
    try:
        import ray
        import ray.data
    except ImportError as e:
        raise EngineUnavailable(f"--engine ray needs Ray, an optional extra: {INSTALL} ({e})") from None
    return ray


def check() -> None:
    """EngineUnavailable unless Ray is installed (without importing it)."""
    if importlib.util.find_spec("ray") is None:
        raise EngineUnavailable(f"--engine ray needs Ray, an optional extra: {INSTALL}")


def start(jobs: int | None = None, address: str | None = None) -> bool:
    """Connect to Ray (a private local instance, or the cluster at address / RAY_ADDRESS). True when this call
    started it (the caller shuts it down)."""
    address = address or os.environ.get("RAY_ADDRESS") or None
    if not address:  # read when ray is imported: a private instance's servers listen on 127.0.0.1 only
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    ray = _ray()
    if ray.is_initialized():
        return False
    quiet = {"log_to_driver": False, "logging_level": "ERROR", "include_dashboard": False}
    try:
        if address:
            ray.init(address=address, **quiet)
        else:
            ray.init(num_cpus=jobs or worker.default_jobs(), _node_ip_address="127.0.0.1", **quiet)
    except Exception as e:  # noqa: BLE001 - ray raises many kinds; one line for the analyst
        where = address or "a local instance"
        raise EngineUnavailable(f"Ray could not start or connect to {where} ({type(e).__name__}: {e})") from None
    return True


def _pack(docs: pa.RecordBatch, claims: pa.RecordBatch, counts: list[int]) -> pa.Table:
    """One row per document: its document columns and its claims as a list column (one Arrow table per batch)."""
    offsets = pa.array(list(itertools.accumulate(counts, initial=0)), pa.int32())
    rows = pa.StructArray.from_arrays(claims.columns, fields=list(claims.schema))
    return pa.Table.from_batches([docs]).append_column("claims", pa.ListArray.from_arrays(offsets, rows))


def _unpack(t: pa.Table) -> tuple[pa.Table, pa.Table]:
    claims = pa.Table.from_struct_array(pc.list_flatten(t["claims"])) if t.num_rows else None
    docs = t.drop_columns(["claims"]).cast(cachelib.DOCS_ARROW)
    return docs, (claims.cast(cachelib.CLAIMS_ARROW) if claims is not None else cachelib.CLAIMS_ARROW.empty_table())


def extract_batch(t: pa.Table, *, overrides, processor: str, base: float, cwd: str) -> pa.Table:
    """In a Ray worker: one Arrow batch of paths (with their sources.yaml entries) -> one row per document."""
    if worker._WORKER.get("processor") != processor:
        worker._init_worker(None, overrides, processor)
        if os.getcwd() != cwd and os.path.isdir(cwd):
            os.chdir(cwd)  # relative paths mean what they meant to the command
    paths = [Path(os.fsdecode(p)) for p in t["path"].to_pylist()]
    sources = {str(p): pickle.loads(s) for p, s in zip(paths, t["source"].to_pylist()) if s is not None}
    docs, claims, counts, _ = worker.extract_chunk(paths, alarm=base if watchdog.alarm_available() else None,
                                                  sources=sources)
    return _pack(docs, claims, counts)


def iter_tables(paths, *, overrides: dict | None = None, jobs: int | None = None, progress=None,
                summary: Summary | None = None, processor: str = worker.PROCESSOR, doc_timeout: float | None = None,
                address: str | None = None, batch_size: int = worker.CHUNK) -> Iterator[tuple[pa.Table, pa.Table]]:
    """(documents, claims) Arrow tables in discovery order, as batch.iter_tables gives them, extracted by Ray."""
    t0 = time.perf_counter()
    articles, refused = documents.find_articles([Path(p) for p in paths])
    sources = documents.load_sources_for(articles) | {path: {documents.REFUSED: why} for path, why in refused.items()}
    s = Summary()
    started = False
    try:
        if articles:
            started = start(jobs, address)
            yield from _run(articles, sources, s, progress, overrides=overrides, processor=processor,
                            base=watchdog.DOC_SECONDS if doc_timeout is None else doc_timeout, batch_size=batch_size)
    finally:
        if started:
            _ray().shutdown()
        if summary is not None:
            vars(summary).update(vars(s), seconds=time.perf_counter() - t0)


def _run(articles: list[Path], sources: dict, s: Summary, progress, *, overrides, processor, base, batch_size):
    ray = _ray()
    ctx = ray.data.DataContext.get_current()  # also when the caller had connected to Ray itself
    ctx.execution_options.preserve_order = True  # rows in discovery order, as the local engine gives them
    ctx.enable_progress_bars = False  # the CLI's own progress line instead
    ctx.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    names = [str(p) for p in articles]
    table = pa.table({"path": pa.array([os.fsencode(n) for n in names], pa.binary()),
                      "source": pa.array([pickle.dumps(sources[n]) if n in sources else None for n in names],
                                         pa.binary())})
    blocks = [table.slice(i, batch_size) for i in range(0, table.num_rows, batch_size)]
    ds = ray.data.from_arrow(blocks).map_batches(
        extract_batch, batch_format="pyarrow", batch_size=batch_size, zero_copy_batch=True,
        fn_kwargs={"overrides": overrides, "processor": processor, "base": base, "cwd": os.getcwd()})
    done = 0
    for out in ds.iter_batches(batch_format="pyarrow", batch_size=None, prefetch_batches=2):
        docs, claims = _unpack(out)
        s.add(docs, claims)
        s.extracted += docs.num_rows
        done += docs.num_rows
        if progress:
            progress(done, len(articles))
        yield docs, claims
