"""What the pages show: human values, bilingual labels and cleaned quotes, as columns added to the
effective table. Pure polars; the keys and base units stay in their own columns for the exports.
"""
from __future__ import annotations

import datetime as dt
import functools

import polars as pl

from dashboard import labels

GRANULARITY_DAYS = (("month", 31), ("quarter", 92), ("half", 184), ("year", 366))  # the longest period of each kind


def divisor(unit: str = "unit") -> pl.Expr:
    """Canonical -> human divisor for each row's unit (1e8 for money: 亿)."""
    return pl.col(unit).replace_strict({u: d for u, (d, _) in labels.HUMAN_UNITS.items()}, default=1.0, return_dtype=pl.Float64)


def unit_label(unit: str = "unit") -> pl.Expr:
    """亿元, 亿美元, %, 元/百万tokens, 万; an unknown unit as itself."""
    return pl.col(unit).replace_strict({u: h for u, (_, h) in labels.HUMAN_UNITS.items()}, default=pl.col(unit), return_dtype=pl.String)


def number_text(e: pl.Expr) -> pl.Expr:
    """775.9, 6, -2, 0.0005: up to 4 decimals and no trailing .0."""
    return e.round(4).cast(pl.String).str.strip_suffix(".0")


def value_text(value: str = "value", high: str | None = "value_high", unit: str = "unit") -> pl.Expr:
    """'775.9 亿元', '6%', '15–50%', '4000 万' from canonical columns; null when there is no value."""
    div = divisor(unit)
    upper = (pl.when(pl.col(high).is_not_null()).then(pl.lit("–") + number_text(pl.col(high) / div)).otherwise(pl.lit(""))
             if high else pl.lit(""))
    return pl.concat_str(
        number_text(pl.col(value) / div), upper,
        pl.when(pl.col(unit) == "%").then(pl.lit("")).otherwise(pl.lit(" ")), unit_label(unit).fill_null(""),
    )


def _label(col: str, mapping: dict[str, str]) -> pl.Expr:
    return pl.col(col).replace_strict(mapping, default=pl.col(col), return_dtype=pl.String)


def granularity() -> pl.Expr:
    """quarter | half | year (calendar or fiscal) | month, from the period's dates; null when unknown."""
    days = (pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1
    out = pl.lit(None, pl.String)
    for name, longest in reversed(GRANULARITY_DAYS):
        out = pl.when(days <= longest).then(pl.lit(name)).otherwise(out)
    return out


@functools.lru_cache(maxsize=4096)
def fold_name(name: str) -> str:
    from extractors.text.normalize import fold

    return fold(name)


@functools.lru_cache(maxsize=65536)
def _clean_quote(quote: str) -> str:
    from extractors.text.normalize import clean_for_display

    return clean_for_display(quote)


def publisher_label(df: pl.DataFrame) -> pl.Expr:
    """One name per publisher whatever the script it was written in: 網易號 and 网易号 are one publisher
    (the simplified, half-width form). Each distinct name is folded once."""
    names = df.get_column("publisher").drop_nulls().unique().to_list()
    return pl.col("publisher").replace_strict({n: fold_name(n) for n in names}, default=None, return_dtype=pl.String)


def quote_shown(df: pl.DataFrame) -> pl.Series:
    """The sentence without conversion junk (bracketed pinyin, mojibake), in its own script. Only quotes
    that could hold junk are cleaned (a bracket or ?), each distinct one once: this runs over every claim."""
    quote = df.get_column("quote")
    suspects = quote.filter(quote.str.contains(r"[(（?]").fill_null(False)).unique()
    if not suspects.len():
        return quote.alias("quote_shown")
    cleaned = pl.DataFrame({"quote": suspects, "_clean": [_clean_quote(q) for q in suspects]})
    return df.select("quote").join(cleaned, on="quote", how="left", maintain_order="left").select(
        pl.coalesce("_clean", "quote").alias("quote_shown"))["quote_shown"]


TEXT_COLUMNS = ("value_text", "reported_text")  # a value as shown ("775.9 亿元"): written per row, the slow part


def _texts(df: pl.DataFrame) -> dict[str, pl.Expr]:
    texts = {"value_text": value_text()}
    if "reported_value" in df.columns:
        texts["reported_text"] = value_text("reported_value", None)
    return texts


def with_text(rows: pl.DataFrame) -> pl.DataFrame:
    """rows with the TEXT_COLUMNS with_display(text=False) left out, as with_display writes them: for
    the rows a page shows (a table, a chart's marks, a card), not a million claims."""
    missing = [e.alias(c) for c, e in _texts(rows).items() if c not in rows.columns]
    return rows.with_columns(missing) if missing else rows


def with_display(df: pl.DataFrame, text: bool = True) -> pl.DataFrame:
    """Columns the pages and the exports show beside the keys: human values and units, bilingual labels,
    the cleaned quote, one name per publisher, and for charts x_period (the period's middle) and its granularity.
    text=False leaves out TEXT_COLUMNS (with_text adds them to the rows shown)."""
    div = divisor()
    entity = _label("entity", labels.ENTITIES)
    product = _label("product", labels.PRODUCTS)
    texts = {c: e.alias(c) for c, e in _texts(df).items()} if text else {}
    extra = []
    if "reported_value" in df.columns:
        extra += [(pl.col("reported_value") / div).alias("reported_h"), *([texts["reported_text"]] if text else [])]
    if "verdict" in df.columns:
        extra.append(_label("verdict", labels.VERDICTS).fill_null(labels.NOT_CHECKABLE).alias("verdict_label"))
    if "review_status" in df.columns:
        extra.append(_label("review_status", labels.REVIEW_STATUSES).alias("review_label"))
    return df.with_columns(
        *extra,
        (pl.col("value") / div).alias("value_h"),
        (pl.col("value_high") / div).alias("value_high_h"),
        unit_label().alias("unit_h"),
        *([texts["value_text"]] if text else []),
        _label("metric", labels.METRICS).alias("metric_label"),
        entity.alias("entity_label"),
        product.alias("product_label"),
        pl.when(pl.col("product").is_not_null()).then(pl.concat_str(entity, product, separator=" · ")).otherwise(entity).alias("series"),
        _label("qualifier", labels.QUALIFIERS).fill_null(labels.QUALIFIERS["exact"]).alias("qualifier_label"),
        publisher_label(df).alias("publisher_label"),
        quote_shown(df),
        (pl.col("period_start") + (pl.col("period_end") - pl.col("period_start")) / 2).cast(pl.Date).alias("x_period"),
        granularity().alias("granularity"),
    )


def local_time(iso: str | None) -> str:
    """A stored UTC timestamp (2026-11-23T06:05:01.123456+00:00) as the analyst's local time to the minute."""
    if not iso:
        return "—"
    try:
        return dt.datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def local_times(col: str) -> pl.Expr:
    return pl.col(col).map_elements(local_time, return_dtype=pl.String, skip_nulls=True)
