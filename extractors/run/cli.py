"""`cloudclaims extract [PATHS...] [--out FILE] [--jobs N] [--no-cache] [--cache-dir DIR] [--engine local|ray]
[--dataset DIR] [--ray-address ADDRESS]`, and `cloudclaims eval`.

Imports are lazy: an unchanged re-run (manifest.py) answers from the standard library alone, before the
extractor, polars or pyarrow are loaded.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from extractors.run import inputs, watchdog
from extractors.run.summary import Summary, _printable, summary_lines  # noqa: F401  (cli.summary_lines)


class ProgressReport:
    """A tqdm bar (documents/s, ETA) on a terminal; a plain line every `every` seconds otherwise (CI logs)."""

    def __init__(self, stream=sys.stderr, every: float = 10.0):
        self.stream, self.every = stream, every
        self.t0 = self.last = time.monotonic()
        self.bar = None
        self.tqdm = None
        if stream.isatty():
            try:
                from tqdm import tqdm
            except ImportError:  # tqdm is optional: plain lines then
                tqdm = None
            self.tqdm = tqdm

    def __call__(self, done: int, total: int) -> None:
        if self.tqdm is not None:
            if self.bar is None:  # created on the first report, when the total is known
                self.bar = self.tqdm(total=total, unit="doc", desc="extract", file=self.stream, dynamic_ncols=True)
            self.bar.update(done - self.bar.n)
            return
        now = time.monotonic()
        if now - self.last >= self.every or done == total:
            self.last = now
            print(self.line(done, total, now - self.t0), file=self.stream, flush=True)

    @staticmethod
    def line(done: int, total: int, elapsed: float) -> str:
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = f"{(total - done) / rate:.0f} s" if rate else "?"
        pct = f"{100 * done / total:.0f}%" if total else "-"
        return f"extract: {done:,}/{total:,} documents ({pct}), {rate:,.1f} docs/s, ETA {eta}"

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def fail(message: str, code: int = 1) -> int:
    print(f"cloudclaims: {_printable(message)}", file=sys.stderr)
    return code


def unchanged(args, out: Path, t0: float) -> Summary | None:
    """The summary of the run that wrote `out`, when nothing it was made from has changed since (manifest.py)."""
    from extractors.run import manifest

    header = manifest.current(out, args.paths, args.cache_dir, dataset=args.dataset)
    if header is None:
        return None
    return Summary.from_counts(header["summary"], cached=header["summary"]["files"], current=True,
                               outputs=[p for p, _ in header["outputs"]], seconds=time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["export"]:  # its options live with the dashboard code it runs, imported only for it
        from dashboard import export_command

        return export_command.main(argv[1:])
    if argv[:1] == ["core"]:
        from extractors import compiled

        return compiled.main(argv[1:])
    ap = argparse.ArgumentParser(prog="cloudclaims")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("export", help="write the effective table (reviews and verdicts applied) as the Claims page downloads it")
    sub.add_parser("core", help="core build: compile the extraction core (Cython); core: which modules run compiled")
    ex = sub.add_parser("extract", help="extract claims from articles into a table")
    ex.add_argument("paths", nargs="*", default=["data/articles"], help="files or directories of .txt/.md articles")
    ex.add_argument("--out", default="data/claims.parquet", help="claims table, .parquet or .csv (UTF-8 with BOM)")
    ex.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    ex.add_argument("--cache-dir", default=str(inputs.DEFAULT_CACHE_DIR), help="per-document result cache")
    ex.add_argument("--no-cache", action="store_true", help="extract every document again, and store nothing")
    ex.add_argument("--doc-timeout", type=float, default=None, metavar="SECONDS",
                    help=f"the watchdog: stop a document after this long, plus a second per "
                         f"{watchdog.BYTES_PER_SECOND // 1000} kB of it (default {watchdog.DOC_SECONDS:g} s)")
    ex.add_argument("--engine", choices=("local", "ray"), default="local",
                    help="local: this machine's cores and the cache (default); ray: Ray Data, on this machine or "
                         "a cluster (pip install -e '.[scale]'), every document extracted")
    ex.add_argument("--dataset", metavar="DIR", default=None,
                    help="also write the rows as a partitioned Parquet dataset in DIR (by publication year); "
                         "with --engine ray the default is beside --out (claims.dataset/)")
    ex.add_argument("--ray-address", metavar="ADDRESS", default=None,
                    help="with --engine ray: the cluster to join (default: $RAY_ADDRESS, else a private local "
                         "instance on 127.0.0.1)")
    ev = sub.add_parser("eval", help="accuracy against hand-checked gold claims (recall, precision, period...)")
    ev.add_argument("gold", help="gold claims, YAML (the format of tests/gold.yaml)")
    ev.add_argument("docs", nargs="+", help="the articles the gold is about: files or directories")
    ev.add_argument("--min-recall", type=float, help="exit 1 if recall is below this")
    ev.add_argument("--min-precision", type=float, help="exit 1 if precision is below this")
    ev.add_argument("--min-period", type=float, help="exit 1 if the share of found claims with the right period is below this")
    ev.add_argument("--brief", action="store_true", help="figures only, without the lists of misses and extra rows")
    t0 = time.perf_counter()
    args = ap.parse_args(argv)
    if args.cmd == "eval":
        return run_eval(args)
    out = Path(args.out)
    if out.is_dir():
        return fail(f"--out {out}: is a directory; give a file name such as {out / 'claims.parquet'}", 2)
    if out.suffix.lower() not in (".parquet", ".csv"):
        ap.error(f"--out {out}: unknown table format {out.suffix!r}; use .parquet or .csv")
    if args.jobs is not None and args.jobs < 1:
        ap.error("--jobs must be at least 1")
    if args.doc_timeout is not None and not args.doc_timeout > 0:
        ap.error("--doc-timeout must be more than 0 seconds")
    if args.ray_address and args.engine != "ray":
        ap.error("--ray-address needs --engine ray")
    if args.engine == "local" and not args.no_cache and (s := unchanged(args, out, t0)) is not None:
        print("\n".join(summary_lines(s, out)))
        return 0
    from extractors import table
    from extractors.run import batch

    progress = ProgressReport()
    try:
        if args.engine == "ray":
            from extractors.run import scale

            scale.check()  # Ray is installed: said before any work
        s = batch.extract_to(args.paths, out, jobs=args.jobs, progress=progress, doc_timeout=args.doc_timeout,
                             cache_dir=None if args.no_cache or args.engine == "ray" else args.cache_dir,
                             engine=args.engine, dataset=args.dataset, address=args.ray_address)
    except table.TableError as e:
        return fail(str(e))
    except KeyboardInterrupt:
        return fail(f"interrupted; {out} is left as it was", 130)
    except Exception as e:  # a bug: one line for the analyst, the traceback only when asked for
        if type(e).__name__ == "EngineUnavailable":  # not a bug: Ray missing or unreachable (scale.py)
            return fail(str(e))
        if os.environ.get("CLOUDCLAIMS_DEBUG"):
            raise
        return fail(f"extract failed ({type(e).__name__}: {e}); {out} is left as it was "
                    "(set CLOUDCLAIMS_DEBUG=1 for the traceback)")
    finally:
        progress.close()
    print("\n".join(summary_lines(s, out)))
    if s.read == 0:
        what = "no .txt/.md articles found" if s.files == 0 else "no file could be read"
        return fail(f"{what} in {' '.join(args.paths)}")
    return 0


def run_eval(args) -> int:
    from extractors import evaluate, metrics
    from extractors.recognize import lexicon
    from extractors.run import batch

    try:
        gold = evaluate.load_gold(args.gold)
    except evaluate.GoldError as e:
        print(f"cloudclaims eval: {e}", file=sys.stderr)
        return 2
    claims, docs = batch.extract([Path(p) for p in args.docs], jobs=1, cache_dir=None)
    rep = evaluate.evaluate(gold, claims.to_dicts(), metrics.core(), lexicon.tracked_entities())
    print(evaluate.format_report(rep, args.gold, details=not args.brief))
    unread = docs.filter(docs["error"].is_not_null()).select("doc_path", "error").rows()
    for path, why in unread:
        print(f"cloudclaims eval: {path}: not read: {why}", file=sys.stderr)
    failed = evaluate.below(rep, args.min_recall, args.min_precision, args.min_period)
    if unread:  # the figures above do not measure the extractor on those documents
        failed.append(f"{len(unread)} document(s) could not be extracted")
    for why in failed:
        print(f"cloudclaims eval: {why}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
