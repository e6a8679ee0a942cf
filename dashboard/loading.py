"""Reading the claims table and the documents table beside it, and merging a re-extraction into them."""
from __future__ import annotations

from pathlib import Path

import polars as pl

from extractors import table
from extractors.table import CLAIM_SCHEMA, DOCUMENT_SCHEMA, TableError, documents_path, read_tables


def load_tables(claims_path: str | Path) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """The claims table and the documents table beside it, plus warnings to show. A folder is read as
    the partitioned dataset `cloudclaims extract --dataset DIR` writes (load_dataset)."""
    p = Path(claims_path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no claims table yet; run `cloudclaims extract --out {p}` (or `make extract`)")
    if p.is_dir():
        claims, docs, warnings = load_dataset(p)
        return claims.rechunk(), docs, warnings
    claims, docs = read_tables(p)  # one pair, under the writers' lock; TableError names a damaged file
    # One chunk per column, as the columns the dashboard adds are: a frame of unequal chunks is copied
    # again by many of the operations that follow (a drop, a with_columns), each time.
    claims = claims.rechunk()
    if docs is not None:
        return claims, docs, []
    return claims, pl.DataFrame(schema=DOCUMENT_SCHEMA), [f"{documents_path(p)}: documents table missing; sources page is empty"]


def load_dataset(folder: Path) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """Both tables of a partitioned dataset, scanned lazily (polars scan_parquet over its partitions, the
    schema's columns only) and collected under the writers' lock. TableError names the folder or file."""
    claims_dir, docs_dir = folder / "claims", folder / "documents"
    if not claims_dir.is_dir():
        raise TableError(f"{folder}: a folder, but not a claims dataset (no claims/ inside; "
                         "`cloudclaims extract --dataset DIR` writes one)")
    try:
        if docs_dir.is_dir():
            claims, docs = table.read_dataset(folder)
        else:  # claims only: shown, with a warning, as a claims file without its documents table is
            with table.pair_lock(folder, shared=True):
                claims, docs = table.scan_dataset(folder, "claims").drop(table.PARTITION).collect(), None
    except TableError:
        raise
    except Exception as e:  # polars and arrow raise many types for a damaged file
        raise TableError(f"{folder}: unreadable dataset ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})") from None
    if docs is not None:
        return claims, docs, []
    return claims, pl.DataFrame(schema=DOCUMENT_SCHEMA), [f"{docs_dir}: documents table missing; sources page is empty"]


def source_key(path: Path) -> tuple[str, int | None, int | None]:
    """(path, mtime_ns, size) of a claims table, the cache key of what was read from it; for a dataset
    folder, the newest mtime and the total size of its files (a run replaces them all)."""
    try:
        if not path.is_dir():
            s = path.stat()
            return str(path), s.st_mtime_ns, s.st_size
        stats = [f.stat() for kind in table.DATASET_KINDS for f in table.dataset_files(path, kind)]
        here = path.stat()
        return str(path), max([here.st_mtime_ns, *(s.st_mtime_ns for s in stats)]), sum(s.st_size for s in stats) + len(stats)
    except FileNotFoundError:
        return str(path), None, None


def merge_extracted(
    claims: pl.DataFrame, docs: pl.DataFrame, new_claims: pl.DataFrame, new_docs: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Replace every document in new_docs (and its claims) by its new extraction; keep the rest."""
    ids = new_docs["doc_id"].to_list()
    return (
        pl.concat([claims.filter(~pl.col("doc_id").is_in(ids)), new_claims.select(list(CLAIM_SCHEMA))]),
        pl.concat([docs.filter(~pl.col("doc_id").is_in(ids)), new_docs.select(list(DOCUMENT_SCHEMA))]),
    )
