"""Storing an uploaded article: only .txt/.md, size-limited, a sanitised name, never overwriting."""
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
from extractors.table import CLAIM_SCHEMA, DOCUMENT_SCHEMA, documents_path, read_table, write_table

ALLOWED_SUFFIXES = (".txt", ".md")
MAX_NAME_CHARS = 100
# Letters and digits of any script (Chinese names stay readable), plus - _ and .
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


class UploadError(ValueError):
    """An upload that was not stored; the message names the file and the reason."""


def sanitise_name(name: str) -> str:
    """A safe file name: last path component only, NFKC, no control or shell characters, no leading
    dots, at most MAX_NAME_CHARS. Raises UploadError when the type is not .txt/.md."""
    base = re.split(r"[\\/]", name or "")[-1]  # browsers may send C:\\fakepath\\x.txt or ../../x.txt
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem, dot, suffix = base.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadError(f"{name!r}: only {' and '.join(ALLOWED_SUFFIXES)} articles can be uploaded")
    stem = _UNSAFE.sub("_", stem).strip("._-")
    stem = re.sub(r"\.{2,}", ".", stem)[: MAX_NAME_CHARS - len(suffix)] or "upload"
    return stem + suffix


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
    for n in range(1000):
        target = root / (safe if n == 0 else f"{stem}-{n}{suffix}")
        if target.parent != root:  # belt and braces: sanitise_name already removed separators
            raise UploadError(f"{name!r}: refused, the name leaves the uploads folder")
        try:
            with open(target, "xb") as f:
                f.write(data)
            return target
        except FileExistsError:
            continue
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

    A refused or unreadable file is reported by name and leaves nothing behind; the others go on.
    The table is rewritten atomically under a lock, so two uploads at once both land.
    """
    results: dict[str, Ingested] = {}
    stored: dict[Path, str] = {}
    with _dir_lock(uploads_dir):
        claims, docs = _current(claims_path)
        known = dict(docs.select("doc_id", "doc_path").iter_rows())
        in_batch: dict[str, str] = {}  # doc_id -> name, for files of this upload (not in the corpus yet)
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
            stored[path] = name
            in_batch[doc_id] = name
        if stored:
            try:
                new_claims, new_docs = extract(list(stored))
            except Exception as e:  # the extractor's bug must not leave orphan files or a half table
                for path, name in stored.items():
                    path.unlink(missing_ok=True)
                    results[name] = Ingested(name, None, error=f"{name!r}: extraction failed ({type(e).__name__}: {e})")
                return [results[n] for n, _ in files]
            by_path = {Path(p).resolve(): row for p, row in zip(new_docs["doc_path"], new_docs.iter_rows(named=True))}
            good = []
            for path, name in stored.items():
                row = by_path.get(path.resolve())
                if row is None or row["error"]:
                    path.unlink(missing_ok=True)  # ours, written a moment ago: not an existing article
                    why = row["error"] if row else "the extractor returned no row for it"
                    results[name] = Ingested(name, None, error=f"{name!r}: {why}")
                else:
                    good.append(row["doc_id"])
                    n = new_claims.filter(pl.col("doc_id") == row["doc_id"]).height
                    results[name] = Ingested(name, path, n_claims=n)
            if good:
                claims, docs = merge_extracted(claims, docs, new_claims.filter(pl.col("doc_id").is_in(good)),
                                               new_docs.filter(pl.col("doc_id").is_in(good)))
                write_table(claims, claims_path)
                write_table(docs, documents_path(claims_path))
    return [results[n] for n, _ in files]


def _current(claims_path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    if not claims_path.exists():
        return pl.DataFrame(schema=CLAIM_SCHEMA), pl.DataFrame(schema=DOCUMENT_SCHEMA)
    docs_path = documents_path(claims_path)
    docs = read_table(docs_path, DOCUMENT_SCHEMA) if docs_path.exists() else pl.DataFrame(schema=DOCUMENT_SCHEMA)
    return read_table(claims_path, CLAIM_SCHEMA), docs


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
