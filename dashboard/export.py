"""The exported table: what the Claims page downloads and `cloudclaims export` writes (the same code).

The canonical columns (keys and base units, extractors.table) come first, each key followed by its
bilingual label and each value by its human value and unit; then the review columns and the verdict
columns, likewise labelled. CSV is UTF-8 with BOM (Excel shows the Chinese) and formula-safe.
"""
from __future__ import annotations

import io
import re

import polars as pl

from dashboard import display
from dashboard.decisions import REVIEW_SCHEMA
from dashboard.filters import Filters, describe
from extractors import table
from extractors.table import CLAIM_SCHEMA
from factcheck.verdicts import VERDICT_SCHEMA

# column -> the readable columns that follow it in the export (name in the export, display column it comes from)
READABLE_AFTER: dict[str, list[tuple[str, str]]] = {
    "publisher": [("publisher_label", "publisher_label")],
    "entity": [("entity_label", "entity_label")],
    "product": [("product_label", "product_label")],
    "metric": [("metric_label", "metric_label")],
    "unit": [("value_human", "value_h"), ("value_high_human", "value_high_h"), ("unit_human", "unit_h")],
    "qualifier": [("qualifier_label", "qualifier_label")],
    "quote": [("quote_shown", "quote_shown")],
    "review_status": [("review_label", "review_label")],
    "verdict": [("verdict_label", "verdict_label")],
    "reported_value": [("reported_human", "reported_h")],
    "reported_source": [("reported_source_label", "reported_source_label"), ("reported_basis_label", "reported_basis_label")],
}
_NEEDS_REFERENCE = {"reported_source_label", "reported_basis_label"}  # only when the app had the reference at hand


def _layout(df: pl.DataFrame) -> list[tuple[str, str]]:
    """(export name, source column) in export order, for the columns this table has."""
    base = [*CLAIM_SCHEMA, *[c for c in (*REVIEW_SCHEMA, *VERDICT_SCHEMA) if c in df.columns]]
    out = []
    for col in base:
        out.append((col, col))
        out += [(name, src) for name, src in READABLE_AFTER.get(col, []) if src not in _NEEDS_REFERENCE or src in df.columns]
    return out


def export_columns(df: pl.DataFrame) -> list[str]:
    """The exported column names, in order; never the display helpers of the pages."""
    return [name for name, _ in _layout(df)]


def export_frame(df: pl.DataFrame) -> pl.DataFrame:
    """The table as exported: canonical, review and verdict columns with their readable companions."""
    if any(src not in df.columns for _, src in _layout(df) if src not in _NEEDS_REFERENCE):
        df = display.with_display(df)
    return df.select([pl.col(src).alias(name) for name, src in _layout(df)])


def to_csv_bytes(df: pl.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel shows the Chinese), formula-safe, review and verdict columns included."""
    return table.to_csv_bytes(export_frame(df))


def to_parquet_bytes(df: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    export_frame(df).write_parquet(buf)
    return buf.getvalue()


def file_name(filters: Filters, stamp: str, suffix: str) -> str:
    """cloudclaims_revenue_alibaba_cloud_from-2023-01-01_20261123-1405.csv: the filters that made the file.
    Letters of any script, digits, - and _ only; long filter lists are cut."""
    what = re.sub(r"[^\w\-]+", "-", describe(filters)).strip("-_")[:120] or "all"
    return f"cloudclaims_{what}_{stamp}.{suffix}"
