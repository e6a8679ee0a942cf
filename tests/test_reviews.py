"""The review store: append-only, latest decision wins, validated input (verdict overrides too), WAL, schema version."""
from __future__ import annotations

import sqlite3

import pytest
import review_load

from dashboard import reviews
from dashboard.reviews import (
    DECISION_SCHEMA,
    MAX_FIELD_CHARS,
    MAX_NOTE_CHARS,
    SCHEMA_VERSION,
    Correction,
    ReviewStore,
    ReviewStoreBusy,
    ReviewStoreError,
)


@pytest.fixture
def store(tmp_path):
    return ReviewStore(tmp_path / "reviews.sqlite")


def test_a_new_database_is_in_wal_mode_at_the_current_schema_version(store):
    con = sqlite3.connect(store.path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_latest_decision_per_claim_wins_and_history_keeps_every_decision(store):
    store.record("c1", "accept", "王芳")
    store.record("c2", "reject", "李雷", "not about the cloud segment")
    store.record("c1", "correct", "李雷", "775.9 not 775.6",
                 correction=Correction(value=7.759e10, unit="CNY", entity="alibaba_cloud", period="2022"))
    latest = store.latest()
    assert dict(latest.select("claim_id", "action").iter_rows()) == {"c1": "correct", "c2": "reject"}
    assert store.history("c1")["action"].to_list() == ["accept", "correct"]
    assert store.history().height == 3
    times = store.history()["created_at"].to_list()
    assert times == sorted(times) and all(t.endswith("+00:00") for t in times)


def test_decisions_survive_reopening_the_database(tmp_path):
    ReviewStore(tmp_path / "r.sqlite").record("c1", "reject", "王芳", "duplicate")
    again = ReviewStore(tmp_path / "r.sqlite")
    assert again.latest().select("claim_id", "action", "reviewer", "note").rows() == [("c1", "reject", "王芳", "duplicate")]


@pytest.mark.parametrize("sql", ["UPDATE decisions SET action = 'accept'", "DELETE FROM decisions",
                                 "UPDATE doc_fixes SET value = 'x'", "DELETE FROM doc_fixes"])
def test_the_logs_refuse_updates_and_deletes(store, sql):
    store.record("c1", "reject", "王芳")
    store.fix_document("d1", "publisher", "极客公园", "王芳")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        sqlite3.connect(store.path).execute(sql)


BAD_DECISIONS = [
    # (claim_id, action, reviewer, correction, verdict, message)
    ("c1", "approve", "王芳", None, None, "action 'approve'"),
    ("c1", "accept", "  ", None, None, "reviewer's name"),
    ("", "accept", "王芳", None, None, "claim_id"),
    ("c1", "correct", "王芳", None, None, "corrected fields"),
    ("c1", "accept", "王芳", Correction(1.0, "%", "alibaba_cloud"), None, "only a correction"),
    ("c1", "correct", "王芳", Correction(1.0, "RMB", "alibaba_cloud"), None, "unit 'RMB'"),
    ("c1", "correct", "王芳", Correction(1.0, "%", " "), None, "entity"),
    ("c1", "correct", "王芳", Correction(1.0, "%", "alibaba_cloud", period="2023Q5"), None, "period '2023Q5'"),
    ("c1", "correct", "王芳", Correction(50.0, "%", "alibaba_cloud", value_high=15.0), None, "upper end is below"),
    ("c1", "correct", "王芳", Correction(float("nan"), "%", "alibaba_cloud"), None, "needs a value"),
    ("c1", "correct", "王芳", Correction(float("inf"), "%", "alibaba_cloud"), None, "value inf: a claim's value is a finite"),
    ("c1", "correct", "王芳", Correction(float("-inf"), "CNY", "alibaba_cloud"), None, "value -inf"),
    ("c1", "correct", "王芳", Correction(1.0, "%", "alibaba_cloud", value_high=float("inf")), None, "upper end inf"),
    ("c1", "accept", "王" * (MAX_FIELD_CHARS + 1), None, None, "reviewer: 201 characters"),
    ("c1", "accept", "王芳", None, "probably fine", "verdict 'probably fine'"),
    ("c1", "accept", "王芳", None, "Consistent", "verdict 'Consistent'"),  # the stored ids, not labels
    ("c1", "correct", "王芳", Correction(1.0, "%", "alibaba_cloud"), "一致", "verdict '一致'"),
    ("c1", "reject", "王芳", None, "inconsistent", "takes no verdict"),
]


@pytest.mark.parametrize("claim_id,action,reviewer,correction,verdict,message", BAD_DECISIONS)
def test_bad_decisions_are_refused_with_a_reason_and_nothing_is_stored(store, claim_id, action, reviewer, correction, verdict,
                                                                       message):
    with pytest.raises(ReviewStoreError, match=message):
        store.record(claim_id, action, reviewer, correction=correction, verdict=verdict)
    assert store.history().height == 0


VERDICT_DECISIONS = [
    # (decisions on one claim, oldest first, as (action, verdict); the verdict its latest decision carries)
    ([("accept", "consistent")], "consistent"),
    ([("accept", "inconsistent")], "inconsistent"),
    ([("correct", "unverifiable")], "unverifiable"),
    ([("accept", "inconsistent"), ("accept", None)], None),  # a decision is whole: none set, none carried
    ([("accept", "inconsistent"), ("reject", None)], None),
    ([("accept", "inconsistent"), ("correct", "consistent")], "consistent"),
]


@pytest.mark.parametrize("decisions,latest", VERDICT_DECISIONS)
def test_a_decision_can_set_the_claims_verdict_and_the_latest_decision_carries_it(store, decisions, latest):
    for action, verdict in decisions:
        correction = Correction(6.0, "%", "alibaba_cloud", period="2024Q2") if action == "correct" else None
        store.record("c1", action, "王芳", correction=correction, verdict=verdict)
    store.record("c2", "accept", "李雷")
    assert dict(store.latest().select("claim_id", "verdict").iter_rows()) == {"c1": latest, "c2": None}
    assert store.history("c1")["verdict"].to_list() == [v for _, v in decisions]  # every override kept in the log


@pytest.mark.parametrize("verdict", ["probably fine", "", "CONSISTENT"])
def test_the_database_itself_refuses_a_verdict_outside_the_three(store, verdict):
    with sqlite3.connect(store.path) as con, pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        con.execute("INSERT INTO decisions (claim_id, action, reviewer, created_at, verdict) VALUES ('c1', 'accept', '王芳', 'x', ?)",
                    (verdict,))
    assert store.history().height == 0


@pytest.mark.parametrize("size", [MAX_NOTE_CHARS + 1, 50 * 2**20])  # just over; the 50 MB note of the issue
def test_a_note_too_long_is_refused_and_nothing_is_stored(store, size):
    with pytest.raises(ReviewStoreError, match=f"note: {size:,} characters"):
        store.record("c1", "accept", "王芳", "注" * size)
    with pytest.raises(ReviewStoreError, match="note"):
        store.fix_document("d1", "publisher", "极客公园", "王芳", "注" * size)
    assert store.history().height == 0 and store.doc_fix_log().height == 0
    store.record("c1", "accept", "王芳", "注" * MAX_NOTE_CHARS)  # the limit itself is fine
    assert store.history()["note"].str.len_chars().to_list() == [MAX_NOTE_CHARS]


def test_a_database_held_by_a_stuck_process_is_reported_by_name_and_nothing_is_stored(store, monkeypatch):
    monkeypatch.setattr(reviews, "BUSY_SECONDS", 0.5)
    store.record("c0", "accept", "王芳")
    stuck = review_load.start_killable_writer(store.path, "stuck", 0, hang=True)  # holds the write lock
    try:
        assert review_load.committed_until(stuck, "in-transaction")[1], stuck.stderr.read()
        with pytest.raises(ReviewStoreBusy, match=f"^{store.path}: the review database is locked by another program"):
            store.record("c1", "accept", "王芳")
        with pytest.raises(ReviewStoreError, match="locked"):  # the pages catch ReviewStoreError: this too
            store.fix_document("d1", "publisher", "极客公园", "王芳")
        again = ReviewStore(store.path)  # opening and reading do not wait for the lock
        assert again.history()["claim_id"].to_list() == ["c0"]
    finally:
        stuck.kill()
        stuck.wait()
    store.record("c1", "accept", "王芳")  # the lock is gone with the process
    assert store.history()["claim_id"].to_list() == ["c0", "c1"]


def test_a_correction_is_stored_whole_and_blank_optional_fields_become_null(store):
    store.record("c1", "correct", "王芳", correction=Correction(6.0, "%", " alibaba_cloud ", period=" 2024Q2 ", product=" "))
    row = store.latest().row(0, named=True)
    assert (row["value"], row["unit"], row["entity"], row["period"], row["product"], row["value_high"]) == (
        6.0, "%", "alibaba_cloud", "2024Q2", None, None)


DOC_FIXES = [
    # (field, value, stored or error message)
    ("published", "2023-08-03", "2023-08-03"),
    ("published", "2023-08", "2023-08"),
    ("publisher", " 智東西 ", "智東西"),
    ("published", "next tuesday", "use YYYY-MM-DD or YYYY-MM"),
    ("published", "2023-13-01", "use YYYY-MM-DD or YYYY-MM"),
    ("title", "x", "only published, publisher"),
    ("publisher", "  ", "empty"),
]


@pytest.mark.parametrize("field,value,expected", DOC_FIXES)
def test_document_fixes_are_validated_and_the_latest_per_field_is_the_override(store, field, value, expected):
    store.fix_document("d1", "publisher", "old name", "王芳")
    if expected.startswith(("use", "only", "empty")):
        with pytest.raises(ReviewStoreError, match=expected):
            store.fix_document("d1", field, value, "王芳")
        assert store.doc_overrides() == {"d1": {"publisher": "old name"}}
    else:
        store.fix_document("d1", field, value, "王芳")
        assert store.doc_overrides()["d1"][field] == expected


FIX_SEQUENCES = [
    # (fixes in the order they were recorded, as (doc_id, field, value); the overrides: the latest per field wins)
    ([("d1", "publisher", "A"), ("d1", "publisher", "B")], {"d1": {"publisher": "B"}}),
    ([("d1", "publisher", "A"), ("d1", "publisher", "B"), ("d1", "publisher", "C")], {"d1": {"publisher": "C"}}),
    ([("d1", "published", "2023-08"), ("d1", "published", "2023-09-01")], {"d1": {"published": "2023-09-01"}}),
    ([("d1", "publisher", "A"), ("d1", "published", "2023-08"), ("d1", "publisher", "B")],
     {"d1": {"publisher": "B", "published": "2023-08"}}),
    ([("d1", "publisher", "A"), ("d2", "publisher", "X"), ("d1", "publisher", "B"), ("d2", "publisher", "Y")],
     {"d1": {"publisher": "B"}, "d2": {"publisher": "Y"}}),
    ([("d1", "publisher", "B"), ("d1", "publisher", "A")], {"d1": {"publisher": "A"}}),  # latest, not largest
]


@pytest.mark.parametrize("fixes,overrides", FIX_SEQUENCES)
def test_the_latest_document_fix_wins_over_the_first(store, fixes, overrides):
    for doc_id, field, value in fixes:
        store.fix_document(doc_id, field, value, "王芳")
    assert store.doc_overrides() == overrides


def test_version_changes_exactly_when_something_is_recorded(store):
    assert store.version() == (0, 0)
    store.record("c1", "accept", "王芳")
    assert store.version() == (1, 0)
    store.fix_document("d1", "publisher", "极客公园", "王芳")
    assert store.version() == (1, 1)
    store.latest(), store.history()
    assert store.version() == (1, 1)


def test_a_database_from_a_newer_version_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "r.sqlite"
    ReviewStore(path).record("c1", "accept", "王芳")
    con = sqlite3.connect(path)
    con.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    con.commit()
    con.close()
    with pytest.raises(ReviewStoreError, match="newer"):
        ReviewStore(path)
    con = sqlite3.connect(path)
    assert con.execute("SELECT COUNT(*) FROM decisions").fetchone()[0] == 1


def test_an_empty_version_zero_database_is_migrated_to_the_current_layout(tmp_path):
    path = tmp_path / "r.sqlite"
    sqlite3.connect(path).close()  # a file that exists but has no tables: version 0
    store = ReviewStore(path)
    assert store.schema_version() == SCHEMA_VERSION
    with sqlite3.connect(path) as con:
        assert [r[1] for r in con.execute("PRAGMA table_info(decisions)")] == list(DECISION_SCHEMA)
    store.record("c1", "accept", "王芳", verdict="unverifiable")
    assert store.latest()["verdict"].to_list() == ["unverifiable"]


def test_concurrent_reviewers_lose_no_decision(tmp_path):
    import threading

    path = tmp_path / "r.sqlite"
    ReviewStore(path)

    def reviewer(n: int) -> None:
        store = ReviewStore(path)  # each reviewer has their own connection, as separate app sessions do
        for i in range(50):
            store.record(f"claim{i % 7}", "accept", f"reviewer{n}", f"{n}:{i}")

    threads = [threading.Thread(target=reviewer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    history = ReviewStore(path).history()
    assert history.height == 200
    for n in range(4):  # each reviewer's decisions are stored in the order they were made
        mine = history.filter(history["reviewer"] == f"reviewer{n}")["note"].to_list()
        assert mine == [f"{n}:{i}" for i in range(50)]
