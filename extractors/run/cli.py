"""`cloudclaims extract [PATHS...] [--out FILE] [--jobs N] [--no-cache] [--cache-dir DIR]`."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from extractors.run import batch, cache
from extractors.table import documents_path


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


def summary_lines(s: batch.Summary, out: Path | None) -> list[str]:
    rate = s.chars / s.seconds / 1e6 if s.seconds else 0.0
    lines = [
        f"documents read: {s.read:,} of {s.files:,} ({s.chars:,} chars, {s.seconds:.1f} s, {rate:.2f} M chars/s; "
        f"{s.cached:,} from cache, {s.extracted:,} extracted)",
        f"claims: {s.claims:,}",
    ]
    lines += [f"  {metric}: {n:,}" for metric, n in sorted(s.per_metric.items(), key=lambda kv: str(kv[0]))]
    if s.errors:
        lines.append(f"files with errors: {len(s.errors):,}")
        lines += [f"  {path}: {why}" for path, why in s.errors]
    if out is not None:
        lines.append(f"wrote {out} and {documents_path(out)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["export"]:  # its options live with the dashboard code it runs, imported only for it
        from dashboard import export_command

        return export_command.main(argv[1:])
    ap = argparse.ArgumentParser(prog="cloudclaims")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("export", help="write the effective table (reviews and verdicts applied) as the Claims page downloads it")
    ex = sub.add_parser("extract", help="extract claims from articles into a table")
    ex.add_argument("paths", nargs="*", default=["data/articles"], help="files or directories of .txt/.md articles")
    ex.add_argument("--out", default="data/claims.parquet", help="claims table, .parquet or .csv (UTF-8 with BOM)")
    ex.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    ex.add_argument("--cache-dir", default=str(cache.DEFAULT_DIR), help="per-document result cache")
    ex.add_argument("--no-cache", action="store_true", help="extract every document again, and store nothing")
    args = ap.parse_args(argv)
    out = Path(args.out)
    if out.suffix.lower() not in (".parquet", ".csv"):
        ap.error(f"--out {out}: unknown table format {out.suffix!r}; use .parquet or .csv")
    if args.jobs is not None and args.jobs < 1:
        ap.error("--jobs must be at least 1")
    progress = ProgressReport()
    try:
        s = batch.extract_to(args.paths, out, jobs=args.jobs, progress=progress,
                             cache_dir=None if args.no_cache else args.cache_dir)
    finally:
        progress.close()
    print("\n".join(summary_lines(s, out)))
    if s.read == 0:
        what = "no .txt/.md articles found" if s.files == 0 else "no file could be read"
        print(f"cloudclaims: {what} in {' '.join(args.paths)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
