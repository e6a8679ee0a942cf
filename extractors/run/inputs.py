"""What a run's output depends on, in the standard library only: an unchanged re-run checks these before it
imports anything heavy (manifest.py), and the per-document cache keys on them (cache.py).

- where the cache lives by default;
- a file's stat signature, and when a change is settled (old enough that a later one cannot hide in the same
  clock tick);
- the sha256 of a file's bytes;
- the files of the extractor package whose bytes shape rows, and a digest of every file of the package with the
  libraries that shape rows (for a whole output, the batch layer counts too).
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

DEFAULT_CACHE_DIR = Path("data/cache")
PACKAGE_DIR = Path(__file__).resolve().parents[1]
# The batch layer itself does not shape a document's rows; editing it must not throw the cache away.
NOT_EXTRACTION = {"run", "evaluate.py", "files.py"}
INPUT_SUFFIXES = {".py", ".yaml", ".yml", ".json", ".txt", ".csv", ".tsv"}
RACY_SECONDS = 2.0  # a file touched this recently may still change within the same mtime tick
ROW_LIBRARIES = ("opencc", "regex")  # their versions shape rows


def stat_signature(st: os.stat_result) -> str:
    # ctime moves on every content write and cannot be set back by tools that restore mtime (rsync -t, touch -d).
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def settled(st: os.stat_result, now: float | None = None) -> bool:
    """Whether the file was last changed long enough before `now` that its signature can be trusted."""
    return (time.time() if now is None else now) - max(st.st_mtime, st.st_ctime) > RACY_SECONDS


def file_sha256(path: str | Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def package_files(package_dir: Path, rows_only: bool = True) -> Iterator[Path]:
    """The package's source and rule files in a stable order; rows_only: only those that shape a document's rows."""
    for p in sorted(package_dir.rglob("*")):
        rel = p.relative_to(package_dir)
        if p.suffix not in INPUT_SUFFIXES or "__pycache__" in p.parts:
            continue
        if rows_only and NOT_EXTRACTION & {rel.parts[0], p.name}:
            continue
        yield p


def code_digest(package_dir: Path | None = None) -> str:
    """Of every file of the package (the batch layer and writers too) and the row-shaping libraries' installs:
    an output made by other code is not current. Libraries are found without importing them."""
    package_dir = package_dir or PACKAGE_DIR
    h = hashlib.sha256(f"{sys.version}\0{unicodedata.unidata_version}\0".encode())
    for p in package_files(package_dir, rows_only=False):
        h.update(p.relative_to(package_dir).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    for name in ROW_LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec and spec.origin else ""
        try:
            sig = stat_signature(os.stat(origin))
        except OSError:
            sig = "-"
        h.update(f"{name}\0{origin}\0{sig}\0".encode())  # an upgrade rewrites the file: a new signature
    return h.hexdigest()
