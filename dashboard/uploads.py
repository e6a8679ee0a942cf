"""Storing an uploaded article: only .txt/.md, size-limited, a sanitised name, never overwriting."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

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
        raise UploadError(f"{name!r}: {len(data) / 1e6:.1f} MB is over the {max_bytes / 1e6:.1f} MB upload limit")
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
