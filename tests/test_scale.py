"""`extract --engine ray` gives the local engine's rows one for one, and the partitioned dataset holds the rows of the
single table (extractors/run/scale.py, table.py's dataset layout)."""
from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from conftest import ARTICLES
from test_batch import load_bench_corpus

from extractors import table
from extractors.run import batch, cli, scale
from extractors.run.summary import summary_lines

REQUIRE_RAY = bool(os.environ.get("CLOUDCLAIMS_REQUIRE_RAY"))  # CI installs the extra: a missing Ray fails there


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """The bundled articles (with sources.yaml), synthetic ones of many years, files that cannot be read, and a
    name that is not UTF-8."""
    root = tmp_path_factory.mktemp("archive")
    shutil.copytree(ARTICLES, root / "bundled")
    load_bench_corpus().write(root / "synthetic", 60, seed=5)
    (root / "bad").mkdir()
    (root / "bad" / "empty.txt").write_bytes(b"")
    (root / "bad" / "binary.md").write_bytes(b"\x00" * 64)
    with open(os.path.join(os.fsencode(root / "bad"), "阿里云.txt".encode("gbk")), "wb") as fh:
        fh.write((ARTICLES / "003_e02a5a2e5eb133d1.txt").read_bytes())
    return root


def sorted_rows(df: pl.DataFrame) -> pl.DataFrame:
    return df.sort(df.columns, nulls_last=True)


@pytest.fixture(scope="module")
def local(archive, tmp_path_factory):
    """The local engine, one process, no cache, with the dataset: the tables every other run must reproduce."""
    out = tmp_path_factory.mktemp("local") / "claims.parquet"
    s = batch.extract_to([archive], out, jobs=1, dataset=table.dataset_path(out))
    return s, table.read_tables(out), table.read_dataset(table.dataset_path(out)), table.dataset_path(out)


@pytest.fixture(scope="module")
def ray_run(archive, tmp_path_factory):
    """`cloudclaims extract --engine ray` as an analyst runs it, on Ray's private local instance (2 CPUs)."""
    if importlib.util.find_spec("ray") is None:
        if REQUIRE_RAY:
            pytest.fail("CLOUDCLAIMS_REQUIRE_RAY is set but ray is not installed (pip install -e '.[scale]')")
        pytest.skip("ray is not installed (pip install -e '.[scale]'); the ray engine is optional")
    out = tmp_path_factory.mktemp("ray") / "claims.parquet"
    try:
        started = scale.start(jobs=2)
    except scale.EngineUnavailable as e:
        if REQUIRE_RAY:
            raise
        pytest.skip(f"ray cannot start on this machine: {e}")
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            code = cli.main(["extract", str(archive), "--out", str(out), "--engine", "ray"])
    finally:
        if started:
            scale._ray().shutdown()
    assert code == 0
    return printed.getvalue().splitlines(), table.read_tables(out), table.read_dataset(table.dataset_path(out))


def test_the_archive_has_claims_errors_and_many_years(local):
    s, (claims, docs), _, _ = local
    assert claims.height > 100 and len(s.errors) == 3
    assert docs["published"].dt.year().n_unique() > 3 and docs["published"].null_count() > 0


@pytest.mark.parametrize("which", ["claims", "documents"])
def test_ray_gives_the_rows_of_the_local_engine_one_for_one(local, ray_run, which):
    k = ["claims", "documents"].index(which)
    assert ray_run[1][k].equals(local[1][k])  # the same rows in the same order, the same error rows


def test_ray_reports_what_the_local_engine_reports(local, ray_run):
    mine = summary_lines(local[0], Path("x"))
    assert ray_run[0][0].endswith(f"0 from cache, {local[0].files} extracted)")  # every document, no cache
    assert ray_run[0][1:-1] == mine[1:-1]  # the same claims per metric, the same files with errors
    assert ray_run[0][-1].startswith("wrote ") and ray_run[0][-1].endswith("claims.dataset")


@pytest.mark.parametrize("engine", ["local", "ray"])
@pytest.mark.parametrize("which", ["claims", "documents"])
def test_the_dataset_reads_back_to_the_rows_of_the_single_table(local, ray_run, engine, which):
    k = ["claims", "documents"].index(which)
    run = local if engine == "local" else ray_run
    single, part = run[1][k], run[2][k]
    assert part.schema == single.schema  # the one schema, no partition column in the rows
    assert sorted_rows(part).equals(sorted_rows(single))


def test_a_partition_per_publication_year_and_one_for_unknown_dates(local):
    _, (claims, docs), _, ds = local
    years = {str(y) for y in docs["published"].dt.year().drop_nulls().unique()} | {table.NULL_PARTITION}
    for kind in ("claims", "documents"):
        assert {p.parent.name for p in table.dataset_files(ds, kind)} <= {f"{table.PARTITION}={y}" for y in years}
    assert {p.parent.name.split("=", 1)[1] for p in table.dataset_files(ds, "documents")} == years
    lazy = table.scan_dataset(ds, "claims").filter(pl.col(table.PARTITION) == 2024)  # reads one year's files
    assert sorted_rows(lazy.drop(table.PARTITION).collect()).equals(
        sorted_rows(claims.filter(pl.col("published").dt.year() == 2024)))


def test_a_new_run_replaces_the_dataset_whole(tmp_path):
    out, ds = tmp_path / "c.parquet", tmp_path / "c.dataset"
    batch.extract_to([ARTICLES], out, jobs=1, dataset=ds)
    before = set(table.dataset_files(ds))
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(ARTICLES / "003_e02a5a2e5eb133d1.txt", one)
    batch.extract_to([one], out, jobs=1, dataset=ds)
    claims, docs = table.read_dataset(ds)
    assert docs.height == 1 and claims.equals(table.read_tables(out)[0])  # nothing left of the first run
    assert before and not list(tmp_path.glob(".*.tmp"))


def test_without_ray_the_engine_names_the_extra(tmp_path, capsys, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    assert cli.main(["extract", str(ARTICLES), "--out", str(tmp_path / "c.parquet"), "--engine", "ray"]) == 1
    err = capsys.readouterr().err
    assert "--engine ray needs Ray, an optional extra: pip install -e '.[scale]'" in err
    assert not list(tmp_path.iterdir())  # said before any work
