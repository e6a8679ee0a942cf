"""The filters every page applies, what they hide, and how they travel in a URL. Pure: no Streamlit.

Empty choices mean "all". NONE_LABEL stands for a null product or publisher. Publishers are matched
by publisher_label (one name whatever the script) when the table has it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache

import polars as pl

NONE_LABEL = "(none 无)"  # filter option standing for a null product or publisher
DEFAULT_STATUSES = ("unreviewed", "accepted", "corrected")  # rejected claims are hidden unless asked for
ALL = "all"  # a URL's status=all: every review status


@dataclass(frozen=True)
class Filters:
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


def conditions(df: pl.DataFrame, f: Filters) -> dict[str, pl.Expr]:
    """One condition per active filter (metrics, entities, products, publishers, published, statuses, text;
    labels.FILTERS names them for the page): a row is shown when it meets them all."""
    publisher = "publisher_label" if "publisher_label" in df.columns else "publisher"
    conds: dict[str, pl.Expr] = {}
    for name, col, values in (("metrics", "metric", f.metrics), ("entities", "entity", f.entities),
                              ("products", "product", f.products), ("publishers", publisher, f.publishers),
                              ("statuses", "review_status", f.statuses)):
        if values:
            conds[name] = _in(col, values)
    d = pl.col("published")
    if f.published_from or f.published_to:
        in_range = d.is_between(f.published_from or dt.date.min, f.published_to or dt.date.max)
        conds["published"] = (in_range | d.is_null()) if f.include_undated else in_range.fill_null(False)
    elif not f.include_undated:
        conds["published"] = d.is_not_null()
    if f.text.strip():
        quote = pl.col("quote").str.to_lowercase()
        conds["text"] = pl.any_horizontal([quote.str.contains(v, literal=True) for v in search_variants(f.text)]).fill_null(False)
    return conds


def condition_frame(df: pl.DataFrame, f: Filters) -> pl.DataFrame:
    """One boolean column per active filter (conditions), computed once for shown_from and hidden_from."""
    return df.select(**conditions(df, f))


def shown_from(frame: pl.DataFrame, height: int) -> pl.Series:
    """One boolean per row: does it meet every condition of condition_frame?"""
    return frame.select(pl.all_horizontal(pl.all())).to_series() if frame.width else pl.repeat(True, height, eager=True)


def hidden_from(frame: pl.DataFrame) -> tuple[int, dict[str, int]]:
    """hidden_by from a condition_frame."""
    if not frame.width:
        return 0, {}
    counts = frame.select((~pl.all_horizontal(pl.all())).sum().alias("_all"), *[(~pl.col(c)).sum() for c in frame.columns]
                          ).row(0, named=True)
    total = counts.pop("_all")
    return total, {name: n for name, n in counts.items() if n}


def filter_claims(df: pl.DataFrame, f: Filters) -> pl.DataFrame:
    conds = conditions(df, f)
    return df.filter(*conds.values()) if conds else df


def shown_mask(df: pl.DataFrame, f: Filters) -> pl.Series:
    """One boolean per row of df: does filter_claims keep it? (Cheaper than the filtered frame when only
    membership matters.)"""
    return shown_from(condition_frame(df, f), df.height)


def hidden_by(df: pl.DataFrame, f: Filters) -> tuple[int, dict[str, int]]:
    """How many claims the filters hide in all, and how many each filter alone would hide (so the page
    can say why a claim is missing: "3 hidden: published date 2, review status 1")."""
    return hidden_from(condition_frame(df, f))


def options(df: pl.DataFrame, col: str) -> list[str]:
    """Distinct values for a filter, sorted, with NONE_LABEL first when some rows have none."""
    s = df.get_column(col)
    vals = sorted(s.drop_nulls().unique().to_list())
    return ([NONE_LABEL] if s.null_count() else []) + vals


def widen(window: tuple[dt.date, dt.date] | None, old: tuple[dt.date, dt.date] | None,
          new: tuple[dt.date, dt.date] | None) -> tuple[dt.date, dt.date] | None:
    """The published-date window after the data's date range moved from `old` to `new` (an upload, a
    re-dated article): an edge that was at the old range's edge follows the data, so new claims stay in
    view; an edge the analyst moved inside the range stays where it is."""
    if new is None or not window or len(window) != 2 or old is None:
        return new
    lo, hi = window
    return (new[0] if lo <= old[0] else lo, new[1] if hi >= old[1] else hi)


# ------------------------------------------------------------------------------------ the URL
# session key -> (query parameter, kind). A link with these reproduces the view: page and filters.
FILTER_PARAMS = {
    "f_metric": ("metric", "list"), "f_entity": ("entity", "list"), "f_product": ("product", "list"),
    "f_publisher": ("publisher", "list"), "f_status": ("status", "list"), "f_dates": ("from,to", "dates"),
    "f_undated": ("undated", "bool"), "f_text": ("q", "text"),
}
TREND_PARAMS = {
    "trend_metric": ("tm", "text"), "trend_unit": ("unit", "text"), "trend_x": ("x", "text"),
    "trend_colour": ("colour", "text"), "trend_gran": ("gran", "text"), "trend_log": ("log", "bool"),
}
FILTER_DEFAULTS = {"f_metric": [], "f_entity": [], "f_product": [], "f_publisher": [], "f_status": list(DEFAULT_STATUSES),
                   "f_dates": None, "f_undated": True, "f_text": ""}


def to_query(state: Mapping, params: Mapping[str, tuple[str, str]], defaults: Mapping,
             bounds: tuple[dt.date, dt.date] | None = None) -> list[tuple[str, str]]:
    """The query parameters for the values in `state` that differ from `defaults` (a date window equal
    to the data's `bounds` is no filter and is left out)."""
    out: list[tuple[str, str]] = []
    for key, (name, kind) in params.items():
        value = state.get(key, defaults.get(key))
        if kind == "dates":
            if value and len(value) == 2 and tuple(value) != tuple(bounds or ()):
                out += [(n, d.isoformat()) for n, d in zip(name.split(","), value)]
        elif value is None or value == defaults.get(key) or (kind == "text" and value == ""):
            continue
        elif kind == "list":
            out += [(name, v) for v in value] if value else [(name, ALL)]
        elif kind == "bool":
            out.append((name, "1" if value else "0"))
        else:
            out.append((name, str(value)))
    return out


def from_query(query: Mapping[str, list[str]], params: Mapping[str, tuple[str, str]]) -> dict:
    """Session values from query parameters (each a list of its values); unreadable ones are left out."""
    out: dict = {}
    for key, (name, kind) in params.items():
        if kind == "dates":
            try:
                days = [dt.date.fromisoformat(query[n][-1]) for n in name.split(",")]
            except (KeyError, IndexError, ValueError):
                continue
            if days[0] <= days[1]:
                out[key] = tuple(days)
        elif name not in query or not query[name]:
            continue
        elif kind == "list":
            out[key] = [] if query[name] == [ALL] else list(dict.fromkeys(query[name]))
        elif kind == "bool":
            out[key] = query[name][-1] not in ("0", "false", "")
        else:
            out[key] = query[name][-1]
    return out


def from_state(state: Mapping, bounds: tuple[dt.date, dt.date] | None) -> Filters:
    """The Filters the sidebar's session values stand for (the full date range is "no date filter")."""
    dates = state.get("f_dates") or ()
    d_from = d_to = None
    if len(dates) == 2 and tuple(dates) != tuple(bounds or ()):
        d_from, d_to = dates
    return Filters(
        metrics=tuple(state.get("f_metric") or ()),
        entities=tuple(state.get("f_entity") or ()),
        products=tuple(state.get("f_product") or ()),
        publishers=tuple(state.get("f_publisher") or ()),
        published_from=d_from,
        published_to=d_to,
        include_undated=state.get("f_undated", True),
        statuses=tuple(state.get("f_status", DEFAULT_STATUSES) or ()),
        text=state.get("f_text") or "",
    )


def describe(f: Filters) -> str:
    """The filters in a few words, for a file name: 'revenue_alibaba_cloud_2023-01-01_2024-12-31'.
    Every active filter is named; the defaults (all, rejected hidden) are not."""
    parts: list[str] = []
    for field in fields(Filters):
        value = getattr(f, field.name)
        if field.name == "statuses":
            if set(value) != set(DEFAULT_STATUSES):
                parts.append("status-" + "-".join(value or (ALL,)))
        elif field.name == "include_undated":
            parts += [] if value else ["dated"]
        elif field.name == "text":
            parts += [f"search-{value.strip()}"] if value.strip() else []
        elif field.name in ("published_from", "published_to"):
            parts += [f"{'from' if field.name.endswith('from') else 'to'}-{value.isoformat()}"] if value else []
        elif value:
            parts.append("-".join("none" if v == NONE_LABEL else v for v in value))
    return "_".join(parts)
