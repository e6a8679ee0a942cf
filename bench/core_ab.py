"""The extraction core of two commits, per core, side by side: `make bench-ab REV=dcc1778` (default: HEAD~1).

Each commit's extractors/ is exported to a temporary folder and times `pipeline.process_path` over the same
synthetic articles (bench/corpus.py), and over the dev set's articles repeated (read from ../shared/devset at
bench time into a temporary folder, when it is there), in a fresh process, in CPU time (other load on a shared
machine matters less than to wall time), the two alternating so that both see the same minutes. Prints each run
and the medians' ratio.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEVSET_DOCS = ROOT.parent / "shared" / "devset" / "docs"  # third parties' texts: read in place, never copied into the repo
TIMER = """
import glob, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from extractors import pipeline
files = [Path(f) for f in sorted(glob.glob(sys.argv[2] + "/**/*.*", recursive=True)) if f.endswith((".txt", ".md"))]
for f in files[:50]:
    pipeline.process_path(f)  # patterns compiled, caches warm
chars, t = 0, time.process_time()
for f in files:
    chars += pipeline.process_path(f)[0]["n_chars"]
print(chars / (time.process_time() - t))
"""


def export(rev: str, into: Path) -> Path:
    """The tree of `rev` (extractors/ and what it reads) under `into`."""
    archive = into / f"{rev.replace('/', '_')}.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), rev, "extractors", "data/articles"], check=True)
    out = into / rev.replace("/", "_")
    with tarfile.open(archive) as t:
        t.extractall(out, filter="data")
    return out


def _time(trees: dict[str, Path], corpus: Path, runs: int, label: str) -> None:
    rates: dict[str, list[float]] = {name: [] for name in trees}
    for run in range(runs):
        for name, tree in trees.items():
            out = subprocess.run([sys.executable, "-c", TIMER, str(tree), str(corpus)], check=True,
                                 capture_output=True, text=True, cwd=tree)
            rates[name].append(float(out.stdout))
            print(f"{label} run {run + 1}: {name:>14}  {rates[name][-1] / 1e6:.3f} M chars/s (CPU time)", flush=True)
    (old_name, old), (_, new) = ((k, statistics.median(v)) for k, v in rates.items())
    print(f"{label} medians: {old_name} {old / 1e6:.3f}, working tree {new / 1e6:.3f} M chars/s; "
          f"working tree / {old_name} = {new / old:.2f}x", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", nargs="?", default="HEAD~1", help="the commit to compare the working tree with")
    ap.add_argument("-n", type=int, default=600, help="synthetic articles")
    ap.add_argument("--real", type=int, default=340, help="dev-set articles, repeated (0: none)")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cloudclaims-ab-") as tmp:
        tmp = Path(tmp)
        subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), str(tmp / "corpus"), "-n", str(a.n)], check=True)
        trees = {a.rev: export(a.rev, tmp), "working tree": ROOT}
        _time(trees, tmp / "corpus", a.runs, "synthetic")
        if a.real and DEVSET_DOCS.is_dir():
            docs = sorted(p for p in DEVSET_DOCS.iterdir() if p.suffix in (".txt", ".md"))
            (tmp / "real").mkdir()
            for i in range(a.real):
                (tmp / "real" / f"{i:06d}-{docs[i % len(docs)].name}").write_bytes(docs[i % len(docs)].read_bytes())
            _time(trees, tmp / "real", a.runs, "real text")


if __name__ == "__main__":
    main()
