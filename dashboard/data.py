"""Pure data functions of the dashboard: polars in, polars out, no Streamlit.

The effective table is built in steps, each its own function so each is tested alone:
load_tables -> apply_doc_fixes -> apply_reviews -> (verdicts, optional) -> apply_verdict_overrides
-> with_display.
"""
from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from dashboard import labels
from dashboard.reviews import STATUS_OF_ACTION
from dashboard.source import find_article
from extractors.calendar import period_bounds
from extractors.table import CLAIM_SCHEMA, DOCUMENT_SCHEMA, documents_path, read_table
from factcheck.verdicts import VERDICT_SCHEMA

REVIEW_SCHEMA: dict[str, pl.DataType] = {
    "review_status": pl.String,  # unreviewed | accepted | corrected | rejected
    "reviewer": pl.String,
    "review_note": pl.String,
    "reviewed_at": pl.String,
    "original_value": pl.Float64,  # the extracted value, when a correction changed it
    "corrected_fields": pl.String,  # "value 775.9 → 776 亿元; period 2022 → FY2023"
    "verdict_override": pl.String,  # the verdict the latest decision sets, if any (apply_verdict_overrides)
}
CORRECTABLE = ("value", "value_high", "unit", "period", "entity", "product")
NONE_LABEL = "(none 无)"  # filter option standing for a null product or publisher

Reextract = Callable[[list[Path], dict], tuple[pl.DataFrame, pl.DataFrame]]


# ---------------------------------------------------------------------------------------- loading
def load_tables(claims_path: str | Path) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """The claims table and the documents table beside it, plus warnings to show."""
    p = Path(claims_path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no claims table yet; run `cloudclaims extract --out {p}` (or `make extract`)")
    claims = read_table(p, CLAIM_SCHEMA)
    docs_p = documents_path(p)
    if docs_p.exists():
        return claims, read_table(docs_p, DOCUMENT_SCHEMA), []
    return claims, pl.DataFrame(schema=DOCUMENT_SCHEMA), [f"{docs_p}: documents table missing; sources page is empty"]


def merge_extracted(
    claims: pl.DataFrame, docs: pl.DataFrame, new_claims: pl.DataFrame, new_docs: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Replace every document in new_docs (and its claims) by its new extraction; keep the rest."""
    ids = new_docs["doc_id"].to_list()
    return (
        pl.concat([claims.filter(~pl.col("doc_id").is_in(ids)), new_claims.select(list(CLAIM_SCHEMA))]),
        pl.concat([docs.filter(~pl.col("doc_id").is_in(ids)), new_docs.select(list(DOCUMENT_SCHEMA))]),
    )


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


# ---------------------------------------------------------------------------------------- reviews
def apply_reviews(claims: pl.DataFrame, latest: pl.DataFrame) -> pl.DataFrame:
    """The claims with the latest decision of each applied, plus REVIEW_SCHEMA columns.

    A correction replaces the correctable fields as a whole; the extracted value stays in
    original_value and what changed is spelled out in corrected_fields.
    """
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
    return out.select(*CLAIM_SCHEMA, *REVIEW_SCHEMA, *[c for c in claims.columns if c not in CLAIM_SCHEMA])


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
        return pl.concat_str(_num_text(e / _divisor(prefix + "unit")), _unit_label(prefix + "unit"), separator=" ").fill_null("—")
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
    orphans = latest.join(claims.select("claim_id"), on="claim_id", how="anti", maintain_order="left")
    snap = [json.loads(s) if s else {} for s in orphans["claim_snapshot"].to_list()]
    return orphans.with_columns(
        *[pl.Series(f"was_{k}", [s.get(k) for s in snap], dtype=pl.String) for k in ("doc_path", "metric", "quote")]
    ).drop("claim_snapshot")


def claim_snapshot(row: dict) -> dict:
    """What a decision stores about its claim, so an orphaned review still says what it was about."""
    return {k: row.get(k) for k in ("doc_id", "doc_path", "metric", "entity", "product", "value", "unit", "period", "quote")}


# ---------------------------------------------------------------------------------------- display
def _divisor(unit: str = "unit") -> pl.Expr:
    """Canonical -> human divisor for each row's unit (1e8 for money: 亿)."""
    return pl.col(unit).replace_strict({u: d for u, (d, _) in labels.HUMAN_UNITS.items()}, default=1.0, return_dtype=pl.Float64)


def _unit_label(unit: str = "unit") -> pl.Expr:
    """亿元, 亿美元, %, 元/百万tokens; an unknown unit as itself."""
    return pl.col(unit).replace_strict({u: h for u, (_, h) in labels.HUMAN_UNITS.items()}, default=pl.col(unit), return_dtype=pl.String)


def _num_text(e: pl.Expr) -> pl.Expr:
    """775.9, 6, -2, 0.0005: up to 4 decimals and no trailing .0."""
    return e.round(4).cast(pl.String).str.replace(r"\.0$", "")


def with_display(df: pl.DataFrame) -> pl.DataFrame:
    """Columns the pages show: human values and bilingual labels, and x_period, the middle of the period."""
    div = _divisor()
    unit_h = _unit_label()
    entity = pl.col("entity").replace_strict(labels.ENTITIES, default=pl.col("entity"), return_dtype=pl.String)
    extra = [(pl.col("reported_value") / div).alias("reported_h")] if "reported_value" in df.columns else []
    return df.with_columns(
        *extra,
        (pl.col("value") / div).alias("value_h"),
        (pl.col("value_high") / div).alias("value_high_h"),
        unit_h.alias("unit_h"),
        pl.concat_str(
            _num_text(pl.col("value") / div),
            pl.when(pl.col("value_high").is_not_null()).then(pl.lit("–") + _num_text(pl.col("value_high") / div)).otherwise(pl.lit("")),
            pl.when(pl.col("unit") == "%").then(pl.lit("")).otherwise(pl.lit(" ")),
            unit_h.fill_null(""),
        ).alias("value_text"),
        pl.col("metric").replace_strict(labels.METRICS, default=pl.col("metric"), return_dtype=pl.String).alias("metric_label"),
        entity.alias("entity_label"),
        pl.when(pl.col("product").is_not_null()).then(pl.concat_str(entity, pl.col("product"), separator=" · ")).otherwise(entity).alias("series"),
        pl.col("qualifier").fill_null("exact").replace_strict(labels.QUALIFIERS, default=pl.col("qualifier"), return_dtype=pl.String).alias("qualifier_label"),
        (pl.col("period_start") + (pl.col("period_end") - pl.col("period_start")) / 2).cast(pl.Date).alias("x_period"),
    )


# ---------------------------------------------------------------------------------------- filters
@dataclass(frozen=True)
class Filters:
    """Empty tuples mean "all"; NONE_LABEL in products/publishers stands for a null value."""

    metrics: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    publishers: tuple[str, ...] = ()
    published_from: dt.date | None = None
    published_to: dt.date | None = None
    include_undated: bool = True
    statuses: tuple[str, ...] = ()
    text: str = ""


def _in(col: str, values: tuple[str, ...]) -> pl.Expr:
    e = pl.col(col).is_in(list(values))
    return e | pl.col(col).is_null() if NONE_LABEL in values else e.fill_null(False)


@lru_cache(maxsize=256)
def search_variants(text: str) -> tuple[str, ...]:
    """The query in simplified and traditional script, lower-cased: 营收 finds 營收 and back."""
    import opencc  # slow to import; only needed once someone searches

    q = text.strip().lower()
    return tuple(sorted({q, opencc.OpenCC("s2t").convert(q), opencc.OpenCC("t2s").convert(q)}))


def filter_claims(df: pl.DataFrame, f: Filters) -> pl.DataFrame:
    conds: list[pl.Expr] = []
    for col, values in (("metric", f.metrics), ("entity", f.entities), ("product", f.products),
                        ("publisher", f.publishers), ("review_status", f.statuses)):
        if values:
            conds.append(_in(col, values))
    if f.published_from or f.published_to:
        d = pl.col("published")
        in_range = d.is_between(f.published_from or dt.date.min, f.published_to or dt.date.max)
        conds.append((in_range | d.is_null()) if f.include_undated else in_range.fill_null(False))
    elif not f.include_undated:
        conds.append(pl.col("published").is_not_null())
    if f.text.strip():
        quote = pl.col("quote").str.to_lowercase()
        conds.append(pl.any_horizontal([quote.str.contains(v, literal=True) for v in search_variants(f.text)]).fill_null(False))
    return df.filter(*conds) if conds else df


def options(df: pl.DataFrame, col: str) -> list[str]:
    """Distinct values for a filter, sorted, with NONE_LABEL first when some rows have none."""
    s = df.get_column(col)
    vals = sorted(s.drop_nulls().unique().to_list())
    return ([NONE_LABEL] if s.null_count() else []) + vals


# ---------------------------------------------------------------------------------------- conflicts
CONFLICT_KEYS = ("entity", "product", "metric", "period", "unit")


def claim_intervals(df: pl.DataFrame) -> pl.DataFrame:
    """lo/hi: the values a claim allows, given its range, its qualifier and the precision it was
    written with (775.9亿 allows ±0.05亿; 6% allows ±0.5). 超过6% allows [6, ∞); 不足5% allows (-∞, 5]."""
    div = _divisor()
    lo, hi = pl.col("value"), pl.coalesce("value_high", "value")
    tol_lo, tol_hi = _half_step(lo / div) * div, _half_step(hi / div) * div
    q = pl.col("qualifier").fill_null("exact")
    inf = float("inf")
    fuzzy = q.is_in(["approx", "average"])
    return df.with_columns(
        pl.when(q.is_in(["under", "up_to"])).then(-inf)
        .when(q.is_in(["over", "at_least", "as_low_as"])).then(lo)
        .when(fuzzy).then(lo - pl.max_horizontal(tol_lo, 0.1 * lo.abs()))
        .otherwise(lo - tol_lo).alias("lo"),
        pl.when(q.is_in(["over", "at_least", "as_low_as"])).then(inf)
        .when(q.is_in(["under", "up_to"])).then(hi)
        .when(fuzzy).then(hi + pl.max_horizontal(tol_hi, 0.1 * hi.abs()))
        .otherwise(hi + tol_hi).alias("hi"),
    )


def _half_step(human: pl.Expr) -> pl.Expr:
    """Half a unit of the last decimal written: 775.9 -> 0.05, 6 -> 0.5, 0.0005 -> 0.00005 (at most 4
    decimals, as shown). Numeric, not via strings: this runs over every claim."""
    step = pl.lit(0.5 * 10.0**-4)
    for d in range(3, -1, -1):  # the fewest decimals that reproduce the value wins
        step = pl.when((human - human.round(d)).abs() < 1e-9 * pl.max_horizontal(human.abs(), 1.0)).then(0.5 * 10.0**-d).otherwise(step)
    return step


def conflicts(df: pl.DataFrame) -> pl.DataFrame:
    """Claims in groups (same entity, product, metric, period and unit) whose allowed values do not
    all overlap. Unknown periods and rejected claims never take part. One row per claim, with
    conflict_key naming the group, gap (how far apart the group is, canonical units) and spread (gap
    relative to the group's largest value); the widest disagreements come first."""
    live = df.filter(pl.col("period").is_not_null() & pl.col("value").is_not_null())
    if "review_status" in live.columns:
        live = live.filter(pl.col("review_status") != "rejected")
    live = claim_intervals(live)
    groups = (
        live.group_by(CONFLICT_KEYS)
        .agg(pl.len().alias("_n"), (pl.col("lo").max() - pl.col("hi").min()).alias("gap"), pl.col("value").abs().max().alias("_top"))
        .filter((pl.col("_n") >= 2) & (pl.col("gap") > 0))
    )
    key = pl.concat_str([pl.col(c).fill_null("—") for c in CONFLICT_KEYS], separator=" | ")
    return (
        live.join(groups, on=CONFLICT_KEYS, how="inner", nulls_equal=True)
        .with_columns(key.alias("conflict_key"), (pl.col("gap") / pl.col("_top")).alias("spread"))
        .drop("_n", "_top")
        .sort(["spread", "conflict_key", "value"], descending=[True, False, False], nulls_last=True)
    )


def unknown_period(df: pl.DataFrame, x: str = "period") -> pl.DataFrame:
    """Claims a time chart cannot place: no period (x='period') or no publication date (x='published')."""
    col = "period_start" if x == "period" else "published"
    return df.filter(pl.col(col).is_null())


# ---------------------------------------------------------------------------------------- fact-check
def has_verdicts(df: pl.DataFrame) -> bool:
    return all(c in df.columns for c in VERDICT_SCHEMA)


def inconsistent_claims(df: pl.DataFrame) -> pl.DataFrame:
    """Inconsistent claims, worst first: the largest difference relative to the reported figure."""
    diff = pl.col("value") - pl.col("reported_value")
    return (
        df.filter((pl.col("verdict") == "inconsistent") & (pl.col("review_status") != "rejected"))
        .with_columns(diff.alias("difference"), (diff.abs() / pl.col("reported_value").abs()).alias("relative_difference"))
        .sort("relative_difference", descending=True, nulls_last=True)
    )


def verdict_counts(df: pl.DataFrame) -> pl.DataFrame:
    """Per publisher: how many claims are consistent, inconsistent, unverifiable (checked claims only)."""
    checked = df.filter(pl.col("verdict").is_not_null() & (pl.col("review_status") != "rejected"))
    counts = checked.with_columns(pl.col("publisher").fill_null(NONE_LABEL)).group_by("publisher", "verdict").len()
    wide = counts.pivot("verdict", index="publisher", values="len", sort_columns=True).fill_null(0)
    for v in labels.VERDICTS:
        if v not in wide.columns:
            wide = wide.with_columns(pl.lit(0, pl.UInt32).alias(v))
    return wide.select("publisher", *labels.VERDICTS).sort(["inconsistent", "publisher"], descending=[True, False])


# ---------------------------------------------------------------------------------------- export
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: cells a spreadsheet may evaluate


def export_columns(df: pl.DataFrame) -> list[str]:
    """The canonical columns, then review and verdict columns; never the display helpers."""
    extra = [c for c in (*REVIEW_SCHEMA, *VERDICT_SCHEMA) if c in df.columns]
    return [*CLAIM_SCHEMA, *extra]


def neutralise_formulas(df: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that start like a formula with a single quote (OWASP). Only text columns:
    numbers stay numbers, so a value of -2 is still the number -2 in the spreadsheet."""
    starts = "^[" + "".join("\\" + c if c in "-^]\\" else c for c in FORMULA_START) + "]"
    return df.with_columns(
        pl.when(pl.col(c).str.contains(starts)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c, t in df.schema.items()
        if t == pl.String
    )


def to_csv_bytes(df: pl.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel shows the Chinese), formula-safe, review columns included."""
    buf = io.BytesIO()
    neutralise_formulas(df.select(export_columns(df))).write_csv(buf, include_bom=True)
    return buf.getvalue()


def to_parquet_bytes(df: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.select(export_columns(df)).write_parquet(buf)
    return buf.getvalue()
