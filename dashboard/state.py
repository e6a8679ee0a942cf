"""Loading the effective table once per change, for every page.

Caches are keyed on cheap content keys, never on frames: the claims file's (path, mtime_ns, size),
the review database's (last decision id, last fix id) and the reference file's (path, mtime_ns,
size). Streamlit hashes large polars frames from a 10,000-row sample, which would serve stale
results (see the library guide), and cache_resource returns the frame itself rather than a pickled
copy, which matters at a million rows. The frames are never mutated in place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import config, data, labels
from dashboard.reviews import ReviewStore

FileKey = tuple[str, int | None, int | None]


@dataclass(frozen=True)
class View:
    claims: pl.DataFrame  # effective: doc fixes, reviews (and verdicts, reviewers' overrides) applied, display columns added
    documents: pl.DataFrame
    orphans: pl.DataFrame
    warnings: tuple[str, ...]
    verdicts_note: str | None  # None when verdicts were added; otherwise why not, shown to the analyst
    reported: pl.DataFrame | None  # Alibaba's reported series (issue 6), when available
    key: tuple  # the cache key it was built from
    options: dict[str, list] = field(default_factory=dict)  # filter choices


def file_key(path: Path) -> FileKey:
    try:
        s = path.stat()
        return str(path), s.st_mtime_ns, s.st_size
    except FileNotFoundError:
        return str(path), None, None


@st.cache_resource(max_entries=8, show_spinner=False)
def store(path: str) -> ReviewStore:
    return ReviewStore(path)


@st.cache_resource(max_entries=2, show_spinner="Loading claims 正在加载数据…")
def _tables(key: FileKey) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    return data.load_tables(key[0])


@st.cache_resource(max_entries=2, show_spinner="Applying reviews and checks 正在应用审核与核查…")
def _view(claims_key: FileKey, db: str, review_version: tuple[int, int], ref_key: FileKey) -> View:
    claims, docs, warnings = _tables(claims_key)
    reviews = store(db)
    claims, docs, fix_warnings = data.apply_doc_fixes(claims, docs, reviews.doc_overrides(), _reextract,
                                                      settings().articles_dir)
    latest = reviews.latest()
    effective = data.apply_reviews(claims, latest)
    effective, reported, note = add_verdicts(effective, Path(ref_key[0]))
    effective = data.apply_verdict_overrides(effective)  # reviewers' verdicts win over computed ones
    shown = data.with_display(effective)
    dates = shown["published"].drop_nulls()
    opts = {c: data.options(shown, c) for c in ("metric", "entity", "product", "publisher")}
    opts["published"] = (dates.min(), dates.max()) if dates.len() else None
    return View(shown, docs, data.orphaned_reviews(latest, claims), tuple(warnings + fix_warnings), note, reported,
                (claims_key, db, review_version, ref_key), opts)


@st.cache_resource(max_entries=2, show_spinner="Comparing claims 正在比对数据…")
def _conflicts(key: tuple) -> pl.DataFrame:
    return data.conflicts(_view(*key).claims)


def conflicts(view: View) -> pl.DataFrame:
    """data.conflicts over the whole effective table, computed when a page first asks for it."""
    return _conflicts(view.key)


def _reextract(paths: list[Path], overrides: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    from extractors.run import batch

    return batch.extract(paths, overrides=overrides)


def add_verdicts(claims: pl.DataFrame, reference: Path) -> tuple[pl.DataFrame, pl.DataFrame | None, str | None]:
    """Verdict columns and the reported series (issue 6) when that code and data are usable; otherwise
    the claims unchanged and a sentence saying why, so the page explains rather than crashes."""
    try:
        from factcheck import reference as ref_mod
        from factcheck import verdicts
    except ImportError as e:
        return claims, None, f"verdicts not available: {e}"
    if not reference.exists():
        return claims, None, f"verdicts not available: no reference file at {reference}"
    try:
        ref = ref_mod.load_reference(reference)
        return verdicts.add_verdicts(claims, ref), verdicts.reported_series(ref), None
    except ref_mod.ReferenceError as e:
        return claims, None, f"verdicts not available: the reference file has an error: {e}"
    except NotImplementedError:
        return claims, None, "verdicts not available: factcheck.verdicts is not finished yet"
    except Exception as e:  # a verdict bug must not take the claims away from the analyst
        return claims, None, f"verdicts not available: {type(e).__name__}: {e}"


def settings() -> config.Settings:
    return config.settings()


def load_view() -> View | None:
    """The current effective table, or None (after saying why) when there is no claims table yet."""
    s = settings()
    key = file_key(s.claims)
    if key[1] is None:
        return None
    return _view(key, str(s.reviews_db), store(str(s.reviews_db)).version(), file_key(s.reference))


# ------------------------------------------------------------------------------------ filters
DEFAULT_STATUSES = ["unreviewed", "accepted", "corrected"]  # rejected claims are hidden unless asked for


def current_filters(view: View) -> data.Filters:
    """The sidebar's choices (kept in session_state, so they survive switching pages)."""
    ss = st.session_state
    dates = ss.get("f_dates") or ()
    bounds = view.options.get("published")
    d_from = d_to = None
    if len(dates) == 2 and bounds and tuple(dates) != tuple(bounds):  # the full range is "no date filter"
        d_from, d_to = dates
    return data.Filters(
        metrics=tuple(ss.get("f_metric") or ()),
        entities=tuple(ss.get("f_entity") or ()),
        products=tuple(ss.get("f_product") or ()),
        publishers=tuple(ss.get("f_publisher") or ()),
        published_from=d_from,
        published_to=d_to,
        include_undated=ss.get("f_undated", True),
        statuses=tuple(ss.get("f_status", DEFAULT_STATUSES) or ()),
        text=ss.get("f_text") or "",
    )


def filtered(view: View) -> pl.DataFrame:
    return data.filter_claims(view.claims, current_filters(view))


def metric_options(df: pl.DataFrame) -> list[str]:
    """Metrics present, core metrics first in their usual order."""
    present = set(df["metric"].unique().to_list())
    return [m for m in labels.METRICS if m in present] + sorted(present - set(labels.METRICS))
