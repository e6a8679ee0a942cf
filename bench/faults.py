"""The stress run's fault cases (issue 10): each makes one fault happen for real, prints its figures and returns how
many times something was lost, wrong, unreadable or a traceback (0 is the only good answer).

  concurrent   N `cloudclaims extract` runs to one --out at once, a reader reading the pair all along
  typo         a typo'd path, an empty folder, unreadable files: the old tables stay byte-identical
  targets      --out a directory, on a full disk, on a read-only mount: one line, before any work
  cache        K seeds of damage to a cache (flipped bits, swapped or shifted index rows, truncation, leftovers)
  uploads      a full disk, a read-only folder, a corrupt claims table, long Chinese names, a crashing extractor
  kill         `extract` killed with SIGKILL: how long its workers outlive it, and what the next run cleans
  decode       every bundled article in every encoding: the same claims as its UTF-8 original
"""
from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import cache_faults
import corpus as bench_corpus  # bench/corpus.py: bench/ is the script's folder
import hostile
import polars as pl

from extractors.table import CLAIM_SCHEMA, DOCUMENT_SCHEMA, TableError, documents_path, read_table, read_tables
from extractors.text import documents

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "data" / "articles"


def cli(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*hostile.cloudclaims(), "extract", *map(str, args)], capture_output=True, text=True, **kw)


def _traceback(proc) -> bool:
    return "Traceback" in (proc.stdout or "") + (proc.stderr or "")


def _pair_bytes(out: Path) -> dict:
    return {p.name: p.read_bytes() for p in (out, documents_path(out)) if p.exists()}


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith((".tmp", ".part"))]


# ---- concurrent extracts to one --out ---------------------------------------------------------------------------
def _one_run(pair) -> str | None:
    """Which run wrote this (claims, documents) pair, or None when the pair mixes runs or is inconsistent."""
    claims, docs = pair
    if docs is None:
        return None
    runs = {Path(p).parent.name for p in docs["doc_path"]}
    ok = (len(runs) == 1 and set(claims["doc_path"]) <= set(docs["doc_path"])
          and set(claims["doc_id"]) <= set(docs["doc_id"]))
    return runs.pop() if ok else None


def _keep_reading(out: Path, stop: threading.Event, seen: dict) -> None:
    """Read the pair as the dashboard does, over and over, until stopped; count what came back."""
    while not stop.is_set():
        if not out.exists():
            time.sleep(0.01)
            continue
        try:
            got = _one_run(read_tables(out))
        except (TableError, FileNotFoundError):
            seen["unreadable"] += 1
            continue
        seen["reads"] += 1
        seen["mixed"] += got is None


def concurrent(work: Path, runs: int) -> int:
    bad = 0
    for suffix in (".parquet", ".csv"):
        base = work / f"concurrent{suffix.replace('.', '-')}"
        inputs = []
        for k in range(runs):  # each run reads its own folder, so the pair tells which run wrote it
            d = base / f"run{k}"
            shutil.copytree(ARTICLES, d)
            (d / f"only-in-run{k}.md").write_text(f"阿里云营收同比增长{k + 1}%。\n", encoding="utf-8")
            inputs.append(d)
        out = base / "out" / f"claims{suffix}"
        stop, seen = threading.Event(), {"reads": 0, "mixed": 0, "unreadable": 0}
        t = threading.Thread(target=_keep_reading, args=(out, stop, seen))
        t.start()
        t0 = time.perf_counter()
        procs = [subprocess.Popen([*hostile.cloudclaims(), "extract", str(d), "--out", str(out), "--no-cache",
                                   "--jobs", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for d in inputs]
        outs = [p.communicate() for p in procs]
        seconds = time.perf_counter() - t0
        stop.set()
        t.join()
        codes = [p.returncode for p in procs]
        tracebacks = sum("Traceback" in o + e for o, e in outs)
        final = _one_run(read_tables(out))
        left = _leftovers(base / "out")
        print(f"  {runs} runs at once to one {suffix} ({seconds:.1f} s): exit 0 for {codes.count(0)} of {runs}, "
              f"tracebacks {tracebacks}; reader: {seen['reads']:,} reads of the pair, {seen['mixed']} mixed, "
              f"{seen['unreadable']} unreadable; final pair from {final or 'MIXED RUNS'}; leftovers {len(left)}")
        bad += (runs - codes.count(0)) + tracebacks + seen["mixed"] + seen["unreadable"] + (final is None) + len(left)
    return bad


# ---- a typo'd input leaves the old tables byte-identical -----------------------------------------------------------
def typo(work: Path) -> int:
    base = work / "typo"
    out = base / "out" / "claims.parquet"
    (base / "empty").mkdir(parents=True)
    (base / "bad").mkdir()
    (base / "bad" / "empty.txt").write_bytes(b"")
    (base / "bad" / "image.md").write_bytes(hostile.png())
    (base / "link").symlink_to(ARTICLES, target_is_directory=True)
    first = cli(ARTICLES, "--out", out, "--no-cache")
    bad = first.returncode != 0
    cases = [  # (input, exit code, whether the old tables must stay byte for byte)
        ("a typo'd path", base / "artciles", 1, True),
        ("an empty folder", base / "empty", 1, True),
        ("only unreadable files", base / "bad", 1, True),
        ("a file that is not an article", ROOT / "README.md", 0, False),  # .md: read (no claims): replaced
        ("a symlinked input folder", base / "link", 0, False),
    ]
    for what, path, code, kept in cases:
        before = _pair_bytes(out)
        proc = cli(path, "--out", out, "--no-cache")
        same = _pair_bytes(out) == before
        ok = proc.returncode == code and not _traceback(proc) and (same if kept else read_table(out).height >= 0)
        if what == "a symlinked input folder":
            ok = ok and read_table(out).height > 0
        print(f"  {what:32s} exit {proc.returncode}; tables {'byte-identical' if same else 'replaced'}"
              f"{'' if ok else '   UNEXPECTED: ' + proc.stderr.strip()[-300:]}")
        bad += not ok
    return bad


# ---- --out where no table can be written -------------------------------------------------------------------------
def targets(work: Path) -> int:
    base = work / "targets"
    (base / "a-folder").mkdir(parents=True)
    bad = 0
    with _small_disk(base / "disk", "1m") as disk:
        cases = [("--out is a directory", base / "a-folder", 2, "is a directory")]
        if disk is not None:
            with contextlib.suppress(OSError), open(disk / "filler", "wb") as f:
                f.write(b"\0" * (2 * 2**20))
            cases.append(("--out on a full disk (a real tmpfs)", disk / "claims.parquet", 1, "No space left on device"))
        for what, out, code, says in cases:
            t0 = time.perf_counter()
            proc = cli(ARTICLES, "--out", out, "--no-cache")
            said = [line for line in proc.stderr.splitlines() if line.startswith("cloudclaims: ")]
            ok = (proc.returncode == code and not _traceback(proc) and len(said) == 1 and says in said[0]
                  and "documents read" not in proc.stdout)
            print(f"  {what:40s} exit {proc.returncode} after {time.perf_counter() - t0:.1f} s, before any document: "
                  f"{'yes' if 'documents read' not in proc.stdout else 'NO'}; {said[0] if said else 'NOTHING SAID'}")
            bad += not ok
        if disk is not None:
            (disk / "filler").unlink()
            subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True)
            proc = cli(ARTICLES, "--out", disk / "claims.parquet", "--no-cache")
            ok = proc.returncode == 1 and not _traceback(proc) and "Read-only file system" in proc.stderr
            print(f"  {'--out on a read-only mount':40s} exit {proc.returncode}; {proc.stderr.strip().splitlines()[-1]}")
            bad += not ok
        else:
            print("  a full disk, a read-only mount: skipped (this machine does not allow mounting a tmpfs)")
    return bad


# ---- damaged caches -------------------------------------------------------------------------------------------------
def _damage(cache: Path, rng: random.Random, seed: int) -> str:
    kind = rng.choice(["bits", "bits", "bits", "index bits", "swap", "shift", "truncate", "part"])
    if kind == "bits":
        return cache_faults.flip_bits(cache, seed, n=rng.choice([1, 1, 2, 8, 64]))
    if kind == "index bits":
        return "index " + cache_faults.flip_bits(cache, seed, n=rng.choice([1, 4, 16]), index=True)
    if kind == "swap":
        return cache_faults.swap_rows(cache)
    if kind == "shift":
        return cache_faults.shift_claims(cache)
    if kind == "truncate":
        p = rng.choice(cache_faults.segments(cache))
        data = p.read_bytes()
        p.write_bytes(data[: rng.randrange(len(data))])
        return f"truncated {p.name}"
    return f"left {cache_faults.leave_part(cache).name}"


def cache(work: Path, seeds: int) -> int:
    base = work / "cache"
    corpus = base / "corpus"
    shutil.copytree(ARTICLES, corpus / "bundled")
    bench_corpus.write(corpus / "synthetic", 150, seed=11)
    ref_out = base / "reference.parquet"
    if cli(corpus, "--out", ref_out, "--no-cache", "--jobs", "1").returncode:
        print("  CRASH building the reference")
        return 1
    reference = read_table(ref_out), read_table(documents_path(ref_out), DOCUMENT_SCHEMA)
    healthy = base / "healthy"
    cli(corpus, "--out", base / "warm.parquet", "--cache-dir", healthy, "--jobs", "1")
    rng = random.Random(seeds)
    wrong = unreadable = tracebacks = failed = repaired = warned = 0
    t0 = time.perf_counter()
    for seed in range(seeds):
        c = base / f"seed{seed}"
        shutil.copytree(healthy, c)
        what = _damage(c, rng, seed)
        out = base / f"seed{seed}.parquet"
        proc = cli(corpus, "--out", out, "--cache-dir", c, "--jobs", "1")
        tracebacks += _traceback(proc)
        failed += proc.returncode != 0
        warned += "cloudclaims: cache:" in proc.stderr
        try:
            got = read_table(out), read_table(documents_path(out), DOCUMENT_SCHEMA)
        except Exception:  # noqa: BLE001 — counted
            unreadable += 1
            print(f"  UNREADABLE output after {what}")
            continue
        if not (got[0].equals(reference[0]) and got[1].equals(reference[1])):
            wrong += 1
            print(f"  WRONG rows after {what}")
        again = cli(corpus, "--out", out, "--cache-dir", c, "--jobs", "1")
        repaired += f"{reference[1].height:,} from cache, 0 extracted" in again.stdout
        shutil.rmtree(c)
    print(f"  {seeds} damaged caches ({time.perf_counter() - t0:.1f} s), {reference[1].height} documents each: "
          f"wrong rows {wrong}, unreadable outputs {unreadable}, failed runs {failed}, tracebacks {tracebacks}; "
          f"damage reported {warned}; the next run took every document from the cache in {repaired} of {seeds}")
    return wrong + unreadable + tracebacks + failed


# ---- uploads ----------------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def _small_disk(where: Path, size: str):
    """A real tmpfs of `size` at `where` (root only); None when this machine does not allow mounting."""
    where.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                      capture_output=True).returncode:
        yield None
        return
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def uploads(work: Path) -> int:
    from dashboard import uploads as up
    from extractors.run import batch

    bad = 0
    made = [0]

    def body(extra: int = 1) -> bytes:  # a new article each time: never "already in the corpus"
        made[0] += 1
        return (hostile.BODY + f"第{made[0]}篇。\n" + hostile.FILLER * extra).encode()

    def attempt(what, files, folder: Path, extract=batch.extract, damage=None):
        nonlocal bad
        claims, up_dir = folder / "claims.parquet", folder / "uploads"
        before_files = sorted(p.name for p in up_dir.iterdir()) if up_dir.exists() else []
        if damage:
            damage(claims)
        before = _pair_bytes(claims)
        try:
            got = up.ingest(files, claims, up_dir, 10 * 2**20, extract)
        except Exception as e:  # noqa: BLE001 — counted
            print(f"  {what:44s} CRASH {type(e).__name__}: {e}")
            bad += 1
            return
        kept = [r for r in got if r.path is not None]
        left = sorted(p.name for p in up_dir.iterdir()) if up_dir.exists() else []
        named = all(r.error.startswith(repr(r.name)) for r in got if r.error)
        consistent = (set(left) == set(before_files) | {r.path.name for r in kept}
                      and (_pair_bytes(claims) == before if not kept else read_tables(claims)[0].height > 0))
        reason = next((r.error for r in got if r.error), "") or ", ".join(r.path.name for r in kept)
        print(f"  {what:44s} stored {len(kept)} of {len(files)}; files left {len(left) - len(before_files)}; "
              f"named {'yes' if named else 'NO'}; consistent {'yes' if consistent else 'NO'}:\n      {reason[-150:]}")
        bad += (not named) + (not consistent)

    def seeded(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        up.ingest([("seed.txt", body())], folder / "claims.parquet", folder / "uploads", 10 * 2**20, batch.extract)
        return folder

    for n in (100, 200, 400):
        attempt(f"a name of {n} Chinese characters", [("阿" * n + ".txt", body())], seeded(work / f"up-name{n}"))
    attempt("a corrupt claims table", [("a.txt", body())], seeded(work / "up-corrupt"),
            damage=lambda c: c.write_bytes(b"PAR1 not a table"))

    def crash(paths):
        raise RuntimeError("the extractor crashed")

    attempt("an extractor that crashes", [("a.txt", body()), ("b.md", body())], seeded(work / "up-crash"), crash)
    with _small_disk(work / "up-disk", "2m") as disk:
        if disk is None:
            print("  a full disk, a read-only folder: skipped (this machine does not allow mounting a tmpfs)")
            return bad
        seeded(disk)
        filler = disk / "filler"
        with contextlib.suppress(OSError), open(filler, "wb") as f:
            f.write(b"\0" * (3 * 2**20))  # fill the disk to the last byte
        attempt("a full disk (a real 2 MB tmpfs, filled)", [("a.txt", body(20)), ("b.txt", body(300))], disk)
        filler.unlink()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True)
        attempt("a read-only folder (the tmpfs remounted ro)", [("a.txt", body()), ("b.txt", body())], disk)
    return bad


# ---- a killed extract ------------------------------------------------------------------------------------------------
def kill(work: Path, kills: int = 3) -> int:
    base = work / "kill"
    corpus = base / "corpus"
    bench_corpus.write(corpus, 3000, seed=5)
    out = base / "out" / "claims.parquet"
    bad = 0
    for k in range(kills):
        c = base / f"cache{k}"  # a cold cache: the killed run is writing segments
        proc = subprocess.Popen([*hostile.cloudclaims(), "extract", str(corpus), "--out", str(out), "--cache-dir",
                                 str(c), "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        workers, t0 = [], time.monotonic()
        while time.monotonic() - t0 < 120 and proc.poll() is None:
            workers = [w for w in hostile.children(proc.pid) if "multiprocessing" in hostile.cmdline(w)]
            if len(workers) >= 2 and _leftovers(base):
                break
            time.sleep(0.1)
        time.sleep(0.5 + k)  # let them work a moment: mid-chunk, tables half written
        left_tmp = len(_leftovers(base))
        if proc.poll() is not None:
            print(f"  kill {k + 1}: the run finished before it could be killed (exit {proc.returncode})")
            continue
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        t1 = time.monotonic()
        while any(hostile.running(w) for w in workers) and time.monotonic() - t1 < 60:
            time.sleep(0.05)
        gone = time.monotonic() - t1
        alive = [w for w in workers if hostile.running(w)]
        for w in alive:
            os.kill(w, signal.SIGKILL)
        again = cli(corpus, "--out", out, "--cache-dir", c, "--jobs", "2")
        after = _leftovers(base)
        ok = not alive and again.returncode == 0 and not after and not _traceback(again)
        print(f"  kill {k + 1}: {len(workers)} worker processes, all gone {gone:.2f} s after the parent's SIGKILL "
              f"({len(alive)} still alive after 60 s); {left_tmp} .tmp/.part files left by the killed run, "
              f"{len(after)} after the next run (exit {again.returncode})")
        bad += not ok
    return bad


# ---- decoding -------------------------------------------------------------------------------------------------------
def _claims_of(path: Path) -> list[tuple]:
    from extractors import pipeline

    _, rows = pipeline.process_path(path)
    return sorted(tuple(str(r[k]) for k in ("metric", "value", "period", "entity", "product", "span_start",
                                            "span_end", "quote")) for r in rows)


def decode(work: Path) -> int:
    base = work / "decode"
    base.mkdir()
    articles = documents.discover([ARTICLES])
    texts = [("article " + p.name[:3], p.read_bytes().decode("utf-8")) for p in articles]
    texts.append(("hostile BODY (traditional)", hostile.BODY * 3))
    print(f"  {'':28s}" + " ".join(f"{name[:12]:>12s}" for name, _ in texts))
    bad = 0
    for enc in hostile.REENCODINGS:
        cells = []
        for i, (_, text) in enumerate(texts):
            original, copy = base / f"{i}-original.txt", base / f"{i}-{enc.replace(' ', '_')}.txt"
            original.write_bytes(text.encode())
            data = hostile.reencode(text, enc)
            if data is None:
                cells.append("n/a")  # the encoding cannot carry the text
                copy.unlink(missing_ok=True)
                continue
            copy.write_bytes(data)
            same = _claims_of(copy) == _claims_of(original)
            cells.append(f"same ({len(_claims_of(original))})" if same else "DIFFERENT")
            bad += not same
        print(f"  {enc:28s}" + " ".join(f"{c:>12s}" for c in cells))
    copies = [p for p in base.iterdir() if "original" not in p.name]
    proc = cli(base, "--out", base / "all.csv", "--no-cache")
    docs = read_table(documents_path(base / "all.csv"), DOCUMENT_SCHEMA) if proc.returncode == 0 else pl.DataFrame()
    errors = docs.filter(pl.col("error").is_not_null()).height if docs.height else -1
    print(f"  all {len(copies)} copies and their originals in one `cloudclaims extract`: exit {proc.returncode}, "
          f"{errors} errors, traceback {'YES' if _traceback(proc) else 'none'}")
    claims = read_table(base / "all.csv", CLAIM_SCHEMA) if proc.returncode == 0 else None
    bad += proc.returncode != 0 or errors != 0 or _traceback(proc) or claims is None
    return bad


CASES = {"concurrent": concurrent, "typo": typo, "targets": targets, "cache": cache, "uploads": uploads, "kill": kill,
         "decode": decode}


def run_all(args, work: Path) -> int:
    bad = 0
    for name, title in [("concurrent", "concurrent extracts to one --out"), ("typo", "a typo'd input"),
                        ("targets", "--out where no table can be written"), ("cache", "damaged caches"), ("uploads", "upload faults"), ("kill", "a killed extract"),
                        ("decode", "decode table: claims of each re-encoded copy against its UTF-8 original")]:
        t0 = time.perf_counter()
        print(f"\n{title}", flush=True)
        if name == "concurrent":
            got = concurrent(work, args.runs)
        elif name == "cache":
            got = cache(work, args.cache_seeds)
        else:
            got = CASES[name](work)
        print(f"  -> {got} lost, wrong or crashed ({time.perf_counter() - t0:.1f} s)", flush=True)
        bad += got
    return bad


if __name__ == "__main__":
    sys.exit("run through bench/stress.py")
