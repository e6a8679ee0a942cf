"""The review store: an append-only log of analysts' decisions in SQLite.

Why it is built this way:
- Decisions are keyed by claim_id (a hash of the document and span), so they survive re-extraction.
- Nothing is ever updated or deleted (triggers refuse it); the latest decision per claim wins, and a
  decision whose claim disappeared is reported as orphaned by the caller, never dropped.
- WAL mode, one short IMMEDIATE transaction per decision, synchronous=FULL: several reviewers can
  write at once, and a killed writer loses nothing that was already committed.
- schema_version records the layout; opening a database migrates it forward step by step.
- A decision may also set the claim's verdict (schema version 3). Like a correction, a decision states
  its verdict whole: a later decision without one ends the override (the form offers the current one).
- A database held by a stuck process makes a writer wait BUSY_SECONDS, then raise ReviewStoreBusy (a
  ReviewStoreError, so the pages that catch those show its message). Reads never wait in WAL mode, and a
  database already at the current schema is opened without taking the write lock.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from extractors.calendar import period_bounds
from extractors.table import UNITS
from factcheck.verdicts import VERDICTS

SCHEMA_VERSION = 3
ACTIONS = ("accept", "reject", "correct")
STATUS_OF_ACTION = {"accept": "accepted", "reject": "rejected", "correct": "corrected"}
DOC_FIELDS = ("published", "publisher")
BUSY_SECONDS = 30  # how long a write waits for a database another process holds (16 busy writers need it)
MAX_NOTE_CHARS = 10_000  # a note is a sentence or a paragraph, not a document
MAX_FIELD_CHARS = 200  # a reviewer's name, an entity, a publisher...



def _append_only(table: str, op: str) -> str:
    return f"""CREATE TRIGGER {table}_no_{op} BEFORE {op.upper()} ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is an append-only log'); END"""


# Each step takes the database from version i to i + 1 (index i). Add steps; never edit old ones.
# A step runs in one transaction with the version bump: it applies whole or not at all.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE decisions (
            decision_id INTEGER PRIMARY KEY AUTOINCREMENT,
            claim_id TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('accept', 'reject', 'correct')),
            value REAL, value_high REAL, unit TEXT, period TEXT, entity TEXT, product TEXT,
            note TEXT NOT NULL DEFAULT '',
            reviewer TEXT NOT NULL,
            created_at TEXT NOT NULL,
            claim_snapshot TEXT
        )""",
        "CREATE INDEX decisions_claim ON decisions (claim_id, decision_id)",
        """CREATE TABLE doc_fixes (
            fix_id INTEGER PRIMARY KEY AUTOINCREMENT,
            doc_id TEXT NOT NULL,
            field TEXT NOT NULL CHECK (field IN ('published', 'publisher')),
            value TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            reviewer TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        *(_append_only(table, op) for table in ("decisions", "doc_fixes") for op in ("update", "delete")),
    ],
    # 2: the document a decision is about, as a column, so the reviews of a document (orphaned ones too)
    # are found by an index rather than by parsing every snapshot. Backfilled from the snapshots; the
    # no-update trigger is lifted for the backfill only, inside this step's transaction.
    [
        "ALTER TABLE decisions ADD COLUMN doc_id TEXT",
        "DROP TRIGGER decisions_no_update",
        "UPDATE decisions SET doc_id = json_extract(claim_snapshot, '$.doc_id')"
        " WHERE claim_snapshot IS NOT NULL AND json_valid(claim_snapshot)",
        _append_only("decisions", "update"),
        "CREATE INDEX decisions_doc ON decisions (doc_id, decision_id)",
    ],
    # 3: the verdict a reviewer sets, overriding the computed one; null (every earlier row) means none.
    # Adding a column leaves the rows and the append-only triggers as they are.
    [
        "ALTER TABLE decisions ADD COLUMN verdict TEXT"
        " CHECK (verdict IN ('consistent', 'inconsistent', 'unverifiable'))",
    ],
]

DECISION_SCHEMA: dict[str, pl.DataType] = {
    "decision_id": pl.Int64,
    "claim_id": pl.String,
    "action": pl.String,
    "value": pl.Float64,
    "value_high": pl.Float64,
    "unit": pl.String,
    "period": pl.String,
    "entity": pl.String,
    "product": pl.String,
    "note": pl.String,
    "reviewer": pl.String,
    "created_at": pl.String,  # UTC, ISO 8601 with microseconds
    "claim_snapshot": pl.String,  # JSON of the claim as the reviewer saw it (for orphans)
    "doc_id": pl.String,  # the claim's document, from the snapshot (schema version 2; null when unknown)
    "verdict": pl.String,  # the reviewer's verdict, overriding the computed one (schema version 3; null: none)
}
DOC_FIX_SCHEMA: dict[str, pl.DataType] = {
    "fix_id": pl.Int64,
    "doc_id": pl.String,
    "field": pl.String,
    "value": pl.String,
    "note": pl.String,
    "reviewer": pl.String,
    "created_at": pl.String,
}


class ReviewStoreError(ValueError):
    """A decision that cannot be recorded, or a database this build cannot read; the message says why."""


class ReviewStoreBusy(ReviewStoreError):
    """The review database is locked by another process (a stuck app, an open sqlite3 shell): nothing was
    recorded, and trying again later may work. The message names the file."""


@dataclass(frozen=True)
class Correction:
    """The corrected claim as a whole: a correction states every field, None meaning unknown/none."""

    value: float
    unit: str
    entity: str
    period: str | None = None
    product: str | None = None
    value_high: float | None = None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class ReviewStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            self._migrate(con)

    def _connect(self) -> _Closing:
        try:
            con = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)  # we issue BEGIN ourselves
            con.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
            if con.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA synchronous = FULL")
        except sqlite3.OperationalError as e:
            raise _busy(self.path, e) from None
        return _Closing(con)

    def _migrate(self, con: sqlite3.Connection) -> None:
        with contextlib.suppress(sqlite3.OperationalError):  # no table yet: migrate below
            if con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == SCHEMA_VERSION:
                return  # current: no write lock needed, so a stuck writer elsewhere does not stop the app opening
        with _immediate(con, self.path):  # one migrator at a time; others wait, then see the new version
            con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            version = con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0
            if version > SCHEMA_VERSION:
                raise ReviewStoreError(
                    f"{self.path}: review database schema version {version} is newer than this "
                    f"cloudclaims understands ({SCHEMA_VERSION}); upgrade cloudclaims, the file is untouched"
                )
            for step in range(version, SCHEMA_VERSION):
                for sql in MIGRATIONS[step]:
                    con.execute(sql)
                con.execute("DELETE FROM schema_version")
                con.execute("INSERT INTO schema_version (version) VALUES (?)", (step + 1,))

    def schema_version(self) -> int:
        with self._connect() as con:
            return con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]

    # ------------------------------------------------------------------ writing
    def record(
        self,
        claim_id: str,
        action: str,
        reviewer: str,
        note: str = "",
        *,
        correction: Correction | None = None,
        snapshot: dict | None = None,
        verdict: str | None = None,
    ) -> int:
        """Append one decision in its own committed transaction; returns its decision_id.
        `verdict` overrides the claim's computed verdict while this is its latest decision."""
        reviewer = (reviewer or "").strip()
        if not claim_id:
            raise ReviewStoreError("a decision needs a claim_id")
        if action not in ACTIONS:
            raise ReviewStoreError(f"action {action!r}: use one of {', '.join(ACTIONS)}")
        if not reviewer:
            raise ReviewStoreError("enter the reviewer's name before recording a decision")
        if (action == "correct") != (correction is not None):
            raise ReviewStoreError("a correction needs the corrected fields, and only a correction has them")
        if verdict is not None and verdict not in VERDICTS:
            raise ReviewStoreError(f"verdict {verdict!r}: use one of {', '.join(VERDICTS)}, or none")
        if verdict is not None and action == "reject":
            raise ReviewStoreError("a rejected claim is not counted, so it takes no verdict; accept or correct it instead")
        fields: tuple = (None,) * 6
        if correction:
            c = _checked(correction)
            fields = (c.value, c.value_high, c.unit, c.period, c.entity, c.product)
        note, reviewer = _limited(note, "note", MAX_NOTE_CHARS), _limited(reviewer, "reviewer", MAX_FIELD_CHARS)
        snap = json.dumps(snapshot, ensure_ascii=False, default=str) if snapshot else None
        doc_id = (snapshot or {}).get("doc_id")
        return self._insert(
            "INSERT INTO decisions (claim_id, action, value, value_high, unit, period, entity, product,"
            " note, reviewer, claim_snapshot, doc_id, verdict, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (claim_id, action, *fields, (note or "").strip(), reviewer, snap, doc_id, verdict),
        )

    def fix_document(self, doc_id: str, field: str, value: str, reviewer: str, note: str = "") -> int:
        """Record a metadata fix (publication date YYYY-MM-DD or YYYY-MM, or publisher) for a document."""
        reviewer, value = (reviewer or "").strip(), (value or "").strip()
        if field not in DOC_FIELDS:
            raise ReviewStoreError(f"field {field!r}: only {', '.join(DOC_FIELDS)} can be fixed")
        if not reviewer:
            raise ReviewStoreError("enter the reviewer's name before fixing a document")
        if not value:
            raise ReviewStoreError(f"{field}: the new value is empty")
        if field == "published":
            _check_published(value)
        value, reviewer = _limited(value, field, MAX_FIELD_CHARS), _limited(reviewer, "reviewer", MAX_FIELD_CHARS)
        note = _limited(note, "note", MAX_NOTE_CHARS)
        return self._insert(
            "INSERT INTO doc_fixes (doc_id, field, value, note, reviewer, created_at) VALUES (?,?,?,?,?,?)",
            (doc_id, field, value, (note or "").strip(), reviewer),
        )

    def _insert(self, sql: str, params: tuple) -> int:
        """Run one INSERT whose last parameter, created_at, is appended here: the time is taken while
        holding the write lock, so timestamps follow the order of the log even with many writers."""
        with self._connect() as con, _immediate(con, self.path):
            return con.execute(sql, (*params, _now())).lastrowid

    # ------------------------------------------------------------------ reading
    def history(self, claim_id: str | None = None) -> pl.DataFrame:
        """Every decision in the order it was recorded (optionally for one claim)."""
        where, params = ("WHERE claim_id = ?", (claim_id,)) if claim_id else ("", ())
        return self._frame(f"SELECT * FROM decisions {where} ORDER BY decision_id", params, DECISION_SCHEMA)

    def latest(self) -> pl.DataFrame:
        """The latest decision for each claim: what the effective table applies."""
        return self._frame(
            "SELECT * FROM decisions WHERE decision_id IN (SELECT MAX(decision_id) FROM decisions GROUP BY claim_id)"
            " ORDER BY decision_id",
            (),
            DECISION_SCHEMA,
        )

    def doc_fix_log(self) -> pl.DataFrame:
        return self._frame("SELECT * FROM doc_fixes ORDER BY fix_id", (), DOC_FIX_SCHEMA)

    def doc_overrides(self) -> dict[str, dict[str, str]]:
        """{doc_id: {field: value}} from the latest fix of each field: the `overrides` of batch.extract."""
        out: dict[str, dict[str, str]] = {}
        for doc_id, field, value in self.doc_fix_log().select("doc_id", "field", "value").iter_rows():
            out.setdefault(doc_id, {})[field] = value  # rows come in fix order, so the last one wins
        return out

    def version(self) -> tuple[int, int]:
        """(last decision id, last fix id): changes exactly when something is recorded; a cache key."""
        with self._connect() as con:
            d = con.execute("SELECT COALESCE(MAX(decision_id), 0) FROM decisions").fetchone()[0]
            f = con.execute("SELECT COALESCE(MAX(fix_id), 0) FROM doc_fixes").fetchone()[0]
        return d, f

    def _frame(self, sql: str, params: tuple, schema: dict) -> pl.DataFrame:
        with self._connect() as con:
            try:
                cur = con.execute(sql, params)
                names = [d[0] for d in cur.description]
                rows = cur.fetchall()
            except sqlite3.OperationalError as e:
                raise _busy(self.path, e) from None
        return pl.DataFrame(rows, schema=list(zip(names, [schema[n] for n in names])), orient="row").select(
            list(schema)
        )


def _busy(path: Path, e: sqlite3.OperationalError) -> ReviewStoreError:
    if "locked" in str(e) or "busy" in str(e):
        return ReviewStoreBusy(f"{path}: the review database is locked by another program (waited {BUSY_SECONDS:g} s); "
                               "nothing was recorded. Try again, or close the program that holds it.")
    return ReviewStoreError(f"{path}: the review database cannot be used ({e})")


@contextlib.contextmanager
def _immediate(con: sqlite3.Connection, path: Path):
    """One write transaction, committed when the block ends (the decision is then on disk) or rolled back."""
    try:
        con.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        raise _busy(path, e) from None
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    try:
        con.execute("COMMIT")
    except sqlite3.OperationalError as e:
        con.execute("ROLLBACK")
        raise _busy(path, e) from None


class _Closing:
    """sqlite3's own context manager commits but does not close; this one closes."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con

    def __enter__(self) -> sqlite3.Connection:
        return self.con

    def __exit__(self, *exc) -> None:
        self.con.close()


def _checked(c: Correction) -> Correction:
    if c.unit not in UNITS:
        raise ReviewStoreError(f"unit {c.unit!r}: use one of {', '.join(UNITS)}")
    if not (c.entity or "").strip():
        raise ReviewStoreError("a correction needs an entity")
    if c.value is None or c.value != c.value:  # NaN
        raise ReviewStoreError("a correction needs a value")
    for name, v in (("value", c.value), ("upper end", c.value_high)):
        if v is not None and not math.isfinite(v):
            raise ReviewStoreError(f"{name} {v}: a claim's value is a finite number")
    if c.value_high is not None and c.value_high < c.value:
        raise ReviewStoreError(f"range {c.value}–{c.value_high}: the upper end is below the lower end")
    period = (c.period or "").strip() or None
    if period:
        try:
            period_bounds(period)
        except ValueError as e:
            raise ReviewStoreError(str(e)) from None
    product = (c.product or "").strip() or None
    return Correction(float(c.value), c.unit, c.entity.strip(), period, product,
                      None if c.value_high is None else float(c.value_high))


def _limited(text: str | None, what: str, limit: int) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise ReviewStoreError(f"{what}: {len(text):,} characters is more than the {limit:,} a {what} may have; "
                               "shorten it")
    return text


def _check_published(value: str) -> None:
    for fmt in ("%Y-%m-%d", "%Y-%m"):
        try:
            dt.datetime.strptime(value, fmt)
            return
        except ValueError:
            pass
    raise ReviewStoreError(f"published {value!r}: use YYYY-MM-DD or YYYY-MM")
