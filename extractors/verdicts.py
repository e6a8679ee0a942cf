"""Verdicts: each Alibaba Cloud claim checked against the reported quarterly figures.

WORK IN PROGRESS: signatures and column names are final; the logic is being written.
"""
from __future__ import annotations

import polars as pl

# Columns add_verdicts appends to a claims table (import this; do not copy the list).
VERDICT_SCHEMA: dict[str, pl.DataType] = {
    "verdict": pl.String,  # consistent | inconsistent | unverifiable | null (not an Alibaba Cloud figure)
    "reported_value": pl.Float64,  # canonical units, like `value`
    "verdict_reason": pl.String,
    "reported_source": pl.String,  # URL(s) of the reference row(s), space-separated for annual sums
}

REPORTED_SERIES_SCHEMA: dict[str, pl.DataType] = {
    "metric": pl.String,
    "period": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "value": pl.Float64,
    "segment_basis": pl.String,
    "source_url": pl.String,
}


def add_verdicts(claims: pl.DataFrame, reference: pl.DataFrame) -> pl.DataFrame:
    """`claims` plus the VERDICT_SCHEMA columns, same rows in the same order."""
    raise NotImplementedError("issue 6: being written")


def reported_series(reference: pl.DataFrame) -> pl.DataFrame:
    """One row per quarter and metric (REPORTED_SERIES_SCHEMA), values in canonical units."""
    raise NotImplementedError("issue 6: being written")
