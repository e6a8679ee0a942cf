"""Hostile and broken files through `cloudclaims extract` and the dashboard's upload, as one batch each.

The corpus (tests/hostile.py) is generated here, never committed. For every kind of file, both paths either
extract BODY's claims correctly or report an error that names the file and the reason, and every other file
of the batch is still extracted. The CLI runs as a real subprocess: exit code, stdout and stderr are checked.
"""
from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import hostile
import polars as pl
import pytest

from dashboard import config, export, uploads
from extractors.run import batch
from extractors.table import CLAIM_SCHEMA, DOCUMENT_SCHEMA, documents_path, read_table
from extractors.text import documents

CASES = {c.kind: c for c in hostile.CASES}


@pytest.fixture(scope="session")
def big_file(tmp_path_factory) -> Path:
    """The 50 MB single-line file, written once per session and hard-linked wherever it is needed."""
    return hostile.write_big(tmp_path_factory.mktemp("big") / f"one-line-{hostile.BIG_MB}MB.txt")


@pytest.fixture(scope="session")
def corpus(tmp_path_factory, big_file) -> dict[str, Path]:
    kinds = hostile.write_corpus(tmp_path_factory.mktemp("hostile") / "corpus", big=big_file)
    yield kinds
    hostile.remove_tree(kinds["empty"].parent / "deep")  # pytest's own clean-up recurses, and fails on it


@pytest.fixture(scope="session")
def cli(corpus, tmp_path_factory):
    """One `cloudclaims extract` over the whole corpus (plus photo.png named explicitly), without the
    power to read mode-000 files. Returns (process, documents table, claims table)."""
    work = tmp_path_factory.mktemp("cli")
    out = work / "claims.parquet"
    folder = corpus["empty"].parent
    proc = subprocess.run([*hostile.cloudclaims(), "extract", str(folder), str(corpus["png by its own name"]), "--out", str(out),
                           "--no-cache"], cwd=work, capture_output=True, text=True, timeout=300,
                          preexec_fn=hostile.unprivileged(), env={**os.environ, "PYTHONWARNINGS": "ignore"})
    docs = read_table(documents_path(out), DOCUMENT_SCHEMA) if out.exists() else None
    claims = read_table(out, CLAIM_SCHEMA) if out.exists() else None
    return proc, docs, claims


def _claims_of(claims: pl.DataFrame, path: str) -> list[tuple]:
    rows = claims.filter(pl.col("doc_path") == path)
    return sorted(rows.select("metric", "value", "period").iter_rows())


def _skip_if_not_really_locked(case, path):
    if case.special == "locked" and not hostile.locked_is_unreadable(path):
        pytest.skip("this process can read mode-000 files and cannot drop that power: the case proves nothing here")


# ---------------------------------------------------------------------------------------------- the CLI
def test_the_cli_finishes_the_batch_without_a_traceback(cli, corpus):
    proc, docs, _ = cli
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    # one row per file: every error is reported, nothing is silently dropped (loop-b.txt is the loop's other end)
    expected = {documents.path_text(p) for p in documents.discover([corpus["empty"].parent, corpus["png by its own name"]])}
    assert sorted(docs["doc_path"]) == sorted(expected)
    assert len(expected) == len(CASES) + 1


@pytest.mark.parametrize("kind", CASES)
def test_the_cli_extracts_or_names_the_file_and_the_reason(cli, corpus, kind):
    case, path = CASES[kind], corpus[kind]
    _skip_if_not_really_locked(case, path)
    proc, docs, claims = cli
    shown = documents.path_text(path)
    row = docs.filter(pl.col("doc_path") == shown).row(0, named=True)
    if case.error:
        assert case.error in (row["error"] or ""), row
        assert f"  {documents.printable(shown)}: {row['error']}" in proc.stdout.splitlines()  # names the file and why
        assert _claims_of(claims, shown) == []
    else:
        assert row["error"] is None, row
        assert _claims_of(claims, shown) == hostile.CLAIMS
        raw = documents.read_document(path).raw
        for r in claims.filter(pl.col("doc_path") == shown).iter_rows(named=True):
            assert raw[r["span_start"] : r["span_end"]] in r["quote"] and r["quote"] in raw
    if case.warning:
        assert case.warning in (row["warnings"] or ""), row


def test_salted_text_is_kept_literally_and_exported_formula_safe(cli, corpus):
    _, docs, claims = cli
    salted = claims.filter(pl.col("doc_path") == str(corpus["html and formula salt"]))
    assert salted.height == 2
    assert salted["quote"][0].startswith('=HYPERLINK("http://evil.example","点我")<script>alert(1)</script>')
    assert salted["title"][0].startswith("=HYPERLINK(") and salted["publisher"][0] == "<script>alert(1)</script>"
    back = pl.read_csv(export.to_csv_bytes(salted), infer_schema_length=None)
    assert back["quote"][0].startswith("'=HYPERLINK(") and back["title"][0].startswith("'=HYPERLINK(")
    assert back["publisher"][0] == "<script>alert(1)</script>"  # not a formula: left as it is (HTML escapes it)
    assert sorted(back["value"]) == [-2.0, 18582000000.0]


def test_a_directory_that_contains_itself_is_not_walked_forever(corpus):
    folder = corpus["empty"].parent
    assert (folder / "nested" / "up").resolve() == folder.resolve()
    assert [p for p in documents.discover([folder]) if "nested" in p.parts] == [folder / "nested" / "up"]  # reported


def test_a_file_name_cannot_forge_lines_of_the_summary(cli):
    proc, _, _ = cli
    assert not [line for line in proc.stdout.splitlines() if line.startswith("  other.txt")]
    assert [line for line in proc.stdout.splitlines() if "forged\\n  other.txt: ok.txt: empty file" in line]


def test_no_csv_text_cell_starts_like_a_formula_and_the_csv_reads_back_as_the_parquet(cli, corpus, tmp_path):
    """The CLI's CSV tables of the whole hostile corpus, read cell by cell as a spreadsheet would, and by us."""
    import csv

    _, docs, claims = cli
    out = tmp_path / "claims.csv"
    proc = subprocess.run([*hostile.cloudclaims(), "extract", str(corpus["empty"].parent), str(corpus["png by its own name"]),
                           "--out", str(out), "--no-cache"], capture_output=True, text=True, timeout=300,
                          preexec_fn=hostile.unprivileged(), env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 0, proc.stderr
    for path, schema, parquet in ((out, CLAIM_SCHEMA, claims), (documents_path(out), DOCUMENT_SCHEMA, docs)):
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
        text = [c for c, t in schema.items() if t == pl.String]
        cells = [r[c] for r in rows for c in text if r[c]]
        assert cells and not [c for c in cells if c[0] in "=+-@\t\r"]
        assert read_table(path, schema).equals(parquet)  # lossless: the same table as the Parquet run's
    formula = claims.filter(pl.col("doc_path").str.ends_with("/=1+1.txt"))
    assert formula.height == 2 and sorted(formula["value"]) == [-2.0, 18582000000.0]


# ---------------------------------------------------------------------------------------------- the upload
@pytest.fixture(scope="session")
def uploaded(corpus, big_file, tmp_path_factory):
    """Every case a browser could send, uploaded at once through the Sources page's function with the
    default settings (10 MB). Returns ({name: Ingested}, claims table afterwards, uploads folder)."""
    work = tmp_path_factory.mktemp("upload")
    settings = config.settings({"CLOUDCLAIMS_CLAIMS": str(work / "claims.parquet"),
                                "CLOUDCLAIMS_UPLOADS_DIR": str(work / "uploads")})
    files = [(c.name, c.data if c.data is not None else big_file.read_bytes()) for c in hostile.CASES if c.uploadable]
    results = uploads.ingest(files, settings.claims, settings.uploads_dir, settings.upload_max_bytes, batch.extract)
    assert [r.name for r in results] == [name for name, _ in files]
    return {r.name: r for r in results}, read_table(settings.claims, CLAIM_SCHEMA), settings.uploads_dir


@pytest.mark.parametrize("kind", [k for k, c in CASES.items() if c.uploadable])
def test_the_upload_extracts_or_names_the_file_and_the_reason(uploaded, kind):
    case = CASES[kind]
    results, claims, folder = uploaded
    r = results[case.name]
    why = case.upload_error or case.error
    if why:
        assert r.path is None and r.error.startswith(repr(case.name)) and why in r.error, r
    else:
        assert r.error is None, r
        assert r.path.parent == folder.resolve() and r.path.is_file()
        assert _claims_of(claims, str(r.path)) == hostile.CLAIMS


def test_the_upload_stores_exactly_the_accepted_files(uploaded):
    results, _, folder = uploaded
    stored = sorted(p.name for p in folder.iterdir())
    assert stored == sorted(r.path.name for r in results.values() if r.path is not None)
    assert all(r.path is None for r in results.values() if r.error)  # a refused file leaves nothing behind


def test_a_file_over_the_article_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "MAX_BYTES", 1024)
    p = tmp_path / "dump.txt"
    p.write_bytes(hostile.BODY.encode() * 100)
    assert "too large" in documents.read_document(p).error


def test_a_long_line_without_sentence_ends_still_gives_a_quote_a_spreadsheet_can_hold(tmp_path):
    from extractors import pipeline

    p = tmp_path / "no-stops.txt"
    p.write_text(hostile.BODY.replace("。", "，") + hostile.FILLER.replace("。", "，") * 10_000, encoding="utf-8")
    _, rows = pipeline.process_path(p)
    assert sorted((r["metric"], r["value"], r["period"]) for r in rows) == hostile.CLAIMS
    assert max(len(r["quote"]) for r in rows) <= 32_767  # Excel's limit for one cell
