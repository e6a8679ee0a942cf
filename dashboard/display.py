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


# What the view keeps over the whole table (filters and the Trends page narrow on them); the other display
# columns are written for the rows a page shows (complete): a million claims cost three columns, not sixteen.
VIEW_COLUMNS = ("publisher_label", "quote_shown", "granularity")


def _columns(df: pl.DataFrame, keep=lambda name: True) -> list[pl.Expr | pl.Series]:
    """The display columns of df whose name `keep` keeps, in with_display's order; each is built only
    when kept (quote_shown cleans quotes as it is built)."""
    div = divisor()
    entity = _label("entity", labels.ENTITIES)
    product = _label("product", labels.PRODUCTS)
    exprs = {}
    if "reported_value" in df.columns:
        exprs["reported_h"] = lambda: pl.col("reported_value") / div
        exprs["reported_text"] = lambda: value_text("reported_value", None)
    if "verdict" in df.columns:
        exprs["verdict_label"] = lambda: _label("verdict", labels.VERDICTS).fill_null(labels.NOT_CHECKABLE)
    if "review_status" in df.columns:
        exprs["review_label"] = lambda: _label("review_status", labels.REVIEW_STATUSES)
    exprs.update({
        "value_h": lambda: pl.col("value") / div,
        "value_high_h": lambda: pl.col("value_high") / div,
        "unit_h": unit_label,
        "value_text": value_text,
        "metric_label": lambda: _label("metric", labels.METRICS),
        "entity_label": lambda: entity,
        "product_label": lambda: product,
        "series": lambda: pl.when(pl.col("product").is_not_null()).then(pl.concat_str(entity, product, separator=" · ")).otherwise(entity),
        "qualifier_label": lambda: _label("qualifier", labels.QUALIFIERS).fill_null(labels.QUALIFIERS["exact"]),
        "publisher_label": lambda: publisher_label(df),
        "quote_shown": lambda: quote_shown(df),
        "x_period": lambda: (pl.col("period_start") + (pl.col("period_end") - pl.col("period_start")) / 2).cast(pl.Date),
        "granularity": granularity,
    })
    return [make().alias(name) for name, make in exprs.items() if keep(name)]


def columns(df: pl.DataFrame, names: tuple[str, ...]) -> list[pl.Expr | pl.Series]:
    """The named display columns of df, as with_display writes them (for a frame holding only their inputs)."""
    return _columns(df, lambda name: name in names)


def with_display(df: pl.DataFrame, lean: bool = False) -> pl.DataFrame:
    """Columns the pages and the exports show beside the keys: human values and units, bilingual labels,
    the cleaned quote, one name per publisher, and for charts x_period (the period's middle) and its granularity.
    lean=True: VIEW_COLUMNS only (complete adds the others to the rows a page shows)."""
    return df.with_columns(columns(df, VIEW_COLUMNS) if lean else _columns(df))


def complete(rows: pl.DataFrame) -> pl.DataFrame:
    """rows with the display columns with_display(lean=True) left out, as with_display writes them: for
    the rows a page shows (a table, a chart, a card), not for a million claims."""
    missing = _columns(rows, lambda name: name not in rows.columns)
    return rows.with_columns(missing) if missing else rows


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
