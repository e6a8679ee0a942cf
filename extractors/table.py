"""The one canonical schema of the claims and documents tables, and their I/O.

Writing is safe against everything a shared folder sees: each writer uses its own hidden temporary name,
the claims and documents tables are moved into place together under a lock (last writer wins, as a pair),
and readers take the same lock, so they never see one run's claims beside another run's documents.
Every CSV meant for people is formula-safe (write_csv, to_csv_bytes), and read_table reads it back as it was.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import io
import os
from pathlib import Path

import polars as pl

from extractors.files import fsync, remove_leftovers, temp_path

CLAIM_SCHEMA: dict[str, pl.DataType] = {
    "claim_id": pl.String,
    "doc_id": pl.String,
    "doc_path": pl.String,
    "title": pl.String,
    "publisher": pl.String,
    "url": pl.String,
    "published": pl.Date,
    "published_precision": pl.String,  # day | month | year | None
    "published_origin": pl.String,  # front_matter | sources_yaml | inferred | app | unknown
    "entity": pl.String,
    "product": pl.String,
    "metric": pl.String,
    "value": pl.Float64,
    "value_high": pl.Float64,
    "unit": pl.String,  # CNY | USD | % | CNY/1M tokens | count
    "qualifier": pl.String,
    "period": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "period_origin": pl.String,
    "period_note": pl.String,  # why the period is what it is, or why it is unknown
    "subject_origin": pl.String,  # clause | sentence | attributive | exclusion | topic
    "cited_source": pl.String,
    "quote": pl.String,
    "span_start": pl.Int64,
    "span_end": pl.Int64,
    "rule_id": pl.String,  # the claim frame that read it
    "extractor_version": pl.String,  # rules-<fingerprint of every rule file>
}

DOCUMENT_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String,
    "doc_path": pl.String,
    "title": pl.String,
    "title_origin": pl.String,
    "publisher": pl.String,
    "publisher_origin": pl.String,
    "url": pl.String,
    "published": pl.Date,
    "published_precision": pl.String,
    "published_origin": pl.String,
    "published_evidence": pl.String,
    "encoding": pl.String,
    "n_chars": pl.Int64,
    "n_claims": pl.Int64,
    "error": pl.String,  # None when the file was read; otherwise why it was not
    "warnings": pl.String,  # what was read but ignored or repaired, "; "-separated
}

UNITS = ("CNY", "USD", "%", "CNY/1M tokens", "count")


def claims_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=CLAIM_SCHEMA)


def documents_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=DOCUMENT_SCHEMA)


def claim_id(doc_id: str, span_start: int, span_end: int, entity: str | None, product: str | None, metric: str) -> str:
    """Stable across runs: reviews attach to it, so it must not depend on rule ids or row order."""
    key = "|".join([doc_id, str(span_start), str(span_end), entity or "", product or "", metric])
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def documents_path(claims_path: str | Path) -> Path:
    """Where the documents table lives beside a claims table: claims.parquet -> claims.documents.parquet."""
    p = Path(claims_path)
    return p.with_name(f"{p.stem}.documents{p.suffix}")


# ---- the partitioned dataset ------------------------------------------------------------------------------------
# The same two tables as Hive-partitioned Parquet, for archives too large for one file and for lazy readers:
#   <dir>/claims/published_year=2023/part-0.parquet      <dir>/documents/published_year=2023/part-0.parquet
#   <dir>/claims/published_year=__HIVE_DEFAULT_PARTITION__/...   (no publication date known)
# Files hold exactly the schema's columns; published_year (the year of `published`) is only in the folder name.
# A document's row and its claims sit in the same year; within a file, rows keep the order of the single table.
# Written whole by `extract --dataset` (and `--engine ray`) and moved into place under the pair lock.
DATASET_KINDS = {"claims": CLAIM_SCHEMA, "documents": DOCUMENT_SCHEMA}
PARTITION = "published_year"
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # Hive's (and polars') name for a null partition value


def dataset_path(claims_path: str | Path) -> Path:
    """The dataset's default folder beside a claims table: claims.parquet -> claims.dataset/."""
    p = Path(claims_path)
    return p.with_name(f"{p.stem}.dataset")


def partition_dir(dataset_dir: str | Path, kind: str, year: int | None) -> Path:
    return Path(dataset_dir) / kind / f"{PARTITION}={NULL_PARTITION if year is None else year}"


def dataset_files(dataset_dir: str | Path, kind: str = "claims") -> list[Path]:
    """The Parquet files of one table of a dataset, partition by partition in a stable order."""
    root = Path(dataset_dir) / kind
    return sorted(root.glob(f"{PARTITION}=*/*.parquet")) if root.is_dir() else []


def scan_dataset(dataset_dir: str | Path, kind: str = "claims") -> pl.LazyFrame:
    """One table of a dataset, lazily: the schema's columns and published_year (filter on it to read only some
    years). TableError when it is not a dataset."""
    schema = DATASET_KINDS[kind]
    found = dataset_files(dataset_dir, kind)
    if not found:
        if not (Path(dataset_dir) / kind).is_dir():
            raise TableError(f"{Path(dataset_dir) / kind}: no such dataset folder")
        return pl.LazyFrame(schema=schema | {PARTITION: pl.Int32})
    return pl.scan_parquet(found, hive_partitioning=True, hive_schema={PARTITION: pl.Int32}).select(
        [pl.col(c).cast(t) for c, t in schema.items()] + [pl.col(PARTITION)])


def read_dataset(dataset_dir: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The claims and documents tables of a dataset, with exactly the schema's columns, under the pair lock."""
    with pair_lock(Path(dataset_dir), shared=True):
        return tuple(scan_dataset(dataset_dir, kind).drop(PARTITION).collect() for kind in DATASET_KINDS)


class TableError(Exception):
    """A table that cannot be read or written; the message names the file and the problem."""


# ---- formula-safe CSV ------------------------------------------------------------------------------------------
FORMULA_START = "=+-@\t\r"  # OWASP CSV injection: a cell starting with one of these may be evaluated
# A text cell that starts like a formula, after any quotes already there, gets one more quote in front. Reading
# takes exactly one off again, so the round trip is lossless even for text that itself started with a quote.
_STARTS = "[" + "".join("\\" + c if c in "-^]\\" else c for c in FORMULA_START) + "]"
_UNSAFE, _ESCAPED = f"^'*{_STARTS}", f"^'+{_STARTS}"


def neutralise(df: pl.DataFrame) -> pl.DataFrame:
    """Text cells that start like a formula get a leading ' (OWASP); numbers and dates stay as they are."""
    return df.with_columns(
        pl.when(pl.col(c).str.contains(_UNSAFE)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c, t in df.schema.items() if t == pl.String
    )


def restore(df: pl.DataFrame) -> pl.DataFrame:
    """The inverse of neutralise, for text columns read back from one of our CSVs."""
    return df.with_columns(
        pl.when(pl.col(c).str.contains(_ESCAPED)).then(pl.col(c).str.slice(1)).otherwise(pl.col(c)).alias(c)
        for c, t in df.schema.items() if t == pl.String
    )


def write_csv(df: pl.DataFrame, target, *, header: bool = True) -> None:
    """Formula-safe CSV, UTF-8 with a BOM before the header (so Excel shows the Chinese). `target` is a path or
    a binary file; header=False appends rows to a file already started (streaming writers)."""
    neutralise(df).write_csv(target, include_header=header, include_bom=header)


def to_csv_bytes(df: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    write_csv(df, buf)
    return buf.getvalue()


# ---- files that appear whole, in pairs --------------------------------------------------------------------------
def _lock_path(claims_path: Path) -> Path:
    return claims_path.with_name(f".{claims_path.name}.lock")


@contextlib.contextmanager
def pair_lock(claims_path: str | Path, shared: bool = False):
    """The lock over a claims table and its documents table: exclusive to replace them, shared to read them.
    The lock file stays (removing it would race with the next writer); where it cannot be created (a
    read-only folder), nobody can write the tables either, and a reader goes on without it."""
    lock = _lock_path(Path(claims_path))
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        if not shared:
            raise
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def publish(moves: list[tuple[Path, Path]], claims_path: str | Path) -> None:
    """Move finished temporary files into place, all under the pair lock: readers see all or none of them."""
    for tmp, _ in moves:
        fsync(tmp)  # on disk before it takes the table's name: a power cut leaves the old table or the new one
    with pair_lock(claims_path):
        for tmp, final in moves:
            os.replace(tmp, final)
    with contextlib.suppress(OSError):
        fsync(Path(claims_path).parent)


def check_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ValueError(f"{path}: unknown table format {Path(path).suffix!r}; use .parquet or .csv")
    return suffix


RESERVE_BYTES = 1 << 20  # free space the target must have before a run starts


def check_target(path: str | Path) -> None:
    """Raise TableError unless a table can be written at `path`: not a directory, a folder we may write in,
    room on the disk. Checked before any work, so a run does not fail at its very end."""
    p = Path(path)
    if p.is_dir():
        raise TableError(f"{p}: is a directory; give a file name such as {p / 'claims.parquet'}")
    check_format(p)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        probe = temp_path(p)
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as e:  # read-only, no permission, not a folder...
        raise TableError(f"{p}: cannot be written ({e.strerror or e})") from None
    try:
        os.posix_fallocate(fd, 0, RESERVE_BYTES)
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):  # other errors: a file system without fallocate
            raise TableError(f"{p}: cannot be written ({e.strerror or e})") from None
    finally:
        os.close(fd)
        probe.unlink(missing_ok=True)


def _write_one(df: pl.DataFrame, path: Path) -> Path:
    tmp = temp_path(path)
    try:
        if check_format(path) == ".csv":
            write_csv(df, tmp)
        else:
            df.write_parquet(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_table(df: pl.DataFrame, path: str | Path) -> None:
    """One table, Parquet or CSV by extension (CSV formula-safe, UTF-8 with BOM); appears whole or not at all."""
    write_tables({Path(path): df}, Path(path))


def write_tables(tables: dict[Path, pl.DataFrame], claims_path: str | Path) -> None:
    """Several tables (the claims table and its documents table) replaced together, as one pair."""
    Path(claims_path).parent.mkdir(parents=True, exist_ok=True)
    for path in tables:
        remove_leftovers(path)
    moves: list[tuple[Path, Path]] = []
    try:
        for path, df in tables.items():
            moves.append((_write_one(df, Path(path)), Path(path)))
        publish(moves, claims_path)
    except BaseException:
        for tmp, _ in moves:
            tmp.unlink(missing_ok=True)
        raise


def read_table(path: str | Path, schema: dict[str, pl.DataType] = CLAIM_SCHEMA) -> pl.DataFrame:
    p = Path(path)
    if p.suffix.lower() == ".csv":
        df = restore(pl.read_csv(p, infer_schema=False))
        return df.select(
            [
                pl.col(c).str.to_date() if t == pl.Date else pl.col(c).cast(t)
                for c, t in schema.items()
            ]
        )
    return pl.read_parquet(p).select(list(schema)).cast(schema)


def read_tables(claims_path: str | Path) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """The claims table and the documents table beside it (None when there is none), read as one pair.
    TableError names the file when either cannot be read."""
    p = Path(claims_path)
    docs_p = documents_path(p)
    with pair_lock(p, shared=True):
        current = p
        try:
            claims = read_table(p, CLAIM_SCHEMA)
            current = docs_p
            docs = read_table(docs_p, DOCUMENT_SCHEMA) if docs_p.exists() else None
        except FileNotFoundError:
            raise
        except Exception as e:  # polars and arrow raise many types for a damaged file
            raise TableError(f"{current}: unreadable ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})") from None
    return claims, docs
