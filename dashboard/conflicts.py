"""Conflicts: claims about the same thing (entity, product, metric, period, unit) from different
articles that cannot all be true, read with the verdicts' own rule of what a claim allows
(factcheck.verdicts.claim_bounds), so the Conflicts and Fact-check pages never contradict each other.
"""
from __future__ import annotations

import polars as pl

from dashboard import display
from factcheck.verdicts import claim_bounds_expr, written_step_expr

CONFLICT_KEYS = ("entity", "product", "metric", "period", "unit")
_EPS = 1e-9


def claim_intervals(df: pl.DataFrame) -> pl.DataFrame:
    """lo/hi: the values a claim allows, by the verdicts' claim_bounds: its range and qualifier, widened
    by half the step it was written to (775.9亿 allows ±0.05亿; 6% allows ±0.5; 超过6% allows [5.5, ∞))."""
    step = written_step_expr(pl.col("value"), pl.col("unit"))
    lo, hi = claim_bounds_expr(pl.col("value"), pl.col("value_high"), pl.col("qualifier"), step)
    return df.with_columns(lo.alias("lo"), hi.alias("hi"))


def conflicts(df: pl.DataFrame) -> pl.DataFrame:
    """Claims in groups (same entity, product, metric, period and unit) in which two articles disagree:
    a claim of one document and a claim of another allow no common value. Unknown periods and rejected
    claims never take part, and a group whose every claim the Fact-check page calls consistent is no
    conflict (they differ by less than the reported figure's own rounding).

    One row per claim of such a group, with conflict_key naming the group, gap (how far apart the
    most distant claims of two articles are, canonical units), spread (gap relative to the group's
    largest value), gap_text (the gap in human units) and n_docs; the widest disagreements first."""
    live = df.filter(pl.col("period").is_not_null() & pl.col("value").is_not_null())
    if "review_status" in live.columns:
        live = live.filter(pl.col("review_status") != "rejected")
    if not live.height:
        return live.with_columns(pl.lit(None, pl.String).alias("conflict_key"), pl.lit(None, pl.Float64).alias("gap"))
    live = claim_intervals(live)
    keys = list(CONFLICT_KEYS)
    # Per document, the tightest it allows; then the two highest lower ends and the two lowest upper
    # ends of different documents: some pair of documents disagrees iff one of these four pairs does.
    per_doc = live.group_by(*keys, "doc_id").agg(pl.col("lo").max(), pl.col("hi").min())
    top_lo = per_doc.sort("lo", descending=True).group_by(keys, maintain_order=True).head(2).select(*keys, pl.col("doc_id").alias("_a"), "lo")
    low_hi = per_doc.sort("hi").group_by(keys, maintain_order=True).head(2).select(*keys, pl.col("doc_id").alias("_b"), "hi")
    pairs = top_lo.join(low_hi, on=keys, how="inner", nulls_equal=True).filter(pl.col("_a") != pl.col("_b"))
    finite = [pl.when(pl.col(c).is_finite()).then(pl.col(c).abs()).otherwise(0.0) for c in ("lo", "hi")]
    apart = pairs.filter(  # no common value: touching is not agreement (as verdicts' matches), float noise aside
        pl.col("lo") - pl.col("hi") >= -_EPS * pl.max_horizontal(*finite, pl.lit(1.0)))
    summary = live.group_by(keys).agg(
        pl.col("value").abs().max().alias("_top"), pl.col("doc_id").n_unique().alias("n_docs"),
        (pl.col("verdict") == "consistent").fill_null(False).all().alias("_all_consistent") if "verdict" in live.columns else pl.lit(False).alias("_all_consistent"),
        (pl.col("value").max() - pl.col("value").min()).alias("gap"),
    )
    groups = (apart.select(keys).unique().join(summary, on=keys, how="inner", nulls_equal=True)
              .filter(~pl.col("_all_consistent")))
    key = pl.concat_str([pl.col(c).fill_null("—") for c in CONFLICT_KEYS], separator=" | ")
    return (
        live.join(groups, on=keys, how="inner", nulls_equal=True)
        .with_columns(key.alias("conflict_key"), (pl.col("gap") / pl.col("_top")).alias("spread"),
                      display.value_text("gap", None).alias("gap_text"))
        .drop("_top", "_all_consistent")
        .sort(["spread", "conflict_key", "value"], descending=[True, False, False], nulls_last=True)
    )

