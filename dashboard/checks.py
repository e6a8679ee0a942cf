"""What the Fact-check page lists: inconsistent claims worst first, unverifiable claims grouped by why,
claims no reference can check counted apart, and counts per publisher. Pure polars."""
from __future__ import annotations

import polars as pl

from dashboard import display, labels
from dashboard.filters import NONE_LABEL
from factcheck.verdicts import reason_group

NOT_CHECKABLE = "not_checkable"  # the count of claims with no verdict (another company, a metric the reference lacks)


def _counted(df: pl.DataFrame) -> pl.DataFrame:
    return df.filter(pl.col("review_status") != "rejected") if "review_status" in df.columns else df


def inconsistent_claims(df: pl.DataFrame) -> pl.DataFrame:
    """Inconsistent claims, worst first: the largest difference relative to the reported figure."""
    diff = pl.col("value") - pl.col("reported_value")
    return (
        _counted(df).filter(pl.col("verdict") == "inconsistent")
        .with_columns(diff.alias("difference"), (diff.abs() / pl.col("reported_value").abs()).alias("relative_difference"))
        .sort("relative_difference", descending=True, nulls_last=True)
    )


def unverifiable_claims(df: pl.DataFrame) -> pl.DataFrame:
    """Unverifiable claims with reason_group (why, in a few groups) and its label, the largest group first."""
    bad = _counted(df).filter(pl.col("verdict") == "unverifiable")
    groups = {r: reason_group(r) for r in bad["verdict_reason"].unique().to_list()}
    bad = bad.with_columns(pl.col("verdict_reason").replace_strict(groups, default="other", return_dtype=pl.String).alias("reason_group"))
    bad = bad.with_columns(pl.col("reason_group").replace_strict(labels.REASON_GROUPS, default=pl.col("reason_group"),
                                                                  return_dtype=pl.String).alias("reason_label"))
    size = pl.len().over("reason_group")
    return bad.with_columns(size.alias("group_size")).sort(["group_size", "reason_group", "period"], descending=[True, False, False],
                                                            nulls_last=True)


def totals(df: pl.DataFrame) -> dict[str, int]:
    """Claims per verdict, and how many no reference can check (verdict null), rejected claims left out."""
    counts = dict(_counted(df).group_by("verdict").len().iter_rows())
    return {**{v: counts.get(v, 0) for v in labels.VERDICTS}, NOT_CHECKABLE: counts.get(None, 0)}


def not_checkable_counts(df: pl.DataFrame) -> pl.DataFrame:
    """The claims no reference can check, per metric and entity (labels), the most first."""
    keyed = _counted(df).filter(pl.col("verdict").is_null()).group_by("metric", "entity").len("claims")  # labelled once per pair
    return (keyed.with_columns(display.columns(keyed, ("metric_label", "entity_label"))).group_by("metric_label", "entity_label").agg(pl.col("claims").sum())
            .sort(["claims", "metric_label", "entity_label"], descending=[True, False, False]))


def verdict_counts(df: pl.DataFrame) -> pl.DataFrame:
    """Per publisher: how many claims are consistent, inconsistent, unverifiable (checked claims only)."""
    publisher = "publisher_label" if "publisher_label" in df.columns else "publisher"
    checked = _counted(df).filter(pl.col("verdict").is_not_null())
    counts = checked.with_columns(pl.col(publisher).fill_null(NONE_LABEL).alias("publisher")).group_by("publisher", "verdict").len()
    wide = counts.pivot("verdict", index="publisher", values="len", sort_columns=True).fill_null(0)
    for v in labels.VERDICTS:
        if v not in wide.columns:
            wide = wide.with_columns(pl.lit(0, pl.UInt32).alias(v))
    return wide.select("publisher", *labels.VERDICTS).sort(["inconsistent", "publisher"], descending=[True, False])


def source_label(kind: str | None, name: str | None, confidence: str | None) -> str:
    """A reported figure's source in words: "Alibaba's results announcement — Stock Titan (Business Wire
    copy) · high confidence"."""
    parts = [labels.label(labels.SOURCE_KINDS, kind) if kind else labels.UNCLASSIFIED_SOURCE]
    return " · ".join([" — ".join(parts + ([name] if name else [])), *([labels.label(labels.CONFIDENCE, confidence)] if confidence else [])])


def reported_sources(reference: pl.DataFrame) -> dict[str, dict]:
    """Every source the reference names (source_url and external_source_url) -> kind, name, confidence, basis."""
    out: dict[str, dict] = {}
    for r in reference.iter_rows(named=True):
        out[r["source_url"]] = {"kind": r["source_kind"], "name": r["source_name"], "confidence": r["confidence"],
                                "basis": r["segment_basis"]}
        if r["external_source_url"]:
            out.setdefault(r["external_source_url"], {"kind": None, "name": None, "confidence": r["confidence"],
                                                      "basis": r["segment_basis"]})
    return out


def with_reported_source(df: pl.DataFrame, reference: pl.DataFrame | None) -> pl.DataFrame:
    """reported_source_label (each source's kind, name and confidence) and reported_basis_label (the
    segment basis in words) beside reported_source; for an annual sum, each of its sources once."""
    if reference is None or "reported_source" not in df.columns:
        return df
    known = reported_sources(reference)
    texts, bases = {}, {}
    for value in df["reported_source"].drop_nulls().unique().to_list():
        infos = [known.get(url, {}) for url in dict.fromkeys(value.split())]
        texts[value] = "; ".join(dict.fromkeys(source_label(i.get("kind"), i.get("name"), i.get("confidence")) for i in infos))
        bases[value] = "; ".join(dict.fromkeys(labels.label(labels.SEGMENT_BASES, i["basis"]) for i in infos if i.get("basis")))
    return df.with_columns(
        pl.col("reported_source").replace_strict(texts, default=None, return_dtype=pl.String).alias("reported_source_label"),
        pl.col("reported_source").replace_strict(bases, default=None, return_dtype=pl.String).alias("reported_basis_label"),
    )
