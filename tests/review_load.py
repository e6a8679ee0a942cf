"""Many reviewers writing to one review database at once, and writers killed mid-transaction.

Used by tests/test_review_durability.py and bench/stress.py. Run as a script, it is a writer process that
can be killed: `python tests/review_load.py DB WRITER N [--hang]` records N decisions, printing
"committed <decision_id>" after each one is committed; with --hang it then starts one more and stops
inside its transaction (after the INSERT, before COMMIT), printing "in-transaction", until it is killed.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl


def note(writer: str, i: int) -> str:
    return f"{writer}:{i}"


def write_decisions(db: Path, writer: str, n: int, n_claims: int, barrier=None) -> None:
    """Decision i of this writer goes to claim i % n_claims: every claim gets decisions from every writer."""
    from dashboard.reviews import ReviewStore

    store = ReviewStore(db)  # each writer its own store and connections, as separate app sessions have
    if barrier is not None:
        barrier.wait()
    for i in range(n):
        store.record(f"claim{i % n_claims}", ("accept", "reject")[i % 2], writer, note(writer, i))


def _in_process(db, writer, n, n_claims, barrier, errors) -> None:
    try:
        write_decisions(db, writer, n, n_claims, barrier)
    except BaseException as e:  # reported by the parent; a thread cannot fail a test by itself
        errors.append(f"{writer}: {type(e).__name__}: {e}")
        raise


def run_writers(db: Path, threads: int, processes: int, n: int, n_claims: int) -> list[str]:
    """`threads` writer threads here and `processes` writer processes, released together by one barrier.
    Returns the writers' names; raises if any writer failed."""
    ctx = multiprocessing.get_context("spawn")  # not fork: this process may already run polars threads
    barrier = ctx.Barrier(threads + processes)
    errors: list[str] = []
    procs = [ctx.Process(target=write_decisions, args=(db, f"p{k}", n, n_claims, barrier)) for k in range(processes)]
    thrds = [threading.Thread(target=_in_process, args=(db, f"t{k}", n, n_claims, barrier, errors))
             for k in range(threads)]
    for w in (*procs, *thrds):
        w.start()
    for w in (*procs, *thrds):
        w.join()
    errors += [f"p{k}: exit code {p.exitcode}" for k, p in enumerate(procs) if p.exitcode != 0]
    if errors:
        raise RuntimeError("; ".join(errors))
    return [f"t{k}" for k in range(threads)] + [f"p{k}" for k in range(processes)]


def log_problems(history: pl.DataFrame, writers: list[str], n: int) -> list[str]:
    """What is wrong with the decision log after `writers` each recorded n decisions (empty: nothing)."""
    problems = []
    expected = {note(w, i) for w in writers for i in range(n)}
    notes = history["note"].to_list()
    if len(notes) != len(expected) or set(notes) != expected:
        problems.append(f"{len(notes)} decisions stored, {len(set(notes) & expected)} of the {len(expected)} recorded")
    if history["decision_id"].to_list() != sorted(history["decision_id"]):
        problems.append("history is not in decision order")
    for (claim,), rows in history.group_by("claim_id", maintain_order=True):
        for w in writers:  # each writer's decisions on this claim come in the order it made them
            seq = [int(x.split(":")[1]) for x in rows.filter(pl.col("reviewer") == w)["note"]]
            if seq != sorted(seq):
                problems.append(f"{claim}: {w}'s decisions out of order")
        if rows["created_at"].to_list() != sorted(rows["created_at"]):
            problems.append(f"{claim}: timestamps disagree with the order decisions were stored")
    return problems


# ---- a writer to kill -----------------------------------------------------------------------------------------
def start_killable_writer(db: Path, writer: str, n: int, hang: bool) -> subprocess.Popen:
    args = [sys.executable, __file__, str(db), writer, str(n)] + (["--hang"] if hang else [])
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def committed_until(proc: subprocess.Popen, stop: str | None) -> tuple[list[int], bool]:
    """Decision ids the writer reported committed, read until it prints `stop` (or ends)."""
    ids = []
    for line in proc.stdout:
        if line.startswith("committed "):
            ids.append(int(line.split()[1]))
        elif stop and line.strip() == stop:
            return ids, True
    return ids, False


def _main(db: str, writer: str, n: int, hang: bool) -> None:
    from dashboard import reviews

    store = reviews.ReviewStore(db)
    for i in range(n):
        print("committed", store.record(f"claim{i % 7}", "accept", writer, note(writer, i)), flush=True)
    if hang:
        @contextlib.contextmanager
        def stuck(con, path):
            con.execute("BEGIN IMMEDIATE")
            yield  # the INSERT runs here; then the writer stops before COMMIT, holding the write lock
            print("in-transaction", flush=True)
            time.sleep(3600)

        reviews._immediate = stuck
        store.record("claim-never", "reject", writer, note(writer, n))


if __name__ == "__main__":
    _main(sys.argv[1], sys.argv[2], int(sys.argv[3]), "--hang" in sys.argv)
