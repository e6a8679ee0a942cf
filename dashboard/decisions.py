"""Reviewers' decisions applied to the claims table: the latest decision per claim (accept, reject,
correct), the verdict a reviewer sets, and the decisions whose claim is gone (orphans, kept)."""
from __future__ import annotations

import json

import polars as pl

from dashboard import display
from dashboard.reviews import STATUS_OF_ACTION
from extractors.calendar import period_bounds
from extractors.table import CLAIM_SCHEMA
from factcheck.verdicts import VERDICT_SCHEMA

REVIEW_SCHEMA: dict[str, pl.DataType] = {
    "review_status": pl.String,  # unreviewed | accepted | corrected | rejected
    "reviewer": pl.String,
    "review_note": pl.String,
    "reviewed_at": pl.String,
    "original_value": pl.Float64,  # the extracted value, when a correction changed it
    "corrected_fields": pl.String,  # "value 775.9 亿元 → 776 亿元; period 2022 → FY2023"
    "verdict_override": pl.String,  # the verdict the latest decision sets, if any (apply_verdict_overrides)
}
CORRECTABLE = ("value", "value_high", "unit", "period", "entity", "product")


def has_verdicts(df: pl.DataFrame) -> bool:
    """Verdicts were computed: the verdict columns are there (verdict_reason may come later, see
    dashboard.effective.with_reasons)."""
    return all(c in df.columns for c in VERDICT_SCHEMA if c != "verdict_reason")


def apply_reviews(claims: pl.DataFrame, latest: pl.DataFrame) -> pl.DataFrame:
    """The claims with the latest decision of each applied, plus REVIEW_SCHEMA columns.

    A correction replaces the correctable fields as a whole; the extracted value stays in
    original_value and what changed is spelled out in corrected_fields.

    Only the reviewed rows are worked on (_reviewed); their new values are written back in place, so a
    million claims with a thousand decisions cost a lookup of the ids, not a join of the whole table.
    """
    rows = claims.select(pl.col("claim_id").is_in(latest["claim_id"].unique().implode()).arg_true()).to_series()
    done = _reviewed(claims[rows], latest)
    unreviewed = {"review_status": "unreviewed"}
    review = [pl.repeat(unreviewed.get(c), claims.height, dtype=t, eager=True).alias(c).scatter(rows, done[c])
              for c, t in REVIEW_SCHEMA.items()]
    changed = set(CORRECTABLE) | {"period_origin", "period_start", "period_end"} if (done["review_status"] == "corrected").any() else set()
    base = [claims[c].clone().scatter(rows, done[c]) if c in changed else claims[c] for c in CLAIM_SCHEMA]
    extra = [claims[c] for c in claims.columns if c not in CLAIM_SCHEMA]
    return pl.DataFrame([*base, *review, *extra])


def _reviewed(claims: pl.DataFrame, latest: pl.DataFrame) -> pl.DataFrame:
    """apply_reviews on rows that all have a decision, in their order: CLAIM_SCHEMA and REVIEW_SCHEMA columns."""
    dec = latest.select(
        "claim_id",
        pl.col("action").replace_strict(STATUS_OF_ACTION, default=None).alias("_status"),
        *[pl.col(c).alias(f"_{c}") for c in CORRECTABLE],
        pl.col("reviewer"),
        pl.col("note").alias("review_note"),
        pl.col("created_at").alias("reviewed_at"),
        pl.col("verdict").alias("verdict_override"),
    )
    out = claims.join(dec, on="claim_id", how="left", maintain_order="left")
    fix = pl.col("_status") == "corrected"
    changed = [
        pl.when(fix & ~pl.col(f"_{c}").eq_missing(pl.col(c)))
        .then(pl.format("{} {} → {}", pl.lit(c), _show(c, ""), _show(c, "_")))
        for c in CORRECTABLE
    ]
    out = out.with_columns(
        pl.col("_status").fill_null("unreviewed").alias("review_status"),
        pl.when(fix & (pl.col("_value") != pl.col("value"))).then(pl.col("value")).alias("original_value"),
        pl.when(fix).then(pl.concat_str(changed, separator="; ", ignore_nulls=True)).alias("corrected_fields"),
        pl.when(fix & ~pl.col("_period").eq_missing(pl.col("period"))).then(pl.lit("review")).otherwise(pl.col("period_origin")).alias("period_origin"),
        *[pl.when(fix).then(pl.col(f"_{c}")).otherwise(pl.col(c)).alias(c) for c in CORRECTABLE],
    )
    bounds = _period_bounds_frame(out.filter(pl.col("_status") == "corrected")["period"].drop_nulls().unique().to_list())
    out = out.join(bounds, on="period", how="left", maintain_order="left").with_columns(
        pl.when(fix).then(pl.col("_start")).otherwise(pl.col("period_start")).alias("period_start"),
        pl.when(fix).then(pl.col("_end")).otherwise(pl.col("period_end")).alias("period_end"),
    )
    return out.select(*CLAIM_SCHEMA, *REVIEW_SCHEMA)


def apply_verdict_overrides(df: pl.DataFrame) -> pl.DataFrame:
    """Where the latest decision sets a verdict (verdict_override), it replaces the computed one and
    verdict_reason says who set it, when and why, then what was computed ("set by 张三 on 2026-11-23:
    财报口径不同; computed: consistent — matches reported 6% for 2024Q2"). reported_value and
    reported_source stay as computed, so the figure it was checked against is still shown.

    A decision states its verdict whole, as a correction states its fields: a later decision without a
    verdict ends the override (the review form starts from the current override, so keeping it is the
    default there), and a rejection, which takes no verdict, brings back the computed one. Claims with
    no computed verdict (not Alibaba Cloud figures) take the reviewer's. Without verdict columns
    (verdicts unavailable) the table is returned as it is: the override stays in verdict_override and
    the page says why there are no verdicts.
    """
    if not has_verdicts(df):
        return df
    override = pl.col("verdict_override").is_not_null()
    if "verdict_reason" not in df.columns:  # the reasons come later (effective.with_reasons), overridden there
        return df.with_columns(pl.when(override).then(pl.col("verdict_override")).otherwise(pl.col("verdict")).alias("verdict"))
    note = pl.when(pl.col("review_note").fill_null("") != "").then(pl.lit(": ") + pl.col("review_note")).otherwise(pl.lit(""))
    computed = pl.concat_str(pl.col("verdict").fill_null("none"), pl.lit(" — ") + pl.col("verdict_reason"), ignore_nulls=True)
    reason = pl.concat_str(pl.lit("set by "), pl.col("reviewer"), pl.lit(" on "), pl.col("reviewed_at").str.slice(0, 10),
                           note, pl.lit("; computed: "), computed)
    return df.with_columns(
        pl.when(override).then(pl.col("verdict_override")).otherwise(pl.col("verdict")).alias("verdict"),
        pl.when(override).then(reason).otherwise(pl.col("verdict_reason")).alias("verdict_reason"),
    )


def _show(col: str, prefix: str) -> pl.Expr:
    e = pl.col(prefix + col)
    if col in ("value", "value_high"):
        return display.value_text(prefix + col, None, prefix + "unit").fill_null("—")
    return e.cast(pl.String).fill_null("—")


def _period_bounds_frame(periods: list[str]) -> pl.DataFrame:
    rows = []
    for p in periods:
        try:
            start, end = period_bounds(p)
        except ValueError:
            start = end = None  # stored before validation existed: keep the label, no dates
        rows.append((p, start, end))
    return pl.DataFrame(rows, schema={"period": pl.String, "_start": pl.Date, "_end": pl.Date}, orient="row")


def orphaned_reviews(latest: pl.DataFrame, claims: pl.DataFrame) -> pl.DataFrame:
    """Latest decisions whose claim is gone from the table (kept, never deleted), with what the
    reviewer saw then: document, metric, value and quote from the snapshot."""
    # The few decided ids looked up in the table, not the table's million ids hashed for a join.
    present = claims.filter(pl.col("claim_id").is_in(latest["claim_id"].implode()))["claim_id"]
    orphans = latest.filter(~pl.col("claim_id").is_in(present.implode()))
    snap = [json.loads(s) if s else {} for s in orphans["claim_snapshot"].to_list()]
    return orphans.with_columns(
        *[pl.Series(f"was_{k}", [s.get(k) for s in snap], dtype=pl.String) for k in ("doc_path", "metric", "quote")]
    ).drop("claim_snapshot")


def claim_snapshot(row: dict) -> dict:
    """What a decision stores about its claim, so an orphaned review still says what it was about."""
    return {k: row.get(k) for k in ("doc_id", "doc_path", "metric", "entity", "product", "value", "unit", "period", "quote")}
