"""The whole-document watchdog: a document still being extracted after a generous limit is stopped, reported
by name as timed out, and the batch goes on.

The limit is DOC_SECONDS plus a second for every BYTES_PER_SECOND of the file: minutes, where a real article
takes milliseconds and the worst file bench/stress.py can make takes seconds. So the same document gives the
same rows on a quiet machine and on a busy one; only a runaway is stopped.

- Worker processes write what they are doing on a Board (shared memory: pid, document, start, size per worker);
  the parent reads it while it waits for results and kills a worker that is past the limit.
- Work done in this process (few files, jobs=1) runs under an alarm (SIGALRM), which the regex module also
  heeds inside a long match. Signals reach only the main thread, so elsewhere (the dashboard) the batch uses a
  worker process instead.
- A worker also dies with its parent: a killed `extract` leaves no workers behind.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
import time

DOC_SECONDS = 120.0
BYTES_PER_SECOND = 100_000
CHECK_EVERY = 1.0  # how often the parent looks at the board while it waits
PR_SET_PDEATHSIG = 1


def limit(size: int, base: float | None = None) -> float:
    return (DOC_SECONDS if base is None else base) + size / BYTES_PER_SECOND


def file_size(path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


class DocTimeout(BaseException):
    """Raised by the alarm inside a document's extraction. A BaseException, so that the per-document
    `except Exception` (a bug on one odd text) does not take it for an extractor failure."""


def message(seconds: float) -> str:
    return (f"timed out: still being extracted after {seconds:.0f} s, the limit for a file of this size; "
            "stopped (the rest of the batch went on)")


# ---- in this process -------------------------------------------------------------------------------------------
def alarm_available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _ring(signum, frame):
    raise DocTimeout


@contextlib.contextmanager
def alarm(seconds: float):
    """Raise DocTimeout in this (main) thread if the block is still running after `seconds`."""
    previous = signal.signal(signal.SIGALRM, _ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---- worker processes ------------------------------------------------------------------------------------------
class Board:
    """What each worker of one pool is doing, in shared memory: written by workers, read by the parent."""

    def __init__(self, ctx, slots: int):
        self.pids = ctx.Array("q", slots, lock=False)
        self.docs = ctx.Array("q", [-1] * slots, lock=False)  # the document's number in the batch; -1: idle
        self.starts = ctx.Array("d", slots, lock=False)  # time.monotonic() when it started (one clock per machine)
        self.sizes = ctx.Array("q", slots, lock=False)
        self.taken = ctx.Value("i", 0)

    # worker side
    def join(self) -> int | None:
        with self.taken.get_lock():
            slot = self.taken.value
            self.taken.value += 1
        if slot >= len(self.pids):
            return None
        self.pids[slot] = os.getpid()
        return slot

    def begin(self, slot: int, doc: int, size: int) -> None:
        self.sizes[slot] = size
        self.starts[slot] = time.monotonic()
        self.docs[slot] = doc  # last: the parent reads doc, then start

    def end(self, slot: int) -> None:
        self.docs[slot] = -1

    # parent side
    def stop_overdue(self, base: float | None) -> dict[int, str]:
        """Kill every worker past its document's limit; returns {document number: reason}."""
        stopped = {}
        now = time.monotonic()
        for slot in range(min(self.taken.value, len(self.pids))):
            doc = self.docs[slot]
            if doc < 0:
                continue
            allowed = limit(self.sizes[slot], base)
            if now - self.starts[slot] > allowed and self.docs[slot] == doc:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pids[slot], signal.SIGKILL)
                stopped[doc] = message(allowed)
        return stopped


def die_with_parent(parent: int) -> None:
    """In a worker: exit as soon as the parent is gone (killed with SIGKILL, it cannot tell us)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # Linux: the kernel does it
    if os.getppid() != parent:
        os._exit(1)  # it died before we got here
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="watch-parent").start()


def _watch_parent(parent: int) -> None:
    # Elsewhere, or should the kernel's signal miss: a re-parented worker sees another parent id.
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
