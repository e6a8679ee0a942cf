"""The one canonical schema of the claims and documents tables, and their I/O."""
from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

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


def write_table(df: pl.DataFrame, path: str | Path) -> None:
    """Parquet or CSV by extension; CSV is UTF-8 with BOM so Excel shows the Chinese."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    if p.suffix.lower() == ".csv":
        df.write_csv(tmp, include_bom=True)
    elif p.suffix.lower() == ".parquet":
        df.write_parquet(tmp)
    else:
        raise ValueError(f"{p}: unknown table format {p.suffix!r}; use .parquet or .csv")
    tmp.replace(p)  # atomic: a crash never leaves half a table


def read_table(path: str | Path, schema: dict[str, pl.DataType] = CLAIM_SCHEMA) -> pl.DataFrame:
    p = Path(path)
    if p.suffix.lower() == ".csv":
        df = pl.read_csv(p, infer_schema=False)
        return df.select(
            [
                pl.col(c).str.to_date() if t == pl.Date else pl.col(c).cast(t)
                for c, t in schema.items()
            ]
        )
    return pl.read_parquet(p).select(list(schema)).cast(schema)
