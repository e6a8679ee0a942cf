"""Many documents: discovery, per-document extraction on all cores, the cache, and assembly of the two tables.

Documents stream through in windows of a few hundred files, in discovery order. For each window the cache
answers what it can; the rest is extracted in chunks by worker processes (or in this process with jobs=1) and
comes back as Arrow record batches. The window's rows are then handed to a sink: a Parquet/CSV writer for the
CLI (memory stays flat however large the archive), or a collector for `extract()`. The output does not depend
on `jobs` or on the cache: same rows, same order, same claim_ids. A document that runs past the watchdog's
generous limit is stopped and reported as timed out (watchdog.py); the batch goes on.
"""
from __future__ import annotations

import collections
import contextlib
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extractors import files, table
from extractors.run import cache as cachelib
from extractors.run import inputs, manifest, watchdog
from extractors.run.summary import Summary
from extractors.run.worker import (
    CHUNK,
    PROCESSOR,
    _failed_row,
    _init_worker,
    _one_batch,
    _text,
    default_jobs,
    extract_chunk,
    worker_chunk,
)
from extractors.table import CLAIM_SCHEMA, DOCUMENT_SCHEMA, claims_frame, documents_frame, documents_path
from extractors.text import documents

WINDOW = 256  # files planned and emitted together
POOL_MIN = 64  # fewer files to extract than this in a window: do them here, starting workers costs more (~1 s)

Progress = Callable[[int, int], None]  # (documents done, documents in total)


__all__ = ["Summary", "extract", "extract_to", "iter_tables"]


class _Now:
    """A finished-on-demand stand-in for a Future, for work done in this process (under the alarm)."""

    def __init__(self, paths, base: float, sources: dict | None = None):
        self.paths, self.base, self.sources = paths, base, sources

    def result(self):
        return extract_chunk(self.paths, alarm=self.base, sources=self.sources)


# ---- the parent: planning windows, running chunks, emitting rows in order ------------------------------------
@dataclass
class _Window:
    paths: list[Path]
    keys: list[str | None]  # cache key per file (None: not cached)
    shas: list[str | None]  # sha256 of the bytes the key was made from
    stats: list[os.stat_result | None]  # each file as stat'ed before it was hashed
    hits: dict[int, cachelib.Entry]
    chunks: list[tuple[list[int], Future | _Now]]  # (file indexes within the window, work)
    first: int = 0  # the number of its first file in the batch
    stored: dict[int, str] | None = None  # file index -> the key its fresh rows were cached under


class _Runner:
    def __init__(self, sources, overrides, jobs, cache, processor, progress, total, doc_timeout=None,
                 record: manifest.Recorder | None = None):
        self.sources, self.overrides = sources, overrides
        self.record = record
        self.started = time.time()
        self.jobs = jobs
        self.cache, self.processor = cache, processor
        self.progress, self.total, self.done = progress, total, 0
        self.pool: ProcessPoolExecutor | None = None
        self.board: watchdog.Board | None = None
        self.base = watchdog.DOC_SECONDS if doc_timeout is None else doc_timeout  # the watchdog's base limit
        self.timed_out: dict[int, str] = {}  # document number -> why it was stopped
        self.summary = Summary()
        _init_worker(sources, overrides, processor)  # for in-process work

    def _metadata(self, path: str, sha: str):
        """The inputs besides the bytes that shape a document's rows: its sources.yaml entry and overrides."""
        return [(self.sources or {}).get(path), (self.overrides or {}).get(sha[:16])]

    def _pool(self) -> ProcessPoolExecutor:
        if self.pool is None:
            # spawn, not fork: forking a process that already runs polars/arrow threads can deadlock the child.
            ctx = multiprocessing.get_context("spawn")
            self.board = watchdog.Board(ctx, self.jobs)
            self.pool = ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_init_worker,
                                            initargs=(None, self.overrides, self.processor, self.board,
                                                      os.getpid()))
        return self.pool

    def _wait(self, future: Future):
        """The future's result, stopping any worker that runs past the watchdog's limit meanwhile."""
        while True:
            try:
                return future.result(timeout=watchdog.CHECK_EVERY)
            except TimeoutError:
                if self.board is not None:
                    self.timed_out.update(self.board.stop_overdue(self.base))

    def plan(self, paths: list[Path], first: int = 0) -> _Window:
        keys: list[str | None] = [None] * len(paths)
        shas: list[str | None] = [None] * len(paths)
        stats: list[os.stat_result | None] = [None] * len(paths)
        hits: dict[int, cachelib.Entry] = {}
        if self.cache:
            keys, shas, stats = self._keys(paths)
            found = self.cache.lookup([k for k in keys if k])
            hits = {i: found[k] for i, k in enumerate(keys) if k in found}
        misses = [i for i in range(len(paths)) if i not in hits]
        use_pool = self.jobs > 1 and (len(misses) >= POOL_MIN or self.pool is not None)
        use_pool = use_pool or (bool(misses) and not watchdog.alarm_available())  # no alarm: a worker is watched
        size = max(1, min(CHUNK, -(-len(misses) // self.jobs))) if use_pool else CHUNK
        chunks = []
        for j in range(0, len(misses), size):
            idx = misses[j : j + size]
            work = [paths[i] for i in idx]
            chunks.append((idx, self._pool().submit(worker_chunk, work, [first + i for i in idx], self._sources(work))
                           if use_pool else _Now(work, self.base, self._sources(work))))
        return _Window(paths, keys, shas, stats, hits, chunks, first, {})

    def _sources(self, paths: list[Path]) -> dict:
        """The sources.yaml entries of these paths only: a task carries what it needs, the workers start empty."""
        return {k: self.sources[k] for k in map(str, paths) if k in self.sources}

    def _keys(self, paths: list[Path]) -> tuple[list[str | None], list[str | None], list[os.stat_result | None]]:
        """Cache key and sha256 per file; the sha comes from the index when the file's stat is unchanged."""
        texts = [str(p) for p in paths]  # plain strings: hashing Path objects is slow at 20,000 files
        where = [_text(os.path.abspath(t)) for t in texts]
        stats: list[os.stat_result | None] = []
        for t in texts:
            try:
                stats.append(os.stat(t))
            except OSError:
                stats.append(None)  # unreadable: the pipeline reports it; not cached
        if self.record is not None:
            for t, st in zip(texts, stats):
                self.record.article(t, st, documents.SOURCES_FILE)
        known = self.cache.known_shas({w: inputs.stat_signature(st) for w, st in zip(where, stats) if st})
        shas: list[str | None] = []
        for t, w, st in zip(texts, where, stats):
            sha = known.get(w) if st else None
            if st and sha is None:
                try:
                    sha = inputs.file_sha256(t)
                    self.cache.remember_sha(w, st, sha)
                except OSError:
                    pass
            shas.append(sha)
        keys = [cachelib.doc_key(self.cache.fp, sha, _text(t), self._metadata(t, sha)) if sha else None
                for t, sha in zip(texts, shas)]
        return keys, shas, stats

    def _chunk_result(self, work, paths, numbers):
        if isinstance(work, _Now):
            return work.result()
        try:
            return self._wait(work)
        except BrokenProcessPool:
            return self._isolated(paths, numbers)

    def _drop_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def _isolated(self, paths: list[Path], numbers: list[int]):
        """A worker died (killed by the watchdog or otherwise, out of memory, crashed in native code): redo the
        chunk one file per task; a file the watchdog stopped is not tried again."""
        self._drop_pool()
        parts, deaths = [], 0
        for p, n in zip(paths, numbers):
            if n in self.timed_out:
                parts.append(_failed_part(p, self.timed_out[n]))
                continue
            try:
                parts.append(self._wait(self._pool().submit(extract_chunk, [p], [n], sources=self._sources([p]))))
                deaths = 0
            except BrokenProcessPool:
                self._drop_pool()
                if n in self.timed_out:
                    parts.append(_failed_part(p, self.timed_out[n]))
                    continue
                deaths += 1
                if deaths >= 3:  # not one bad file: the workers cannot run at all
                    raise RuntimeError(f"extractor worker processes keep dying (last on {p})") from None
                parts.append(_failed_part(p, "extractor process died on this file (killed or crashed)"))
        docs = pa.Table.from_batches([x[0] for x in parts], cachelib.DOCS_ARROW)
        claims = pa.Table.from_batches([x[1] for x in parts], cachelib.CLAIMS_ARROW)
        return (_one_batch(docs, cachelib.DOCS_ARROW), _one_batch(claims, cachelib.CLAIMS_ARROW),
                sum((x[2] for x in parts), []), sum((x[3] for x in parts), []))

    def emit(self, w: _Window) -> tuple[pa.Table, pa.Table]:
        # part per file: (docs batch, row, claims batch, first claim row, claim count)
        parts: list[tuple | None] = [None] * len(w.paths)
        for idx, work in w.chunks:
            self._place(w, idx, self._chunk_result(work, [w.paths[i] for i in idx], [w.first + i for i in idx]),
                        parts)
            self._tick(len(idx))
        broken = []
        for i, e in w.hits.items():
            got = self.cache.read(e, (w.shas[i] or "")[:16], _text(str(w.paths[i])))
            if got is None:
                broken.append(i)
            else:
                parts[i] = (got[0], e.row, got[1], e.cstart, e.ccount)
        if broken:  # cached rows could not be read back: extract those files again (and store them anew)
            again = [w.paths[i] for i in broken]
            if watchdog.alarm_available():
                result = extract_chunk(again, alarm=self.base, sources=self._sources(again))
            else:
                result = self._chunk_result(self._pool().submit(worker_chunk, again, [w.first + i for i in broken],
                                                                self._sources(again)),
                                            again, [w.first + i for i in broken])
            self._place(w, broken, result, parts)
        self.summary.cached += len(w.hits) - len(broken)
        self._tick(len(w.hits))
        if self.record is not None:  # what the output is made of, in order (manifest.same_keys)
            for i in range(len(w.paths)):
                self.record.key(w.stored.get(i) or (w.keys[i] if i in w.hits and i not in broken else None))
        docs, claims = _assemble(parts)
        self.summary.add(docs, claims)
        return docs, claims

    def _place(self, w: _Window, idx: list[int], result, parts: list) -> None:
        docs, claims, counts, cacheable, *digest = result  # the checksum, when a worker computed it
        self.summary.extracted += len(idx)
        if self.cache:
            ids, errors = docs.column("doc_id").to_pylist(), docs.column("error").to_pylist()
            keys = [w.keys[i] if ok and self._deterministic(w, i, doc_id, err) else None
                    for i, ok, doc_id, err in zip(idx, cacheable, ids, errors)]
            for i, doc_id in zip(idx, ids):
                if w.shas[i] and doc_id and doc_id != w.shas[i][:16]:  # changed, or a remembered sha was wrong
                    self.cache.forget_sha(_text(os.path.abspath(str(w.paths[i]))))
            self.cache.store(docs, claims, keys, counts, *digest)
            w.stored.update((i, k) for i, k in zip(idx, keys) if k)
        start = 0
        for row, (i, n) in enumerate(zip(idx, counts)):
            parts[i] = (docs, row, claims, start, n)
            start += n

    def _deterministic(self, w: _Window, i: int, doc_id: str | None, err: str | None) -> bool:
        """Whether a row the pipeline returned is a function of the bytes that were hashed, so it may be cached
        under their key: rows (clean or an error in the text: not decodable, binary, too long, bad front
        matter) of the very bytes hashed; or an error found before the bytes were identified (an empty file, a
        refused name or link) of a file that was settled and is still as it was stat'ed. Timeouts and crashes
        never get here (the machine's load, not the bytes, decided them); nor do files that could not be
        hashed (unreadable, gone): they are tried again next run."""
        sha, st = w.shas[i], w.stats[i]
        if not sha:
            return False
        if doc_id is not None:
            return doc_id == sha[:16]  # else it changed between hashing and reading
        if err is None or st is None or not inputs.settled(st, self.started):
            return False
        try:
            return inputs.stat_signature(os.stat(w.paths[i])) == inputs.stat_signature(st)
        except OSError:
            return False

    def _tick(self, n: int) -> None:
        self.done += n
        if self.progress and n:
            self.progress(self.done, self.total)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self.cache:
            self.cache.close()


def _failed_part(path: Path, reason: str) -> tuple:
    failed = _failed_row(path, reason)
    return (_one_batch(documents_frame([failed]).to_arrow(), cachelib.DOCS_ARROW),
            _one_batch(claims_frame([]).to_arrow(), cachelib.CLAIMS_ARROW), [0], [False])


def _assemble(parts: list[tuple]) -> tuple[pa.Table, pa.Table]:
    """Concatenate the files' rows in order, merging neighbours that sit next to each other in one batch."""
    runs: list[list] = []
    for db, row, cb, cstart, n in parts:
        last = runs[-1] if runs else None
        if last and last[0] is db and last[2] is cb and last[1] + last[3] == row and last[4] + last[5] == cstart:
            last[3] += 1
            last[5] += n
        else:
            runs.append([db, row, cb, 1, cstart, n])
    docs = pa.Table.from_batches([r[0].slice(r[1], r[3]) for r in runs], cachelib.DOCS_ARROW)
    claims = pa.Table.from_batches([r[2].slice(r[4], r[5]) for r in runs], cachelib.CLAIMS_ARROW)
    return docs, claims


def iter_tables(paths, *, overrides: dict | None = None, jobs: int | None = None, cache_dir=None,
                progress: Progress | None = None, summary: Summary | None = None,
                processor: str = PROCESSOR, doc_timeout: float | None = None,
                record: manifest.Recorder | None = None) -> Iterator[tuple[pa.Table, pa.Table]]:
    """(documents, claims) Arrow tables, one pair per window of files, in discovery order.
    record: told every article's signature and cache key (the manifest of an output)."""
    t0 = time.perf_counter()
    articles, refused = documents.find_articles([Path(p) for p in paths])
    sources = documents.load_sources_for(articles) | {path: {documents.REFUSED: why} for path, why in refused.items()}
    cache = None
    if cache_dir is not None:
        try:
            cache = cachelib.Cache(cache_dir)
        except cachelib.WRITE_ERRORS as e:
            cachelib.warn(f"cannot use {cache_dir} ({e}); extracting every document without a cache")
    if record is not None and cache is None:
        record.complete = False  # nothing is cached: the next run cannot vouch for this one
    r = _Runner(sources, overrides, max(1, jobs or default_jobs()), cache, processor, progress, len(articles),
                doc_timeout, record)
    ahead = collections.deque()
    lookahead = max(2, -(-4 * r.jobs * CHUNK // WINDOW))  # windows planned ahead, to keep every worker busy
    try:
        for start in range(0, len(articles), WINDOW):
            ahead.append(r.plan(articles[start : start + WINDOW], start))
            if len(ahead) > lookahead:
                yield r.emit(ahead.popleft())
        while ahead:
            yield r.emit(ahead.popleft())
    finally:
        r.close()
        if summary is not None:
            vars(summary).update(vars(r.summary), seconds=time.perf_counter() - t0)


def extract(paths, *, overrides: dict | None = None, jobs: int | None = None, cache_dir=None,
            progress: Progress | None = None, summary: Summary | None = None,
            processor: str = PROCESSOR, doc_timeout: float | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Claims and documents tables for files or directories of .txt/.md articles.

    jobs: worker processes (None: all cores); fewer than POOL_MIN files to extract are done in this process;
    cache_dir: where per-document results are kept between runs (None: no cache);
    summary: filled with counts (documents, errors, from cache, extracted) when given;
    processor: the per-document function as "module:function", importable by the workers;
    doc_timeout: the watchdog's base limit per document in seconds (watchdog.DOC_SECONDS when None).
    """
    docs, claims = [], []
    for d, c in iter_tables(paths, overrides=overrides, jobs=jobs, cache_dir=cache_dir, progress=progress,
                            summary=summary, processor=processor, doc_timeout=doc_timeout):
        docs.append(d)
        claims.append(c)
    return _frame(claims, cachelib.CLAIMS_ARROW, CLAIM_SCHEMA), _frame(docs, cachelib.DOCS_ARROW, DOCUMENT_SCHEMA)


def _frame(tables: list[pa.Table], arrow_schema: pa.Schema, schema: dict) -> pl.DataFrame:
    return pl.from_arrow(pa.concat_tables(tables) if tables else arrow_schema.empty_table()).cast(schema)


# ---- streaming to files --------------------------------------------------------------------------------------
class _Sink:
    """Writes one table in batches to a temporary file of its own; extract_to moves it into place at the end."""

    FLUSH_ROWS = 100_000

    def __init__(self, path: Path, arrow_schema: pa.Schema):
        self.path, self.tmp = path, files.temp_path(path)
        self.csv = table.check_format(path) == ".csv"
        self.schema, self.buf, self.rows, self.header = arrow_schema, [], 0, True
        self.pq = self.fh = None
        with self._errors():
            if self.csv:
                self.fh = open(self.tmp, "xb")
            else:
                self.pq = pq.ParquetWriter(self.tmp, arrow_schema, compression="zstd")

    @contextlib.contextmanager
    def _errors(self):
        try:
            yield
        except (OSError, pa.ArrowException) as e:  # disk full, folder gone or read-only...
            why = getattr(e, "strerror", None) or str(e).splitlines()[0]
            raise table.TableError(f"{self.path}: writing failed ({why}); the previous table is left as it was") from None

    def write(self, batch: pa.Table) -> None:
        self.buf.append(batch)
        self.rows += batch.num_rows
        if self.rows >= self.FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        data = pa.concat_tables(self.buf) if self.buf else self.schema.empty_table()
        with self._errors():
            if self.csv:  # same bytes as table.write_table: BOM and header once, then rows, formula-safe
                table.write_csv(pl.from_arrow(data), self.fh, header=self.header)
                self.header = False
            elif data.num_rows:
                self.pq.write_table(data)
        self.buf, self.rows = [], 0

    def finish(self) -> Path:
        """Everything written and closed: the temporary file, ready to be published."""
        self.flush()
        with self._errors():
            (self.fh or self.pq).close()
        return self.tmp

    def abort(self) -> None:
        try:
            with contextlib.suppress(OSError, pa.ArrowException):
                (self.fh or self.pq).close()
        finally:
            self.tmp.unlink(missing_ok=True)


class _DatasetSink:
    """Both tables as a partitioned dataset (the layout: table.py), written in a hidden folder of its own beside
    the target; extract_to moves it into place at the end. Rows are buffered per partition, so row groups are
    large however the years of a window's documents are mixed, and flushed at FLUSH_ROWS: memory stays flat."""

    FLUSH_ROWS = 100_000
    FILE_ROWS = 2_000_000  # a new part-N.parquet after this many rows in a partition

    def __init__(self, target: Path):
        self.path, self.tmp = Path(target), files.temp_path(target)
        self.buf: dict[tuple[str, int | None], list[pa.Table]] = collections.defaultdict(list)
        self.writers: dict[tuple[str, int | None], list] = {}  # (kind, year) -> [writer, rows, part number]
        self.rows = 0
        with self._errors():
            for kind in table.DATASET_KINDS:
                (self.tmp / kind).mkdir(parents=True)

    _errors = _Sink._errors  # the same one-line error, naming the target

    def write(self, docs: pa.Table, claims: pa.Table) -> None:
        for kind, t in (("documents", docs), ("claims", claims)):
            if not t.num_rows:
                continue
            years = pc.year(t["published"])
            for y in pc.unique(years).to_pylist():
                keep = pc.is_null(years) if y is None else pc.fill_null(pc.equal(years, y), False)
                self.buf[(kind, y)].append(t.filter(keep))
            self.rows += t.num_rows
        if self.rows >= self.FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        with self._errors():
            for (kind, year), parts in self.buf.items():
                w = self.writers.get((kind, year))
                if w is None or w[1] >= self.FILE_ROWS:
                    if w is not None:
                        w[0].close()
                    n = 0 if w is None else w[2] + 1
                    folder = table.partition_dir(self.tmp, kind, year)
                    folder.mkdir(exist_ok=True)
                    schema = cachelib.DOCS_ARROW if kind == "documents" else cachelib.CLAIMS_ARROW
                    w = self.writers[(kind, year)] = [pq.ParquetWriter(folder / f"part-{n}.parquet", schema,
                                                                       compression="zstd"), 0, n]
                data = pa.concat_tables(parts)
                w[0].write_table(data)
                w[1] += data.num_rows
        self.buf.clear()
        self.rows = 0

    def finish(self) -> Path:
        self.flush()
        with self._errors():
            for w in self.writers.values():
                w[0].close()
        return self.tmp

    def publish(self) -> None:
        """Replace the dataset at the target with this one, under its pair lock (readers: table.read_dataset)."""
        old = files.temp_path(self.path)
        with self._errors(), table.pair_lock(self.path):
            if self.path.exists():
                os.replace(self.path, old)
            os.replace(self.tmp, self.path)
        shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        for w in self.writers.values():
            with contextlib.suppress(OSError, pa.ArrowException):
                w[0].close()
        shutil.rmtree(self.tmp, ignore_errors=True)


ENGINES = ("local", "ray")


def extract_to(paths, out: str | Path, *, overrides: dict | None = None, jobs: int | None = None, cache_dir=None,
               progress: Progress | None = None, processor: str = PROCESSOR, doc_timeout: float | None = None,
               engine: str = "local", dataset: str | Path | None = None, address: str | None = None) -> Summary:
    """Stream the claims table to `out` and the documents table beside it (table.documents_path); with
    `dataset`, the same rows as a partitioned dataset in that folder too (table.py: its layout; with the ray engine
    by default beside `out`: table.dataset_path).

    engine: "local" (this machine's cores, the per-document cache) or "ray" (Ray Data, scale.py: locally or on
    the cluster at `address`; every document is extracted; the rows are the same). The targets are checked before
    any work (table.TableError). The tables replace the previous ones together at the end, and only when at
    least one document was read: a typo'd path or an empty folder leaves the old tables byte-identical
    (summary.written is False). With a cache, what the tables were made from is recorded (manifest.py); a run
    that finds every document in the cache under the keys recorded for the tables in place leaves them as they
    are (summary.current)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    out = Path(out)
    targets = [out, documents_path(out)]
    for t in targets:
        table.check_target(t)
        files.remove_leftovers(t)  # of runs that were killed
    if engine == "ray" and dataset is None:
        dataset = table.dataset_path(out)  # a cluster's archive: the partitioned dataset too, always
    if dataset is not None:
        dataset = Path(dataset)
        if dataset.exists() and not dataset.is_dir():
            raise table.TableError(f"{dataset}: is a file; the dataset is a folder")
        table.check_target(dataset.with_name(dataset.name + ".parquet"))  # its folder can be written
        files.remove_leftovers(dataset)
    record = previous = None
    if cache_dir is not None and engine == "local":
        got = manifest.load(cache_dir, out)
        previous = got[0] if got else None
        record = manifest.Recorder(cache_dir, out, paths, overrides, dataset)
    sinks: list = [_Sink(targets[0], cachelib.CLAIMS_ARROW)]
    try:
        sinks.append(_Sink(targets[1], cachelib.DOCS_ARROW))
        if dataset is not None:
            sinks.append(_DatasetSink(dataset))
        summary = Summary()
        t0, writing = time.perf_counter(), 0.0
        if engine == "ray":
            from extractors.run import scale

            source = scale.iter_tables(paths, overrides=overrides, jobs=jobs, progress=progress, summary=summary,
                                       processor=processor, doc_timeout=doc_timeout, address=address)
        else:
            source = iter_tables(paths, overrides=overrides, jobs=jobs, cache_dir=cache_dir, progress=progress,
                                 summary=summary, processor=processor, doc_timeout=doc_timeout, record=record)
        for docs, claims in source:
            t = time.perf_counter()
            sinks[0].write(claims)
            sinks[1].write(docs)
            if dataset is not None:
                sinks[2].write(docs, claims)
            writing += time.perf_counter() - t
        t = time.perf_counter()
        if summary.read and record is not None and summary.extracted == 0 and manifest.same_keys(previous, record):
            for s in sinks:
                s.abort()
            summary.current = True
        elif summary.read:
            done = [s.finish() for s in sinks]
            try:
                table.publish(list(zip(done[:2], targets)), out)
            except OSError as e:
                raise table.TableError(f"{out}: could not be replaced ({e.strerror or e}); "
                                       "the previous table is left as it was") from None
            if dataset is not None:
                sinks[2].publish()
            summary.written = True
        else:
            for s in sinks:
                s.abort()
    except BaseException:
        for s in sinks:
            s.abort()
        raise
    if summary.written or summary.current:
        summary.outputs = [str(p) for p in targets] + ([str(dataset)] if dataset is not None else [])
        if record is not None:
            record.write(summary.counts(), targets + table.dataset_files(dataset, "claims")
                         + table.dataset_files(dataset, "documents") if dataset is not None else targets)
    summary.write_seconds = writing + time.perf_counter() - t
    summary.seconds = time.perf_counter() - t0
    return summary
