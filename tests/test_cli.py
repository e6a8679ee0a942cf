"""`cloudclaims extract`: tables on disk, the end summary, progress, and exit codes."""
from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import hostile
import pytest
from conftest import ARTICLES, N_ARTICLES
from test_batch import load_bench_corpus

from extractors.run import batch, cli
from extractors.table import (
    CLAIM_SCHEMA,
    DOCUMENT_SCHEMA,
    claims_frame,
    documents_frame,
    documents_path,
    read_table,
    read_tables,
    write_tables,
)


def _setup(root: Path, kind: str) -> Path:
    d = root / "in"
    if kind == "typo'd path":
        return root / "artciles"
    d.mkdir()
    if kind in ("bundled", "mixed", "symlinked folder"):
        for p in sorted(ARTICLES.iterdir()):
            shutil.copy(p, d / p.name)
    if kind in ("mixed", "only bad"):
        (d / "empty.txt").write_bytes(b"")
        (d / "binary.md").write_bytes(b"\x00" * 64)
    if kind == "symlinked folder":  # a link to a folder, named on the command line, is walked like the folder
        (root / "link").symlink_to(d, target_is_directory=True)
        return root / "link"
    return d


N = N_ARTICLES


@pytest.mark.parametrize(
    "kind, code, read_line, error_files",
    [
        ("bundled", 0, f"documents read: {N} of {N}", []),
        ("symlinked folder", 0, f"documents read: {N} of {N}", []),
        ("mixed", 0, f"documents read: {N} of {N + 2}", ["binary.md", "empty.txt"]),  # some could be read: success
        ("only bad", 1, "documents read: 0 of 2", ["binary.md", "empty.txt"]),  # nothing could be read
        ("empty folder", 1, "documents read: 0 of 0", []),
        ("typo'd path", 1, "documents read: 0 of 1", ["artciles"]),
    ],
)
def test_exit_code_and_summary(tmp_path, capsys, kind, code, read_line, error_files):
    src = _setup(tmp_path, kind)
    out = tmp_path / "out" / "claims.parquet"
    write_tables({out: claims_frame([]), documents_path(out): documents_frame([])}, out)  # an earlier run's
    before = {p: p.read_bytes() for p in (out, documents_path(out))}
    assert cli.main(["extract", str(src), "--out", str(out), "--cache-dir", str(tmp_path / "cache")]) == code
    printed = capsys.readouterr()
    assert read_line in printed.out
    listed = [line.strip().split(": ", 1) for line in printed.out.splitlines() if line.startswith(f"  {src}")]
    assert sorted(Path(p).name for p, _ in listed) == error_files
    assert all(why for _, why in listed)  # each with its reason
    if error_files:
        assert f"files with errors: {len(error_files)}" in printed.out
    if code:  # nothing was read: the earlier tables are left byte for byte
        assert "cloudclaims: no" in printed.err and "is left as it was" in printed.out
        assert {p: p.read_bytes() for p in before} == before
        return
    claims = read_table(out)
    counted = {m: n for m, n in claims["metric"].value_counts().iter_rows()}
    for metric, n in counted.items():
        assert f"  {metric}: {n}" in printed.out  # claims per metric, as in the table
    assert f"claims: {claims.height}" in printed.out
    assert claims.height > 0 and not list(out.parent.glob("*.tmp"))


def test_csv_is_utf8_with_bom_and_the_schema_columns(tmp_path, capsys):
    out = tmp_path / "claims.csv"
    assert cli.main(["extract", str(ARTICLES), "--out", str(out), "--no-cache"]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8").splitlines()[0].split(",") == list(CLAIM_SCHEMA)
    assert "阿里云" in data.decode("utf-8-sig")
    assert documents_path(out).read_bytes().startswith(b"\xef\xbb\xbfdoc_id,")


@pytest.mark.parametrize(
    "flags, cache_used",
    [
        ([], True),
        (["--no-cache"], False),
        (["--jobs", "2"], True),
        (["--jobs", "1", "--no-cache"], False),
    ],
)
def test_cache_flags(tmp_path, capsys, monkeypatch, flags, cache_used):
    monkeypatch.chdir(tmp_path)  # the default cache lives in ./data/cache
    for _ in range(2):
        assert cli.main(["extract", str(ARTICLES), "--out", "t.parquet", *flags]) == 0
    last = capsys.readouterr().out.splitlines()
    summary = next(line for line in reversed(last) if line.startswith("documents read"))
    assert (f"{N} from cache, 0 extracted" in summary) is cache_used
    assert (tmp_path / "data" / "cache").exists() is cache_used


@pytest.mark.parametrize(
    "argv, message",
    [
        (["extract", "--out", "claims.xlsx"], "unknown table format"),
        (["extract", "--jobs", "0"], "--jobs must be at least 1"),
    ],
)
def test_bad_arguments_are_refused_before_any_work(tmp_path, capsys, argv, message):
    with pytest.raises(SystemExit) as e:
        cli.main(argv)
    assert e.value.code == 2
    assert message in capsys.readouterr().err


class _Tty(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize(
    "done, total, elapsed, expected",
    [
        (250, 1000, 10.0, "extract: 250/1,000 documents (25%), 25.0 docs/s, ETA 30 s"),
        (1000, 1000, 4.0, "extract: 1,000/1,000 documents (100%), 250.0 docs/s, ETA 0 s"),
        (0, 20000, 0.0, "extract: 0/20,000 documents (0%), 0.0 docs/s, ETA ?"),
        (0, 0, 1.0, "extract: 0/0 documents (-), 0.0 docs/s, ETA ?"),
    ],
)
def test_plain_progress_lines_for_logs(done, total, elapsed, expected):
    assert cli.ProgressReport.line(done, total, elapsed) == expected


def test_progress_is_plain_lines_off_a_terminal_and_a_bar_on_one():
    log = io.StringIO()
    p = cli.ProgressReport(stream=log, every=3600)
    for i in range(1, 11):
        p(i, 10)  # only the final line: the interval has not passed
    p.close()
    assert log.getvalue().splitlines() == [log.getvalue().splitlines()[-1]]
    assert log.getvalue().startswith("extract: 10/10 documents (100%)")

    pytest.importorskip("tqdm")
    term = _Tty()
    p = cli.ProgressReport(stream=term)
    for i in range(1, 11):
        p(i, 10)
    p.close()
    assert "10/10" in term.getvalue() and "doc/s" in term.getvalue() and "\r" in term.getvalue()


def test_the_console_script_runs_on_all_cores(tmp_path):
    """The installed entry point, as an analyst types it (no terminal: plain progress lines)."""
    exe = Path(sys.executable).with_name("cloudclaims")
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    out = tmp_path / "c.parquet"
    r = subprocess.run([str(exe), "extract", str(ARTICLES), "--out", str(out), "--cache-dir", str(tmp_path / "c")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert f"extract: {N}/{N} documents (100%)" in r.stderr
    assert f"documents read: {N} of {N}" in r.stdout
    assert read_table(out).height > 0


# ---- operational errors: one line naming the path and the problem, no traceback, a non-zero exit ---------------
def _disk_full(*a, **k):
    raise OSError(28, "No space left on device")


class _FullDisk(batch.pq.ParquetWriter):
    def write_table(self, *a, **k):
        _disk_full()


def _readonly_parent(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "posix_fallocate", lambda *a: (_ for _ in ()).throw(OSError(30, "Read-only file system")))
    return tmp_path / "ro" / "claims.parquet"


OPERATIONAL = [
    # (what, how the --out or the run is made to fail, exit code, what the one line says, whether it is said before
    #  any document is read)
    ("--out is a directory", lambda t, mp: t, 2, "is a directory", True),
    ("--out on a full disk", lambda t, mp: (mp.setattr(os, "posix_fallocate", _disk_full), t / "c.parquet")[1], 1,
     "cannot be written (No space left on device)", True),
    ("--out on a read-only mount", _readonly_parent, 1, "cannot be written (Read-only file system)", True),
    ("the disk fills while writing", lambda t, mp: (mp.setattr(batch.pq, "ParquetWriter", _FullDisk), t / "c.parquet")[1],
     1, "writing failed (No space left on device); the previous table is left as it was", False),
    ("a bug", lambda t, mp: (mp.setattr(batch, "iter_tables", lambda *a, **k: 1 / 0), t / "c.parquet")[1], 1,
     "extract failed (ZeroDivisionError: division by zero)", True),
]


@pytest.mark.parametrize("what,make,code,message,before_work", OPERATIONAL, ids=[o[0] for o in OPERATIONAL])
def test_an_operational_error_is_one_line_naming_the_path(tmp_path, capsys, monkeypatch, what, make, code, message,
                                                          before_work):
    monkeypatch.delenv("CLOUDCLAIMS_DEBUG", raising=False)
    out = make(tmp_path, monkeypatch)
    emitted, emit = [], batch._Runner.emit
    monkeypatch.setattr(batch._Runner, "emit", lambda self, w: (emitted.append(1), emit(self, w))[1])
    assert cli.main(["extract", str(ARTICLES), "--out", str(out), "--no-cache"]) == code
    printed = capsys.readouterr()
    said = [line for line in printed.err.splitlines() if not line.startswith("extract: ")]
    assert len(said) == 1 and said[0].startswith("cloudclaims: ") and message in said[0], printed.err
    assert str(out) in said[0] or what == "a bug"
    assert (not emitted) is before_work  # said before any document was extracted, where it can be
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_read_only_folder_is_refused_before_any_work(tmp_path):
    """For real: a folder this user may not write in (root's power to write anywhere dropped, as for an analyst)."""
    if hostile.unprivileged() is None:
        pytest.skip("cannot drop root's power to write anywhere here")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    proc = subprocess.run([*hostile.cloudclaims(), "extract", str(ARTICLES), "--out", str(ro / "c.parquet"), "--no-cache"],
                          capture_output=True, text=True, timeout=300, preexec_fn=hostile.unprivileged())
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"cloudclaims: {ro / 'c.parquet'}: cannot be written (Permission denied)" in proc.stderr
    assert "documents read" not in proc.stdout and list(ro.iterdir()) == []


def test_a_killed_extract_leaves_no_workers_and_the_next_run_cleans_its_files(tmp_path):
    """SIGKILL an extract while a worker is stuck on a document (it would never finish by itself): the workers
    exit with their parent, and the next run removes the half-written files the killed one left."""
    corpus = tmp_path / "corpus"
    load_bench_corpus().write(corpus, 200, seed=2)
    (corpus / "zz").mkdir()  # discovered last: the chunks before it finish, and the cache starts a segment
    (corpus / "zz" / "hangs.txt").write_text("阿里云营收同比增长6%。\n", encoding="utf-8")
    out, cache_dir = tmp_path / "out" / "claims.parquet", tmp_path / "cache"
    code = ("import sys; from extractors.run import batch; batch.extract_to([sys.argv[1]], sys.argv[2], jobs=2, "
            "cache_dir=sys.argv[3], processor='test_timeouts:hanging_process')")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", code, str(corpus), str(out), str(cache_dir)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = []
    while proc.poll() is None and not (len(workers) >= 2 and list(tmp_path.rglob("*.part"))):
        time.sleep(0.05)
        workers = [p for p in hostile.children(proc.pid) if "multiprocessing" in hostile.cmdline(p)]
    assert proc.poll() is None  # still stuck on hangs.txt: the watchdog's limit is minutes away
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    left = [p.name for p in tmp_path.rglob("*") if p.name.endswith((".tmp", ".part"))]
    assert left  # the killed run did leave half-written files behind
    deadline = time.monotonic() + 60  # a bound for a hung test, not a speed target: without the fix, never
    while any(hostile.running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [w for w in workers if hostile.running(w)] == []
    again = subprocess.run([*hostile.cloudclaims(), "extract", str(corpus), "--out", str(out), "--cache-dir",
                            str(cache_dir), "--jobs", "2"], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert [p for p in tmp_path.rglob("*") if p.name.endswith((".tmp", ".part"))] == []
    assert read_table(documents_path(out), DOCUMENT_SCHEMA).height == 201


def test_concurrent_extracts_to_one_out_leave_a_readable_pair_from_one_run(tmp_path):
    """Three runs at once, each on its own folder: each exits 0, and the pair left is whole and from one run."""
    out = tmp_path / "out" / "claims.parquet"
    inputs = []
    for k in range(3):
        d = tmp_path / f"run{k}"
        shutil.copytree(ARTICLES, d)
        (d / f"only-in-run{k}.md").write_text(f"阿里云营收同比增长{k + 1}%。\n", encoding="utf-8")
        inputs.append(d)
    procs = [subprocess.Popen([*hostile.cloudclaims(), "extract", str(d), "--out", str(out), "--no-cache", "--jobs", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for d in inputs]
    results = [(p.communicate(timeout=300), p.returncode) for p in procs]
    assert [code for _, code in results] == [0, 0, 0] and not any("Traceback" in e for (_, e), _ in results)
    claims, docs = read_tables(out)
    runs = {Path(p).parent.name for p in docs["doc_path"]}
    assert len(runs) == 1 and docs.height == N + 1  # one run's documents, all of them
    assert set(claims["doc_path"]) <= set(docs["doc_path"]) and set(claims["doc_id"]) <= set(docs["doc_id"])
    assert [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")] == []
