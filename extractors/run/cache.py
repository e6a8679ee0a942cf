"""Per-document results cached on disk, so a re-run only extracts what changed.

Layout of a cache directory (default data/cache/):
  index.sqlite   files:   path -> (stat signature, sha256 of the bytes)   skips re-hashing unchanged files
                 entries: key -> where that document's rows sit in a segment
                          and its batch's checksum; checked on every read, with the rows' doc_id and path
  segments/      <id>.docs.arrow / <id>.claims.arrow: Arrow IPC files, one record batch per chunk of documents;
                 <id> holds the writer's pid, so the .part files of a killed run are recognised and removed

The key of a document is a hash of: the extractor fingerprint (EXTRACTOR_VERSION, every rule file, the extractor
sources, the opencc/regex/unicode versions), the sha256 of its bytes, the path recorded in its rows, and its
metadata inputs (sources.yaml entry, analyst overrides). Anything that could change its rows changes its key.

Nothing here is ever fatal, and nothing read from here is trusted: an entry is used only when its batch passes
Arrow's full validation and its checksum, and its rows belong to the very document asked for (doc_id, path, claim
count). Anything else (flipped bits, a truncated segment, an index pointing at another document's rows) is a miss
with a warning: the caller extracts the document again and stores it anew, which repairs the entry. An index
that SQLite finds damaged is thrown away and rebuilt. Segments are fsynced before the index points at them.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import sys
import time
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc

import extractors
from extractors.files import fsync, pid_alive
from extractors.run import inputs
from extractors.run.inputs import file_sha256, stat_signature  # noqa: F401  (cache.file_sha256 etc. for callers)
from extractors.table import claims_frame, documents_frame

DEFAULT_DIR = inputs.DEFAULT_CACHE_DIR
FORMAT = "3"  # bump when the layout below changes
PACKAGE_DIR = inputs.PACKAGE_DIR
WRITE_ERRORS = (OSError, sqlite3.Error, pa.ArrowException)  # disk full, read-only folder...: the run goes on

DOCS_ARROW = documents_frame([]).to_arrow().schema
CLAIMS_ARROW = claims_frame([]).to_arrow().schema


def warn(msg: str) -> None:
    print(f"cloudclaims: cache: {msg}", file=sys.stderr)


def fingerprint(package_dir: Path | None = None) -> str:
    """Changes whenever anything that shapes a document's rows changes."""
    import opencc
    import regex

    package_dir = package_dir or PACKAGE_DIR
    h = hashlib.sha256()
    for part in (FORMAT, extractors.EXTRACTOR_VERSION, getattr(opencc, "__version__", "?"), regex.__version__,
                 unicodedata.unidata_version, sys.version.split()[0]):
        h.update(f"{part}\0".encode())
    for p in inputs.package_files(package_dir):
        h.update(p.relative_to(package_dir).as_posix().encode() + b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:24]


def canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str) if any(obj) else ""


def doc_key(fp: str, sha: str, doc_path: str, metadata) -> str:
    h = hashlib.sha256("\0".join([fp, sha, doc_path, canonical(metadata)]).encode())
    return h.hexdigest()


def checksum(docs: pa.RecordBatch, claims: pa.RecordBatch) -> str:
    """Of a chunk's two batches as Arrow serialises them: the same bytes whether the batch was just made or read
    back from a segment."""
    h = hashlib.blake2b(digest_size=16)
    h.update(docs.serialize())
    h.update(claims.serialize())
    return h.hexdigest()


def stored_checksum(docs: pa.RecordBatch, claims: pa.RecordBatch) -> str:
    """checksum() of the two batches as they will read back from a segment (serialised, read, serialised): a
    worker computes it beside its rows, so the parent, which every worker waits on, does not."""
    return checksum(*(ipc.read_record_batch(b.serialize(), b.schema) for b in (docs, claims)))


@dataclass(frozen=True)
class Entry:
    segment: str
    batch: int
    row: int  # the document's row in the docs batch
    cstart: int  # its claim rows in the claims batch: [cstart, cstart + ccount)
    ccount: int
    checksum: str = ""  # of the whole batch (see checksum())


class Cache:
    def __init__(self, cache_dir: str | Path = DEFAULT_DIR, fp: str | None = None):
        self.dir = Path(cache_dir)
        self.fp = fp or fingerprint()
        self.seg_dir = self.dir / "segments"
        self.seg_dir.mkdir(parents=True, exist_ok=True)
        self.db = self._open_db()
        self._readers: dict[str, ipc.RecordBatchFileReader | None] = {}
        self._batches: dict[tuple[str, int], tuple | None] = {}
        self._warned: set[tuple[str, int]] = set()
        self._writer: _SegmentWriter | None = None
        self.writable = True
        self._pending: list[tuple] = []  # entry rows of the open segment, committed when it closes
        self._files_seen: list[tuple[str, str, str]] = []
        self._remove_leftovers()

    # ---- the index -------------------------------------------------------------------------------------------
    def _open_db(self) -> sqlite3.Connection:
        path = self.dir / "index.sqlite"
        for attempt in (1, 2):
            try:
                db = sqlite3.connect(path, timeout=60, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(
                    """
                    CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT);
                    CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, stat TEXT, sha TEXT);
                    CREATE TABLE IF NOT EXISTS entries(key TEXT PRIMARY KEY, fp TEXT, segment TEXT,
                        batch INTEGER, row INTEGER, cstart INTEGER, ccount INTEGER, checksum TEXT);
                    """
                )
                row = db.execute("SELECT v FROM meta WHERE k='format'").fetchone()
                if row is None:
                    db.execute("INSERT OR REPLACE INTO meta VALUES('format', ?)", (FORMAT,))
                elif row[0] != FORMAT:
                    raise sqlite3.DatabaseError(f"index format {row[0]}, expected {FORMAT}")
                return db
            except sqlite3.DatabaseError as e:
                if attempt == 2:
                    raise
                warn(f"{path} is unreadable ({e}); starting a fresh cache")
                self._delete_index()
        raise AssertionError("unreachable")

    def _delete_index(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.dir / 'index.sqlite'}{suffix}").unlink(missing_ok=True)

    def _query_in(self, sql: str, values: list[str]) -> list[tuple]:
        out = []
        try:
            for i in range(0, len(values), 500):  # SQLite's bound-parameter limit
                part = values[i : i + 500]
                out += self.db.execute(sql.format(",".join("?" * len(part))), part).fetchall()
        except sqlite3.DatabaseError as e:  # damaged after it opened: rebuild, and answer "not cached"
            warn(f"{self.dir / 'index.sqlite'} is damaged ({e}); starting a fresh cache")
            self.db.close()
            self._delete_index()
            self.db = self._open_db()
            return []
        return out

    def known_shas(self, stats: dict[str, str]) -> dict[str, str]:
        """path -> sha256 for files whose stat signature is unchanged since they were hashed."""
        rows = self._query_in("SELECT path, stat, sha FROM files WHERE path IN ({})", list(stats))
        return {p: sha for p, st, sha in rows if stats.get(p) == st}

    def remember_sha(self, path: str, st: os.stat_result, sha: str) -> None:
        if inputs.settled(st):  # else re-hash it next time
            self._files_seen.append((path, stat_signature(st), sha))

    def forget_sha(self, path: str) -> None:
        """The sha remembered for `path` did not match its bytes (a damaged index): hash it again next time."""
        self._files_seen = [f for f in self._files_seen if f[0] != path]
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("DELETE FROM files WHERE path = ?", (path,))

    def lookup(self, keys: list[str]) -> dict[str, Entry]:
        rows = self._query_in(
            "SELECT key, segment, batch, row, cstart, ccount, checksum FROM entries WHERE key IN ({})", keys
        )
        out = {}
        for r in rows:
            try:
                out[r[0]] = Entry(str(r[1]), int(r[2]), int(r[3]), int(r[4]), int(r[5]), str(r[6]))
            except (TypeError, ValueError):
                continue  # a damaged row: a miss
        return out

    # ---- reading cached rows ---------------------------------------------------------------------------------
    def _reader(self, segment: str) -> tuple[ipc.RecordBatchFileReader, ...] | None:
        if segment not in self._readers:
            pair = None
            try:
                pair = tuple(ipc.open_file(pa.OSFile(str(self.seg_dir / f"{segment}.{kind}.arrow")))
                             for kind in ("docs", "claims"))
                if not (pair[0].schema.equals(DOCS_ARROW) and pair[1].schema.equals(CLAIMS_ARROW)):
                    raise ValueError("its columns are not those of the current tables")
            except (OSError, ValueError, pa.ArrowException) as e:
                warn(f"segment {segment} is unreadable ({e}); its documents will be extracted again")
                pair = None
            self._readers[segment] = pair
        return self._readers[segment]

    def read(self, e: Entry, doc_id: str, doc_path: str) -> tuple[pa.RecordBatch, pa.RecordBatch] | None:
        """The (docs batch, claims batch) holding entry e, or None (with a warning) unless they are intact and
        e's rows are those of the document asked for: doc_id (of the bytes just hashed) and doc_path."""
        got = self._batches.get((e.segment, e.batch), False)
        if got is False:
            got = self._load(e.segment, e.batch)
        why = "unreadable" if got is None else self._mismatch(e, got, doc_id, doc_path)
        if why:
            if (e.segment, e.batch) not in self._warned:
                self._warned.add((e.segment, e.batch))
                warn(f"segment {e.segment} batch {e.batch}: {why}; its documents are extracted again and stored anew")
            return None
        return got[0], got[1]

    @staticmethod
    def _mismatch(e: Entry, got: tuple, doc_id: str, doc_path: str) -> str | None:
        docs, claims, digest, cols = got
        if e.checksum != digest:
            return "its checksum does not match (damaged on disk?)"
        if not (0 <= e.row < docs.num_rows and 0 <= e.cstart and e.cstart + e.ccount <= claims.num_rows):
            return "the index points outside it"
        ids, paths, counts, errors, claim_ids, claim_paths = cols
        row_id = ids[e.row]
        if row_id is None and errors[e.row] is not None:  # refused before its bytes were identified
            row_id = doc_id
        if (row_id, paths[e.row], counts[e.row]) != (doc_id, doc_path, e.ccount):
            return "the index points at another document's rows"
        own = range(e.cstart, e.cstart + e.ccount)
        if any(claim_ids[i] != doc_id or claim_paths[i] != doc_path for i in own):
            return "the index points at another document's claims"
        return None

    def _load(self, segment: str, batch: int):
        pair = self._reader(segment)
        got = None
        if pair:
            try:
                docs, claims = pair[0].get_batch(batch), pair[1].get_batch(batch)
                docs.validate(full=True)  # offsets, UTF-8, lengths: before any value is looked at
                claims.validate(full=True)
                # the columns every entry of the batch is checked against, as Python lists once per batch
                cols = tuple(t.column(c).to_pylist() for t, c in (
                    (docs, "doc_id"), (docs, "doc_path"), (docs, "n_claims"), (docs, "error"),
                    (claims, "doc_id"), (claims, "doc_path")))
                got = (docs, claims, checksum(docs, claims), cols)
            except (OSError, IndexError, ValueError, pa.ArrowException):
                got = None
        if len(self._batches) > 256:
            self._batches.clear()  # bounded memory: batches are read in order, old ones are not needed again
        self._batches[(segment, batch)] = got
        return got

    # ---- writing new rows ------------------------------------------------------------------------------------
    def store(self, docs: pa.RecordBatch, claims: pa.RecordBatch, keys: list[str | None], counts: list[int],
              digest: str | None = None) -> None:
        """Append one chunk's rows (claims grouped by document, counts[i] each); keys[i] None: not to be cached;
        digest: their stored_checksum() when the worker computed it."""
        if not self.writable:
            return
        try:
            if self._writer is None:
                self._writer = _SegmentWriter(self.seg_dir, self.fp)
            w = self._writer
            batch = w.write(docs, claims)
        except WRITE_ERRORS as e:
            self._give_up(e)
            return
        digest = digest or stored_checksum(docs, claims)
        cstart = 0
        for row, (key, n) in enumerate(zip(keys, counts)):
            if key is not None:
                self._pending.append((key, self.fp, w.segment, batch, row, cstart, n, digest))
            cstart += n
        if w.batches >= 64:
            self.commit()

    def _give_up(self, e: Exception) -> None:
        warn(f"cannot write to {self.dir} ({e}); this run goes on without storing its results")
        self.writable, self._pending, self._files_seen, self._writer = False, [], [], None

    def commit(self) -> None:
        """Close the open segment and make its entries (and the hashed files) visible to later runs."""
        if not self.writable:
            return
        try:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
            with self.db:  # one transaction
                self.db.execute("BEGIN")
                self.db.executemany("INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?,?,?,?)", self._pending)
                self.db.executemany("INSERT OR REPLACE INTO files VALUES (?,?,?)", self._files_seen)
            self._pending, self._files_seen = [], []
        except WRITE_ERRORS as e:
            self._give_up(e)

    def close(self) -> None:
        """Commit, then drop entries of other extractor versions and the segment files nothing points to."""
        self.commit()
        self._readers.clear()
        self._batches.clear()
        try:
            if self.writable:
                self._prune()
        except WRITE_ERRORS as e:
            warn(f"could not prune {self.dir} ({e})")
        finally:
            self.db.close()

    def _prune(self) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("DELETE FROM entries WHERE fp != ?", (self.fp,))
            live = {r[0] for r in self.db.execute("SELECT DISTINCT segment FROM entries")}
        for p in self.seg_dir.iterdir():
            seg = p.name.split(".")[0]
            # A segment of this version with no entries may be one another run is still writing: left while its
            # writer lives. Entries of other versions were dropped above, so their segments go.
            if seg not in live and not (seg.startswith(self.fp[:12]) and _writer_alive(seg, p)):
                p.unlink(missing_ok=True)

    def _remove_leftovers(self) -> None:
        """.part files of runs that were killed before they finished a segment."""
        with contextlib.suppress(OSError):
            for p in self.seg_dir.glob("*.part"):
                if not _writer_alive(p.name.split(".")[0], p):
                    p.unlink(missing_ok=True)


def _writer_alive(segment: str, path: Path) -> bool:
    """Whether the process that wrote this segment may still be writing it (its pid is in the name)."""
    parts = segment.split("-")
    if len(parts) == 3 and parts[1].startswith("p") and parts[1][1:].isdigit():
        return pid_alive(int(parts[1][1:]))
    try:  # a segment named before pids were: an hour's grace
        return time.time() - path.stat().st_mtime < 3600
    except OSError:
        return False


class _SegmentWriter:
    """Two Arrow IPC files written side by side, one record batch per chunk; renamed into place on close."""

    def __init__(self, seg_dir: Path, fp: str):
        self.segment = f"{fp[:12]}-p{os.getpid()}-{uuid.uuid4().hex[:16]}"
        self.paths = [seg_dir / f"{self.segment}.{kind}.arrow" for kind in ("docs", "claims")]
        # Uncompressed: reading back is then ~10x faster than lz4, and re-runs are what the cache is for.
        self.files = [pa.output_stream(f"{p}.part", buffer_size=1 << 20) for p in self.paths]
        self.writers = [ipc.new_file(f, s) for f, s in zip(self.files, (DOCS_ARROW, CLAIMS_ARROW))]
        self.batches = 0

    def write(self, docs: pa.RecordBatch, claims: pa.RecordBatch) -> int:
        self.writers[0].write_batch(docs)
        self.writers[1].write_batch(claims)
        self.batches += 1
        return self.batches - 1

    def close(self) -> None:
        for w, f, p in zip(self.writers, self.files, self.paths):
            w.close()
            f.close()
            fsync(f"{p}.part")  # on disk before the index points at it
            os.replace(f"{p}.part", p)
        with contextlib.suppress(OSError):
            fsync(self.paths[0].parent)
