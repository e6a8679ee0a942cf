"""Reading the claims table and the documents table beside it, and merging a re-extraction into them."""
from __future__ import annotations

from pathlib import Path

import polars as pl

from extractors.table import CLAIM_SCHEMA, DOCUMENT_SCHEMA, documents_path, read_tables


def load_tables(claims_path: str | Path) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """The claims table and the documents table beside it, plus warnings to show."""
    p = Path(claims_path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no claims table yet; run `cloudclaims extract --out {p}` (or `make extract`)")
    claims, docs = read_tables(p)  # one pair, under the writers' lock; TableError names a damaged file
    if docs is not None:
        return claims, docs, []
    return claims, pl.DataFrame(schema=DOCUMENT_SCHEMA), [f"{documents_path(p)}: documents table missing; sources page is empty"]


def merge_extracted(
    claims: pl.DataFrame, docs: pl.DataFrame, new_claims: pl.DataFrame, new_docs: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Replace every document in new_docs (and its claims) by its new extraction; keep the rest."""
    ids = new_docs["doc_id"].to_list()
    return (
        pl.concat([claims.filter(~pl.col("doc_id").is_in(ids)), new_claims.select(list(CLAIM_SCHEMA))]),
        pl.concat([docs.filter(~pl.col("doc_id").is_in(ids)), new_docs.select(list(DOCUMENT_SCHEMA))]),
    )
