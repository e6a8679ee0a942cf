"""Per-document results cached on disk, so a re-run only extracts what changed.

Layout of a cache directory (default data/cache/):
  index.sqlite   files:   path -> (stat signature, sha256 of the bytes)   skips re-hashing unchanged files
                 entries: key -> where that document's rows sit in a segment
  segments/      <id>.docs.arrow / <id>.claims.arrow: Arrow IPC files, one record batch per chunk of documents

The key of a document is a hash of: the extractor fingerprint (EXTRACTOR_VERSION, every rule file, the extractor
sources, the opencc/regex/unicode versions), the sha256 of its bytes, the path recorded in its rows, and its
metadata inputs (sources.yaml entry, analyst overrides). Anything that could change its rows changes its key.

Nothing here is ever fatal: an unreadable index is moved aside and rebuilt, an unreadable segment turns its entries
into misses, which the caller extracts again.
"""
from __future__ import annotations

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
from extractors.table import claims_frame, documents_frame

DEFAULT_DIR = Path("data/cache")
FORMAT = "2"  # bump when the layout below changes
PACKAGE_DIR = Path(extractors.__file__).parent
# The batch layer itself does not shape a document's rows; editing it must not throw the cache away.
NOT_EXTRACTION = {"run", "evaluate.py"}  # what shapes no document's rows
INPUT_SUFFIXES = {".py", ".yaml", ".yml", ".json", ".txt", ".csv", ".tsv"}
WRITE_ERRORS = (OSError, sqlite3.Error, pa.ArrowException)  # disk full, read-only folder...: the run goes on
RACY_SECONDS = 2.0  # a file touched this recently may still change within the same mtime tick: re-hash it next time

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
    for p in sorted(package_dir.rglob("*")):
        rel = p.relative_to(package_dir)
        if p.suffix in INPUT_SUFFIXES and not NOT_EXTRACTION & {rel.parts[0], p.name} and "__pycache__" not in p.parts:
            h.update(rel.as_posix().encode() + b"\0")
            h.update(p.read_bytes())
            h.update(b"\0")
    return h.hexdigest()[:24]


def stat_signature(st: os.stat_result) -> str:
    # ctime moves on every content write and cannot be set back by tools that restore mtime (rsync -t, touch -d).
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def file_sha256(path: str | Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str) if any(obj) else ""


def doc_key(fp: str, sha: str, doc_path: str, metadata) -> str:
    h = hashlib.sha256("\0".join([fp, sha, doc_path, canonical(metadata)]).encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Entry:
    segment: str
    batch: int
    row: int  # the document's row in the docs batch
    cstart: int  # its claim rows in the claims batch: [cstart, cstart + ccount)
    ccount: int


class Cache:
    def __init__(self, cache_dir: str | Path = DEFAULT_DIR, fp: str | None = None):
        self.dir = Path(cache_dir)
        self.fp = fp or fingerprint()
        self.seg_dir = self.dir / "segments"
        self.seg_dir.mkdir(parents=True, exist_ok=True)
        self.db = self._open_db()
        self._readers: dict[str, ipc.RecordBatchFileReader | None] = {}
        self._batches: dict[tuple[str, int], tuple[pa.RecordBatch, pa.RecordBatch]] = {}
        self._writer: _SegmentWriter | None = None
        self.writable = True
        self._pending: list[tuple] = []  # entry rows of the open segment, committed when it closes
        self._files_seen: list[tuple[str, str, str]] = []

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
                        batch INTEGER, row INTEGER, cstart INTEGER, ccount INTEGER);
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
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise AssertionError("unreachable")

    def _query_in(self, sql: str, values: list[str]) -> list[tuple]:
        out = []
        for i in range(0, len(values), 500):  # SQLite's bound-parameter limit
            part = values[i : i + 500]
            out += self.db.execute(sql.format(",".join("?" * len(part))), part).fetchall()
        return out

    def known_shas(self, stats: dict[str, str]) -> dict[str, str]:
        """path -> sha256 for files whose stat signature is unchanged since they were hashed."""
        rows = self._query_in("SELECT path, stat, sha FROM files WHERE path IN ({})", list(stats))
        return {p: sha for p, st, sha in rows if stats.get(p) == st}

    def remember_sha(self, path: str, st: os.stat_result, sha: str) -> None:
        if time.time() - max(st.st_mtime, st.st_ctime) > RACY_SECONDS:
            self._files_seen.append((path, stat_signature(st), sha))

    def lookup(self, keys: list[str]) -> dict[str, Entry]:
        rows = self._query_in(
            "SELECT key, segment, batch, row, cstart, ccount FROM entries WHERE key IN ({})", keys
        )
        return {r[0]: Entry(*r[1:]) for r in rows}

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

    def read(self, e: Entry) -> tuple[pa.RecordBatch, pa.RecordBatch] | None:
        """The (docs batch, claims batch) holding entry e, or None when they cannot be read back intact."""
        got = self._batches.get((e.segment, e.batch), False)
        if got is False:
            got = self._load(e.segment, e.batch)
        if got is None or e.row >= got[2] or e.cstart + e.ccount > got[3]:
            return None
        return got[0], got[1]

    def _load(self, segment: str, batch: int):
        pair = self._reader(segment)
        try:
            docs, claims = (pair[0].get_batch(batch), pair[1].get_batch(batch)) if pair else (None, None)
            got = (docs, claims, docs.num_rows, claims.num_rows) if pair else None
        except (OSError, IndexError, pa.ArrowException) as err:
            warn(f"segment {segment} batch {batch} is unreadable ({err})")
            got = None
        if len(self._batches) > 256:
            self._batches.clear()  # bounded memory: batches are read in order, old ones are not needed again
        self._batches[(segment, batch)] = got
        return got

    # ---- writing new rows ------------------------------------------------------------------------------------
    def store(self, docs: pa.RecordBatch, claims: pa.RecordBatch, keys: list[str | None], counts: list[int]) -> None:
        """Append one chunk's rows (claims grouped by document, counts[i] each); keys[i] None: not to be cached."""
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
        cstart = 0
        for row, (key, n) in enumerate(zip(keys, counts)):
            if key is not None:
                self._pending.append((key, self.fp, w.segment, batch, row, cstart, n))
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
                self.db.executemany("INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?,?,?)", self._pending)
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
            # A segment of this version with no entries may be one another run is still writing: leave it a while.
            young = seg.startswith(self.fp[:12]) and time.time() - p.stat().st_mtime < 3600
            if seg not in live and not young:
                p.unlink(missing_ok=True)


class _SegmentWriter:
    """Two Arrow IPC files written side by side, one record batch per chunk; renamed into place on close."""

    def __init__(self, seg_dir: Path, fp: str):
        self.segment = f"{fp[:12]}-{uuid.uuid4().hex[:16]}"
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
            os.replace(f"{p}.part", p)
