"""Storing an uploaded article: only .txt/.md, size-limited, a sanitised name, never overwriting.

A batch is all or nothing on disk: if storing its files or writing the tables fails (a full disk, a read-only
folder, a claims table that cannot be read), every file it stored is removed again, the tables are left as they
were, and each file is reported with the reason. A file refused for what it is (type, size, a duplicate, text
that cannot be read) is reported on its own, and the rest of the batch goes on.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dashboard.loading import merge_extracted
from extractors.files import remove_leftovers, temp_path
from extractors.table import CLAIM_SCHEMA, DOCUMENT_SCHEMA, TableError, documents_path, read_tables, write_tables

ALLOWED_SUFFIXES = (".txt", ".md")
MAX_NAME_CHARS = 100
# File systems count a name's bytes (255 on Linux, macOS and Windows alike), and a Chinese character is three of
# them in UTF-8; room is left for the -N that a name already taken gets.
MAX_NAME_BYTES = 240
# Letters and digits of any script (Chinese names stay readable), plus - _ and .
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


class UploadError(ValueError):
    """An upload that was not stored; the message names the file and the reason."""


def sanitise_name(name: str) -> str:
    """A safe file name: last path component only, NFKC, no control or shell characters, no leading
    dots, at most MAX_NAME_CHARS characters and MAX_NAME_BYTES bytes of UTF-8. Raises UploadError when
    the type is not .txt/.md."""
    base = re.split(r"[\\/]", name or "")[-1]  # browsers may send C:\\fakepath\\x.txt or ../../x.txt
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem, dot, suffix = base.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadError(f"{name!r}: only {' and '.join(ALLOWED_SUFFIXES)} articles can be uploaded")
    stem = _UNSAFE.sub("_", stem).strip("._-")
    stem = re.sub(r"\.{2,}", ".", stem)[: MAX_NAME_CHARS - len(suffix)]
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return (stem.rstrip("._-") or "upload") + suffix


def doc_id_of(data: bytes) -> str:
    """The same id the extractor gives a document (sha256 of the raw bytes, 16 hex)."""
    return hashlib.sha256(data).hexdigest()[:16]


def store_upload(name: str, data: bytes, uploads_dir: Path, max_bytes: int) -> Path:
    """Write the upload under uploads_dir and return its path. A name already taken gets -1, -2…;
    an existing file is never overwritten (exclusive create)."""
    safe = sanitise_name(name)
    if not data:
        raise UploadError(f"{name!r}: the file is empty")
    if len(data) > max_bytes:
        # MB as the Sources page and CLOUDCLAIMS_UPLOAD_MAX_MB count them (2**20 bytes), so the numbers agree
        raise UploadError(f"{name!r}: {len(data) / 2**20:.1f} MB is over the {max_bytes / 2**20:g} MB upload limit")
    uploads_dir.mkdir(parents=True, exist_ok=True)
    root = uploads_dir.resolve()
    stem, suffix = safe[: -len(Path(safe).suffix)], Path(safe).suffix
    # Written whole under a hidden temporary name first, then linked to its name (which fails if the name is
    # taken): a killed upload never leaves half an article where extraction would read it.
    tmp = temp_path(root / "upload")  # short: the name itself may be near the limit
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        for n in range(1000):
            target = root / (safe if n == 0 else f"{stem}-{n}{suffix}")
            if target.parent != root:  # belt and braces: sanitise_name already removed separators
                raise UploadError(f"{name!r}: refused, the name leaves the uploads folder")
            try:
                os.link(tmp, target)
                return target
            except FileExistsError:
                continue
    finally:
        tmp.unlink(missing_ok=True)
    raise UploadError(f"{name!r}: 1000 files with this name already exist in {uploads_dir}")


@dataclass(frozen=True)
class Ingested:
    name: str  # as uploaded
    path: Path | None  # where it was stored; None when it was refused
    n_claims: int = 0
    error: str | None = None


Extract = Callable[[list[Path]], tuple[pl.DataFrame, pl.DataFrame]]


def ingest(files: list[tuple[str, bytes]], claims_path: Path, uploads_dir: Path, max_bytes: int, extract: Extract) -> list[Ingested]:
    """Store each upload, extract them at once and add their claims to the table at claims_path.

    A refused or unreadable file is reported by name and leaves nothing behind; the others go on. A failure of
    the disk or of the tables undoes the whole batch (see the module's docstring). The tables are rewritten as
    a pair under a lock, so two uploads at once both land.
    """
    try:
        with _dir_lock(uploads_dir):
            remove_leftovers(uploads_dir)  # of uploads that were killed
            return _ingest(files, claims_path, uploads_dir, max_bytes, extract)
    except OSError as e:  # the uploads folder cannot be created or locked
        return _all_failed(files, f"the uploads folder {uploads_dir} cannot be used ({e.strerror or e})")


def _all_failed(files: list[tuple[str, bytes]], why: str, earlier: dict | None = None) -> list[Ingested]:
    """Every file of the batch reported with `why`, except those already refused for reasons of their own."""
    earlier = earlier or {}
    return [earlier.get(n) or Ingested(n, None, error=f"{n!r}: not added: {why}; nothing of this upload was kept")
            for n, _ in files]


def _ingest(files, claims_path: Path, uploads_dir: Path, max_bytes: int, extract: Extract) -> list[Ingested]:
    results: dict[str, Ingested] = {}
    stored: dict[Path, str] = {}
    try:
        claims, docs = _current(claims_path)
    except TableError as e:
        return _all_failed(files, str(e))
    known = dict(docs.select("doc_id", "doc_path").iter_rows())
    in_batch: dict[str, str] = {}  # doc_id -> name, for files of this upload (not in the corpus yet)

    def undo(why: str) -> list[Ingested]:
        for path in stored:
            path.unlink(missing_ok=True)  # ours, written a moment ago: not an existing article
        return _all_failed(files, why, {n: r for n, r in results.items() if r.error})

    for name, data in files:
        doc_id = doc_id_of(data)
        try:
            sanitise_name(name)  # a refused type is reported as such, even when its bytes are known
            if doc_id in known:
                raise UploadError(f"{name!r}: already in the corpus as {known[doc_id]}")
            if doc_id in in_batch:
                raise UploadError(f"{name!r}: the same file as {in_batch[doc_id]!r} in this upload")
            path = store_upload(name, data, uploads_dir, max_bytes)
        except UploadError as e:
            results[name] = Ingested(name, None, error=str(e))
            continue
        except OSError as e:  # disk full, read-only, a name the file system will not take...
            return undo(f"storing {name!r} in {uploads_dir} failed ({e.strerror or e})")
        stored[path] = name
        in_batch[doc_id] = name
    if not stored:
        return [results[n] for n, _ in files]
    try:
        new_claims, new_docs = extract(list(stored))
    except Exception as e:  # the extractor's bug must not leave orphan files or a half table
        return undo(f"extraction failed ({type(e).__name__}: {e})")
    by_path = {Path(p).resolve(): row for p, row in zip(new_docs["doc_path"], new_docs.iter_rows(named=True))}
    good = []
    for path, name in stored.items():
        row = by_path.get(path.resolve())
        if row is None or row["error"]:
            path.unlink(missing_ok=True)  # ours, written a moment ago: not an existing article
            why = row["error"] if row else "the extractor returned no row for it"
            results[name] = Ingested(name, None, error=f"{name!r}: {why}")
        else:
            good.append((path, name, row["doc_id"]))
    if not good:
        return [results[n] for n, _ in files]
    ids = [d for _, _, d in good]
    claims, docs = merge_extracted(claims, docs, new_claims.filter(pl.col("doc_id").is_in(ids)),
                                   new_docs.filter(pl.col("doc_id").is_in(ids)))
    try:
        write_tables({claims_path: claims, documents_path(claims_path): docs}, claims_path)
    except OSError as e:
        return undo(f"writing {claims_path} failed ({e.strerror or e})")
    for path, name, doc_id in good:
        results[name] = Ingested(name, path, n_claims=new_claims.filter(pl.col("doc_id") == doc_id).height)
    return [results[n] for n, _ in files]


def _current(claims_path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The tables the upload adds to (empty ones when there are none yet); TableError when they cannot be read."""
    if not claims_path.exists():
        return pl.DataFrame(schema=CLAIM_SCHEMA), pl.DataFrame(schema=DOCUMENT_SCHEMA)
    if claims_path.is_dir():  # the dashboard reads a partitioned dataset, but only `extract --dataset` writes one
        raise TableError(f"{claims_path} is a partitioned dataset, which uploads do not change: put the articles in the "
                         f"corpus and run `cloudclaims extract ... --dataset {claims_path}`")
    claims, docs = read_tables(claims_path)
    return claims, docs if docs is not None else pl.DataFrame(schema=DOCUMENT_SCHEMA)


@contextlib.contextmanager
def _dir_lock(folder: Path):
    """An exclusive lock on the uploads folder itself: no lock file to clean up or ignore."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
