"""The effective table once per change, for every page, and the session's filters (in session_state and
in the URL, so a link reproduces the view).

Caches are keyed on cheap content keys, never on frames: the claims file's (path, mtime_ns, size),
the review database's (last decision id, last fix id) and the reference files' (path, mtime_ns,
size). Streamlit hashes large polars frames from a 10,000-row sample, which would serve stale
results (see the library guide), and cache_resource returns the frame itself rather than a pickled
copy, which matters at a million rows. The frames are never mutated in place.
"""
from __future__ import annotations

import dataclasses
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import config, effective, filters, labels, loading
from dashboard import conflicts as conflicts_mod
from dashboard.reviews import ReviewStore
from extractors.table import TableError

FileKey = tuple[str, int | None, int | None]


@dataclass(frozen=True)
class View:
    claims: pl.DataFrame  # effective: doc fixes, reviews (and verdicts, reviewers' overrides) applied, display columns added
    documents: pl.DataFrame
    orphans: pl.DataFrame
    warnings: tuple[str, ...]
    verdicts_note: str | None  # None when verdicts were added; otherwise why not, shown to the analyst
    reported: pl.DataFrame | None  # Alibaba's reported series (issue 6), when available
    reference: pl.DataFrame | None
    group_figures: pl.DataFrame | None  # for with_reasons
    key: tuple  # the cache key it was built from
    options: dict[str, list] = field(default_factory=dict)  # filter choices


def file_key(path: Path) -> FileKey:
    """The claims table's (or a dataset folder's) identity: loading.source_key."""
    return loading.source_key(path)


@st.cache_resource(max_entries=8, show_spinner=False)
def store(path: str) -> ReviewStore:
    return ReviewStore(path)


@st.cache_resource(max_entries=2, show_spinner="Loading claims 正在加载数据…")
def _tables(key: FileKey) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    return loading.load_tables(key[0])


@st.cache_resource(max_entries=2, show_spinner="Applying reviews and checks 正在应用审核与核查…")
def _view(claims_key: FileKey, db: str, review_version: tuple[int, int], ref_keys: tuple[FileKey, ...]) -> View:
    claims, docs, warnings = _tables(claims_key)
    e = effective.build(claims, docs, list(warnings), store(db), Path(ref_keys[0][0]), settings().articles_dir, reasons=False)
    shown = e.claims
    dates = shown["published"].drop_nulls()
    opts = {c: filters.options(shown, c) for c in ("metric", "entity", "product", "publisher_label")}
    opts["publisher"] = opts.pop("publisher_label")
    opts["published"] = (dates.min(), dates.max()) if dates.len() else None
    return View(shown, e.documents, e.orphans, e.warnings, e.verdicts_note, e.reported, e.reference, e.group_figures,
                (claims_key, db, review_version, ref_keys), opts)


@st.cache_resource(max_entries=2, show_spinner="Comparing claims 正在比对数据…")
def _conflicts(key: tuple) -> pl.DataFrame:
    return conflicts_mod.conflict_rows(_view(*key).claims)


def conflicts(view: View) -> pl.DataFrame:
    """conflicts.conflict_rows over the whole effective table (which rows, in which groups), computed
    when a page first asks for it; conflicts.with_groups gives the claims of the groups a page shows."""
    return _conflicts(view.key)


def settings() -> config.Settings:
    return config.settings()


def reference_keys(reference: Path) -> tuple[FileKey, ...]:
    """The reference file and the files read beside it: editing any of them rebuilds the view."""
    from factcheck.reference import EXTERNAL_FILE, KINDS_FILE

    return tuple(file_key(p) for p in (reference, reference.with_name(EXTERNAL_FILE), reference.with_name(KINDS_FILE)))


def load_view() -> View | None:
    """The current effective table, or None (after saying why) when there is no claims table yet."""
    s = settings()
    key = file_key(s.claims)
    if key[1] is None:
        return None
    try:
        return _view(key, str(s.reviews_db), store(str(s.reviews_db)).version(), reference_keys(s.reference))
    except TableError as e:  # a damaged table: say which file, keep the app up
        st.error(f"{e}. Extract again (`cloudclaims extract --out {s.claims}`) or restore the file. 数据表无法读取。")
        return None


# ------------------------------------------------------------------------------------ filters
def current_filters(view: View) -> filters.Filters:
    """The sidebar's choices (kept in session_state, so they survive switching pages)."""
    return filters.from_state(st.session_state, view.options.get("published"))


@st.cache_resource(max_entries=4, show_spinner=False)
def _conditions(key: tuple, chosen: tuple) -> pl.DataFrame:
    return filters.condition_frame(_view(*key).claims, filters.Filters(*chosen))


def conditions(view: View) -> pl.DataFrame:
    """filters.condition_frame of the view under the session's filters, once per table and choice of
    filters (a quote search over a million claims is not run again for each count, mask and rerun)."""
    return _conditions(view.key, dataclasses.astuple(current_filters(view)))


def filtered(view: View) -> pl.DataFrame:
    return view.claims.filter(shown_mask(view))


def with_reasons(view: View, rows: pl.DataFrame) -> pl.DataFrame:
    """Rows of view.claims with their verdict_reason (the view leaves it out: a million reasons are
    written one claim at a time, and a page shows a few)."""
    return effective.with_reasons(rows, view.reference, view.group_figures)


def shown_mask(view: View) -> pl.Series:
    return filters.shown_from(conditions(view), view.claims.height)


def metric_options(df: pl.DataFrame) -> list[str]:
    """Metrics present, in the registry's order (core metrics first), unknown ones after."""
    present = set(df["metric"].unique().to_list())
    return [m for m in labels.METRICS if m in present] + sorted(present - set(labels.METRICS))


# ------------------------------------------------------------------------------------ session and URL
# Keys whose values outlive the page that shows their widget (Streamlit drops a widget's state on pages
# without it; re-assigning the value each run keeps it, the documented workaround for issue #5813).
KEPT = (*filters.FILTER_PARAMS, *filters.TREND_PARAMS, "reviewer")
_BOUNDS = "_f_dates_bounds"  # the data's date range the date window was last fitted to


def start_session(view: View | None) -> None:
    """Once per session: the filters a link carries (st.query_params), else the defaults. Every run: keep
    kept keys alive, and let the date window follow the data when new dates arrive (filters.widen)."""
    ss = st.session_state
    if "_started" not in ss:
        ss["_started"] = True
        query = {k: st.query_params.get_all(k) for k in st.query_params}
        ss.update({k: v for k, v in filters.FILTER_DEFAULTS.items() if k not in ss})
        ss.update(filters.from_query(query, {**filters.FILTER_PARAMS, **filters.TREND_PARAMS}))
        name = st.context.cookies.get(REVIEWER_COOKIE)  # set by widgets.sidebar when the name was typed
        if isinstance(name, str) and name and not ss.get("reviewer"):
            ss["reviewer"] = urllib.parse.unquote(name)
    for k in KEPT:
        if k in ss:
            ss[k] = ss[k]
    if view is None:
        return
    bounds, old = view.options.get("published"), ss.get(_BOUNDS)
    if old != bounds:
        window = ss.get("f_dates")
        if not window:
            ss["f_dates"] = bounds
        elif old is not None:  # else a window the link gave: kept as it is
            ss["f_dates"] = filters.widen(window, old, bounds)
        ss[_BOUNDS] = bounds


def clear_filters() -> None:
    """Back to the defaults: every claim shown except rejected ones."""
    ss = st.session_state
    ss.update({k: (list(v) if isinstance(v, list) else v) for k, v in filters.FILTER_DEFAULTS.items()})
    ss["f_dates"] = ss.get(_BOUNDS)


def sync_url(view: View | None, page_path: str) -> None:
    """Write the session's filters (and the Trends page's choices there) into the URL, when they changed."""
    ss = st.session_state
    params = dict(filters.FILTER_PARAMS) | (filters.TREND_PARAMS if page_path == "trends" else {})
    bounds = view.options.get("published") if view else None
    wanted = filters.to_query(ss, params, filters.FILTER_DEFAULTS | TREND_DEFAULTS, bounds)
    current = [(k, v) for k in st.query_params for v in st.query_params.get_all(k)]
    if sorted(wanted) != sorted(current):
        grouped: dict[str, list[str]] = {}
        for k, v in wanted:
            grouped.setdefault(k, []).append(v)
        st.query_params.from_dict(grouped)


TREND_DEFAULTS = {"trend_x": "period", "trend_colour": "series", "trend_log": False}
REVIEWER_COOKIE = "cloudclaims_reviewer"
