"""The per-document cache: re-runs reuse every unchanged document, and re-extract exactly what changed."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import cache_faults
import pytest
from conftest import ARTICLES, N_ARTICLES

from extractors.run import batch, cache, inputs

N = N_ARTICLES
NEW_SENTENCE = "\n\n阿里云2023年第一季度营收185.82亿元,同比增长3%。\n"


@pytest.fixture
def archive(tmp_path) -> Path:
    shutil.copytree(ARTICLES, tmp_path / "articles")
    return tmp_path / "articles"


def run(archive, cache_dir, **kw):
    s = batch.Summary()
    tables = batch.extract([archive], cache_dir=cache_dir, summary=s, **kw)
    return tables, s


def counts(s: batch.Summary) -> tuple[int, int]:
    return s.cached, s.extracted


def test_a_second_run_takes_every_document_from_the_cache(archive, tmp_path):
    first, s1 = run(archive, tmp_path / "cache", jobs=2)
    second, s2 = run(archive, tmp_path / "cache", jobs=2)
    assert counts(s1) == (0, N) and counts(s2) == (N, 0)
    assert second[0].equals(first[0]) and second[1].equals(first[1])


@pytest.mark.parametrize(
    "change, expected",
    [
        ("append a sentence to one file", (N - 1, 1)),
        ("add two files", (N, 2)),
        ("touch every file (content unchanged)", (N, 0)),
        ("rename one file", (N - 1, 1)),  # its doc_path is part of its rows
        ("remove one file", (N - 1, 0)),
        ("edit the sources.yaml entry of one file", (N - 1, 1)),
    ],
)
def test_a_change_re_extracts_exactly_the_documents_it_touches(archive, tmp_path, change, expected):
    c = tmp_path / "cache"
    run(archive, c, jobs=1)
    one = archive / "003_e02a5a2e5eb133d1.txt"
    if change.startswith("append"):
        one.write_text(one.read_text(encoding="utf-8") + NEW_SENTENCE, encoding="utf-8")
    elif change.startswith("add"):
        for name in ("new1.txt", "new2.md"):
            (archive / name).write_text("---\ndate: 2023-05-20\n---\n" + NEW_SENTENCE + name, encoding="utf-8")
    elif change.startswith("touch"):
        for p in archive.iterdir():
            os.utime(p, (1e9, 1e9))
    elif change.startswith("rename"):
        (archive / "000_65f9f70029febef9.txt").rename(archive / "000_renamed.txt")
    elif change.startswith("remove"):
        (archive / "000_65f9f70029febef9.txt").unlink()
    else:
        src = archive / "sources.yaml"
        src.write_text(src.read_text(encoding="utf-8").replace("publisher: 智东西", "publisher: 智东西Pro"),
                       encoding="utf-8")
    tables, s = run(archive, c, jobs=1)
    assert counts(s) == expected
    fresh = batch.extract([archive], jobs=1, cache_dir=None)
    assert tables[0].equals(fresh[0]) and tables[1].equals(fresh[1])


ERROR_FILES = [
    # (name, bytes, settled (old enough to trust its signature), cached on the next run)
    ("binary.txt", b"\x00" * 100, True, True),  # not text: the bytes decide
    ("binary.txt", b"\x00" * 100, False, True),  # ... whenever it was written: the bytes are identified
    ("bad-front-matter.md", "---\ntitle: [\n---\n阿里云".encode(), True, True),
    ("empty.txt", b"", True, True),  # refused before its bytes are identified, but settled and unchanged
    ("empty.txt", b"", False, False),  # written a moment ago: it could still change unseen
]


@pytest.mark.parametrize("name, data, settled, cached", ERROR_FILES)
def test_an_error_document_is_not_read_again_until_it_changes(archive, tmp_path, monkeypatch, name, data, settled,
                                                              cached):
    if settled:
        monkeypatch.setattr(inputs, "RACY_SECONDS", -1.0)
    (archive / name).write_bytes(data)
    c = tmp_path / "cache"
    (_, docs1), s1 = run(archive, c, jobs=1)
    assert counts(s1) == (0, N + 1) and docs1["error"].null_count() == N
    (_, docs2), s2 = run(archive, c, jobs=1)
    assert counts(s2) == ((N + 1, 0) if cached else (N, 1))
    assert docs2.equals(docs1)  # the same error row either way
    (archive / name).write_text("---\ndate: 2023-05-20\n---\n" + NEW_SENTENCE, encoding="utf-8")  # fixed
    (claims3, docs3), s3 = run(archive, c, jobs=1)
    assert counts(s3) == (N, 1) and docs3["error"].null_count() == N + 1  # read again, and read


def test_a_timeout_is_not_cached(archive, tmp_path, monkeypatch):
    """The machine's load, not the bytes, decided it: the next run tries again."""
    monkeypatch.setattr(inputs, "RACY_SECONDS", -1.0)
    c = tmp_path / "cache"
    _, s1 = run(archive, c, jobs=1, processor="test_cache:stuck_on_003", doc_timeout=3)
    assert s1.errors and "timed out" in s1.errors[0][1]
    _, s2 = run(archive, c, jobs=1)
    assert counts(s2) == (N - 1, 1) and not s2.errors


def stuck_on_003(path, sources, overrides):
    from extractors import pipeline

    if path.name == "003_e02a5a2e5eb133d1.txt":
        time.sleep(60)
    return pipeline.process_path(path, sources, overrides)


# a per-document function that rewrites one file just before reading it, as a scraper writing into the archive
def rewriting_process(path, sources, overrides):
    from extractors import pipeline

    if path.name == "003_e02a5a2e5eb133d1.txt":
        path.write_text(path.read_text(encoding="utf-8") + NEW_SENTENCE, encoding="utf-8")
    return pipeline.process_path(path, sources, overrides)


def test_a_file_rewritten_during_the_run_is_not_cached_under_its_old_content(archive, tmp_path):
    c = tmp_path / "cache"
    one = archive / "003_e02a5a2e5eb133d1.txt"
    original = one.read_bytes()
    _, s = run(archive, c, jobs=1, processor="test_cache:rewriting_process")
    one.write_bytes(original)  # back to the bytes that were hashed
    tables, s = run(archive, c, jobs=1)
    assert counts(s) == (N - 1, 1)
    fresh = batch.extract([archive], jobs=1, cache_dir=None)
    assert tables[0].equals(fresh[0]) and tables[1].equals(fresh[1])


def test_a_file_name_that_is_not_utf8_does_not_break_the_cache(archive, tmp_path):
    gbk_name = os.path.join(os.fsencode(archive), "阿里云.txt".encode("gbk"))  # as written on a Chinese Windows
    with open(gbk_name, "wb") as fh:
        fh.write((ARTICLES / "003_e02a5a2e5eb133d1.txt").read_bytes())
    c = tmp_path / "cache"
    first, s1 = run(archive, c, jobs=1)
    second, s2 = run(archive, c, jobs=1)
    assert counts(s1) == (0, N + 1) and counts(s2) == (N, 1)  # the pipeline reports the name: an error row, retried
    assert second[0].equals(first[0]) and second[1].equals(first[1])
    assert first[1]["doc_path"].str.contains(r"\xb0", literal=True).sum() == 1  # shown escaped, not lost


def test_editing_a_rule_file_invalidates_every_entry(archive, tmp_path, monkeypatch):
    package = tmp_path / "extractors"  # a copy, so the real rules stay untouched for everyone else
    shutil.copytree(cache.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE_DIR", package)
    c = tmp_path / "cache"
    assert counts(run(archive, c, jobs=1)[1]) == (0, N)
    rule = sorted((package / "rules").glob("*.yaml"))[0]
    rule.write_text(rule.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    assert counts(run(archive, c, jobs=1)[1]) == (0, N)
    assert counts(run(archive, c, jobs=1)[1]) == (N, 0)


@pytest.mark.parametrize(
    "edit, changes",
    [
        ("rules/*.yaml", True),
        ("pipeline.py", True),
        ("table.py", True),
        ("text/normalize.py", True),
        ("recognize/numbers.py", True),
        ("calendar.py", True),
        ("run/batch.py", False),  # the batch layer does not shape a document's rows
        ("run/watchdog.py", False),
        ("files.py", False),
        ("run/cli.py", False),
        ("run/cache.py", False),
        ("evaluate.py", False),
    ],
)
def test_the_fingerprint_covers_rules_and_extractor_sources(tmp_path, edit, changes):
    package = tmp_path / "extractors"
    shutil.copytree(cache.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = cache.fingerprint(package)
    target = sorted(package.glob(edit))[0]
    target.write_bytes(target.read_bytes() + b"\n# edited\n")
    assert (cache.fingerprint(package) != before) is changes


def test_overrides_are_part_of_the_key(archive, tmp_path):
    c = tmp_path / "cache"
    (claims, docs), _ = run(archive, c, jobs=1)
    doc_id = docs.filter(docs["doc_path"].str.ends_with("000_65f9f70029febef9.txt"))["doc_id"][0]
    fix = {doc_id: {"published": "2021-06", "publisher": "某分析师"}}
    (claims2, docs2), s = run(archive, c, jobs=1, overrides=fix)
    assert counts(s) == (N - 1, 1)
    row = docs2.filter(docs2["doc_id"] == doc_id).row(0, named=True)
    assert (str(row["published"]), row["publisher"]) == ("2021-06-01", "某分析师")
    _, s = run(archive, c, jobs=1)  # without the fix: the earlier entry is still there
    assert counts(s) == (N, 0)


def _corrupt(c: Path, how: str) -> None:
    segs = sorted((c / "segments").glob("*.arrow"))
    if how == "garbage index":
        (c / "index.sqlite").write_bytes(b"this is not a database" * 100)
    elif how == "empty index":
        (c / "index.sqlite").write_bytes(b"")
    elif how == "truncated segments":
        for p in segs:
            p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2])
    elif how == "missing segments":
        for p in segs:
            p.unlink()
    elif how == "garbage segments":
        for p in segs:
            p.write_bytes(os.urandom(4096))
    elif how == "segment from another table layout":
        import pyarrow as pa
        import pyarrow.ipc as ipc

        for p in segs:
            with ipc.new_file(str(p), pa.schema([("x", pa.int64())])) as w:
                w.write_table(pa.table({"x": [1, 2, 3]}))


@pytest.mark.parametrize(
    "how, warned",
    [
        ("garbage index", True),
        ("empty index", False),  # a valid, empty database: nothing to warn about, everything is a miss
        ("truncated segments", True),
        ("missing segments", True),
        ("garbage segments", True),
        ("segment from another table layout", True),
    ],
)
def test_a_corrupt_cache_is_rebuilt_never_fatal(archive, tmp_path, capsys, how, warned):
    c = tmp_path / "cache"
    (claims, docs), _ = run(archive, c, jobs=1)
    _corrupt(c, how)
    (claims2, docs2), s = run(archive, c, jobs=1)
    assert claims2.equals(claims) and docs2.equals(docs)
    assert counts(s) == (0, N)
    assert ("cloudclaims: cache:" in capsys.readouterr().err) is warned  # said, not silent
    (claims3, _), s = run(archive, c, jobs=1)
    assert counts(s) == (N, 0) and claims3.equals(claims)  # and healthy again


# (damage, how many documents it must cost at least, at most): never a wrong row, always said, then repaired
DAMAGE = [
    (cache_faults.swap_rows, 2, 2),  # two index rows pointing at each other's rows
    (cache_faults.shift_claims, 1, 1),  # an index row's claims one row off
    *[(lambda c, k=k: cache_faults.flip_bits(c, seed=k, n=1), 0, N) for k in range(12)],  # one flipped bit
]


@pytest.mark.parametrize("damage, least, most", DAMAGE,
                         ids=["swapped rows", "shifted claims", *[f"bit flips seed {k}" for k in range(12)]])
def test_cached_rows_are_verified_on_read_and_repaired(archive, tmp_path, capsys, damage, least, most):
    c = tmp_path / "cache"
    (claims, docs), _ = run(archive, c, jobs=1)
    capsys.readouterr()
    damage(c)
    (claims2, docs2), s = run(archive, c, jobs=1)
    assert claims2.equals(claims) and docs2.equals(docs)  # never a wrong or unreadable row
    assert least <= s.extracted <= most and s.cached + s.extracted == N
    assert ("cloudclaims: cache:" in capsys.readouterr().err) is (s.extracted > 0)  # a miss is said, not silent
    (claims3, docs3), s = run(archive, c, jobs=1)
    assert counts(s) == (N, 0) and claims3.equals(claims) and docs3.equals(docs)  # repaired


@pytest.mark.parametrize("seed", range(6))
def test_flipped_bits_in_the_index_cost_speed_never_rows(archive, tmp_path, seed):
    c = tmp_path / "cache"
    (claims, docs), _ = run(archive, c, jobs=1)
    cache_faults.flip_bits(c, seed=seed, n=4, index=True)
    for _ in range(2):
        (claims2, docs2), s = run(archive, c, jobs=1)
        assert claims2.equals(claims) and docs2.equals(docs) and s.cached + s.extracted == N


def test_segments_are_on_disk_before_the_index_points_at_them(archive, tmp_path, monkeypatch):
    events = []
    real_sync, real_open = cache.fsync, cache.Cache._open_db
    monkeypatch.setattr(cache, "fsync", lambda p: (events.append(("fsync", Path(p).name)), real_sync(p)))

    def traced(self):
        db = real_open(self)
        db.set_trace_callback(lambda sql: events.append(("sql", sql.split()[0])) if "INTO entries" in sql else None)
        return db

    monkeypatch.setattr(cache.Cache, "_open_db", traced)
    run(archive, tmp_path / "cache", jobs=1)
    first_entry = events.index(("sql", "INSERT"))
    written = {p.name + ".part" for p in cache_faults.segments(tmp_path / "cache")}
    assert written and written <= {name for kind, name in events[:first_entry] if kind == "fsync"}


def test_a_killed_runs_half_written_segment_is_removed_on_the_next_run(archive, tmp_path):
    c = tmp_path / "cache"
    run(archive, c, jobs=1)
    part = cache_faults.leave_part(c)
    live = c / "segments" / part.name.replace(part.name.split("-")[1], f"p{os.getpid()}")
    live.write_bytes(b"")  # one that this (living) process could be writing: left alone
    (claims, _), s = run(archive, c, jobs=1)
    assert not part.exists() and live.exists() and counts(s) == (N, 0)


def test_a_cache_that_cannot_be_written_costs_the_speed_not_the_run(archive, tmp_path, capsys, monkeypatch):
    reference = batch.extract([archive], jobs=1, cache_dir=None)
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be")
    tables, s = run(archive, not_a_folder, jobs=1)
    assert tables[0].equals(reference[0]) and counts(s) == (0, N)
    assert "cloudclaims: cache: cannot use" in capsys.readouterr().err

    def disk_full(*a):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache._SegmentWriter, "write", disk_full)
    c = tmp_path / "cache2"
    tables, s = run(archive, c, jobs=1)
    assert tables[0].equals(reference[0]) and counts(s) == (0, N)
    assert "No space left on device" in capsys.readouterr().err
    monkeypatch.undo()
    assert counts(run(archive, c, jobs=1)[1]) == (0, N)  # nothing half-stored was taken for a result


def test_entries_of_an_older_extractor_are_pruned(archive, tmp_path, monkeypatch):
    c = tmp_path / "cache"
    run(archive, c, jobs=1)
    old = {p.name for p in (c / "segments").iterdir()}
    monkeypatch.setattr(cache, "fingerprint", lambda package_dir=None: "f" * 24)
    run(archive, c, jobs=1)
    left = {p.name for p in (c / "segments").iterdir()}
    assert old and not (old & left) and left
