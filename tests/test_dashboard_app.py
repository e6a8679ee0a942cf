"""The dashboard through Streamlit's AppTest: every page, filters, the source panel, reviews that
survive a restart and a re-extraction, document fixes, uploads, conflicts and fact-check.

Most tests run on the bundled corpus extracted by the real `cloudclaims extract` into a tmp dir;
the hostile-text and orphan tests use tests/sample.py. The app's paths come from environment
variables, so nothing here touches data/; verdicts are checked against the frozen fixture reference.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest
from sample import REFERENCE, write_sample_corpus
from streamlit.testing.v1 import AppTest

from extractors.run import cli
from extractors.table import CLAIM_SCHEMA, documents_path, read_table, write_table
from extractors.text.normalize import clean_for_display

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
PAGES = {  # page script -> title
    "views/trends.py": "Trends 趋势",
    "views/claims.py": "Claims 数据明细",
    "views/conflicts.py": "Conflicts 冲突",
    "views/factcheck.py": "Fact-check 核查",
    "views/review.py": "Review 审核",
    "views/sources.py": "Sources 来源",
}


@dataclass
class Env:
    root: Path
    claims_path: Path
    db: Path
    articles: Path

    @property
    def claims(self) -> pl.DataFrame:
        return read_table(self.claims_path, CLAIM_SCHEMA)

    def extract(self) -> None:
        """What an analyst runs after changing articles or rules: `cloudclaims extract`."""
        assert cli.main(["extract", str(self.articles), "--out", str(self.claims_path), "--no-cache"]) == 0

    def decisions(self, columns: str = "claim_id, action, value, period, note, reviewer") -> list[tuple]:
        con = sqlite3.connect(self.db)
        try:
            return con.execute(f"SELECT {columns} FROM decisions ORDER BY decision_id").fetchall()
        finally:
            con.close()


def _env(tmp_path: Path, monkeypatch) -> Env:
    env = Env(tmp_path, tmp_path / "out" / "claims.parquet", tmp_path / "reviews.sqlite", tmp_path / "articles")
    monkeypatch.setenv("CLOUDCLAIMS_CLAIMS", str(env.claims_path))
    monkeypatch.setenv("CLOUDCLAIMS_REVIEWS_DB", str(env.db))
    monkeypatch.setenv("CLOUDCLAIMS_ARTICLES_DIR", str(env.articles))
    monkeypatch.delenv("CLOUDCLAIMS_UPLOADS_DIR", raising=False)
    monkeypatch.setenv("CLOUDCLAIMS_REFERENCE", str(REFERENCE))
    monkeypatch.delenv("CLOUDCLAIMS_UPLOAD_MAX_MB", raising=False)
    return env


@pytest.fixture
def corpus(tmp_path, monkeypatch) -> Env:
    """The bundled corpus, copied and extracted by the real extractor."""
    env = _env(tmp_path, monkeypatch)
    shutil.copytree(ROOT / "data" / "articles", env.articles, ignore=shutil.ignore_patterns("uploads"))
    env.extract()
    return env


@pytest.fixture
def sample(tmp_path, monkeypatch) -> Env:
    """tests/sample.py's hand-made claims (one article is hostile: <script>, =HYPERLINK)."""
    env = _env(tmp_path, monkeypatch)
    claims, docs = write_sample_corpus(env.articles)
    write_table(claims, env.claims_path)
    write_table(docs, documents_path(env.claims_path))
    return env


def run(page: str | None = None, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def pick_row(at: AppTest, key: str, row: int) -> AppTest:
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()


def table(at: AppTest, key: str) -> pl.DataFrame:
    """A selectable table by its key (or the one whose key starts with it: the review queue's changes per decision)."""
    return pl.from_pandas(next(d for d in at.dataframe if d.key == key or (d.key or "").startswith(key + "_")).value)


def queue_key(at: AppTest) -> str:
    return next(d.key for d in at.dataframe if (d.key or "").startswith("review_queue_"))


def table_having(at: AppTest, column: str) -> pl.DataFrame:
    """A table without selection, which AppTest lists without its key, found by one of its columns."""
    return pl.from_pandas(next(d for d in at.dataframe if column in d.value.columns).value)


def messages(elements) -> list[str]:
    """st.error/success/info texts as the analyst reads them (data in them is markdown-escaped)."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in elements]


def html(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def chart_rows(at: AppTest, index: int = 0) -> list[dict]:
    chart = at.get("vega_lite_chart")[index]
    return [r for ds in chart.proto.datasets for r in pa.ipc.open_stream(ds.data.data).read_all().to_pylist()]


# ------------------------------------------------------------------------------------ every page
@pytest.mark.parametrize("page,title", PAGES.items())
def test_every_page_renders_on_the_extracted_corpus(corpus, page, title):
    at = run(page)
    assert [t.value for t in at.title] == [title]
    assert not at.error


def test_the_app_opens_a_partitioned_dataset_folder(tmp_path, monkeypatch):
    """CLOUDCLAIMS_CLAIMS naming the folder `cloudclaims extract --dataset DIR` writes: the app scans it
    (loading.load_dataset) and shows the claims of the single table, on every page; a re-extraction
    into the folder is picked up (the cache key covers the dataset's files)."""
    env = _env(tmp_path, monkeypatch)
    shutil.copytree(ROOT / "data" / "articles", env.articles, ignore=shutil.ignore_patterns("uploads"))
    dataset = tmp_path / "out" / "claims.dataset"
    assert cli.main(["extract", str(env.articles), "--out", str(env.claims_path), "--dataset", str(dataset), "--no-cache"]) == 0
    monkeypatch.setenv("CLOUDCLAIMS_CLAIMS", str(dataset))
    for page, title in PAGES.items():
        at = run(page)
        assert [t.value for t in at.title] == [title] and not at.error, page
    n = env.claims.height
    assert f"{n:,} of {n:,} claims" in run("views/claims.py").caption[0].value, "the single table's claims"
    sorted(p for p in env.articles.rglob("*") if p.suffix in (".md", ".txt"))[0].unlink()
    assert cli.main(["extract", str(env.articles), "--out", str(env.claims_path), "--dataset", str(dataset), "--no-cache"]) == 0
    fewer = env.claims.height
    assert fewer < n and f"{fewer:,} of {fewer:,} claims" in run("views/claims.py").caption[0].value


@pytest.mark.parametrize("page,labels", [("views/trends.py", ["PNG", "SVG"]), ("views/claims.py", ["CSV (Excel)", "Parquet"]),
                                         ("views/factcheck.py", ["PNG", "SVG"])])
def test_charts_and_views_can_be_downloaded(corpus, page, labels):
    assert [b.proto.label for b in run(page).get("download_button")] == labels


@pytest.mark.parametrize("page", ["views/trends.py", "views/sources.py"])
def test_without_a_claims_table_the_app_says_what_to_run(sample, page):
    sample.claims_path.unlink()
    at = run(page)
    assert any("cloudclaims extract" in m for m in messages(at.info))


@pytest.mark.parametrize("damaged", ["claims", "documents"])
def test_a_damaged_table_is_named_and_the_app_stays_up(sample, damaged):
    target = sample.claims_path if damaged == "claims" else documents_path(sample.claims_path)
    target.write_bytes(b"PAR1 this is not parquet")
    at = run("views/trends.py")
    assert any(str(target) in m and "unreadable" in m for m in messages(at.error))
    assert not any("No claims table" in m for m in messages(at.info))


# ------------------------------------------------------------------------------------ trends
def plotted(at: AppTest) -> set[str]:
    return {c for r in chart_rows(at) if "claim_ids" in r for c in r["claim_ids"].split()}


def granularity_of(period: str) -> str:
    """2023Q1 quarter, 2023H1 half, 2024-05 month, 2022 and FY2023 year."""
    return "quarter" if re.fullmatch(r"\d{4}Q[1-4]", period) else "half" if "H" in period else "month" if "-" in period else "year"


def quarterly(claims: pl.DataFrame) -> pl.DataFrame:
    return claims.filter(pl.col("period").str.contains(r"^\d{4}Q[1-4]$"))


def test_trends_defaults_to_quarterly_revenue_growth_and_plots_every_such_claim(corpus):
    at = run()
    assert (at.selectbox(key="trend_metric").value, at.radio(key="trend_gran").value) == ("revenue_growth", "quarter")
    growth = corpus.claims.filter((pl.col("metric") == "revenue_growth") & (pl.col("unit") == "%"))
    assert plotted(at) == set(quarterly(growth)["claim_id"])
    unplaced = table(at, "trend_unplaced")  # unknown periods are listed under the chart, never dropped
    assert unplaced.height == growth.filter(pl.col("period").is_null()).height > 0
    at.radio(key="trend_gran").set_value("half").run()  # the yearly and half-year figures are one choice away
    assert plotted(at) == set(growth.filter(pl.col("period").str.contains("H"))["claim_id"]) != set()


def test_trends_draws_alibabas_reported_series_behind_the_claims(corpus):
    rows = chart_rows(run())
    reported = [r for r in rows if r.get("source") == "Reported by Alibaba 阿里财报"]
    assert {r["period"] for r in reported} >= {"2023Q1", "2024Q2"}
    assert next(r["value_h"] for r in reported if r["period"] == "2024Q2") == pytest.approx(6.0, abs=1)


# metric, the period granularity the page starts on (quarters when there are any, else the most common)
METRIC_VIEWS = [("revenue", "quarter"), ("price_cut", "month"), ("token_price", "month"), ("market_share", "half"),
                ("adjusted_ebita_growth", "quarter")]


@pytest.mark.parametrize("metric,granularity", METRIC_VIEWS)
def test_switching_the_metric_changes_the_chart(corpus, metric, granularity):
    at = run()
    at.selectbox(key="trend_metric").set_value(metric).run()
    assert at.radio(key="trend_gran").value == granularity
    claims = corpus.claims.filter(pl.col("metric") == metric)
    unit = claims["unit"].value_counts(sort=True)["unit"][0]  # the page starts on the most common unit
    expected = {c for c, p in claims.filter(pl.col("unit") == unit).select("claim_id", "period").iter_rows()
                if p and granularity_of(p) == granularity}
    assert plotted(at) == expected != set()


def test_price_cut_history_is_labelled_by_month(corpus):
    at = run(trend_metric="price_cut")
    months = {r["period"] for r in chart_rows(at) if "top" in r}
    assert {"2023-04", "2024-05", "2024-09"} <= months


def test_the_publication_date_axis_lists_undated_claims_instead(sample):
    at = run(trend_metric="revenue_growth", trend_x="published")
    undated = table(at, "trend_unplaced")
    assert undated["quote_shown"].to_list() and all("HYPERLINK" in q for q in undated["quote_shown"])


def test_clicking_a_point_opens_its_source_with_the_number_marked(corpus):
    c = corpus.claims.filter(pl.col("quote").str.contains("营收增长6%")).row(0, named=True)
    at = run(trend_chart={"selection": {"pick": [{"claim_ids": c["claim_id"]}]}})
    shown = html(at)
    text = (corpus.articles / Path(c["doc_path"]).name).read_text(encoding="utf-8")
    assert "<mark" in shown and text[c["span_start"]:c["span_end"]] in shown
    assert "异想Pro" in shown  # the document's publisher (from sources.yaml) is in the metadata
    assert at.button(key=f"rv_submit_trends_{c['claim_id']}")


# ------------------------------------------------------------------------------------ claims explorer
FILTERS = [
    # (widget, key, value, which claims must remain)
    ("multiselect", "f_metric", ["price_cut"], lambda c: c["metric"] == "price_cut"),
    ("multiselect", "f_entity", ["aws"], lambda c: c["entity"] == "aws"),
    ("multiselect", "f_publisher", ["智东西"], lambda c: c["publisher"] == "智东西"),
    ("multiselect", "f_product", ["qwen-turbo"], lambda c: c["product"] == "qwen-turbo"),
    ("text_input", "f_text", "营收", lambda c: "营收" in c["quote"] or "營收" in c["quote"]),
    ("text_input", "f_text", "營收", lambda c: "营收" in c["quote"] or "營收" in c["quote"]),
    ("date_input", "f_dates", ("2024-01-01", "2024-12-31"), lambda c: c["published"] is None or c["published"].year == 2024),
    ("multiselect", "f_metric", ["revenue", "adjusted_ebita"], lambda c: c["metric"] in ("revenue", "adjusted_ebita")),
]


@pytest.mark.parametrize("widget,key,value,keep", FILTERS)
def test_filters_change_what_the_claims_table_shows(corpus, widget, key, value, keep):
    at = run("views/claims.py")
    everything = table(at, "claims_table").height
    element = getattr(at, widget)(key=key)
    if widget == "date_input":
        value = tuple(dt.date.fromisoformat(v) for v in value)
    element.set_value(value).run() if widget != "text_input" else element.input(value).run()
    shown = table(at, "claims_table")
    expected = [c for c in corpus.claims.iter_rows(named=True) if keep(c)]
    assert 0 < shown.height == len(expected) < everything
    assert sorted(shown["quote_shown"]) == sorted(clean_for_display(c["quote"]) for c in expected)


def test_hostile_article_text_is_shown_escaped(sample):
    at = run("views/claims.py")
    row = table(at, "claims_table")["quote_shown"].to_list().index(
        next(q for q in table(at, "claims_table")["quote_shown"] if "<script>" in q))
    shown = html(pick_row(at, "claims_table", row))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script" not in shown
    assert "<img" not in shown


# ------------------------------------------------------------------------------------ reviews
def _review_first_match(at: AppTest, quote_part: str, action: str, **fields) -> str:
    quotes = table(at, "claims_table")["quote_shown"].to_list()
    row = next(i for i, q in enumerate(quotes) if quote_part in q)
    pick_row(at, "claims_table", row)
    cid = next(b.key for b in at.button if b.key and b.key.startswith("rv_submit_claims_")).removeprefix("rv_submit_claims_")
    at.text_input(key="reviewer").input("王芳")
    at.radio(key=f"rv_action_claims_{cid}").set_value(action).run()
    for name, value in fields.items():
        widget = (at.number_input if name == "value" else at.selectbox if name in ("entity", "product") else at.text_input)(
            key=f"rv_{name}_claims_{cid}")
        widget.set_value(value)
    at.text_input(key=f"rv_note_claims_{cid}").input("checked against the results release")
    at.button(key=f"rv_submit_claims_{cid}").click().run()
    assert not at.exception
    return cid


def test_a_review_recorded_in_the_ui_is_stored_and_survives_restart_and_reextraction(corpus):
    at = run("views/claims.py")
    cid = _review_first_match(at, "年营收已突破千亿", "correct", value=1000.0, period="FY2023")
    assert any("已记录" in m for m in messages(at.success))
    assert corpus.decisions() == [(cid, "correct", 1e11, "FY2023", "checked against the results release", "王芳")]

    def effective_row() -> dict:
        again = run("views/claims.py")  # a new AppTest is a fresh session: a restarted app
        shown = table(again, "claims_table")
        assert shown["quote_shown"].str.contains("突破千亿").sum() == 1
        return shown.filter(pl.col("quote_shown").str.contains("突破千亿")).row(0, named=True)

    assert (effective_row()["review_label"], effective_row()["period"]) == ("corrected 已更正", "FY2023")
    before = corpus.claims_path.stat().st_mtime_ns
    corpus.extract()  # re-extraction rewrites the table; the review is keyed by claim_id and stays
    assert corpus.claims_path.stat().st_mtime_ns != before and cid in corpus.claims["claim_id"].to_list()
    assert (effective_row()["review_label"], effective_row()["period"]) == ("corrected 已更正", "FY2023")


def test_a_rejected_claim_leaves_the_default_views_and_conflicts(corpus):
    at = run("views/claims.py")
    before = table(at, "claims_table").height
    _review_first_match(at, "775.9億元", "reject")
    at = run("views/claims.py")
    assert table(at, "claims_table").height == before - 1
    at.multiselect(key="f_status").set_value(["rejected"]).run()
    assert table(at, "claims_table")["quote_shown"].str.contains("775.9億元").all()
    assert "775.9億元" not in html(run("views/conflicts.py"))


@pytest.mark.parametrize("fields,message", [
    ({"period": "2023Q5"}, "period '2023Q5'"),
    ({"high": "900"}, "the upper end is below the lower end"),
    ({"high": "abc"}, "not a number"),
])
def test_a_bad_correction_is_refused_in_the_ui_and_nothing_is_stored(corpus, fields, message):
    at = run("views/claims.py")
    _review_first_match(at, "年营收已突破千亿", "correct", **fields)
    assert any(message in m for m in messages(at.error))
    assert corpus.decisions() == []


def test_a_review_database_held_by_a_stuck_process_shows_one_clear_line_and_stores_nothing(corpus, monkeypatch):
    import review_load

    from dashboard import reviews

    monkeypatch.setattr(reviews, "BUSY_SECONDS", 0.5)
    at = run("views/claims.py")
    stuck = review_load.start_killable_writer(corpus.db, "stuck", 0, hang=True)  # holds the write lock
    try:
        assert review_load.committed_until(stuck, "in-transaction")[1], stuck.stderr.read()
        _review_first_match(at, "年营收已突破千亿", "accept")
        assert [m for m in messages(at.error) if "is locked by another program" in m and str(corpus.db) in m]
    finally:
        stuck.kill()
        stuck.wait()
    assert corpus.decisions() == []


def test_a_review_without_a_reviewer_name_is_refused(corpus):
    at = run("views/claims.py")
    pick_row(at, "claims_table", 0)
    submit = next(b for b in at.button if b.key and b.key.startswith("rv_submit_claims_"))
    submit.click().run()
    assert any("请先在侧栏填写审核人姓名" in m and "Reviewer" in m for m in messages(at.error)) and corpus.decisions() == []


def test_reviews_of_vanished_claims_are_listed_as_orphans_and_kept(sample):
    at = run("views/claims.py")
    cid = _review_first_match(at, "直降85%", "accept")
    write_table(sample.claims.filter(pl.col("claim_id") != cid), sample.claims_path)  # the rules changed
    at = run("views/review.py")
    orphans = table_having(at, "Quote then 当时原句")
    assert orphans["Claim id 数据编号"].to_list() == [cid] and "直降85%" in orphans["Quote then 当时原句"][0]
    assert orphans["Decision 决定"].to_list() == ["Accept 确认"] and orphans["Metric 指标"].to_list() == ["Price cut 降价幅度"]
    assert [d[0] for d in sample.decisions()] == [cid]


def test_an_open_session_picks_up_a_rewritten_table_and_another_reviewers_decision(sample):
    from dashboard.reviews import ReviewStore

    at = run("views/claims.py")
    before = table(at, "claims_table").height
    first, second = sample.claims["claim_id"][:2]
    write_table(sample.claims.filter(pl.col("claim_id") != first), sample.claims_path)  # caches key on the file
    at.run()
    assert table(at, "claims_table").height == before - 1
    ReviewStore(sample.db).record(second, "reject", "李雷")  # caches key on the last decision id
    at.run()
    assert table(at, "claims_table").height == before - 2


# ------------------------------------------------------------------------------------ documents
def test_a_document_metadata_fix_made_in_the_app_is_applied_on_the_next_load(corpus):
    at = run("views/sources.py")
    docs = table(at, "docs_table")
    row = docs["doc_path"].to_list().index(next(p for p in docs["doc_path"] if "002_" in p))
    pick_row(at, "docs_table", row)
    at.text_input(key="reviewer").input("王芳")
    at.text_input(key="fix_publisher").input("星船知造")
    at.text_input(key="fix_published").input("2023-04-26")
    at.button(key="fix_go").click().run()
    assert not at.error
    at = run("views/claims.py", f_text="775.9億元")
    fixed = table(at, "claims_table").row(0, named=True)
    assert (fixed["publisher_label"], str(fixed["published"])[:10]) == ("星船知造", "2023-04-26")


def test_fixing_a_missing_date_re_resolves_relative_periods(corpus):
    (corpus.articles / "undated.txt").write_text("今年第一季度，阿里云营收增长5%。\n", encoding="utf-8")
    corpus.extract()
    at = run("views/claims.py", f_text="今年第一季度，阿里云")
    assert table(at, "claims_table")["period"].to_list() == ["—"]  # 今年 means nothing without a date
    at = run("views/sources.py")
    pick_row(at, "docs_table", table(at, "docs_table")["doc_path"].to_list().index(str(corpus.articles / "undated.txt")))
    at.text_input(key="reviewer").input("王芳")
    at.text_input(key="fix_published").input("2024-05-20")
    at.button(key="fix_go").click().run()
    at = run("views/claims.py", f_text="今年第一季度，阿里云")
    fixed = table(at, "claims_table").row(0, named=True)
    assert fixed["period"] is not None and fixed["period"].startswith("2024") and str(fixed["published"])[:10] == "2024-05-20"


UPLOADS = [
    # (file name, content, expected message, stored file name or None)
    ("新闻.md", "---\ntitle: 阿里云季报\nsource: 测试媒体\ndate: 2024-11-16\n---\n\n2024年第三季度，阿里云营收增长7%，达到296.1亿元。\n",
     "claims", "新闻.md"),
    ("../../escape.txt", "2024年第三季度，阿里云营收增长7%。\n", "claims", "escape.txt"),
    # (.html and other types are refused by st.file_uploader itself before the page sees them; the page's
    #  own check, for anything that gets past it, is tested in test_dashboard_source.py)
    ("empty.txt", "", "empty", None),
    ("copy.txt", None, "already in the corpus", None),  # the bytes of a bundled article
]


@pytest.mark.parametrize("name,content,message,stored", UPLOADS)
def test_uploading_an_article(corpus, name, content, message, stored):
    data = (corpus.articles / "003_e02a5a2e5eb133d1.txt").read_bytes() if content is None else content.encode()
    at = run("views/sources.py")
    at.file_uploader[0].set_value([(name, data, "text/plain")]).run()
    at.button(key="upload_go").click().run()
    assert not at.exception
    shown = messages([*at.success, *at.error])
    assert any(message in m for m in shown), shown
    uploads = corpus.articles / "uploads"
    assert sorted(p.name for p in uploads.glob("*")) == ([stored] if stored else [])
    if stored:
        new = corpus.claims.filter(pl.col("doc_path").str.ends_with(stored))
        assert new.height >= 1
        at = run("views/claims.py", f_text="296.1" if stored == "新闻.md" else "营收增长7%")
        assert table(at, "claims_table").height >= 1


# ------------------------------------------------------------------------------------ conflicts, fact-check
def test_the_conflicts_page_shows_2022_revenue_side_by_side_with_the_gap_and_each_number_marked(corpus):
    shown = html(run("views/conflicts.py"))
    text = re.sub(r"<[^>]+>", "", shown)
    assert "突破千亿" in text and "775.9億元" in text
    assert "Apart by 相差 224.1 亿元 (22% of the largest), across 2 articles" in text
    assert "千亿</mark>" in shown and "775.9億元</mark>" in shown  # the number as written, marked in each quote


def test_fact_check_lists_inconsistent_claims_with_the_reported_figure(corpus):
    at = run("views/factcheck.py")
    counts = {m.label: m.value for m in at.metric}
    assert int(counts["consistent 一致"]) >= 4
    bad = table(at, "factcheck_table")
    assert bad.height == int(counts["inconsistent 不一致"]) and bad["reported_text"].str.contains("亿元|%").all()


def test_without_reference_data_fact_check_explains_instead_of_failing(corpus, monkeypatch):
    monkeypatch.setenv("CLOUDCLAIMS_REFERENCE", str(corpus.root / "missing.csv"))
    at = run("views/factcheck.py")
    assert any("verdicts not available" in m for m in messages(at.info))


def test_a_verdict_override_recorded_on_the_review_page_shows_on_fact_check_in_sqlite_and_after_restart(corpus):
    counts_before = {m.label: int(m.value) for m in run("views/factcheck.py").metric}
    at = run("views/review.py")
    queue = table(at, "review_queue")
    row = next(i for i, r in enumerate(queue.iter_rows(named=True))
               if "185.82" in r["quote_shown"] and r["period"] == "2023Q1" and r["value_text"] == "185.82 亿元")
    assert queue["verdict_label"][row] == "consistent 一致"
    pick_row(at, queue_key(at), row)
    cid = next(b.key for b in at.button if b.key and b.key.startswith("rv_submit_review_")).removeprefix("rv_submit_review_")
    at.text_input(key="reviewer").input("张三")
    assert at.selectbox(key=f"rv_verdict_review_{cid}").value is None  # no override unless chosen
    at.selectbox(key=f"rv_verdict_review_{cid}").set_value("inconsistent")
    at.text_input(key=f"rv_note_review_{cid}").input("财报口径不同")
    at.button(key=f"rv_submit_review_{cid}").click().run()
    assert not at.exception and not at.error
    assert corpus.decisions("claim_id, action, verdict, note, reviewer") == [(cid, "accept", "inconsistent", "财报口径不同", "张三")]

    def fact_check(at: AppTest) -> None:
        counts = {m.label: int(m.value) for m in at.metric}
        assert counts["consistent 一致"] == counts_before["consistent 一致"] - 1
        assert counts["inconsistent 不一致"] == counts_before["inconsistent 不一致"] + 1
        bad = table(at, "factcheck_table")
        mine = bad.filter(pl.col("quote_shown").str.contains("185.82") & (pl.col("value_text") == "185.82 亿元"))
        assert mine.height == 1 and mine["reported_text"][0] == "185.8 亿元"  # still the computed figure
        assert re.fullmatch(r"set by 张三 on \d{4}-\d\d-\d\d: 财报口径不同; computed: consistent — .+", mine["verdict_reason"][0])
        pick_row(at, "factcheck_table", bad["quote_shown"].to_list().index(mine["quote_shown"][0]))
        assert at.selectbox(key=f"rv_verdict_factcheck_{cid}").value == "inconsistent"  # the form starts from it

    fact_check(at.switch_page("views/factcheck.py").run())  # the same session
    fact_check(run("views/factcheck.py"))  # a new AppTest is a fresh session: a restarted app


# ------------------------------------------------------------------------------------ the URL, what filters hide
def test_a_link_restores_the_filters_and_a_change_is_written_back_to_it(corpus):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["metric"] = "revenue"
    at.query_params["q"] = "营收"
    at.run()
    at.switch_page("views/claims.py").run()
    assert (at.multiselect(key="f_metric").value, at.text_input(key="f_text").value) == (["revenue"], "营收")
    assert set(table(at, "claims_table")["metric_label"]) == {"Revenue 营收"}
    at.multiselect(key="f_metric").set_value(["revenue_growth"]).run()
    assert at.query_params["metric"] == "revenue_growth" and at.query_params["q"] == "营收"


def test_the_page_says_what_the_filters_hide_and_clear_filters_shows_everything(corpus):
    at = run("views/claims.py", f_text="185.82")
    everything = corpus.claims.height
    hidden = next(c.value for c in at.caption if c.value.startswith("The filters hide"))
    shown = table(at, "claims_table").height
    assert f"The filters hide {everything - shown:,} of {everything:,} claims (search 搜索 {everything - shown})" in hidden
    at.button(key="clear_filters_page").click().run()
    assert table(at, "claims_table").height == everything and at.text_input(key="f_text").value == ""
    assert not [c for c in at.caption if c.value.startswith("The filters hide")]


def test_new_claims_dated_after_the_window_stay_in_view_in_an_open_session(corpus):
    at = run("views/claims.py")
    assert at.date_input(key="f_dates").value[1] < dt.date(2025, 6, 30)
    later = corpus.claims.head(1).with_columns(claim_id=pl.lit("later000000000000"), published=pl.lit(dt.date(2025, 6, 30)),
                                               quote=pl.lit("2025年阿里云营收增长99%"))
    write_table(pl.concat([corpus.claims, later]), corpus.claims_path)  # an upload or a re-dated article
    at.run()
    assert at.date_input(key="f_dates").value[1] == dt.date(2025, 6, 30)
    assert "2025年阿里云营收增长99%" in table(at, "claims_table")["quote_shown"].to_list()


def test_a_narrowed_window_is_kept_and_the_page_says_the_new_claim_is_hidden(corpus):
    at = run("views/claims.py", f_dates=(dt.date(2023, 1, 1), dt.date(2023, 12, 31)))
    later = corpus.claims.head(1).with_columns(claim_id=pl.lit("later000000000000"), published=pl.lit(dt.date(2025, 6, 30)))
    write_table(pl.concat([corpus.claims, later]), corpus.claims_path)
    at.run()
    assert at.date_input(key="f_dates").value == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert any(c.value.startswith("The filters hide") and "published date 发布日期" in c.value for c in at.caption)


# ------------------------------------------------------------------------------------ review friction
def test_the_review_page_confirms_what_it_recorded_and_moves_to_the_next_claim(corpus):
    at = run("views/review.py", reviewer="王芳")
    queue = table(at, "review_queue")
    first, second = queue.row(0, named=True), queue.row(1, named=True)
    submit = next(b for b in at.button if (b.key or "").startswith("rv_quick_accept_review_"))
    cid = submit.key.removeprefix("rv_quick_accept_review_")
    submit.click().run()
    confirmation = messages(at.success)[0]
    assert confirmation.startswith("Recorded 已记录: Accept 确认 — ")
    assert first["metric_label"] in confirmation and first["value_text"] in confirmation and first["quote_shown"][:20] in confirmation
    assert corpus.decisions("claim_id, action, reviewer") == [(cid, "accept", "王芳")]
    assert table(at, "review_queue").height == queue.height - 1
    panel = html(at)
    assert second["quote_shown"][:20] in panel  # the queue moved on, and said so


def test_keys_are_bound_to_accept_reject_and_next(corpus):
    at = run("views/review.py", reviewer="王芳")
    shortcuts = {b.key.split("_review_")[0]: b.proto.shortcut for b in at.button if "_review_" in (b.key or "")}
    assert shortcuts == {"rv_submit": "", "rv_quick_accept": "a", "rv_quick_reject": "x", "rv_next": "n"}
    before = html(at)
    next(b for b in at.button if (b.key or "").startswith("rv_next_review_")).click().run()
    assert html(at) != before and corpus.decisions() == []  # next skips without deciding


def test_several_selected_claims_are_accepted_at_once(corpus):
    at = run("views/review.py", reviewer="王芳")
    at.session_state[queue_key(at)] = {"selection": {"rows": [0, 1, 2], "columns": [], "cells": []}}
    at.run()
    at.button(key="bulk_accept").click().run()
    assert [d[1] for d in corpus.decisions("claim_id, action")] == ["accept"] * 3
    assert "× 3" in messages(at.success)[0]


def test_corrections_choose_entities_and_products_by_label(corpus):
    at = run("views/claims.py")
    cid = _review_first_match(at, "年营收已突破千亿", "correct", entity="baidu_cloud", product="qwen")
    assert at.selectbox(key=f"rv_entity_claims_{cid}").format_func("baidu_cloud") == "Baidu AI Cloud 百度智能云"
    assert corpus.decisions("entity, product") == [("baidu_cloud", "qwen")]


# ------------------------------------------------------------------------------------ fact-check
def test_fact_check_groups_the_unverifiable_and_counts_the_uncheckable_apart(corpus):
    at = run("views/factcheck.py")
    counts = {m.label: int(m.value) for m in at.metric}
    claims = corpus.claims
    uncovered = claims.filter((pl.col("entity") != "alibaba_cloud") | ~pl.col("metric").is_in(
        ["revenue", "revenue_growth", "adjusted_ebita", "adjusted_ebita_growth"]) | (pl.col("product").is_not_null()
                                                                                    & (pl.col("product") != "external_revenue")))
    assert counts["not checkable 不可核查"] == uncovered.height > 0
    groups = [e.label for e in at.expander]
    assert any(g.startswith("Period unknown 期间未知: ") for g in groups)
    assert sum(int(g.rsplit(": ", 1)[1]) for g in groups) == counts["unverifiable 无法核实"]
