"""The extraction benchmark (`make bench`): our throughput beside its peers, scaling, cache, memory.

On a deterministic synthetic corpus (bench/corpus.py) written to a temporary directory, it measures, as the
median of --runs runs:
  - end-to-end `cloudclaims extract` throughput (chars/s, MB/s, docs/s) with --jobs 1 and with all cores,
    each with its peak RSS (all processes of the run added up);
  - the time in each stage (read+decode, normalize, numbers, lexicon, periods, segmenting, frames, resolving, rows) on a sample of the
    corpus in this process, and the table write;
  - the cache: a cold run, a warm re-run and a re-run after adding 10 new articles;
  - peak RSS at N and at 4N articles;
  - on the same text, the reference points: OpenCC t2s alone, one compiled regex for numbers followed by
    %, 亿, 万 or 元, and jionlp's extract_money (on a sample: it is slow);
and prints our throughput as a ratio to each. Usage:

    python bench/bench.py [-n 20000] [--runs 3] [--big 80000] [--jobs N] [--out FILE.md]
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import inspect
import io
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE: Path | None = None  # the snapshot of extractors/ every measurement runs (see snapshot_code)
FLOOR_PATTERN = r"\d+(?:\.\d+)?\s*(?:%|亿|万|元)"
JIONLP_SAMPLE_CHARS = 3_000_000  # jionlp runs ~1 M chars/s: a sample keeps the benchmark short


def load_corpus_module():
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---- measuring ---------------------------------------------------------------------------------------------
def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _tree_rss(pid: int) -> int:
    """Resident memory of pid and all its descendants, in bytes (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) * 1024
        except (OSError, StopIteration):
            continue
    return total


def busy_seconds() -> float:
    """CPU seconds all processes of the machine have used since boot (/proc/stat)."""
    with open("/proc/stat") as fh:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fh.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    wall: float
    rss: int  # peak resident memory of the whole process tree, bytes
    others: float  # cores busy with other processes during the run: the box is shared, say so
    stdout: str


def run_cli(args: list[str]) -> Run:
    """One `cloudclaims` run, timed, with its peak memory and the load other processes put on the machine."""
    busy0, t = busy_seconds(), time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(CODE)} if CODE else None
    proc = subprocess.Popen([sys.executable, "-m", "extractors.run.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    peak, done = 0, threading.Event()

    def sample():
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, _tree_rss(proc.pid))

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # usage covers the workers too: the CLI reaps them
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    done.set()
    th.join()
    if proc.returncode != 0:
        raise SystemExit(f"cloudclaims {' '.join(args)} failed:\n{out}")
    ours = usage.ru_utime + usage.ru_stime
    return Run(wall, peak, max(0.0, busy_seconds() - busy0 - ours) / wall, out)


def extracted_count(stdout: str) -> tuple[int, int]:
    """(from cache, extracted) from the CLI summary line."""
    m = re.search(r"([\d,]+) from cache, ([\d,]+) extracted", stdout)
    return int(m[1].replace(",", "")), int(m[2].replace(",", ""))


# ---- stage timing: wrap the stage functions the pipeline calls, counting only the outermost call ------------
# (no hook in the pipeline is needed; when it calls a new stage function, add it here, or its time shows up
# under "sentence loop, rows, other"; a class method is named Class.method)
STAGES = {
    "text.documents": ("read+decode", ["read_document"]),
    "text.normalize": ("normalize", ["normalize"]),
    "recognize.numbers": ("numbers", ["find", "mask"]),
    "recognize.lexicon": ("lexicon", ["tag", "after_numbers"]),
    "recognize.periods": ("periods", ["scan", "resolve", "infer_published"]),
    "tokens": ("segment+tokens", ["paragraphs", "sentences", "merge", "assign"]),
    "grammar": ("frames", ["match"]),
    "resolve": ("resolve", ["Resolver.__init__", "Resolver.sentence"]),
}


class StageClock:
    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.depth = 0
        self.patched: list[tuple[object, str, object]] = []

    def _timed(self, stage, fn):
        clock = self

        if inspect.isgeneratorfunction(fn):
            def gen_wrapper(*a, **k):
                it = fn(*a, **k)
                while True:
                    outer = clock.depth == 0
                    clock.depth += 1
                    t = time.perf_counter()
                    try:
                        x = next(it)
                    except StopIteration:
                        return
                    finally:
                        clock.depth -= 1
                        if outer:
                            clock.seconds[stage] = clock.seconds.get(stage, 0.0) + time.perf_counter() - t
                    yield x
            return gen_wrapper

        def wrapper(*a, **k):
            if clock.depth:
                return fn(*a, **k)
            clock.depth += 1
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                clock.depth -= 1
                clock.seconds[stage] = clock.seconds.get(stage, 0.0) + time.perf_counter() - t
        return wrapper

    def __enter__(self):
        import importlib

        for mod_name, (stage, names) in STAGES.items():
            mod = importlib.import_module(f"extractors.{mod_name}")
            for name in names:
                owner, _, attr = name.rpartition(".")
                holder = getattr(mod, owner) if owner else mod  # a class's method: Resolver.sentence
                fn = getattr(holder, attr, None)
                if callable(fn):
                    self.patched.append((holder, attr, fn))
                    setattr(holder, attr, self._timed(stage, fn))
        return self

    def __exit__(self, *exc):
        for mod, name, fn in reversed(self.patched):
            setattr(mod, name, fn)


def stage_times(files: list[Path]) -> tuple[dict[str, float], float, int]:
    """Seconds per stage, total seconds and chars, for process_path over `files` in this process."""
    from extractors import pipeline
    from extractors.text import documents

    sources = documents.load_sources_for(files)
    pipeline.process_path(files[0], sources, None)  # compile the rules outside the clock
    chars = 0
    with StageClock() as clock:
        t = time.perf_counter()
        for f in files:
            chars += pipeline.process_path(f, sources, None)[0]["n_chars"]
        total = time.perf_counter() - t
    known = sum(clock.seconds.values())
    clock.seconds["sentence loop, rows, other"] = max(0.0, total - known)
    return clock.seconds, total, chars


def table_write_seconds(out: Path, runs: int) -> float:
    """Writing the run's tables again through the CLI's streaming sink, in window-sized batches."""
    import pyarrow.parquet as pq

    from extractors.run import batch, cache

    claims = pq.read_table(out).cast(cache.CLAIMS_ARROW)
    docs = pq.read_table(Path(str(out).replace(".parquet", ".documents.parquet"))).cast(cache.DOCS_ARROW)
    step_c = max(1, claims.num_rows * batch.WINDOW // max(1, docs.num_rows))

    def write():
        for table, step, name in ((claims, step_c, "c.parquet"), (docs, batch.WINDOW, "c.documents.parquet")):
            sink = batch._Sink(out.with_name("rewrite-" + name), table.schema)
            for i in range(0, table.num_rows, step):
                sink.write(table.slice(i, step))
            sink.finish()

    return median_time(write, runs)


# ---- reference points ---------------------------------------------------------------------------------------
def read_texts(files: list[Path]) -> list[str]:
    from extractors.text import documents

    out = []
    for f in files:
        try:
            out.append(documents.decode(f.read_bytes())[0])
        except Exception:  # noqa: BLE001 - the same files the extractor reports as errors
            continue
    return out


def peers(texts: list[str], runs: int) -> dict[str, tuple[float, int]]:
    """name -> (median seconds, chars measured)."""
    import opencc
    import regex

    chars = sum(map(len, texts))
    cc = opencc.OpenCC("t2s")
    floor = regex.compile(FLOOR_PATTERN)
    res = {
        "OpenCC t2s alone": (median_time(lambda: [cc.convert(t) for t in texts], runs), chars),
        "one regex (number + %/亿/万/元)": (median_time(lambda: [floor.findall(t) for t in texts], runs), chars),
    }
    both = res["OpenCC t2s alone"][0] + res["one regex (number + %/亿/万/元)"][0]
    res["OpenCC + one regex, combined"] = (both, chars)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
            import jionlp
    except ImportError:
        print("jionlp is not installed (pip install jionlp, or `make bench`): skipping it", file=sys.stderr)
        return res
    sample, n = [], 0
    for t in texts:
        if n >= JIONLP_SAMPLE_CHARS:
            break
        sample.append(cc.convert(t))  # jionlp reads simplified only (peers.md)
        n += len(t)
    extract_money = jionlp.ner.extract_money
    res["jionlp extract_money"] = (median_time(lambda: [extract_money(t) for t in sample], runs), n)
    return res


# ---- the report ---------------------------------------------------------------------------------------------
def rate(chars: int, seconds: float) -> str:
    return f"{chars / seconds / 1e6:.2f} M chars/s" if seconds else "-"


def snapshot_code(tmp: Path) -> str:
    """Copy extractors/ aside and run everything from the copy: an edit made in the working tree while the
    benchmark runs would change the cache fingerprint (and the speed) half-way through. Returns its provenance."""
    global CODE
    CODE = tmp / "code"
    shutil.copytree(ROOT / "extractors", CODE / "extractors", ignore=shutil.ignore_patterns("__pycache__"))
    sys.path.insert(0, str(CODE))
    git = ["git", "-C", str(ROOT)]
    try:
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "extractors"], capture_output=True,
                               text=True).stdout.strip()
    except OSError:
        return "extractors/ (no git)"
    return f"extractors/ at {head}" + (" plus uncommitted edits" if dirty else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=20_000, help="articles in the corpus")
    ap.add_argument("--big", type=int, default=None, help="articles for the memory comparison (default 4n; 0 skips)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=None, help="'all cores' (default: all)")
    ap.add_argument("--stage-sample", type=int, default=1000, help="articles timed stage by stage")
    ap.add_argument("--out", type=Path, help="also write the report (markdown) here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary corpus and outputs")
    a = ap.parse_args()
    big = 4 * a.n if a.big is None else a.big
    tmp = Path(tempfile.mkdtemp(prefix="cloudclaims-bench-"))
    code = snapshot_code(tmp)
    from extractors.run import batch

    a.jobs = a.jobs or batch.default_jobs()
    corpus_mod = load_corpus_module()
    lines: list[str] = []

    def say(s: str = "") -> None:
        print(s, flush=True)
        lines.append(s)

    def note(s: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {s}", file=sys.stderr, flush=True)

    try:
        corpus = tmp / "corpus"
        t = time.perf_counter()
        n_files, n_bytes = corpus_mod.write(corpus, a.n)
        note(f"generated {n_files:,} articles ({n_bytes / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s")
        from extractors.text import documents

        files = documents.discover([corpus])
        chars = sum(map(len, read_texts(files)))
        out = tmp / "out" / "c.parquet"
        cpu = next((x.split(":", 1)[1].strip() for x in open("/proc/cpuinfo") if x.startswith("model name")), "?")
        say(f"## Extraction benchmark, {dt.date.today()}")
        say()
        say(f"Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}. "
            f"Corpus: {len(files):,} synthetic articles (bench/corpus.py, seed 7), {chars:,} chars, "
            f"{n_bytes / 1e6:.1f} MB. Median of {a.runs} runs. Code: {code}.")
        say()

        # end to end, one process and all cores
        ours = {}
        for jobs in sorted({1, a.jobs}):
            note(f"cloudclaims extract --no-cache --jobs {jobs}, {a.runs} runs...")
            runs = [run_cli(["extract", str(corpus), "--out", str(out), "--no-cache", "--jobs", str(jobs)])
                    for _ in range(a.runs)]
            ours[jobs] = (statistics.median(r.wall for r in runs), max(r.rss for r in runs),
                          statistics.median(r.others for r in runs))
        say("| run | wall s | chars/s | MB/s | docs/s | peak RSS (all processes) | other load (cores) |")
        say("|---|---:|---:|---:|---:|---:|---:|")
        for jobs, (wall, rss, others) in ours.items():
            say(f"| `cloudclaims extract --no-cache --jobs {jobs}` | {wall:.1f} | {chars / wall / 1e6:.2f} M | "
                f"{n_bytes / wall / 1e6:.2f} | {len(files) / wall:,.1f} | {rss / 2**20:,.0f} MiB | {others:.2f} |")
        one, scaling = ours[1][0], ours[1][0] / ours[a.jobs][0]
        targets = [("chars/s per core, end to end", f"{chars / one / 1e6:.2f} M", ">= 10 M", chars / one >= 10e6)]
        if a.jobs != 1:
            say(f"\nScaling, --jobs {a.jobs} vs --jobs 1: **{scaling:.2f}x** (same output: tests/test_batch.py). "
                f"'other load' is the CPU other processes took meanwhile: on a shared {os.cpu_count()}-core box "
                f"it caps what --jobs {a.jobs} can get.")
            targets.append((f"scaling on {a.jobs} cores", f"{scaling:.2f}x", ">= 1.8x", scaling >= 1.8))
        say()

        # stages
        note(f"stages on {a.stage_sample:,} articles, and the table write...")
        write_s = table_write_seconds(out, a.runs)
        stages, stage_total, stage_chars = stage_times(files[: a.stage_sample])
        say(f"Stages, one process, on {min(a.stage_sample, len(files)):,} of the articles ({stage_chars:,} chars, "
            f"{stage_total:.1f} s); the table write is that of the whole --jobs 1 run:")
        say()
        say("| stage | s | share | chars/s |")
        say("|---|---:|---:|---:|")
        stage_names = ["read+decode", "normalize", "numbers", "lexicon", "periods", "segment+tokens", "frames", "resolve", "sentence loop, rows, other"]
        for name in stage_names:
            sec = stages.get(name, 0.0)
            say(f"| {name} | {sec:.2f} | {100 * sec / stage_total:.0f}% | {rate(stage_chars, sec)} |")
        say(f"| table write (Parquet, both tables, in batches) | {write_s:.2f} | {100 * write_s / one:.1f}% of the "
            f"run | {rate(chars, write_s)} |")
        say()

        # peers, on the same text
        note("reference points...")
        ref = peers(read_texts(files), a.runs)
        say("Reference points on the same text, one process:")
        say()
        say("| reference | chars measured | chars/s | ours (--jobs 1) as a ratio |")
        say("|---|---:|---:|---:|")
        ours_rate = chars / one
        for name, (sec, n) in ref.items():
            say(f"| {name} | {n:,} | {rate(n, sec)} | {ours_rate / (n / sec):.3f}x |")
            if name == "jionlp extract_money":
                targets.append(("vs jionlp extract_money", f"{ours_rate / (n / sec):.2f}x", ">= 8x",
                                ours_rate / (n / sec) >= 8))
            if name.endswith("combined"):
                targets.append(("vs OpenCC + one regex", f"{ours_rate / (n / sec):.3f}x", ">= 0.45x",
                                ours_rate / (n / sec) >= 0.45))
        say()

        # the cache
        note("cache: cold, warm, +10 articles...")
        cache_dir = tmp / "cache"
        base = ["extract", str(corpus), "--out", str(out), "--cache-dir", str(cache_dir), "--jobs", str(a.jobs)]
        cold = run_cli(base).wall
        warm_runs = [run_cli(base) for _ in range(a.runs)]
        warm = statistics.median(r.wall for r in warm_runs)
        warm_extracted = max(extracted_count(r.stdout)[1] for r in warm_runs)
        corpus_mod.write(corpus, 10, start=a.n)
        inc = run_cli(base)
        t_inc = inc.wall
        inc_cached, inc_extracted = extracted_count(inc.stdout)
        say(f"Cache, --jobs {a.jobs}:")
        say()
        say("| run | wall s | vs cold |")
        say("|---|---:|---:|")
        say(f"| cold (empty cache) | {cold:.1f} | 1x |")
        say(f"| warm re-run, nothing changed ({warm_extracted} extracted) | {warm:.2f} | "
            f"**{cold / warm:.0f}x faster** |")
        say(f"| +10 new articles ({inc_extracted} extracted, {inc_cached:,} from cache) | {t_inc:.2f} | "
            f"{cold / t_inc:.0f}x faster |")
        targets.append(("warm re-run vs cold", f"{cold / warm:.0f}x", ">= 50x", cold / warm >= 50))
        targets.append(("+10 articles: extracted", str(inc_extracted), "10", inc_extracted == 10))
        say()

        # memory
        rss = ours[a.jobs][1]
        targets.append((f"peak RSS at {a.n:,} articles", f"{rss / 2**20:,.0f} MiB", "< 1 GiB", rss < 2**30))
        if big > a.n:
            note(f"memory at {big:,} articles...")
            corpus_mod.write(corpus, big - a.n - 10, start=a.n + 10)
            rss_big = run_cli(["extract", str(corpus), "--out", str(out), "--no-cache", "--jobs", str(a.jobs)]).rss
            say(f"Peak RSS, --jobs {a.jobs}, all processes: {rss / 2**20:,.0f} MiB at {a.n:,} articles, "
                f"{rss_big / 2**20:,.0f} MiB at {big:,} articles ({big / a.n:.0f}x the corpus).")
            targets.append((f"RSS growth, {big // a.n}x the articles", f"{rss_big / rss:.2f}x", "far below "
                            f"{big // a.n}x", rss_big / rss < 1 + (big / a.n - 1) / 4))
            say()

        say("Targets (issue 5):")
        say()
        say("| what | measured | target | met |")
        say("|---|---:|---:|---|")
        for what, got, want, ok in targets:
            say(f"| {what} | {got} | {want} | {'yes' if ok else '**no**'} |")
        if a.out:
            a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    finally:
        if a.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
