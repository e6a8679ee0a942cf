"""Safe output: the CSV export cannot smuggle formulas into a spreadsheet, and uploads obey their rules.

CSV cells are read back with the csv module, cell by cell, as a spreadsheet would receive them. Upload rules are
checked through uploads.ingest, the function the Sources page calls, one test per rule.
"""
from __future__ import annotations

import csv
import io
import os
import threading

import hostile
import polars as pl
import pytest
from test_table_io import FORMULA_CELLS

from dashboard import config, decisions, export, uploads
from dashboard.reviews import ReviewStore
from extractors.run import batch
from extractors.table import CLAIM_SCHEMA, read_table
from extractors.text import documents
from factcheck.verdicts import VERDICT_SCHEMA


# ------------------------------------------------------------------------------------------- CSV export
@pytest.fixture(scope="module")
def effective(corpus_tables, tmp_path_factory) -> pl.DataFrame:
    """Two real claims as the export sees them: a correction applied (so original_value is set) and verdicts."""
    claims = corpus_tables[0].head(2)
    store = ReviewStore(tmp_path_factory.mktemp("csv") / "r.sqlite")
    first = claims.row(0, named=True)
    from dashboard.reviews import Correction

    store.record(first["claim_id"], "correct", "王芳", "sign", correction=Correction(-2.0, "%", first["entity"], value_high=-1.5))
    eff = decisions.apply_reviews(claims, store.latest())
    return eff.with_columns(verdict=pl.lit("inconsistent"), reported_value=pl.lit(-2.5), verdict_reason=pl.lit("r"),
                            reported_source=pl.lit("https://www.alibabagroup.com/"))


def _cells(raw: bytes) -> list[dict[str, str]]:
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read the Chinese as UTF-8
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


TEXT_COLUMNS = [c for c, t in {**CLAIM_SCHEMA, **decisions.REVIEW_SCHEMA, **VERDICT_SCHEMA}.items() if t == pl.String]

CELLS = FORMULA_CELLS + [
    ("'=1+1", "''=1+1"),  # already quoted: one more, so that reading takes one off and gives the text back
]


@pytest.mark.parametrize("text,cell", CELLS)
def test_every_text_column_is_neutralised_and_numbers_stay_numbers(effective, text, cell):
    hostile_row = effective.with_columns(pl.lit(text, pl.String).alias(c) for c in TEXT_COLUMNS)
    rows = _cells(export.to_csv_bytes(hostile_row))
    assert list(rows[0]) == export.export_columns(effective)
    for row in rows:
        assert {c: row[c] for c in TEXT_COLUMNS} == {c: cell for c in TEXT_COLUMNS}
    corrected = rows[0]
    # numbers are written as numbers: -2 is the number -2, never '-2
    assert (corrected["value"], corrected["value_high"], corrected["reported_value"]) == ("-2.0", "-1.5", "-2.5")
    assert float(corrected["original_value"]) == effective["original_value"][0]
    assert int(corrected["span_start"]) == effective["span_start"][0]
    assert corrected["published"] == str(effective["published"][0] or "")


def test_the_export_reads_back_with_its_types(effective):
    back = pl.read_csv(export.to_csv_bytes(effective), infer_schema_length=None)
    assert back["value"].dtype == pl.Float64 and back["value"][0] == -2.0
    assert back["span_end"].dtype == pl.Int64


# ------------------------------------------------------------------------------------------- uploads
@pytest.fixture
def site(tmp_path):
    """Settings as the app reads them, pointed at a temporary corpus with one existing article."""
    env = {"CLOUDCLAIMS_CLAIMS": str(tmp_path / "claims.parquet"), "CLOUDCLAIMS_UPLOADS_DIR": str(tmp_path / "uploads")}
    s = config.settings(env)
    s.uploads_dir.mkdir()
    (s.uploads_dir / "news.md").write_bytes(hostile.BODY.encode())  # an article already there
    return s


def ingest(s, *files, max_bytes=None):
    return uploads.ingest(list(files), s.claims, s.uploads_dir, max_bytes or s.upload_max_bytes, batch.extract)


def _files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_an_upload_into_a_dataset_folder_is_refused_by_name_and_keeps_nothing(site, tmp_path):
    dataset = tmp_path / "claims.dataset"
    (dataset / "claims").mkdir(parents=True)
    before = _files(site.uploads_dir)
    r, = uploads.ingest([("new.txt", "阿里云营收同比增长6%。".encode())], dataset, site.uploads_dir, site.upload_max_bytes, batch.extract)
    assert "is a partitioned dataset" in r.error and "nothing of this upload was kept" in r.error
    assert _files(site.uploads_dir) == before and list(dataset.rglob("*.parquet")) == []


@pytest.mark.parametrize("name,accepted", [
    ("article.txt", True), ("article.MD", True), ("page.html", False), ("article.md.exe", False),
    ("article.pdf", False), ("README", False), ("article.txt.", False),
])
def test_rule_only_txt_and_md_are_accepted(site, name, accepted):
    r, = ingest(site, (name, "阿里云营收同比增长6%。".encode()))
    assert (r.error is None) == accepted, r
    if not accepted:
        assert r.error.startswith(repr(name)) and "only .txt and .md" in r.error
        assert set(_files(site.uploads_dir)) == {"news.md"}


@pytest.mark.parametrize("env,limit", [
    ({}, 10 * 2**20),  # the default: 10 MB
    ({"CLOUDCLAIMS_UPLOAD_MAX_MB": "0.5"}, 2**19),
    ({"CLOUDCLAIMS_UPLOAD_MAX_MB": "200"}, 200 * 2**20),
])
def test_rule_the_size_limit_is_configurable(env, limit):
    assert config.settings(env).upload_max_bytes == limit


def test_rule_the_configured_size_limit_is_enforced_to_the_byte(tmp_path):
    s = config.settings({"CLOUDCLAIMS_UPLOAD_MAX_MB": "0.25", "CLOUDCLAIMS_CLAIMS": str(tmp_path / "c.parquet"),
                         "CLOUDCLAIMS_UPLOADS_DIR": str(tmp_path / "up")})
    body = hostile.BODY.encode()
    at_limit = body + b" " * (s.upload_max_bytes - len(body))
    over, fits = ingest(s, ("over.txt", at_limit + b" "), ("fits.txt", at_limit))
    assert over.path is None and "0.3 MB is over the 0.25 MB upload limit" in over.error
    assert fits.error is None and fits.path.stat().st_size == 2**18 and fits.n_claims == 2
    assert _files(s.uploads_dir) == {"fits.txt": at_limit}


@pytest.mark.parametrize("raw", ["ten", "0", "-1", "", "nan", "inf"])
def test_rule_a_bad_size_limit_is_refused_by_name(raw):
    with pytest.raises(ValueError, match="CLOUDCLAIMS_UPLOAD_MAX_MB"):
        config.settings({"CLOUDCLAIMS_UPLOAD_MAX_MB": raw})


@pytest.mark.parametrize("name", [
    "阿里云 财报 (终稿).md", "云📈🚀.md", "..report..2023..txt", "a\x00b.txt", "tab\there.txt", "$(rm -rf ~).txt",
    "CON.txt", "-rf.txt", ".bashrc.txt", "%2e%2e%2fx.txt", "ｆｕｌｌ.txt",
])
def test_rule_stored_names_are_sanitised(site, name):
    r, = ingest(site, (name, "阿里云营收同比增长6%。".encode()))
    assert r.error is None, r
    stored = r.path.name
    assert r.path.parent == site.uploads_dir.resolve()
    assert all(ch.isalnum() or ch in "._-" for ch in stored) and not stored.startswith((".", "-"))
    assert read_table(site.claims, CLAIM_SCHEMA)["doc_path"].to_list() == [str(r.path)]


@pytest.mark.parametrize("name", [
    "../../escaped.txt", "/tmp/escaped.txt", "..\\..\\escaped.txt", "uploads/../../escaped.txt", "C:\\escaped.txt",
])
def test_rule_no_path_traversal(site, name):
    r, = ingest(site, (name, "阿里云营收同比增长6%。".encode()))
    assert r.error is None and r.path.parent == site.uploads_dir.resolve(), r
    root = site.uploads_dir.parent
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.txt")) == ["uploads/escaped.txt"]


def test_rule_no_writing_through_a_link_planted_in_the_uploads_folder(site, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me", encoding="utf-8")
    os.symlink(outside, site.uploads_dir / "planted.txt")
    os.symlink(tmp_path / "not-there.txt", site.uploads_dir / "dangling.txt")
    got = ingest(site, ("planted.txt", "阿里云营收同比增长6%。".encode()), ("dangling.txt", "阿里云营收同比增长7%。".encode()))
    assert [r.path.name for r in got] == ["planted-1.txt", "dangling-1.txt"]
    assert outside.read_text(encoding="utf-8") == "keep me" and not (tmp_path / "not-there.txt").exists()


def test_rule_an_existing_article_is_never_overwritten(site):
    before = (site.uploads_dir / "news.md").read_bytes()
    renamed, same = ingest(site, ("news.md", "阿里云营收同比增长6%。".encode()), ("copy.md", before))
    assert renamed.path.name == "news-1.md" and (site.uploads_dir / "news.md").read_bytes() == before
    assert same.error is None  # news.md was on disk but not extracted into the table, so its copy is new
    again, = ingest(site, ("news-1.md", "阿里云营收同比增长6%。".encode()))
    assert again.path is None and "already in the corpus" in again.error  # the same bytes are not stored twice


def test_rule_two_uploads_of_one_name_at_once_both_land_under_different_names(site):
    results = []
    threads = [threading.Thread(target=lambda k=k: results.extend(ingest(site, ("same.txt", f"阿里云营收同比增长{k}%。".encode()))))
               for k in (6, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.path.name for r in results) == ["same-1.txt", "same.txt"]
    assert read_table(site.claims, CLAIM_SCHEMA).height == 2  # the second write did not drop the first's claims


# ------------------------------------------------------------------------------------------- upload faults
@pytest.mark.parametrize("chars", [100, 200, 1000])
def test_rule_a_long_chinese_name_is_cut_to_what_the_file_system_takes(site, chars):
    name = "阿" * chars + ".txt"  # 3 bytes a character in UTF-8
    r, = ingest(site, (name, "阿里云营收同比增长6%。".encode()))
    assert r.error is None, r
    assert len(r.path.name.encode()) <= uploads.MAX_NAME_BYTES and r.path.name.endswith(".txt")
    again, = ingest(site, (name, "阿里云营收同比增长7%。".encode()))  # taken: gets -1, still a valid name
    assert again.error is None and again.path.name.endswith("-1.txt") and again.path.is_file()


def _disk_full(*a, **k):
    raise OSError(28, "No space left on device")


def _read_only(*a, **k):
    raise OSError(30, "Read-only file system")


def _second_store_fails(monkeypatch):
    real = uploads.store_upload
    calls = []

    def store(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            _disk_full()
        return real(*a, **k)

    monkeypatch.setattr(uploads, "store_upload", store)


UPLOAD_FAULTS = [
    # (what goes wrong, how it is made to, what every message says)
    ("the disk fills while storing the second file", _second_store_fails, "No space left on device"),
    ("the disk fills while writing the tables", lambda mp: mp.setattr(uploads, "write_tables", _disk_full),
     "No space left on device"),
    ("the uploads folder is read-only", lambda mp: mp.setattr(uploads, "store_upload", _read_only), "Read-only file system"),
    ("the extractor crashes", None, "extraction failed"),
]


@pytest.mark.parametrize("fault,make,message", UPLOAD_FAULTS, ids=[f[0] for f in UPLOAD_FAULTS])
def test_fault_a_failing_upload_is_all_or_nothing_on_disk(site, monkeypatch, fault, make, message):
    ingest(site, ("first.txt", "阿里云营收同比增长5%。".encode()))  # an earlier upload: the table exists
    before = {p: p.read_bytes() for p in (site.claims, site.claims.with_name("claims.documents.parquet"))}
    on_disk = _files(site.uploads_dir)
    extract = batch.extract
    if make is None:
        def extract(paths):
            raise RuntimeError("a bug")
    else:
        make(monkeypatch)
    files = [("c.pdf", b"%PDF"), ("a.txt", "阿里云营收同比增长6%。".encode()), ("b.txt", "阿里云营收同比增长7%。".encode())]
    got = uploads.ingest(files, site.claims, site.uploads_dir, site.upload_max_bytes, extract)
    assert [r.path for r in got] == [None, None, None]
    assert "only .txt and .md" in got[0].error  # refused for what it is before the fault, and said so
    for r in got[1:]:
        assert r.error.startswith(repr(r.name)) and message in r.error and "nothing of this upload was kept" in r.error
    assert _files(site.uploads_dir) == on_disk  # no file of the batch left behind
    assert {p: p.read_bytes() for p in before} == before  # the tables untouched
    assert not list(site.claims.parent.glob(".*.tmp"))


@pytest.mark.parametrize("damage", [b"", b"PAR1 this is not a table", b"\x00" * 4096])
def test_fault_a_corrupt_claims_table_refuses_the_upload_by_name_and_stores_nothing(site, damage):
    ingest(site, ("first.txt", "阿里云营收同比增长5%。".encode()))
    site.claims.write_bytes(damage)
    on_disk = _files(site.uploads_dir)
    r, = ingest(site, ("a.txt", "阿里云营收同比增长6%。".encode()))
    assert r.path is None and r.error.startswith("'a.txt': not added: ") and str(site.claims) in r.error
    assert _files(site.uploads_dir) == on_disk and site.claims.read_bytes() == damage


def test_fault_a_killed_upload_leaves_no_half_article_and_its_temporary_file_is_removed(site):
    from cache_faults import dead_pid

    half = site.uploads_dir / f".upload.{dead_pid()}-0123456789ab.tmp"  # what a killed upload leaves
    half.write_bytes("阿里云营收同比增".encode())
    assert half not in documents.discover([site.uploads_dir])  # never read as an article
    r, = ingest(site, ("a.txt", "阿里云营收同比增长6%。".encode()))
    assert r.error is None and not half.exists()
    assert set(_files(site.uploads_dir)) == {"news.md", "a.txt"}
