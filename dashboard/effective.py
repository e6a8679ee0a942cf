"""The effective table: the extracted claims with analysts' document fixes, reviews, verdicts and
reviewers' verdicts applied, and display columns added. The dashboard (dashboard.state, cached) and
`cloudclaims export` both build it here, so a scheduled export gets exactly what the Claims page shows.

load_tables -> apply_doc_fixes -> apply_reviews -> add_verdicts (optional) -> apply_verdict_overrides
-> with_display -> with_reported_source

The dashboard builds it without verdict_reason and with display.VIEW_COLUMNS only (reasons=False: the
verdicts are decided over whole columns, factcheck.verdicts.verdict_columns; labels and values as text are
written per row) and adds the rest to the rows a page shows with with_reasons; what it shows is what
build(reasons=True) gives those rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dashboard import checks, decisions, display, docfixes
from dashboard.reviews import ReviewStore


@dataclass(frozen=True)
class Effective:
    claims: pl.DataFrame  # effective, with display columns
    documents: pl.DataFrame
    orphans: pl.DataFrame  # latest decisions whose claim is gone
    warnings: tuple[str, ...]
    verdicts_note: str | None  # None when verdicts were added; otherwise why not, shown to the analyst
    reported: pl.DataFrame | None  # Alibaba's reported series, when available
    reference: pl.DataFrame | None  # the loaded reference table, when available
    group_figures: pl.DataFrame | None = None  # verdicts.group_figures of the effective table, for with_reasons


def reextract(paths: list[Path], overrides: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    from extractors.run import batch  # the extractor is only needed when a document was fixed

    return batch.extract(paths, overrides=overrides)


def add_verdicts(claims: pl.DataFrame, reference: Path, reasons: bool = True
                 ) -> tuple[pl.DataFrame, pl.DataFrame | None, pl.DataFrame | None, str | None]:
    """(claims with verdict columns, the reported series, the reference table, None) when the reference
    is usable; otherwise the claims unchanged and a sentence saying why, so a page explains rather than crashes.
    reasons=False: every verdict column but verdict_reason (see with_reasons)."""
    try:
        from factcheck import reference as ref_mod
        from factcheck import verdicts
    except ImportError as e:
        return claims, None, None, f"verdicts not available: {e}"
    if not reference.exists():
        return claims, None, None, f"verdicts not available: no reference file at {reference}"
    try:
        ref = ref_mod.load_reference(reference)
        checked = verdicts.add_verdicts(claims, ref) if reasons else verdicts.verdict_columns(claims, ref)
        return checked, verdicts.reported_series(ref), ref, None
    except ref_mod.ReferenceError as e:
        return claims, None, None, f"verdicts not available: the reference file has an error: {e}"
    except Exception as e:  # a verdict bug must not take the claims away from the analyst
        return claims, None, None, f"verdicts not available: {type(e).__name__}: {e}"


def build(claims: pl.DataFrame, documents: pl.DataFrame, warnings: list[str], store: ReviewStore, reference: Path,
          articles_dir: Path, reextract: docfixes.Reextract | None = reextract, reasons: bool = True) -> Effective:
    """The effective table from the loaded tables, the review store and the reference file; without
    verdict_reason and with display.VIEW_COLUMNS only when reasons=False (with_reasons adds the rest to the rows a page shows)."""
    claims, documents, fix_warnings = docfixes.apply_doc_fixes(claims, documents, store.doc_overrides(), reextract, articles_dir)
    latest = store.latest()
    effective = decisions.apply_reviews(claims, latest)
    effective, reported, ref, note = add_verdicts(effective, reference, reasons)
    groups = None
    if ref is not None and not reasons:
        from factcheck.verdicts import group_figures

        groups = group_figures(effective)
    effective = decisions.apply_verdict_overrides(effective)  # reviewers' verdicts win over computed ones
    shown = checks.with_reported_source(display.with_display(effective, lean=not reasons), ref)
    return Effective(shown, documents, decisions.orphaned_reviews(latest, claims), tuple(warnings + fix_warnings), note,
                     reported, ref, groups)


def with_reasons(rows: pl.DataFrame, reference: pl.DataFrame | None, groups: pl.DataFrame | None) -> pl.DataFrame:
    """Rows of a table build(reasons=False) made, with the verdict_reason and display columns
    build(reasons=True) gives them (the group's figures stated beside a claim come from the whole table: `groups`)."""
    rows = display.complete(rows)
    if reference is None or groups is None or "verdict_reason" in rows.columns or "verdict" not in rows.columns:
        return rows
    from factcheck.verdicts import add_verdicts as judge

    reason = decisions.apply_verdict_overrides(judge(rows, reference, group_values=groups))["verdict_reason"]
    return rows.with_columns(reason)
