"""`cloudclaims export`: the effective table (reviews, verdicts and reviewers' verdicts applied) as the
Claims page downloads it, on the bundled corpus extracted by the real `cloudclaims extract` into a tmp
dir, with the shipped reference (the browser test compares it with the page's own CSV download)."""
from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from dashboard import effective, export, filters, loading
from dashboard.reviews import ReviewStore
from extractors.run import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("export")
    shutil.copytree(ROOT / "data" / "articles", root / "articles", ignore=shutil.ignore_patterns("uploads"))
    assert cli.main(["extract", str(root / "articles"), "--out", str(root / "claims.parquet"), "--no-cache"]) == 0
    return {"CLOUDCLAIMS_CLAIMS": str(root / "claims.parquet"), "CLOUDCLAIMS_REVIEWS_DB": str(root / "reviews.sqlite"),
            "CLOUDCLAIMS_ARTICLES_DIR": str(root / "articles")}


def export_csv(corpus, monkeypatch, capsysbinary, *args) -> pl.DataFrame:
    for k, v in corpus.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("CLOUDCLAIMS_REFERENCE", raising=False)
    assert cli.main(["export", *args]) == 0
    return pl.read_csv(io.BytesIO(capsysbinary.readouterr().out), infer_schema_length=None)


# doc, period, metric, value: the fact-check issue's seed claims, each consistent with Alibaba's figures
SEEDS = [
    ("003", "2023Q1", "revenue", 18582000000), ("003", "2023Q1", "revenue_growth", -2),
    ("004", "2024Q2", "revenue_growth", 6), ("004", "2024Q2", "adjusted_ebita_growth", 155),
    ("001", "2024Q3", "adjusted_ebita", 2661000000), ("001", "2024Q3", "adjusted_ebita_growth", 89),
]


@pytest.mark.parametrize("doc,period,metric,value", SEEDS)
def test_the_seed_claims_are_consistent_in_the_export(corpus, monkeypatch, capsysbinary, doc, period, metric, value):
    got = export_csv(corpus, monkeypatch, capsysbinary).filter(
        pl.col("doc_path").str.contains(f"/{doc}_") & (pl.col("period") == period) & (pl.col("metric") == metric)
        & ((pl.col("value") - value).abs() < 1e-6 * abs(value)) & (pl.col("entity") == "alibaba_cloud") & pl.col("product").is_null())
    assert got.height >= 1 and set(got["verdict"]) == {"consistent"}, got["verdict_reason"].to_list()
    assert got["reported_value"].is_not_null().all() and got["verdict_reason"].str.starts_with("matches reported").all()


def effective_table(corpus) -> pl.DataFrame:
    claims, docs, warnings = loading.load_tables(corpus["CLOUDCLAIMS_CLAIMS"])
    return effective.build(claims, docs, warnings, ReviewStore(corpus["CLOUDCLAIMS_REVIEWS_DB"]),
                           ROOT / "data/reference/alibaba_cloud_reported.csv", Path(corpus["CLOUDCLAIMS_ARTICLES_DIR"])).claims


# command-line filters, the Filters of the Claims page they stand for
FLAGS = [
    ([], filters.Filters(statuses=filters.DEFAULT_STATUSES)),
    (["--metric", "revenue", "--metric", "adjusted_ebita"], filters.Filters(metrics=("revenue", "adjusted_ebita"), statuses=filters.DEFAULT_STATUSES)),
    (["--publisher", "星船知造 (via 網易號)"], filters.Filters(publishers=("星船知造 (via 网易号)",), statuses=filters.DEFAULT_STATUSES)),
    (["--product", "none", "--entity", "alibaba_cloud"], filters.Filters(products=(filters.NONE_LABEL,), entities=("alibaba_cloud",),
                                                                         statuses=filters.DEFAULT_STATUSES)),
    (["--from", "2024-01-01", "--no-undated", "--status", "all"], filters.Filters(published_from=dt.date(2024, 1, 1),
                                                                                  include_undated=False)),
    (["--search", "營收"], filters.Filters(text="營收", statuses=filters.DEFAULT_STATUSES)),
]


@pytest.mark.parametrize("args,chosen", FLAGS)
def test_the_flags_filter_as_the_claims_page_does(corpus, monkeypatch, capsysbinary, args, chosen):
    got = export_csv(corpus, monkeypatch, capsysbinary, *args)
    expected = pl.read_csv(io.BytesIO(export.to_csv_bytes(filters.filter_claims(effective_table(corpus), chosen))), infer_schema_length=None)
    assert 0 < got.height and got.columns == expected.columns and got.equals(expected)


def test_reviews_and_a_reviewers_verdict_are_in_the_export(corpus, monkeypatch, capsysbinary):
    target = export_csv(corpus, monkeypatch, capsysbinary).filter(pl.col("metric") == "adjusted_ebita")["claim_id"][0]
    ReviewStore(corpus["CLOUDCLAIMS_REVIEWS_DB"]).record(target, "accept", "王芳", "checked", verdict="inconsistent")
    row = export_csv(corpus, monkeypatch, capsysbinary).filter(pl.col("claim_id") == target).row(0, named=True)
    assert (row["review_status"], row["reviewer"], row["verdict"], row["verdict_override"]) == ("accepted", "王芳", "inconsistent", "inconsistent")
    rejected = export_csv(corpus, monkeypatch, capsysbinary, "--status", "rejected")
    assert rejected.height == 0  # nothing rejected yet: an empty file with its header


def test_parquet_and_csv_files_carry_the_same_table(corpus, tmp_path, monkeypatch):
    for k, v in corpus.items():
        monkeypatch.setenv(k, v)
    assert cli.main(["export", "--out", str(tmp_path / "a.parquet")]) == 0
    assert cli.main(["export", "--out", str(tmp_path / "out" / "a.csv")]) == 0
    parquet, csv = pl.read_parquet(tmp_path / "a.parquet"), pl.read_csv(tmp_path / "out" / "a.csv", infer_schema_length=None)
    assert (tmp_path / "out" / "a.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese
    assert parquet.columns == csv.columns and parquet.height == csv.height > 0


@pytest.mark.parametrize("args,message", [
    (["--out", "x.xlsx"], "unknown format '.xlsx'"),
    (["--from", "yesterday"], "'yesterday' is not a date"),
    (["--status", "maybe"], "invalid choice: 'maybe'"),
])
def test_bad_arguments_are_refused_by_name(capsys, args, message):
    with pytest.raises(SystemExit) as ended:
        cli.main(["export", *args])
    assert ended.value.code == 2 and message in capsys.readouterr().err


def test_without_a_claims_table_it_says_which_file_and_what_to_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CLOUDCLAIMS_CLAIMS", str(tmp_path / "none.parquet"))
    monkeypatch.setenv("CLOUDCLAIMS_REVIEWS_DB", str(tmp_path / "reviews.sqlite"))
    assert cli.main(["export"]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "none.parquet") in err and "cloudclaims extract" in err
    assert not (tmp_path / "reviews.sqlite").exists()  # an export creates nothing


def test_the_console_script_lists_and_runs_export(corpus, tmp_path):
    env = {**corpus, "PATH": str(Path(sys.executable).parent)}
    listed = subprocess.run([sys.executable, "-m", "extractors.run.cli", "--help"], capture_output=True, text=True, cwd=ROOT, check=True)
    assert "export" in listed.stdout
    done = subprocess.run([str(Path(sys.executable).parent / "cloudclaims"), "export", "--out", str(tmp_path / "x.csv")],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0 and "claims" in done.stderr and (tmp_path / "x.csv").stat().st_size > 1000
