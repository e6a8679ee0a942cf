"""The stress run (`make stress`): many hostile files and many reviewers, longer than the tests can afford.

1. Hostile files: every kind of tests/hostile.py, plus --variants seeded random ones (garbage bytes, text cut
   at a random byte, random encodings and byte-order marks, broken front matter, deep brackets, digits), and
   three files just under the length limit that are slow in different ways (one line, blank lines, digits).
   - One by one in a worker process (without root's power to read mode-000 files), each timed; a worker that
     dies or hangs on a file counts as a crash, and the run goes on with a new worker.
   - As one batch through `cloudclaims extract` (exit code, one row per file, no traceback).
   - As one batch through the dashboard's upload (uploads.ingest).
   A fixed case whose outcome differs from what tests/hostile.py expects counts as a failure.
2. Reviews: --threads + --processes writers record --decisions each at once, then the log is read back and
   checked (all there, order per claim); then --kills writer processes are SIGKILLed at random moments and
   every decision they reported committed must be in the database, which must pass integrity_check.
3. The faults of issue 10 (bench/faults.py): --runs concurrent extracts to one --out, a typo'd input,
   --cache-seeds damaged caches, the upload faults, killed extracts and their leftovers, the decode table.

Prints the figures and exits non-zero on any crash or failure. Usage:

    python bench/stress.py [--variants 300] [--threads 8] [--processes 8] [--decisions 1000] [--kills 20]
                           [--runs 6] [--cache-seeds 30] [--only files,reviews,faults]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the hostile corpus and the review writers are shared with the tests

import faults  # noqa: E402
import hostile  # noqa: E402
import review_load  # noqa: E402

PER_FILE_TIMEOUT = 300  # seconds before a document counts as a hang


# ---- 1. hostile files -----------------------------------------------------------------------------------------
def write_variants(folder: Path, n: int, seed: int) -> None:
    """n seeded random hostile files; their outcome is not fixed, only that each is extracted or reported."""
    rng = random.Random(seed)
    body = (hostile.BODY + hostile.FILLER) * 3
    makers = [
        lambda: rng.randbytes(rng.randrange(1, 20_000)),
        lambda: body.encode()[: rng.randrange(1, len(body.encode()))],
        lambda: rng.choice([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]) + body.encode(
            rng.choice(["utf-8", "gb18030", "big5", "utf-16-le", "utf-16-be"]), "replace"),
        lambda: ("---\n" + "".join(rng.choice("abc:[]{}-'\"\n 年月") for _ in range(rng.randrange(200))) + "\n---\n"
                 + body).encode(),
        lambda: ("阿里云营收" + "(" * rng.randrange(1, 5000) + "185.82億元" + ")" * rng.randrange(5000) + "。").encode(),
        lambda: ("".join(rng.choice("0123456789.,%亿万百分之约超-至 ") for _ in range(rng.randrange(1, 50_000)))).encode(),
        lambda: "\n".join(rng.choice([hostile.BODY.strip(), "", "展开", "打开APP", "<script>x</script>"])
                          for _ in range(rng.randrange(1, 3000))).encode(),
    ]
    for i in range(n):
        k = rng.randrange(len(makers))
        (folder / f"variant-{i:04d}-{k}.{rng.choice(['txt', 'md'])}").write_bytes(makers[k]())


def write_heavy(folder: Path) -> None:
    """Files just under documents.MAX_CHARS that are slow in different ways: where the worst time comes from."""
    from extractors.text.documents import MAX_CHARS

    n = MAX_CHARS - 100_000
    line = hostile.BODY.strip() + hostile.FILLER * (n // len(hostile.FILLER))
    (folder / "heavy-one-line.txt").write_text(line[:n], encoding="utf-8")
    (folder / "heavy-blank-lines.txt").write_text(hostile.BODY + "\n" * n, encoding="utf-8")
    (folder / "heavy-digits.txt").write_text(hostile.BODY + ("12,345.6亿元至-7%，" * (n // 12))[:n], encoding="utf-8")


def _worker() -> None:
    """Child: read file paths on stdin, print one JSON line per file after extracting it."""
    from extractors import pipeline

    for line in sys.stdin:
        path = line.rstrip("\n")
        t0 = time.perf_counter()
        row, claims = pipeline.process_path(Path(os.fsdecode(bytes.fromhex(path))))
        out = {"seconds": time.perf_counter() - t0, "error": row["error"], "claims": len(claims),
               "chars": row["n_chars"], "values": sorted((c["metric"], c["value"], c["period"]) for c in claims)}
        print(json.dumps(out, ensure_ascii=False), flush=True)


def one_by_one(files: list[Path]) -> tuple[list[dict | None], int]:
    """Each file's result in a worker process (None where the worker died or hung), and the crash count."""
    results: list[dict | None] = []
    crashes, proc = 0, None
    for path in files:
        if proc is None:
            proc = subprocess.Popen([sys.executable, __file__, "--worker"], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    preexec_fn=hostile.unprivileged())
        proc.stdin.write(os.fsencode(path).hex() + "\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], PER_FILE_TIMEOUT)
        line = proc.stdout.readline() if ready else ""
        if line:
            results.append(json.loads(line))
            continue
        crashes += 1
        proc.kill()
        proc.wait()
        why = "hung" if not ready else f"died: {proc.stderr.read()[-500:]}"
        print(f"  CRASH on {hostile_name(path)}: worker {why}", file=sys.stderr)
        results.append(None)
        proc = None
    if proc is not None:
        proc.stdin.close()
        proc.wait()
    return results, crashes


def hostile_name(path: Path) -> str:
    from extractors.text.documents import path_text

    return Path(path_text(path)).name


def run_cli(folder: Path, extra: list[Path], out: Path) -> tuple[subprocess.CompletedProcess, object]:
    import polars as pl

    from extractors.table import DOCUMENT_SCHEMA, documents_path, read_table

    proc = subprocess.run([*hostile.cloudclaims(), "extract", str(folder), *map(str, extra), "--out", str(out), "--no-cache"],
                          capture_output=True, text=True, preexec_fn=hostile.unprivileged(), cwd=out.parent)
    docs = read_table(documents_path(out), DOCUMENT_SCHEMA) if out.exists() else pl.DataFrame()
    return proc, docs


def stress_files(args, work: Path) -> int:
    from dashboard import config, uploads
    from extractors.run import batch
    from extractors.text import documents

    folder = work / "corpus"
    print(f"writing the hostile corpus ({len(hostile.CASES)} kinds, {args.variants} random variants, one of "
          f"{hostile.BIG_MB} MB) under {work}", flush=True)
    kinds = hostile.write_corpus(folder)
    write_variants(folder, args.variants, args.seed)
    write_heavy(folder)
    explicit = [kinds["png by its own name"]]
    files, refused = documents.find_articles([folder, *explicit])
    expected = {str(kinds[c.kind]): c for c in hostile.CASES}
    failures = 0

    t0 = time.perf_counter()
    results, crashes = one_by_one([f for f in files if str(f) not in refused])
    by_file = iter(results)  # refused at discovery: not read, one by one or in a batch
    results = [{"seconds": 0.0, "error": refused[str(f)], "claims": 0, "chars": 0, "values": []}
               if str(f) in refused else next(by_file) for f in files]
    extracted = sum(1 for r in results if r and r["error"] is None)
    reported = sum(1 for r in results if r and r["error"])
    timed = sorted(((r["seconds"], f, r["chars"]) for r, f in zip(results, files) if r), key=lambda t: -t[0])
    worst = timed[0] if timed else (0, None, 0)
    for r, f in zip(results, files):
        case = expected.get(str(f))
        if r is None or case is None or (case.special == "locked" and not hostile.locked_is_unreadable(f)):
            continue  # (root that cannot drop its power to read anything: the locked case proves nothing)
        values = [tuple(v) for v in r["values"]]
        ok = (case.error in (r["error"] or "")) if case.error else (r["error"] is None and values == hostile.CLAIMS)
        if not ok:
            failures += 1
            print(f"  UNEXPECTED for {case.kind!r}: error={r['error']!r} claims={r['values']}", file=sys.stderr)
    print(f"\nhostile files, one by one ({time.perf_counter() - t0:.1f} s)")
    print(f"  files tried                     {len(files):>8,}")
    print(f"  extracted                       {extracted:>8,}")
    print(f"  reported with a reason          {reported:>8,}")
    print(f"  worst single document           {worst[0]:>8.2f} s  ({hostile_name(worst[1]) if worst[1] else '-'}, "
          f"{worst[2]:,} chars)")
    print("  next slowest                    " + ", ".join(f"{t:.2f} s ({hostile_name(f)})" for t, f, _ in timed[1:4]))
    print(f"  fixed kinds as expected         {len(expected) - failures:>8,} of {len(expected)}")
    print(f"  crashes (worker died or hung)   {crashes:>8,}")

    t0 = time.perf_counter()
    proc, docs = run_cli(folder, explicit, work / "claims.parquet")
    traceback = "Traceback" in proc.stdout + proc.stderr
    rows_ok = docs.height == len(files)
    cli_crash = int(traceback or proc.returncode not in (0, 1) or not rows_ok)
    print(f"\n`cloudclaims extract` on the same files ({time.perf_counter() - t0:.1f} s)")
    one = {str(f): r for f, r in zip(files, results)}
    for path, error in docs.select("doc_path", "error").iter_rows():
        r = one.get(path)
        if r is not None and (r["error"] is None) != (error is None):
            print(f"  differs from the one-by-one run: {Path(path).name}: {error or 'extracted'} vs "
                  f"{r['error'] or 'extracted'}")
    print(f"  exit code {proc.returncode}; {docs.height:,} rows for {len(files):,} files; "
          f"{docs.filter(docs['error'].is_null()).height if docs.height else 0:,} extracted, "
          f"{docs.filter(docs['error'].is_not_null()).height if docs.height else 0:,} reported; "
          f"traceback: {'YES' if traceback else 'none'}")
    if cli_crash:
        print(proc.stderr[-3000:], file=sys.stderr)

    t0 = time.perf_counter()
    settings = config.settings({"CLOUDCLAIMS_CLAIMS": str(work / "upload" / "claims.parquet"),
                                "CLOUDCLAIMS_UPLOADS_DIR": str(work / "upload" / "articles")})
    # what a browser can send: the bytes of regular files (not links, pipes, unreadable files or non-UTF-8 names)
    sendable = [f for f in files if (expected[str(f)].uploadable if str(f) in expected else f.is_file())]
    upload_crash = 0
    try:
        got = uploads.ingest([(f.name, f.read_bytes()) for f in sendable], settings.claims, settings.uploads_dir,
                             settings.upload_max_bytes, batch.extract)
    except Exception as e:  # noqa: BLE001 — counted and shown, the run goes on
        upload_crash, got = 1, []
        print(f"  CRASH in uploads.ingest: {type(e).__name__}: {e}", file=sys.stderr)
    unnamed = [r for r in got if r.error and not r.error.startswith(repr(r.name))]
    print(f"\nthe dashboard's upload on the files a browser could send ({time.perf_counter() - t0:.1f} s)")
    print(f"  sent {len(sendable):,}: {sum(r.error is None for r in got):,} extracted, "
          f"{sum(r.error is not None for r in got):,} reported ({len(unnamed)} without the file's name)")
    hostile.remove_tree(kinds["folders 990 deep"].parents[hostile.DEEP - 1])  # rmtree recurses, and fails on it
    return crashes + cli_crash + upload_crash + failures + len(unnamed)


# ---- 2. reviews -----------------------------------------------------------------------------------------------
def stress_reviews(args, work: Path) -> int:
    from dashboard.reviews import ReviewStore

    db = work / "reviews.sqlite"
    ReviewStore(db)
    t0 = time.perf_counter()
    writers = review_load.run_writers(db, args.threads, args.processes, args.decisions, n_claims=50)
    history = ReviewStore(db).history()
    problems = review_load.log_problems(history, writers, args.decisions)
    written = len(writers) * args.decisions
    print(f"\nreviews: {args.threads} threads + {args.processes} processes at once ({time.perf_counter() - t0:.1f} s)")
    print(f"  written {written:,}; read back {history.height:,}; problems: {len(problems)}")
    for p in problems[:10]:
        print(f"  PROBLEM {p}", file=sys.stderr)

    t0 = time.perf_counter()
    kill_db = work / "killed.sqlite"
    ReviewStore(kill_db)
    rng = random.Random(args.seed)
    acknowledged: list[int] = []
    for k in range(args.kills):
        proc = review_load.start_killable_writer(kill_db, f"k{k}", 10_000, hang=False)
        first = proc.stdout.readline()  # once it writes (after its imports), kill it at a random moment
        acknowledged += [int(first.split()[1])] if first.startswith("committed ") else []
        deadline = time.monotonic() + rng.uniform(0.0, 1.0)
        while time.monotonic() < deadline:  # read what it committed until that moment
            ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if ready:
                line = proc.stdout.readline()
                if line.startswith("committed "):
                    acknowledged.append(int(line.split()[1]))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    store = ReviewStore(kill_db)
    with sqlite3.connect(kill_db) as con:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    present = set(store.history()["decision_id"])
    lost = [i for i in acknowledged if i not in present]
    print(f"\nreviews: {args.kills} writers killed with SIGKILL at random moments ({time.perf_counter() - t0:.1f} s)")
    print(f"  acknowledged {len(acknowledged):,}; read back {len(acknowledged) - len(lost):,}; lost {len(lost)}; "
          f"database integrity: {integrity}")
    return len(problems) + len(lost) + (integrity != "ok") + (history.height != written)


def main() -> int:
    if sys.argv[1:] == ["--worker"]:
        _worker()
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variants", type=int, default=300, help="random hostile files besides the fixed kinds")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--processes", type=int, default=8)
    ap.add_argument("--decisions", type=int, default=1000, help="per writer")
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--runs", type=int, default=6, help="concurrent extracts to one --out")
    ap.add_argument("--cache-seeds", type=int, default=30, help="damaged caches tried")
    ap.add_argument("--only", default="files,reviews,faults", help="which parts to run")
    args = ap.parse_args()
    parts = set(args.only.split(","))
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cloudclaims-stress-") as tmp:
        work = Path(tmp)
        bad = stress_files(args, work) if "files" in parts else 0
        bad += stress_reviews(args, work) if "reviews" in parts else 0
        bad += faults.run_all(args, work) if "faults" in parts else 0
    print(f"\ncrashes and failures: {bad}   (stress run {time.perf_counter() - t0:.0f} s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
