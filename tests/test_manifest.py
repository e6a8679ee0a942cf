"""An unchanged re-run leaves the tables as they are: no extraction, no rewrite, none of the table libraries
imported; any change to what they were made from makes the run do the work again (extractors/run/manifest.py)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ARTICLES, N_ARTICLES, ROOT

from extractors.run import batch, cli, inputs

N = N_ARTICLES
NEW_SENTENCE = "\n\n阿里云2023年第一季度营收185.82亿元,同比增长3%。\n"
ONE = "003_e02a5a2e5eb133d1.txt"


@pytest.fixture
def settled_now(monkeypatch):
    """Files written a moment ago count as settled (in real use a change must be RACY_SECONDS old)."""
    monkeypatch.setattr(inputs, "RACY_SECONDS", -1.0)


@pytest.fixture
def here(tmp_path, monkeypatch, settled_now):
    shutil.copytree(ARTICLES, tmp_path / "articles")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def state(path: Path) -> tuple:
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns, st.st_ino


def extract(monkeypatch, capsys, *extra) -> tuple[list[str], int]:
    """One `cloudclaims extract`: its summary lines, and whether it got as far as the batch (0: it stopped at once)."""
    calls, real = [], batch.extract_to
    monkeypatch.setattr(batch, "extract_to", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    assert cli.main(["extract", "articles", "--out", "out/c.parquet", "--cache-dir", "cache", *extra]) == 0
    return capsys.readouterr().out.splitlines(), len(calls)


def _append(p: Path) -> None:
    p.write_text(p.read_text(encoding="utf-8") + NEW_SENTENCE, encoding="utf-8")


def _sources(p: Path) -> None:
    src = p.parent / "sources.yaml"
    src.write_text(src.read_text(encoding="utf-8").replace("publisher: 智东西", "publisher: 智东西Pro"), encoding="utf-8")


CHANGES = [
    # (change, whether the tables are current, how far the run got (0: stopped at once), "cached, extracted")
    ("nothing", True, 0, f"{N} from cache, 0 extracted"),
    ("touch every file (same bytes)", True, 1, f"{N} from cache, 0 extracted"),
    ("copy a file back over itself", True, 1, f"{N} from cache, 0 extracted"),
    ("append a sentence to one file", False, 1, f"{N - 1} from cache, 1 extracted"),
    ("add a file", False, 1, f"{N} from cache, 1 extracted"),
    ("add a file in a new sub-folder", False, 1, f"{N} from cache, 1 extracted"),
    ("remove a file", False, 1, f"{N - 1} from cache, 0 extracted"),
    ("rename a file", False, 1, f"{N - 1} from cache, 1 extracted"),
    ("edit sources.yaml", False, 1, f"{N - 1} from cache, 1 extracted"),
    ("truncate the claims table", False, 1, f"{N} from cache, 0 extracted"),
    ("delete the documents table", False, 1, f"{N} from cache, 0 extracted"),
    ("edit the batch code", False, 1, f"{N} from cache, 0 extracted"),
]


@pytest.mark.parametrize("change, current, got_to_batch, counts", CHANGES, ids=[c[0] for c in CHANGES])
def test_a_re_run_is_current_exactly_when_nothing_it_was_made_from_changed(here, monkeypatch, capsys, change,
                                                                             current, got_to_batch, counts):
    arts, out, docs = here / "articles", here / "out" / "c.parquet", here / "out" / "c.documents.parquet"
    first, _ = extract(monkeypatch, capsys)
    assert first[-1] == "wrote out/c.parquet and out/c.documents.parquet"
    before = state(out), state(docs)
    one = arts / ONE
    if change.startswith("touch"):
        for p in arts.iterdir():
            os.utime(p, (1e9, 1e9))
    elif change.startswith("copy"):
        data = one.read_bytes()
        one.unlink()
        one.write_bytes(data)
    elif change.startswith("append"):
        _append(one)
    elif change == "add a file":
        (arts / "new.txt").write_text("---\ndate: 2023-05-20\n---\n" + NEW_SENTENCE, encoding="utf-8")
    elif change.startswith("add a file in"):
        (arts / "2023").mkdir()
        (arts / "2023" / "new.md").write_text("---\ndate: 2023-05-20\n---\n" + NEW_SENTENCE, encoding="utf-8")
    elif change.startswith("remove"):
        (arts / "000_65f9f70029febef9.txt").unlink()
    elif change.startswith("rename"):
        (arts / "000_65f9f70029febef9.txt").rename(arts / "000_renamed.txt")
    elif change.startswith("edit sources"):
        _sources(one)
    elif change.startswith("truncate"):
        out.write_bytes(out.read_bytes()[:100])
    elif change.startswith("delete"):
        docs.unlink()
    elif change.startswith("edit the batch"):
        package = here / "extractors"  # a copy, so the real code stays untouched
        shutil.copytree(inputs.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
        monkeypatch.setattr(inputs, "PACKAGE_DIR", package)
        (package / "run" / "batch.py").write_text((package / "run" / "batch.py").read_text() + "\n# edited\n")
    lines, calls = extract(monkeypatch, capsys)
    assert counts in lines[0] and calls == got_to_batch
    if current:
        assert lines[-1] == ("out/c.parquet and out/c.documents.parquet: already current (same articles, rules and "
                             "code): left as they were")
        assert (state(out), state(docs)) == before  # not rewritten: same bytes, same file, same mtime
        assert lines[1:-1] == first[1:-1]  # the same claims and errors reported
    else:
        assert lines[-1] == "wrote out/c.parquet and out/c.documents.parquet"
    again, calls = extract(monkeypatch, capsys)  # and then it is current, at once
    assert calls == 0 and again[-1].endswith("left as they were")


def test_a_current_run_ends_at_once_without_the_extractor_or_table_libraries(tmp_path):
    """As an analyst runs it: a real process, files old enough to be trusted, nothing heavy imported."""
    shutil.copytree(ARTICLES, tmp_path / "articles")
    time.sleep(inputs.RACY_SECONDS + 0.2)
    args = ["extract", "articles", "--out", "c.parquet", "--cache-dir", "cache"]
    probe = ("import sys; from extractors.run import cli; code = cli.main(sys.argv[1:]); "
             "print(sorted(m for m in ('polars', 'pyarrow', 'pandas', 'numpy', 'extractors.pipeline', 'yaml') "
             "if m in sys.modules)); sys.exit(code)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.run([sys.executable, "-c", probe, *args], cwd=tmp_path, capture_output=True, text=True,
                           timeout=300, env=env) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[1].stderr
    assert "wrote c.parquet" in runs[0].stdout and "'polars'" in runs[0].stdout
    assert runs[1].stdout.splitlines()[-1] == "[]", runs[1].stdout
    assert "already current" in runs[1].stdout and f"{N} from cache, 0 extracted" in runs[1].stdout


@pytest.mark.parametrize(
    "flags, second",
    [
        (["--no-cache"], "wrote"),  # no cache: every document again, and the tables rewritten
        (["--out", "out/other.parquet"], "wrote"),  # another output has no manifest yet
    ],
)
def test_only_the_same_command_with_a_cache_is_current(here, monkeypatch, capsys, flags, second):
    extract(monkeypatch, capsys)
    calls, real = [], batch.extract_to
    monkeypatch.setattr(batch, "extract_to", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    argv = ["extract", "articles", "--out", "out/c.parquet", "--cache-dir", "cache"]
    if "--out" in flags:
        argv = argv[:2] + flags + argv[4:]
    else:
        argv += flags
    assert cli.main(argv) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith(second) and calls == [1]


def test_a_damaged_manifest_is_no_manifest(here, monkeypatch, capsys):
    extract(monkeypatch, capsys)
    (m,) = (here / "cache" / "outputs").iterdir()
    m.write_bytes(m.read_bytes()[:-30])  # the last files' signatures lost: they could have changed unseen
    lines, calls = extract(monkeypatch, capsys)
    assert calls == 1 and lines[0].endswith(f"{N} from cache, 0 extracted)") and lines[-1].startswith("wrote")
    assert extract(monkeypatch, capsys)[1] == 0  # recorded anew


def test_the_partitioned_dataset_is_an_output_too(here, monkeypatch, capsys):
    extract(monkeypatch, capsys, "--dataset", "out/c.dataset")
    assert extract(monkeypatch, capsys, "--dataset", "out/c.dataset")[1] == 0  # current
    assert extract(monkeypatch, capsys)[1] == 1  # another command (no dataset): not this manifest
    extract(monkeypatch, capsys, "--dataset", "out/c.dataset")
    next((here / "out" / "c.dataset" / "claims").rglob("*.parquet")).unlink()
    lines, calls = extract(monkeypatch, capsys, "--dataset", "out/c.dataset")
    assert calls == 1 and lines[-1] == "wrote out/c.parquet, out/c.documents.parquet and out/c.dataset"
