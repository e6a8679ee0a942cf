"""Conflicts: claims about the same thing (entity, product, metric, period, unit) from different
articles that cannot all be true, read with the verdicts' own rule of what a claim allows
(factcheck.verdicts.claim_bounds), so the Conflicts and Fact-check pages never contradict each other.
"""
from __future__ import annotations

import polars as pl

from dashboard import display
from factcheck.verdicts import claim_bounds_expr, written_step_expr

CONFLICT_KEYS = ("entity", "product", "metric", "period", "unit")
GROUP_COLUMNS = ("n_docs", "gap", "conflict_key", "spread", "gap_text")  # what conflicts adds about a claim's group
_EPS = 1e-9


def claim_intervals(df: pl.DataFrame) -> pl.DataFrame:
    """lo/hi: the values a claim allows, by the verdicts' claim_bounds: its range and qualifier, widened
    by half the step it was written to (775.9亿 allows ±0.05亿; 6% allows ±0.5; 超过6% allows [5.5, ∞))."""
    lo, hi = claim_bounds_expr(pl.col("value"), pl.col("value_high"), pl.col("qualifier"), pl.col("_step"))
    # The step once, as a column, and lazily: eager frames share no subexpression, and the step's
    # rule repeats its scaled value seven times.
    return df.lazy().with_columns(written_step_expr(pl.col("value"), pl.col("unit")).alias("_step")).with_columns(
        lo.alias("lo"), hi.alias("hi")).drop("_step").collect()


def conflict_rows(df: pl.DataFrame) -> pl.DataFrame:
    """Which claims of `df` are in conflict: one row per such claim with `row` (its index in df), lo, hi
    and GROUP_COLUMNS, and `group` (0 for the widest disagreement), the widest first and a group's claims in the
    table's order. Decided on the few columns
    it needs, so a million claims cost their keys and values, not every column (see conflicts)."""
    needed = [*CONFLICT_KEYS, "doc_id", "value", "value_high", "qualifier",
              *[c for c in ("review_status", "verdict") if c in df.columns]]
    live = df.select(needed).with_row_index("row").filter(pl.col("period").is_not_null() & pl.col("value").is_not_null())
    if "review_status" in live.columns:
        live = live.filter(pl.col("review_status") != "rejected")
    # Integer ids for a claim's group and its document (the position of the first claim of each), so the
    # aggregations below hash two integers instead of six strings.
    live = claim_intervals(live).with_row_index("_pos").with_columns(
        pl.col("_pos").first().over(CONFLICT_KEYS).alias("_g"), pl.col("_pos").first().over("doc_id").alias("_d"))
    consistent = (pl.col("verdict") == "consistent").fill_null(False) if "verdict" in live.columns else pl.lit(False)
    # Per document, the tightest it allows; then the two highest lower ends and the two lowest upper
    # ends of different documents: some pair of documents disagrees iff one of these four pairs does.
    # One integer per (group, document) pair (both are positions below 2**32): hashed as one key, not two.
    pair = (pl.col("_g").cast(pl.UInt64) * 2**32 + pl.col("_d")).alias("_pair")
    per_doc = live.group_by(pair).agg(pl.col("_g").first(), pl.col("_d").first(),
        pl.col("lo").max(), pl.col("hi").min(), pl.col("value").abs().max().alias("_top"), pl.col("value").max().alias("_max"),
        pl.col("value").min().alias("_min"), consistent.all().alias("_consistent"))
    groups = per_doc.group_by("_g").agg(
        pl.struct(pl.col("_d").alias("_a"), "lo").top_k_by("lo", 2).alias("_top_lo"),
        pl.struct(pl.col("_d").alias("_b"), "hi").bottom_k_by("hi", 2).alias("_low_hi"), pl.col("_top").max(),
        pl.len().alias("n_docs"), pl.col("_consistent").all(), (pl.col("_max").max() - pl.col("_min").min()).alias("gap"),
    ).filter((pl.col("n_docs") > 1) & ~pl.col("_consistent"))
    pairs = groups.select("_g", "_top_lo").explode("_top_lo").unnest("_top_lo").join(
        groups.select("_g", "_low_hi").explode("_low_hi").unnest("_low_hi"), on="_g").filter(pl.col("_a") != pl.col("_b"))
    finite = [pl.when(pl.col(c).is_finite()).then(pl.col(c).abs()).otherwise(0.0) for c in ("lo", "hi")]
    apart = pairs.filter(  # no common value: touching is not agreement (as verdicts' matches), float noise aside
        pl.col("lo") - pl.col("hi") >= -_EPS * pl.max_horizontal(*finite, pl.lit(1.0))).select("_g").unique()
    summary = groups.join(apart, on="_g", how="semi")
    summary = summary.hstack(live.select(CONFLICT_KEYS)[summary["_g"]])
    key = pl.concat_str([pl.col(c).fill_null("—") for c in CONFLICT_KEYS], separator=" | ")
    summary = (summary.with_columns(key.alias("conflict_key"), (pl.col("gap") / pl.col("_top")).alias("spread"),
                                    display.value_text("gap", None).alias("gap_text"))
               .sort(["spread", "conflict_key"], descending=[True, False], nulls_last=True)
               .select("_g", pl.int_range(pl.len()).alias("_order"), *GROUP_COLUMNS))
    # Group by group in the table's order (a stable sort on one integer, before the group's columns are
    # attached: summary's row k is group k); conflicts orders each group by value.
    ordered = (live.select("row", "lo", "hi", "_g").join(summary.select("_g", "_order"), on="_g", how="inner", maintain_order="left")
               .sort("_order", maintain_order=True))
    return ordered.select("row", "lo", "hi").hstack(summary.select(GROUP_COLUMNS)[ordered["_order"]]).with_columns(
        ordered["_order"].alias("group"))


def with_groups(df: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """The claims `rows` (part of what conflict_rows gave for df) names, in its order, with their groups."""
    return df[rows["row"]].hstack(rows.drop("row", "group", strict=False))


def conflicts(df: pl.DataFrame) -> pl.DataFrame:
    """Claims in groups (same entity, product, metric, period and unit) in which two articles disagree:
    a claim of one document and a claim of another allow no common value. Unknown periods and rejected
    claims never take part, and a group whose every claim the Fact-check page calls consistent is no
    conflict (they differ by less than the reported figure's own rounding).

    One row per claim of such a group, with conflict_key naming the group, gap (how far apart the
    most distant claims of two articles are, canonical units), spread (gap relative to the group's
    largest value), gap_text (the gap in human units) and n_docs; the widest disagreements first."""
    rows = conflict_rows(df)
    rows = rows.with_columns(df["value"].gather(rows["row"]).alias("_value")).sort("group", "_value", "row")
    return with_groups(df, rows.drop("_value", "group"))
