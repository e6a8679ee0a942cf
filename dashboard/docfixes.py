"""Analysts' fixes to a document's metadata (publication date, publisher), applied to both tables."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import polars as pl

from dashboard.loading import merge_extracted
from dashboard.source import find_article

Reextract = Callable[[list[Path], dict], tuple[pl.DataFrame, pl.DataFrame]]


def apply_doc_fixes(
    claims: pl.DataFrame,
    docs: pl.DataFrame,
    overrides: dict[str, dict[str, str]],
    reextract: Reextract | None = None,
    articles_dir: Path | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """Apply analysts' metadata fixes: re-extract the fixed documents (periods such as 今年 are
    re-resolved against the new date), then set the fixed fields so they show even if that failed."""
    warnings: list[str] = []
    overrides = {d: o for d, o in overrides.items() if o}
    if not overrides:
        return claims, docs, warnings
    paths = dict(docs.filter(pl.col("doc_id").is_in(list(overrides))).select("doc_id", "doc_path").iter_rows())
    found = {d: find_article(p, articles_dir or Path.cwd()) for d, p in paths.items()}
    present = {d: f for d, f in found.items() if f is not None}
    for d in overrides.keys() - present.keys():
        where = paths.get(d) or "not in the documents table"
        warnings.append(f"document {d} ({where}): file not found; fixed fields applied, periods not re-resolved")
    if present and reextract is not None:
        try:
            new_claims, new_docs = reextract(list(present.values()), {d: overrides[d] for d in present})
            good = new_docs.filter(pl.col("error").is_null() & pl.col("doc_id").is_in(list(present)))
            claims, docs = merge_extracted(claims, docs, new_claims.filter(pl.col("doc_id").is_in(good["doc_id"].to_list())), good)
            for path, err in new_docs.filter(pl.col("error").is_not_null()).select("doc_path", "error").iter_rows():
                warnings.append(f"{path}: re-extraction with fixed metadata failed ({err}); earlier claims kept")
        except Exception as e:  # a broken extractor must not hide the table
            warnings.append(f"re-extraction with fixed metadata failed ({type(e).__name__}: {e}); fixed fields applied only")
    return _set_fixed_fields(claims, overrides), _set_fixed_fields(docs, overrides, origins=True), warnings


def _set_fixed_fields(df: pl.DataFrame, overrides: dict, origins: bool = False) -> pl.DataFrame:
    rows = []
    for doc_id, o in overrides.items():
        date, precision = _published(o.get("published"))
        rows.append({"doc_id": doc_id, "_pub": o.get("publisher"), "_date": date, "_prec": precision})
    fixes = pl.DataFrame(rows, schema={"doc_id": pl.String, "_pub": pl.String, "_date": pl.Date, "_prec": pl.String})
    out = df.join(fixes, on="doc_id", how="left", maintain_order="left")
    has_date = pl.col("_prec").is_not_null()
    cols = [
        pl.coalesce("_pub", "publisher").alias("publisher"),
        pl.when(has_date).then(pl.col("_date")).otherwise(pl.col("published")).alias("published"),
        pl.when(has_date).then(pl.col("_prec")).otherwise(pl.col("published_precision")).alias("published_precision"),
        pl.when(has_date).then(pl.lit("app")).otherwise(pl.col("published_origin")).alias("published_origin"),
    ]
    if origins:
        cols.append(pl.when(pl.col("_pub").is_not_null()).then(pl.lit("app")).otherwise(pl.col("publisher_origin")).alias("publisher_origin"))
    return out.with_columns(cols).drop("_pub", "_date", "_prec")


def _published(value: str | None) -> tuple[dt.date | None, str | None]:
    if not value:
        return None, None
    if len(value) == 7:  # YYYY-MM
        return dt.datetime.strptime(value, "%Y-%m").date(), "month"
    return dt.datetime.strptime(value, "%Y-%m-%d").date(), "day"
