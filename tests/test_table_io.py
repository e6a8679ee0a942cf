"""The one table writer (extractors/table.py): formula-safe CSV read back losslessly, temporary files no other
writer shares, and the claims and documents tables replaced and read as one pair under a lock."""
from __future__ import annotations

import csv
import datetime as dt
import fcntl
import io
import os

import polars as pl
import pytest
from cache_faults import dead_pid
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors import files, table
from extractors.table import CLAIM_SCHEMA, DOCUMENT_SCHEMA, claims_frame, documents_frame, documents_path

FORMULA_CELLS = [
    # (text in a cell, what a spreadsheet receives): OWASP, a quote in front of = + - @ tab CR
    ("=1+1", "'=1+1"),
    ("+8613800000000", "'+8613800000000"),
    ("-2%的下滑", "'-2%的下滑"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ('=HYPERLINK("http://evil.example","点我")', '\'=HYPERLINK("http://evil.example","点我")'),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("-", "'-"),
    ("=\n=1+1", "'=\n=1+1"),  # a line break inside the cell does not end the row
    ("阿里云=第一", "阿里云=第一"),  # only the first character can start a formula
    ("營收增長6%, 约775.9億元", "營收增長6%, 约775.9億元"),
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # not a formula (HTML escaping is the app's job)
    (None, ""),  # a null stays an empty cell
]
CELLS = FORMULA_CELLS + [
    ("/data/=1+1.txt", "/data/=1+1.txt"),  # only the first character can start a formula
    ("=1+1.txt", "'=1+1.txt"),  # a relative doc_path from a file named like a formula
    ("'=1+1", "''=1+1"),  # text that itself starts with a quote and a formula gets one more: read back exactly
    ("''-x", "'''-x"),
    ("'hello", "'hello"),  # a quote before ordinary text is left alone
    ("", ""),
]


def _row(text) -> pl.DataFrame:
    row = claims_frame([{"claim_id": "c1", "doc_id": "d1", "value": -2.0, "value_high": -1.5, "span_start": 3,
                         "span_end": 5, "published": dt.date(2024, 8, 20), "metric": "revenue_growth"}])
    return row.with_columns(pl.lit(text, pl.String).alias(c) for c in ("title", "publisher", "quote", "doc_path"))


@pytest.mark.parametrize("text,cell", CELLS)
def test_a_text_cell_is_neutralised_numbers_stay_numbers_and_it_reads_back_as_it_was(tmp_path, text, cell):
    df = _row(text)
    raw = table.to_csv_bytes(df)
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read the Chinese as UTF-8
    got, = csv.DictReader(io.StringIO(raw[3:].decode("utf-8"), newline=""))
    assert [got[c] for c in ("title", "publisher", "quote", "doc_path")] == [cell] * 4
    assert (got["value"], got["value_high"], got["span_start"], got["published"]) == ("-2.0", "-1.5", "3", "2024-08-20")
    path = tmp_path / "claims.csv"
    table.write_table(df, path)
    assert path.read_bytes() == raw  # the same bytes whichever writer
    assert table.read_table(path).equals(df)  # lossless


@settings(deadline=None, max_examples=200)
@given(st.lists(st.one_of(st.none(), st.text(st.characters(exclude_categories=["Cs"]), max_size=12)), min_size=1,
                max_size=5))
def test_any_text_reads_back_exactly_and_no_cell_starts_like_a_formula(texts):
    df = pl.concat([_row(t) for t in texts])
    raw = table.to_csv_bytes(df)
    for row in csv.DictReader(io.StringIO(raw[3:].decode("utf-8"), newline="")):
        assert not row["quote"].startswith(tuple(table.FORMULA_START))
    back = pl.read_csv(io.BytesIO(raw), infer_schema=False)
    assert table.restore(back)["quote"].to_list() == df["quote"].to_list()


def test_a_temporary_name_is_hidden_and_never_shared(tmp_path):
    names = {files.temp_path(tmp_path / "claims.parquet") for _ in range(100)}
    assert len(names) == 100 and all(n.name.startswith(f".claims.parquet.{os.getpid()}-") for n in names)


def test_leftovers_of_dead_writers_are_removed_and_a_living_writers_file_is_not(tmp_path):
    out = tmp_path / "claims.parquet"
    dead = tmp_path / f".claims.parquet.{dead_pid()}-abc.tmp"
    alive = files.temp_path(out)
    old_style = tmp_path / "claims.parquet.tmp"  # the fixed name older versions used
    for p in (dead, alive, old_style):
        p.write_bytes(b"half a table")
    table.write_tables({out: claims_frame([]), documents_path(out): documents_frame([])}, out)
    assert not dead.exists() and not old_style.exists() and alive.exists()


def _held(lock_path, kind) -> bool:
    """Whether someone holds the lock file so that `kind` cannot be taken now (without waiting)."""
    fd = os.open(lock_path, os.O_RDWR)
    try:
        fcntl.flock(fd, kind | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def test_the_pair_is_replaced_under_the_exclusive_lock_and_read_under_the_shared_one(tmp_path, monkeypatch):
    out = tmp_path / "claims.parquet"
    lock = tmp_path / ".claims.parquet.lock"
    table.write_tables({out: claims_frame([]), documents_path(out): documents_frame([])}, out)
    seen = []
    real_replace, real_read = os.replace, table.read_table
    monkeypatch.setattr(os, "replace", lambda a, b: (seen.append(("replace", _held(lock, fcntl.LOCK_SH))),
                                                     real_replace(a, b)))
    monkeypatch.setattr(table, "read_table", lambda p, s=CLAIM_SCHEMA: (seen.append(("read", _held(lock, fcntl.LOCK_EX))),
                                                                        real_read(p, s))[1])
    table.write_tables({out: claims_frame([]), documents_path(out): documents_frame([])}, out)
    claims, docs = table.read_tables(out)
    assert seen == [("replace", True), ("replace", True), ("read", True), ("read", True)]
    assert claims.schema == pl.Schema(CLAIM_SCHEMA) and docs.schema == pl.Schema(DOCUMENT_SCHEMA)


@pytest.mark.parametrize("damage", [b"", b"PAR1garbage", os.urandom(2048)])
def test_a_damaged_table_is_named_in_one_line(tmp_path, damage):
    out = tmp_path / "claims.parquet"
    table.write_tables({out: claims_frame([]), documents_path(out): documents_frame([])}, out)
    documents_path(out).write_bytes(damage)
    with pytest.raises(table.TableError, match=f"^{documents_path(out)}: unreadable") as e:
        table.read_tables(out)
    assert "\n" not in str(e.value)
