"""Reviews, nothing lost: many writers at once, a writer killed mid-transaction, re-extraction after a rules
change, and databases of the previous schema versions. Writers live in tests/review_load.py (bench/stress.py
runs them longer)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys

import polars as pl
import pytest
import review_load
import yaml
from conftest import ARTICLES

from dashboard import decisions
from dashboard.reviews import MIGRATIONS, SCHEMA_VERSION, ReviewStore
from extractors import rules_data
from extractors.table import CLAIM_SCHEMA, read_table


# ------------------------------------------------------------------------------------------- concurrency
def test_eight_writers_threads_and_processes_at_once_lose_nothing_and_keep_order(tmp_path):
    db = tmp_path / "reviews.sqlite"
    ReviewStore(db)
    writers = review_load.run_writers(db, threads=4, processes=4, n=500, n_claims=20)
    history = ReviewStore(db).history()
    assert history.height == 4000
    assert review_load.log_problems(history, writers, 500) == []
    # the decision applied to a claim is its last one, which is also the latest by time
    latest = ReviewStore(db).latest()
    last = history.group_by("claim_id").agg(pl.col("decision_id").max(), pl.col("created_at").max())
    assert sorted(latest.select("claim_id", "decision_id", "created_at").rows()) == sorted(last.rows())


# ------------------------------------------------------------------------------------------- crash
def test_a_writer_killed_mid_transaction_loses_no_committed_decision(tmp_path):
    db = tmp_path / "reviews.sqlite"
    ReviewStore(db).record("claim-before", "accept", "王芳")
    # another analyst's session is open, so the writer's commits stay in the WAL (no checkpoint on close)
    other = sqlite3.connect(db)
    other.execute("SELECT COUNT(*) FROM decisions").fetchone()
    proc = review_load.start_killable_writer(db, "killed", 40, hang=True)
    try:
        committed, stuck = review_load.committed_until(proc, "in-transaction")
        assert stuck, proc.stderr.read()
        assert os.path.getsize(f"{db}-wal") > 0  # committed, in the WAL, not yet copied into the database
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
        other.close()
    assert proc.returncode == -signal.SIGKILL
    store = ReviewStore(db)  # opens: no lock left behind, recovered from the WAL
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    history = store.history()
    assert len(committed) == 40 and set(committed) <= set(history["decision_id"])
    assert history["note"].to_list() == [""] + [review_load.note("killed", i) for i in range(40)]
    assert "claim-never" not in history["claim_id"].to_list()  # the transaction in flight is gone whole
    store.record("claim-after", "reject", "李雷")  # and writing goes on
    assert store.history().height == 42


# ------------------------------------------------------------------------------------------- rules change
@pytest.fixture(scope="module")
def after_rules_change(tmp_path_factory):
    """The bundled corpus extracted by `cloudclaims extract` with the market-share rules removed."""
    work = tmp_path_factory.mktemp("rules")
    rules = work / "rules"
    shutil.copytree(rules_data.RULES_DIR, rules)
    lexicon = yaml.safe_load((rules / "lexicon.yaml").read_text(encoding="utf-8"))
    lexicon["metric_words"]["share"]["words"] = []  # no word for a market share: no share is read
    (rules / "lexicon.yaml").write_text(yaml.safe_dump(lexicon, allow_unicode=True), encoding="utf-8")
    out = work / "claims.parquet"
    code = ("import sys; from pathlib import Path; from extractors import rules_data; from extractors.run import cli; "
            "rules_data.RULES_DIR = Path(sys.argv[1]); sys.exit(cli.main(sys.argv[2:]))")
    proc = subprocess.run([sys.executable, "-c", code, str(rules), "extract", str(ARTICLES), "--out", str(out),
                           "--jobs", "1", "--no-cache"], capture_output=True, text=True, timeout=300, cwd=work)
    assert proc.returncode == 0, proc.stderr
    return read_table(out, CLAIM_SCHEMA)


def test_reextraction_after_a_rules_change_keeps_every_review_and_reports_orphans(tmp_path, corpus_tables,
                                                                                 after_rules_change):
    before, _ = corpus_tables
    store = ReviewStore(tmp_path / "reviews.sqlite")
    for i, row in enumerate(before.iter_rows(named=True)):
        store.record(row["claim_id"], ("accept", "reject")[i % 2], "王芳", f"review {i}", snapshot=decisions.claim_snapshot(row))
    logged = store.history()
    latest = store.latest()

    after = after_rules_change
    gone = set(before["claim_id"]) - set(after["claim_id"])
    assert "market_share" in set(before.filter(pl.col("claim_id").is_in(gone))["metric"])  # the change bites
    orphans = decisions.orphaned_reviews(latest, after)
    assert set(orphans["claim_id"]) == gone
    assert set(orphans["was_metric"]) >= {"market_share"} and orphans["was_quote"].null_count() == 0
    assert set(orphans["doc_id"]) <= set(before["doc_id"])  # each orphan still says which document it was about
    eff = decisions.apply_reviews(after, latest)
    kept = eff.filter(pl.col("claim_id").is_in(set(before["claim_id"])))
    assert kept["review_status"].to_list() == ["accepted" if n % 2 == 0 else "rejected" for n in
                                               [int(x.split()[1]) for x in kept["review_note"]]]
    assert kept.height + orphans.height == before.height
    assert store.history().equals(logged)  # nothing deleted or changed by either extraction
    assert decisions.orphaned_reviews(store.latest(), before).height == 0  # rules back: every review applies again


# ------------------------------------------------------------------------------------------- migration
def _database_at(path, version: int) -> None:
    """A database as the code of `version` left it: its migrations only, and its version recorded."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for step in MIGRATIONS[:version]:
        for sql in step:
            con.execute(sql)
    con.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
    con.commit()
    con.close()


V1_ROWS = [
    # (claim_id, action, note, claim_snapshot, doc_id expected after migration)
    ("c1", "accept", "", json.dumps({"doc_id": "d1", "metric": "revenue", "quote": "营收185.82億元"}), "d1"),
    ("c1", "reject", "wrong segment", json.dumps({"doc_id": "d1"}), "d1"),
    ("c2", "accept", "no snapshot", None, None),
    ("c3", "reject", "broken snapshot", "{not json", None),
    ("c4", "accept", "snapshot without doc", json.dumps({"metric": "price_cut"}), None),
]


def test_a_version_1_database_opens_and_is_migrated_with_every_decision_kept(tmp_path):
    path = tmp_path / "v1.sqlite"
    _database_at(path, 1)
    con = sqlite3.connect(path)
    con.executemany("INSERT INTO decisions (claim_id, action, note, reviewer, created_at, claim_snapshot)"
                    " VALUES (?, ?, ?, '王芳', '2024-05-01T00:00:00+00:00', ?)", [r[:4] for r in V1_ROWS])
    con.execute("INSERT INTO doc_fixes (doc_id, field, value, reviewer, created_at) VALUES ('d1', 'publisher', '智东西',"
                " '王芳', '2024-05-01T00:00:00+00:00')")
    con.commit()
    con.close()

    store = ReviewStore(path)
    assert store.schema_version() == SCHEMA_VERSION
    history = store.history()
    assert history.select("claim_id", "action", "note", "claim_snapshot", "doc_id", "verdict").rows() == [
        (c, a, n, s, d, None) for c, a, n, s, d in V1_ROWS]
    assert store.doc_overrides() == {"d1": {"publisher": "智东西"}}
    assert store.latest()["note"].to_list() == ["wrong segment", "no snapshot", "broken snapshot", "snapshot without doc"]
    store.record("c5", "accept", "李雷", snapshot={"doc_id": "d9"})
    assert store.history()["doc_id"][-1] == "d9"
    with sqlite3.connect(path) as con, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE decisions SET note = 'rewritten'")  # the backfill did not leave the log editable


V2_ROWS = [
    # (claim_id, action, value, unit, period, entity, note, doc_id): a version-2 log, corrections included
    ("c1", "accept", None, None, None, None, "", "d1"),
    ("c1", "correct", 7.76e10, "CNY", "2022", "alibaba_cloud", "775.9 not 775.6", "d1"),
    ("c2", "reject", None, None, None, None, "not the cloud segment", "d2"),
    ("c3", "accept", None, None, None, None, "orphan without a snapshot", None),
]


def test_a_version_2_database_opens_and_is_migrated_to_3_with_every_decision_kept(tmp_path):
    path = tmp_path / "v2.sqlite"
    _database_at(path, 2)
    with sqlite3.connect(path) as con:
        con.executemany("INSERT INTO decisions (claim_id, action, value, unit, period, entity, note, doc_id, reviewer,"
                        " created_at, claim_snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '王芳', '2025-05-01T00:00:00+00:00',"
                        " json_object('doc_id', ?8))", V2_ROWS)
        con.execute("INSERT INTO doc_fixes (doc_id, field, value, reviewer, created_at) VALUES ('d1', 'published',"
                    " '2024-05', '王芳', '2025-05-01T00:00:00+00:00')")
        before = con.execute("SELECT * FROM decisions ORDER BY decision_id").fetchall()

    store = ReviewStore(path)
    assert store.schema_version() == SCHEMA_VERSION == 3
    history = store.history()
    assert history.drop("verdict").rows() == before  # every row and field as it was, in order
    assert history["verdict"].to_list() == [None] * len(V2_ROWS)  # no decision of version 2 set a verdict
    assert store.latest()["action"].to_list() == ["correct", "reject", "accept"]
    assert store.doc_overrides() == {"d1": {"published": "2024-05"}}
    store.record("c2", "accept", "李雷", "财报口径不同", verdict="inconsistent")
    assert store.latest().filter(pl.col("claim_id") == "c2")["verdict"].to_list() == ["inconsistent"]
    with sqlite3.connect(path) as con:
        for sql in ("UPDATE decisions SET verdict = 'consistent'", "DELETE FROM decisions"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):  # the triggers survived the step
                con.execute(sql)
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            con.execute("INSERT INTO decisions (claim_id, action, reviewer, created_at, verdict)"
                        " VALUES ('c1', 'accept', '王芳', 'x', 'probably fine')")


@pytest.mark.parametrize("version,last_column", [
    # (the database's version, its last decisions column, which the failed next step must not change)
    (1, "claim_snapshot"),  # step 2 would add doc_id and lift the no-update trigger for its backfill
    (2, "doc_id"),  # step 3 would add verdict
])
def test_a_migration_that_fails_leaves_the_old_database_as_it_was(tmp_path, monkeypatch, version, last_column):
    path = tmp_path / f"v{version}.sqlite"
    _database_at(path, version)
    with sqlite3.connect(path) as con:
        con.execute("INSERT INTO decisions (claim_id, action, reviewer, created_at) VALUES ('c1', 'accept', '王芳', 'x')")
    broken = [*MIGRATIONS[:version], [*MIGRATIONS[version], "SELECT no_such_function()"], *MIGRATIONS[version + 1:]]
    monkeypatch.setattr("dashboard.reviews.MIGRATIONS", broken)
    with pytest.raises(sqlite3.OperationalError):
        ReviewStore(path)
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT version FROM schema_version").fetchall() == [(version,)]
        assert [r[1] for r in con.execute("PRAGMA table_info(decisions)")][-1] == last_column
        assert con.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'decisions_no_update'").fetchone() == (1,)
        assert con.execute("SELECT claim_id, action FROM decisions").fetchall() == [("c1", "accept")]
