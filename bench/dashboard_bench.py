"""How fast the dashboard is on a large table: a synthetic claims table (1,000,000 rows by default),
timed through Streamlit's AppTest (the real page scripts, caches and all) and function by function.

    python bench/dashboard_bench.py [--rows 1000000] [--reviews 1000] [--no-verdicts]

Prints: time to first render of the Trends page (cold caches: reading the table, applying reviews and
verdicts, display columns, conflicts, chart), a rerun with warm caches, one filter change, and
the cost of each step measured alone. Figures only: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402
from synthetic import synthetic_claims  # noqa: E402  (bench/ is on the path: this script's folder)

from dashboard import charts, conflicts, decisions, display, effective, export, filters, loading  # noqa: E402
from dashboard.reviews import ReviewStore  # noqa: E402
from extractors.table import DOCUMENT_SCHEMA, documents_path, write_table  # noqa: E402
from factcheck import verdicts  # noqa: E402


def timed(label: str, fn, results: list):
    t = time.perf_counter()
    out = fn()
    results.append((label, time.perf_counter() - t))
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--reviews", type=int, default=1_000, help="decisions recorded before the first render")
    ap.add_argument("--no-verdicts", action="store_true", help="run the app without reference data (no issue-6 verdicts)")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="cloudclaims-bench-"))
    claims_path, db = tmp / "claims.parquet", tmp / "reviews.sqlite"
    steps: list[tuple[str, float]] = []
    claims = timed(f"generate {args.rows:,} synthetic claims", lambda: synthetic_claims(args.rows), steps)
    write_table(claims, claims_path)
    write_table(pl.DataFrame(schema=DOCUMENT_SCHEMA), documents_path(claims_path))
    store = ReviewStore(db)
    for i, cid in enumerate(claims["claim_id"].gather_every(max(1, args.rows // max(1, args.reviews))).head(args.reviews)):
        store.record(cid, ("accept", "reject")[i % 2], "bench")
    print(f"table: {claims_path} ({claims_path.stat().st_size / 1e6:.1f} MB parquet), {args.reviews:,} reviews")

    os.environ.update(CLOUDCLAIMS_CLAIMS=str(claims_path), CLOUDCLAIMS_REVIEWS_DB=str(db),
                      CLOUDCLAIMS_ARTICLES_DIR=str(tmp / "articles"))
    if args.no_verdicts:
        os.environ["CLOUDCLAIMS_REFERENCE"] = str(tmp / "no-reference.csv")
    from streamlit.testing.v1 import AppTest

    app: list[tuple[str, float]] = []
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=600)
    timed("Trends page, first render (cold caches)", at.run, app)
    if at.exception:
        raise SystemExit(f"the app failed: {at.exception[0].value}")
    timed("Trends page, rerun (warm caches)", at.run, app)
    publisher = sorted(claims["publisher"].unique())[0]
    timed(f"filter change: publisher = {publisher}", lambda: at.multiselect(key="f_publisher").set_value([publisher]).run(), app)
    timed("filter change: quote search 2019年", lambda: at.text_input(key="f_text").input("2019年").run(), app)
    at.switch_page("views/claims.py")
    timed("Claims page with those filters", at.run, app)
    at.switch_page("views/conflicts.py")
    timed("Conflicts page (first visit computes the groups)", at.run, app)
    if at.exception:
        raise SystemExit(f"the Conflicts page failed: {at.exception[0].value}")

    # The same work function by function, to show where the time goes.
    loaded = timed("read table", lambda: loading.load_tables(claims_path)[0], steps)
    eff = timed("apply reviews", lambda: decisions.apply_reviews(loaded, store.latest()), steps)
    reference = ROOT / "data/reference/alibaba_cloud_reported.csv"
    ver, _, ref, note = timed("verdicts, whole columns (the view)", lambda: effective.add_verdicts(eff, reference, reasons=False), steps)
    timed("verdicts with every reason (cloudclaims export)", lambda: effective.add_verdicts(eff, reference), steps)
    shown = timed("display columns (the view keeps three)", lambda: display.with_display(ver, lean=True), steps)
    rows = timed("conflict groups (which rows, the page's cache)", lambda: conflicts.conflict_rows(shown), steps)
    timed(f"conflict groups, all {rows.height:,} rows gathered", lambda: conflicts.with_groups(shown, rows), steps)
    timed("filter: one publisher", lambda: filters.filter_claims(shown, filters.Filters(publishers=(publisher,))), steps)
    timed("filter: quote search", lambda: filters.filter_claims(shown, filters.Filters(text="2019年")), steps)
    growth = shown.filter((pl.col("metric") == "revenue_growth") & (pl.col("granularity") == "quarter"))
    timed(f"trends chart ({growth.height:,} claims, summary mode)", lambda: charts.trends_chart(growth), steps)
    groups = verdicts.group_figures(ver) if ref is not None else None
    timed("CSV export of the whole table (reasons written)", lambda: export.to_csv_bytes(effective.with_reasons(shown, ref, groups)), steps)

    print(f"\nAppTest on {args.rows:,} claims ({os.cpu_count()} CPUs visible; verdicts {'off' if args.no_verdicts else 'on'})")
    for label, sec in app:
        print(f"  {label:<48} {sec:7.2f} s")
    print("\nsteps alone")
    for label, sec in steps:
        print(f"  {label:<48} {sec:7.2f} s")
    if note:
        print(f"\n  note: {note}")


if __name__ == "__main__":
    main()
