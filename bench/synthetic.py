"""A synthetic claims table of any size with realistic shapes, for the dashboard benchmark."""
from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from extractors.table import CLAIM_SCHEMA


def synthetic_claims(n: int, seed: int = 0) -> pl.DataFrame:
    """n claims with realistic shapes (metrics, units, periods 2015-2025, 40 publishers) for benchmarks."""
    rng = np.random.default_rng(seed)
    metrics = np.array(["revenue", "revenue_growth", "market_share", "price_cut", "token_price", "adjusted_ebita", "adjusted_ebita_growth"])
    units = {"revenue": "CNY", "adjusted_ebita": "CNY", "token_price": "CNY/1M tokens"}
    scale = {"revenue": 2e10, "adjusted_ebita": 2e9, "token_price": 5.0}
    entities = np.array(["alibaba_cloud", "aws", "azure", "huawei_cloud", "tencent_cloud"])
    m = metrics[rng.integers(0, len(metrics), n)]
    year = rng.integers(2015, 2026, n)
    quarter = rng.integers(1, 5, n)
    start = pl.Series([dt.date(2015, 1, 1)]).dt.offset_by(pl.Series(((year - 2015) * 12 + (quarter - 1) * 3).astype(str)) + "mo")
    value = rng.random(n)
    df = pl.DataFrame({
        "claim_id": [f"{i:016x}" for i in range(n)],
        "doc_id": [f"{i // 8:016x}" for i in range(n)],
        "metric": m,
        "entity": entities[rng.integers(0, len(entities), n)],
        "publisher": np.array([f"媒体{i:02d}" for i in range(40)])[rng.integers(0, 40, n)],
        "published": pl.Series([dt.date(2015, 1, 1)]).dt.offset_by(pl.Series(rng.integers(0, 3900, n).astype(str)) + "d"),
        "value": value,
        "year": year, "quarter": quarter, "period_start": start,
        "known": rng.random(n) > 0.1,  # a tenth have an unknown period, like real news
    })
    return df.select(
        "claim_id", "doc_id",
        pl.concat_str(pl.lit("articles/"), "doc_id", pl.lit(".txt")).alias("doc_path"),
        pl.lit("阿里云财报解读").alias("title"), "publisher", pl.lit("https://example.com/a").alias("url"),
        "published", pl.lit("day").alias("published_precision"), pl.lit("front_matter").alias("published_origin"),
        "entity", pl.lit(None, pl.String).alias("product"), "metric",
        (pl.col("value") * pl.col("metric").replace_strict(scale, default=100.0, return_dtype=pl.Float64)).alias("value"),
        pl.lit(None, pl.Float64).alias("value_high"),
        pl.col("metric").replace_strict(units, default="%").alias("unit"),
        pl.lit("exact").alias("qualifier"),
        pl.when("known").then(pl.format("{}Q{}", "year", "quarter")).alias("period"),
        pl.when("known").then(pl.col("period_start")).alias("period_start"),
        pl.when("known").then(pl.col("period_start").dt.offset_by("3mo").dt.offset_by("-1d")).alias("period_end"),
        pl.when("known").then(pl.lit("text")).otherwise(pl.lit("unknown")).alias("period_origin"),
        pl.when("known").then(pl.lit(None, pl.String)).otherwise(pl.lit("no period in the sentence")).alias("period_note"),
        pl.lit("clause").alias("subject_origin"), pl.lit(None, pl.String).alias("cited_source"),
        pl.format("阿里云{}年第{}季度相关数据为{}", "year", "quarter", (pl.col("value") * 100).round(1)).alias("quote"),
        pl.lit(10, pl.Int64).alias("span_start"), pl.lit(14, pl.Int64).alias("span_end"),
        pl.lit("synthetic").alias("rule_id"), pl.lit("synthetic").alias("extractor_version"),
    ).cast(CLAIM_SCHEMA)
