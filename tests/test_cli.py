"""`cloudclaims extract`: tables on disk, the end summary, progress, and exit codes."""
from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ARTICLES, N_ARTICLES

from extractors.run import cli
from extractors.table import CLAIM_SCHEMA, claims_frame, documents_frame, documents_path, read_table, write_tables


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
