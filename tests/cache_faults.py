"""Damage done to a cache directory, as disks, killed runs and bugs leave it. Used by tests/test_cache.py and
bench/stress.py; each function returns a line saying what it did."""
from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path


def segments(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "segments").glob("*.arrow"))


def flip_bits(cache_dir: Path, seed: int, n: int = 8, index: bool = False) -> str:
    """n random bits flipped, in the segments (or in index.sqlite), chosen by seed."""
    rng = random.Random(seed)
    files = [cache_dir / "index.sqlite"] if index else segments(cache_dir)
    done = []
    for _ in range(n):
        path = rng.choice(files)
        data = bytearray(path.read_bytes())
        pos = rng.randrange(len(data))
        data[pos] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(data))
        done.append(f"{path.name}@{pos}")
    return "flipped " + ", ".join(done)


def _entries(con: sqlite3.Connection) -> list[tuple]:
    return con.execute("SELECT key, segment, batch, row, cstart, ccount FROM entries WHERE ccount > 0"
                       " ORDER BY key").fetchall()


def swap_rows(cache_dir: Path) -> str:
    """Two index rows pointing at each other's rows: each key now finds another document's claims."""
    with sqlite3.connect(cache_dir / "index.sqlite") as con:
        a, b = _entries(con)[:2]
        for key, other in ((a[0], b), (b[0], a)):
            con.execute("UPDATE entries SET segment=?, batch=?, row=?, cstart=?, ccount=? WHERE key=?", (*other[1:], key))
    return f"swapped the rows of {a[0][:8]} and {b[0][:8]}"


def shift_claims(cache_dir: Path) -> str:
    """One index row whose claim range starts one row late: the document's count is right, its claims are not."""
    with sqlite3.connect(cache_dir / "index.sqlite") as con:
        key = _entries(con)[0][0]
        con.execute("UPDATE entries SET cstart = cstart + 1 WHERE key = ?", (key,))
    return f"shifted the claims of {key[:8]}"


def dead_pid() -> int:
    """A pid no process has now (the leftovers of a killed run carry one)."""
    pid = os.getpid() + 100_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1


def leave_part(cache_dir: Path) -> Path:
    """A half-written segment of a run that was killed."""
    part = cache_dir / "segments" / f"{segments(cache_dir)[0].name[:12]}-p{dead_pid()}-{'0' * 16}.docs.arrow.part"
    part.write_bytes(b"ARROW1\0\0" + b"\0" * 100)
    return part
