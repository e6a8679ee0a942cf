"""`cloudclaims export [--out FILE.csv|FILE.parquet] [filters]`: the effective table (reviews, verdicts
and reviewers' verdicts applied) as the Claims page downloads it, for scheduled jobs.

The same settings as the app (CLOUDCLAIMS_* variables, or the flags below), the same pipeline
(dashboard.effective), the same filters (dashboard.filters) and the same writer (dashboard.export): with
the same filters it writes the same rows and columns as the page's CSV button.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from dashboard import config, display, effective, export, filters, loading
from dashboard.reviews import ReviewStore


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2024-05-20") from None


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="cloudclaims export", description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="-", help="FILE.csv (UTF-8 with BOM) or FILE.parquet; '-' (default) writes CSV to stdout")
    for flag, what in (("metric", "revenue_growth"), ("entity", "alibaba_cloud"), ("product", "qwen; 'none' for no product"),
                       ("publisher", "in either script; 'none' for no publisher")):
        ap.add_argument(f"--{flag}", action="append", default=[], metavar=flag.upper(), help=f"keep only this {flag} (repeatable): {what}")
    ap.add_argument("--from", dest="published_from", type=_date, help="published on or after (YYYY-MM-DD)")
    ap.add_argument("--to", dest="published_to", type=_date, help="published on or before (YYYY-MM-DD)")
    ap.add_argument("--no-undated", action="store_true", help="leave out claims whose article has no publication date")
    ap.add_argument("--status", action="append", default=[], choices=[*filters.DEFAULT_STATUSES, "rejected", filters.ALL],
                    help="review status to keep (repeatable; default: all but rejected, as the Claims page)")
    ap.add_argument("--search", default="", help="text the quote contains (simplified or traditional)")
    ap.add_argument("--claims", help="claims table (default: $CLOUDCLAIMS_CLAIMS or data/claims.parquet)")
    ap.add_argument("--reviews-db", help="review database (default: $CLOUDCLAIMS_REVIEWS_DB or data/reviews.sqlite)")
    ap.add_argument("--reference", help="Alibaba's reported figures (default: $CLOUDCLAIMS_REFERENCE or data/reference/...)")
    return ap


def _none(values: list[str]) -> tuple[str, ...]:
    return tuple(filters.NONE_LABEL if v.lower() == "none" else v for v in values)


def filters_of(args: argparse.Namespace) -> filters.Filters:
    statuses = () if filters.ALL in args.status else tuple(args.status) or filters.DEFAULT_STATUSES
    return filters.Filters(
        metrics=tuple(args.metric), entities=tuple(args.entity), products=_none(args.product),
        publishers=tuple(p if p == filters.NONE_LABEL else display.fold_name(p) for p in _none(args.publisher)),
        published_from=args.published_from, published_to=args.published_to, include_undated=not args.no_undated,
        statuses=statuses, text=args.search,
    )


def main(argv: list[str] | None = None) -> int:
    ap = parser()
    args = ap.parse_args(argv)
    out = None if args.out == "-" else Path(args.out)
    if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
        ap.error(f"--out {out}: unknown format {out.suffix!r}; use .csv or .parquet")
    env = dict(os.environ)
    for flag, var in (("claims", "CLOUDCLAIMS_CLAIMS"), ("reviews_db", "CLOUDCLAIMS_REVIEWS_DB"), ("reference", "CLOUDCLAIMS_REFERENCE")):
        if getattr(args, flag):
            env[var] = getattr(args, flag)
    s = config.settings(env)
    try:
        claims, docs, warnings = loading.load_tables(s.claims)
    except FileNotFoundError as e:
        print(f"cloudclaims export: {e}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:  # no review database yet: read an empty one, create nothing
        store = ReviewStore(s.reviews_db if s.reviews_db.exists() else Path(tmp) / "reviews.sqlite")
        e = effective.build(claims, docs, warnings, store, s.reference, s.articles_dir)
    f = filters_of(args)
    df = filters.filter_claims(e.claims, f)
    data = export.to_parquet_bytes(df) if out is not None and out.suffix.lower() == ".parquet" else export.to_csv_bytes(df)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp_out = out.with_name(out.name + ".tmp")
        tmp_out.write_bytes(data)
        tmp_out.replace(out)  # a scheduled job never reads half a file
    for line in [*e.warnings, *([e.verdicts_note] if e.verdicts_note else [])]:
        print(f"cloudclaims export: {line}", file=sys.stderr)
    print(f"cloudclaims export: {df.height:,} of {e.claims.height:,} claims ({filters.describe(f) or 'default filters'})"
          f"{'' if out is None else f' -> {out}'}", file=sys.stderr)
    return 0
