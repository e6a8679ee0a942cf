"""Files that appear whole: a unique temporary name per writer, fsync, and the leftovers of writers that died.

A temporary file is named after its writer's pid (.claims.parquet.<pid>-<random>.tmp), so a later run can tell
the leftovers of a killed run (the pid is gone) from the work of a run still going, and remove only those.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path


def temp_path(path: str | Path) -> Path:
    """A hidden name beside `path` that no other writer uses."""
    p = Path(path)
    return p.with_name(f".{p.name}.{os.getpid()}-{uuid.uuid4().hex[:12]}.tmp")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _dead_writers(p: Path) -> bool:
    """Whether p is a temporary file (temp_path's name) whose writer is gone."""
    if not (p.name.startswith(".") and p.name.endswith(".tmp")):
        return False
    pid = p.name[:-4].rsplit(".", 1)[-1].split("-", 1)[0]
    return not (pid.isdigit() and pid_alive(int(pid)))


def remove_leftovers(path: str | Path) -> list[Path]:
    """Temporary files of `path` (or, for a folder, of anything in it) left by writers that died (killed, out of
    memory, power cut): removed. A living writer's are left alone."""
    p = Path(path)
    try:
        found = list(p.glob(".*.tmp")) if p.is_dir() else list(p.parent.glob(f".{p.name}.*.tmp"))
        old = [] if p.is_dir() else [p.with_name(p.name + ".tmp")]  # the fixed name older versions used
    except OSError:
        return []
    gone = []
    for t in [t for t in found if _dead_writers(t)] + [t for t in old if t.exists()]:
        with contextlib.suppress(OSError):
            if t.is_dir() and not t.is_symlink():  # a dataset folder being written
                shutil.rmtree(t)
            else:
                t.unlink()
            gone.append(t)
    return gone


def fsync(path: str | Path) -> None:
    """Flush a file (or a folder's entries) to disk, whoever wrote it."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
