"""A deterministic synthetic scrape built from the bundled articles, for the benchmark.

Article i is a function of (seed, i) only, so `--start` can add new articles to an existing corpus.
Each article takes a few runs of consecutive lines (paragraphs) from the bundled texts, shuffled, in simplified
or traditional script (OpenCC flips the script); about half get YAML front matter; some repeat their whole body
(as 004 does) or end with the portal junk of 001; a few are GB18030/Big5 or carry a UTF-8 BOM. Usage:

    python bench/corpus.py OUT_DIR [-n 20000] [--seed 7] [--start 0]
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import random
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "articles"
PUBLISHERS = ["极客公园", "智东西", "36氪", "钛媒体", "虎嗅", "财新", "界面新闻", "经济观察报", "雷锋网", "InfoQ"]


def _body_lines(text: str) -> list[str]:
    if text.startswith("---\n"):
        text = text[text.index("\n---", 3) + 4 :]
    return [line for line in text.splitlines() if line.strip()]


@functools.cache
def _seeds() -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Lines of every bundled article, in simplified and in traditional script."""
    t2s, s2t = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
    simp, trad = [], []
    for p in sorted(SEEDS.glob("*.txt")):
        lines = _body_lines(p.read_text(encoding="utf-8"))
        simp.append(tuple(t2s.convert(x) for x in lines))
        trad.append(tuple(s2t.convert(x) for x in lines))
    return simp, trad


def article(seed: int, i: int) -> tuple[str, bytes]:
    """(relative path, file bytes) of article i."""
    rng = random.Random(f"{seed}-{i}")
    simp, trad = _seeds()
    traditional = rng.random() < 0.5
    lines = trad if traditional else simp
    runs = []
    for _ in range(rng.randint(3, 7)):
        src = lines[rng.randrange(len(lines))]
        start = rng.randrange(len(src))
        runs.append(list(src[start : start + rng.randint(3, 14)]))
    rng.shuffle(runs)
    body = [x for run in runs for x in run]
    if rng.random() < 0.15:  # the whole body twice, as portals sometimes serve it
        body = body + body
    if rng.random() < 0.25:  # portal junk at the end: related news, full of unrelated numbers
        junk = lines[1]
        body += junk[-rng.randint(20, 60) :]
    text = "\n\n".join(body) + "\n"
    if rng.random() < 0.5:
        day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(2400))
        title = body[0][:40].replace('"', "'")
        text = (f'---\ntitle: "{title}"\nurl: https://news.example.com/a/{i}\n'
                f"source: {rng.choice(PUBLISHERS)}\ndate: {day.isoformat()}\n---\n\n{text}")
    r = rng.random()
    data = text.encode("utf-8")
    if r < 0.03:
        data = b"\xef\xbb\xbf" + data
    elif r < 0.07:
        try:
            data = text.encode("big5" if traditional else "gb18030")
        except UnicodeEncodeError:
            pass  # a character the legacy encoding lacks: keep UTF-8, as a real scrape would
    suffix = ".md" if rng.random() < 0.1 else ".txt"
    return f"d{i // 1000:03d}/{i:06d}{suffix}", data


def write(out: Path, n: int, seed: int = 7, start: int = 0) -> tuple[int, int]:
    """Write articles start .. start+n-1 under out; (files, bytes) written."""
    total = 0
    for i in range(start, start + n):
        rel, data = article(seed, i)
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        total += len(data)
    return n, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("-n", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--start", type=int, default=0)
    a = ap.parse_args()
    files, size = write(a.out, a.n, a.seed, a.start)
    print(f"wrote {files:,} articles, {size / 1e6:.1f} MB, to {a.out}")


if __name__ == "__main__":
    main()
