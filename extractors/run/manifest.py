"""What an output was made from, so that an unchanged re-run leaves it as it is: no extraction, no cache reads, no
rewrite, not even the table libraries imported.

After `extract` has written (or kept) its tables, it records in the cache folder
(outputs/<hash of the output's absolute path>.manifest):
  - the command: the working directory, the paths as given, the output paths, the overrides;
  - the digest of every file of the extractor package and of the row-shaping libraries' installs (inputs.py);
  - the stat signature of every article, of every folder walked (a file added, removed or renamed there changes
    it) and of the sources.yaml that applies to each article's folder (present or not);
  - the digest of the documents' cache keys in output order, the signatures of the files written (the two
    tables, and each file of the partitioned dataset when there is one), the summary.

current() finds a run current, so `extract` stops at once, when all of that is unchanged. A manifest is recorded
only when every document's rows came from the cache or went into it (a timeout, a crash or an unreadable file is
retried next time) and nothing recorded had changed within RACY_SECONDS before the run (a later change could
hide in the same clock tick). A run that re-hashes its files (touched, copied back) and finds every document in
the cache under the recorded keys is current too: its tables are left as they are (same_keys()).

Layout: one line of JSON (the header), then the recorded paths and signatures as NUL-separated bytes (a path
cannot hold NUL), whose sha256 the header carries: a damaged or truncated manifest is no manifest.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from extractors.run import inputs

FORMAT = 1
MISSING = "-"


def manifest_path(cache_dir: str | Path, out: str | Path) -> Path:
    key = hashlib.sha256(os.fsencode(os.path.abspath(out))).hexdigest()[:24]
    return Path(cache_dir) / "outputs" / f"{key}.manifest"


def signature(path: str | bytes) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return MISSING
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"  # inputs.stat_signature, inlined: 20,000 calls


def command(out, paths, overrides, dataset=None) -> dict:
    """What the run was asked for; a manifest of another command does not apply."""
    return {"cwd": os.fsdecode(os.getcwd()), "paths": [os.fsdecode(os.fspath(p)) for p in paths],
            "out": os.fsdecode(os.fspath(out)), "dataset": None if dataset is None else os.fsdecode(os.fspath(dataset)),
            "overrides": json.dumps(overrides or {}, sort_keys=True, ensure_ascii=False, default=str)}


def load(cache_dir, out) -> tuple[dict, list[tuple[bytes, str]]] | None:
    """(header, [(path as bytes, signature)...]) of the manifest recorded for `out`, or None (none, damaged, another
    format)."""
    try:
        data = manifest_path(cache_dir, out).read_bytes()
        head, _, body = data.partition(b"\n")
        header = json.loads(head)
    except (OSError, ValueError):
        return None
    if not isinstance(header, dict) or header.get("format") != FORMAT or \
            header.get("body") != hashlib.sha256(body).hexdigest():
        return None
    parts = body.split(b"\0")[:-1] if body else []
    return header, list(zip(parts[0::2], (p.decode() for p in parts[1::2])))


def _outputs_unchanged(header: dict) -> bool:
    return all(signature(p) == sig for p, sig in header.get("outputs", [])) and bool(header.get("outputs"))


def current(out, paths, cache_dir, overrides=None, dataset=None) -> dict | None:
    """The recorded summary counts when the tables at `out` are those these inputs would give; else None."""
    got = load(cache_dir, out)
    if got is None:
        return None
    header, recorded = got
    if header.get("command") != command(out, paths, overrides, dataset) or header.get("code") != inputs.code_digest():
        return None
    if not _outputs_unchanged(header):
        return None
    for path, sig in recorded:
        if signature(path) != sig:
            return None
    return header


def same_keys(previous: dict | None, record: Recorder) -> bool:
    """Whether the tables are current although some file was re-hashed (touched, copied back): every document
    came from the cache under the keys recorded, in the same order, and neither the code nor the tables
    changed since. `previous`: the header recorded before this run."""
    return (previous is not None and record.complete and previous.get("keys") == record.keys.hexdigest()
            and previous.get("command") == command(record.out, record.paths, record.overrides, record.dataset)
            and previous.get("code") == inputs.code_digest() and _outputs_unchanged(previous))


class Recorder:
    """Collects what a run's output depends on; write() records it once the tables are in place."""

    def __init__(self, cache_dir, out, paths, overrides=None, dataset=None):
        self.cache_dir, self.out, self.paths, self.overrides = cache_dir, out, list(paths), overrides
        self.dataset = dataset
        self.started = time.time()
        self.items: list[tuple[str, str]] = []
        self.latest = 0.0  # the latest change time of anything recorded
        self.complete = True  # every document is in the cache
        self.keys = hashlib.sha256()  # of the documents' cache keys, in output order
        self.folders: set[str] = set()
        for p in self.paths:  # before discovery: a change while it walks shows up next time
            p = os.fspath(p)
            if os.path.isdir(p):
                for folder, _dirs, _files in os.walk(p):  # sub-folders through links are not walked, as there
                    self._add(folder)
            else:
                self._add(p)

    def _add(self, path: str, st: os.stat_result | None = None) -> None:
        try:
            st = st or os.stat(path)
        except OSError:
            self.items.append((path, MISSING))
            return
        self.items.append((path, inputs.stat_signature(st)))
        self.latest = max(self.latest, st.st_mtime, st.st_ctime)

    def article(self, path: str, st: os.stat_result | None, sources_file: str) -> None:
        """One article as stat'ed before it was hashed (None: it could not be); and its folder's sources.yaml."""
        if st is None:
            self.complete = False
            return
        self._add(path, st)
        folder = os.path.dirname(path)
        if folder not in self.folders:
            self.folders.add(folder)
            self._add(os.path.join(folder, sources_file))

    def key(self, key: str | None) -> None:
        """The next document's cache key in the output (None: its rows are not cached)."""
        if key is None:
            self.complete = False
        self.keys.update((key or "-").encode() + b"\0")

    def write(self, counts: dict, outputs: list[Path]) -> bool:
        """Record the manifest (atomically); False when this run cannot vouch for its output (see above)."""
        target = manifest_path(self.cache_dir, self.out)
        if not self.complete or self.latest > self.started - inputs.RACY_SECONDS:
            # An older manifest stays: its signatures no longer match, but its keys still describe the tables
            # if they were kept, and it describes nothing if they were rewritten (their signatures changed).
            return False
        body = b"".join(os.fsencode(p) + b"\0" + sig.encode() + b"\0" for p, sig in self.items)
        header = {"format": FORMAT, "command": command(self.out, self.paths, self.overrides, self.dataset),
                  "code": inputs.code_digest(), "keys": self.keys.hexdigest(), "summary": counts,
                  "outputs": [(os.fsdecode(os.fspath(p)), signature(os.fspath(p))) for p in outputs],
                  "body": hashlib.sha256(body).hexdigest()}
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(json.dumps(header, ensure_ascii=True).encode() + b"\n" + body)
            os.replace(tmp, target)
        except OSError:
            return False  # a cache that cannot be written costs the speed of the next run, nothing else
        return True
