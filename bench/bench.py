"""The extraction benchmark (`make bench`): every figure of issue 11 side by side, from one run.

Two corpora, written to a temporary directory:
  - synthetic: the deterministic bench corpus (bench/corpus.py, seed 7), N articles;
  - real text: the dev set's articles (../shared/devset/docs, third parties' pages, read from there at bench time
    and repeated to size in the temporary directory, never into the repo), --real-n articles.
For each, as the median of --runs runs:
  - marginal per-core throughput: `cloudclaims extract --no-cache --jobs 1` on the whole corpus and on a quarter
    of it; the extra chars over the extra seconds, so interpreter start-up, imports and rule compilation cancel;
  - on the same text in this process, the floor (OpenCC t2s plus one compiled number regex) and jionlp's
    extract_money (on a sample: it is slow); ours is printed as a ratio to each.
On the synthetic corpus also:
  - scaling: --jobs 1 against all cores at N articles (and the CPU other processes took meanwhile: the box is shared);
  - the time in each stage on a sample, in this process, and the table write;
  - the cache: a cold run, the unchanged re-run (warm) and a re-run after adding 10 new articles;
  - peak RSS (all processes of the run added up) at N and at --big articles (default 4N).
Usage:

    python bench/bench.py [-n 20000] [--real-n 5000] [--runs 3] [--big 80000] [--jobs N] [--out FILE.md]
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
DEVSET_DOCS = ROOT.parent / "shared" / "devset" / "docs"  # third parties' texts: read in place, never copied into the repo
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


def write_real_corpus(out: Path, n: int) -> tuple[int, int]:
    """The dev set's articles repeated to n files under out (a temporary folder); (files, bytes)."""
    docs = sorted(p for p in DEVSET_DOCS.iterdir() if p.suffix in (".txt", ".md"))
    data = [p.read_bytes() for p in docs]
    total = 0
    for i in range(n):
        p = out / f"r{i // 1000:03d}" / f"{i:06d}-{docs[i % len(docs)].name}"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data[i % len(docs)])
        total += len(data[i % len(docs)])
    return n, total


def marginal(folders: tuple[Path, Path], chars: tuple[int, int], out: Path, runs: int) -> tuple[float, list[Run]]:
    """Chars/s per core of --jobs 1 without the cache: (whole - quarter) chars over (whole - quarter) seconds;
    and the runs on the whole corpus."""
    got = [[run_cli(["extract", str(f), "--out", str(out), "--no-cache", "--jobs", "1"]) for _ in range(runs)]
           for f in folders]
    walls = [statistics.median(r.wall for r in rs) for rs in got]
    return (chars[1] - chars[0]) / max(1e-9, walls[1] - walls[0]), got[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=20_000, help="synthetic articles (scaling, cache and memory at this size)")
    ap.add_argument("--real-n", type=int, default=None, help="real-text articles (default n/4; 0 skips)")
    ap.add_argument("--big", type=int, default=None, help="articles for the memory figure (default 4n; 0 skips)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=None, help="'all cores' (default: all)")
    ap.add_argument("--stage-sample", type=int, default=1000, help="articles timed stage by stage")
    ap.add_argument("--out", type=Path, help="also write the report (markdown) here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary corpus and outputs")
    a = ap.parse_args()
    big = 4 * a.n if a.big is None else a.big
    real_n = a.n // 4 if a.real_n is None else a.real_n
    tmp = Path(tempfile.mkdtemp(prefix="cloudclaims-bench-"))
    code = snapshot_code(tmp)
    from extractors.run import batch

    a.jobs = a.jobs or batch.default_jobs()
    corpus_mod = load_corpus_module()
    lines: list[str] = []
    targets: list[tuple[str, str, str, bool]] = []

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
        texts = read_texts(files)
        chars = sum(map(len, texts))
        corpus_mod.write(tmp / "synthetic-quarter", max(1, a.n // 4))  # the first quarter of the same articles
        corpora = {"synthetic": (corpus, tmp / "synthetic-quarter", texts)}
        if real_n and DEVSET_DOCS.is_dir():
            write_real_corpus(tmp / "real", real_n)
            write_real_corpus(tmp / "real-quarter", max(1, real_n // 4))
            corpora["real text (dev set, repeated)"] = (tmp / "real", tmp / "real-quarter",
                                                        read_texts(documents.discover([tmp / "real"])))
        elif real_n:
            note(f"{DEVSET_DOCS} is missing: no real-text figures")
        out = tmp / "out" / "c.parquet"
        cpu = next((x.split(":", 1)[1].strip() for x in open("/proc/cpuinfo") if x.startswith("model name")), "?")
        say(f"## Extraction benchmark, {dt.date.today()}")
        say()
        say(f"Machine: {os.cpu_count()} cores ({cpu}), {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB, "
            f"Python {platform.python_version()}, {platform.system()}; shared with other work (see 'other load'). "
            f"Synthetic corpus: {len(files):,} articles (bench/corpus.py, seed 7), {chars:,} chars, "
            f"{n_bytes / 1e6:.1f} MB. Median of {a.runs} runs. Code: {code}.")
        say()

        # marginal per-core throughput, and the reference points on the same text
        note("marginal throughput (--jobs 1, whole and quarter corpus) and the reference points...")
        say("Marginal per-core throughput (`--no-cache --jobs 1`, the whole corpus against a quarter of it: start-up "
            "cancels) beside the floor (OpenCC t2s + one number regex) and jionlp's extract_money on the same text:")
        say()
        ours: dict[int, tuple[float, int, float]] = {}
        say("| corpus | articles | chars | ours, marginal per core | floor: OpenCC + one regex | ours / floor | "
            "jionlp extract_money | ours / jionlp |")
        say("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, (whole, part, ts) in corpora.items():
            part_chars = sum(map(len, read_texts(documents.discover([part]))))
            total = sum(map(len, ts))
            per_core, whole_runs = marginal((part, whole), (part_chars, total), out, a.runs)
            if whole == corpus:  # the --jobs 1 runs of the scaling figure
                ours[1] = (statistics.median(r.wall for r in whole_runs), max(r.rss for r in whole_runs),
                           statistics.median(r.others for r in whole_runs))
            ref = peers(ts, a.runs)
            floor_sec, floor_n = ref["OpenCC + one regex, combined"]
            floor = floor_n / floor_sec
            jio = ref.get("jionlp extract_money")
            jio_rate = jio[1] / jio[0] if jio else None
            say(f"| {name} | {len(ts):,} | {total:,} | {per_core / 1e6:.2f} M chars/s | {floor / 1e6:.2f} M chars/s | "
                f"**{per_core / floor:.3f}x** | " + (f"{jio_rate / 1e6:.2f} M chars/s | **{per_core / jio_rate:.2f}x** |"
                                                    if jio_rate else "not installed | - |"))
            targets.append((f"{name}: per core, marginal", f"{per_core / 1e6:.2f} M chars/s", ">= 5 M",
                            per_core >= 5e6))
            targets.append((f"{name}: vs the floor", f"{per_core / floor:.3f}x", ">= 0.2x", per_core / floor >= 0.2))
            if jio_rate:
                targets.append((f"{name}: vs jionlp extract_money", f"{per_core / jio_rate:.2f}x", ">= 3.5x",
                                per_core / jio_rate >= 3.5))
        say()

        # end to end at N, one process (measured above) and all cores
        for jobs in sorted({1, a.jobs} - set(ours)):
            note(f"cloudclaims extract --no-cache --jobs {jobs} at {a.n:,}, {a.runs} runs...")
            runs = [run_cli(["extract", str(corpus), "--out", str(out), "--no-cache", "--jobs", str(jobs)])
                    for _ in range(a.runs)]
            ours[jobs] = (statistics.median(r.wall for r in runs), max(r.rss for r in runs),
                          statistics.median(r.others for r in runs))
        say(f"End to end at {a.n:,} synthetic articles:")
        say()
        say("| run | wall s | chars/s | MB/s | docs/s | peak RSS (all processes) | other load (cores) |")
        say("|---|---:|---:|---:|---:|---:|---:|")
        for jobs, (wall, rss, others) in sorted(ours.items()):
            say(f"| `cloudclaims extract --no-cache --jobs {jobs}` | {wall:.1f} | {chars / wall / 1e6:.2f} M | "
                f"{n_bytes / wall / 1e6:.2f} | {len(files) / wall:,.1f} | {rss / 2**20:,.0f} MiB | {others:.2f} |")
        one = ours[1][0]
        if a.jobs != 1:
            scaling = one / ours[a.jobs][0]
            say(f"\nScaling, --jobs {a.jobs} vs --jobs 1: **{scaling:.2f}x** (same output: tests/test_batch.py). "
                f"'other load' is the CPU other processes took meanwhile: on a shared {os.cpu_count()}-core box "
                f"it caps what --jobs {a.jobs} can get.")
            targets.append((f"scaling on {a.jobs} cores at {a.n:,}", f"{scaling:.2f}x", ">= 1.8x", scaling >= 1.8))
        say()

        # stages, on each corpus: where the time goes, per article, against what the target leaves
        note(f"stages on {a.stage_sample:,} articles of each corpus, and the table write...")
        write_s = table_write_seconds(out, a.runs)
        stage_names = ["read+decode", "normalize", "numbers", "lexicon", "periods", "segment+tokens", "frames",
                       "resolve", "sentence loop, rows, other"]
        timed = {}
        for name, (whole, _, _) in corpora.items():
            sample = (files if whole == corpus else documents.discover([whole]))[: a.stage_sample]
            timed[name] = (*stage_times(sample), len(sample))
        say("Stages, one process, on a sample of each corpus: seconds, share and microseconds per article. "
            "The last line is what an article may take at the target of 5 M chars/s per core; the table write "
            "is that of the whole synthetic --jobs 1 run.")
        say()
        say("| stage | " + " | ".join(f"{n}: s | share | us/article" for n in timed) + " |")
        say("|---|" + "---:|---:|---:|" * len(timed))
        for stage in stage_names + ["all stages"]:
            cells = []
            for stages, total, _, n in timed.values():
                sec = total if stage == "all stages" else stages.get(stage, 0.0)
                cells.append(f"{sec:.2f} | {100 * sec / total:.0f}% | {1e6 * sec / n:,.0f}")
            say(f"| {stage} | " + " | ".join(cells) + " |")
        say("| the target leaves (5 M chars/s) | " + " | ".join(f"{c / 5e6:.2f} | - | {1e6 * c / n / 5e6:,.0f}"
                                                            for _, _, c, n in timed.values()) + " |")
        say()
        say("| table write (Parquet, both tables, in batches) | s | share of the --jobs 1 run | chars/s |")
        say("|---|---:|---:|---:|")
        say(f"| synthetic | {write_s:.2f} | {100 * write_s / one:.1f}% | {rate(chars, write_s)} |")
        say()

        # the cache
        note("cache: cold, warm, +10 articles...")
        cache_dir = tmp / "cache"
        base = ["extract", str(corpus), "--out", str(out), "--cache-dir", str(cache_dir), "--jobs", str(a.jobs)]
        cold = run_cli(base).wall
        warm_runs = [run_cli(base) for _ in range(a.runs)]
        warm = statistics.median(r.wall for r in warm_runs)
        warm_extracted = max(extracted_count(r.stdout)[1] for r in warm_runs)
        current = all("already current" in r.stdout for r in warm_runs)
        start_up = statistics.median(run_python_startup() for _ in range(a.runs))
        corpus_mod.write(corpus, 10, start=a.n)
        inc = run_cli(base)
        inc_cached, inc_extracted = extracted_count(inc.stdout)
        say(f"Cache, --jobs {a.jobs}:")
        say()
        say("| run | wall s | vs cold |")
        say("|---|---:|---:|")
        say(f"| cold (empty cache) | {cold:.1f} | 1x |")
        say(f"| warm re-run, nothing changed ({warm_extracted} extracted; tables "
            f"{'left as they were' if current else 'rewritten'}) | {warm:.2f} | **{cold / warm:.0f}x faster** |")
        say(f"| for scale: `python -c pass` (interpreter start-up) | {start_up:.2f} | - |")
        say(f"| +10 new articles ({inc_extracted} extracted, {inc_cached:,} from cache) | {inc.wall:.2f} | "
            f"{cold / inc.wall:.0f}x faster |")
        targets.append(("warm re-run vs cold", f"{cold / warm:.0f}x", ">= 50x", cold / warm >= 50))
        targets.append(("+10 articles: extracted", str(inc_extracted), "10", inc_extracted == 10))
        say()

        # memory
        rss = ours[a.jobs][1]
        if big > a.n:
            note(f"memory at {big:,} articles...")
            corpus_mod.write(corpus, big - a.n - 10, start=a.n + 10)
            rss_big = run_cli(["extract", str(corpus), "--out", str(out), "--no-cache", "--jobs", str(a.jobs)]).rss
            say(f"Peak RSS, --jobs {a.jobs}, all processes: {rss / 2**20:,.0f} MiB at {a.n:,} articles, "
                f"{rss_big / 2**20:,.0f} MiB at {big:,} articles.")
            targets.append((f"peak RSS at {big:,} articles", f"{rss_big / 2**20:,.0f} MiB", "< 1 GiB",
                            rss_big < 2**30))
            say()

        say("Targets (issue 11):")
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


def run_python_startup() -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
