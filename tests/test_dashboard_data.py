"""Pure data functions of the dashboard: reviews applied (decisions), filters, display, conflicts, doc
fixes, loading, export and fact-check lists, each from its own module."""
from __future__ import annotations

import datetime as dt
import io
import itertools
import math

import hypothesis
import hypothesis.strategies as st
import polars as pl
import pytest
from sample import REFERENCE, write_sample_corpus

from dashboard import checks, conflicts, decisions, display, docfixes, export, filters, loading
from dashboard.reviews import DECISION_SCHEMA, Correction, ReviewStore
from extractors.calendar import period_bounds
from extractors.table import CLAIM_SCHEMA, DOCUMENT_SCHEMA, claim_id
from factcheck.verdicts import claim_bounds, written_step


def claim(quote: str, metric: str, value: float, unit: str = "%", *, qualifier: str = "exact", period: str | None = "2022",
          value_high: float | None = None, entity: str = "alibaba_cloud", product: str | None = None,
          publisher: str | None = "智東西", published: dt.date | None = dt.date(2023, 8, 3), doc: str = "d1") -> dict:
    start, end = period_bounds(period) if period else (None, None)
    span = (0, len(quote))
    return {"claim_id": claim_id(doc, *span, entity, product, metric) + quote[:2], "doc_id": doc, "doc_path": f"{doc}.md",
            "title": "t", "publisher": publisher, "url": "https://zhidx.com/p/2", "published": published,
            "published_precision": "day", "published_origin": "front_matter", "entity": entity, "product": product,
            "metric": metric, "value": value, "value_high": value_high, "unit": unit, "qualifier": qualifier,
            "period": period, "period_start": start, "period_end": end, "period_origin": "text" if period else "unknown",
            "cited_source": None, "quote": quote, "span_start": span[0], "span_end": span[1], "rule_id": "r",
            "extractor_version": "t"}


def frame(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=CLAIM_SCHEMA)


@pytest.fixture
def sample(tmp_path):
    claims, docs = write_sample_corpus(tmp_path / "articles")
    return claims, docs, ReviewStore(tmp_path / "reviews.sqlite")


# ------------------------------------------------------------------------------------ apply_reviews
def test_unreviewed_claims_are_unchanged_apart_from_the_review_columns(sample):
    claims, _, store = sample
    eff = decisions.apply_reviews(claims, store.latest())
    assert eff.select(list(CLAIM_SCHEMA)).equals(claims)
    assert set(eff["review_status"]) == {"unreviewed"}
    assert list(eff.columns) == [*CLAIM_SCHEMA, *decisions.REVIEW_SCHEMA]


REVIEWS = [
    # (action, correction, expected (status, value, period, period_start, original_value, corrected_fields contains))
    ("accept", None, ("accepted", 7.759e10, "2022", dt.date(2022, 1, 1), None, None)),
    ("reject", None, ("rejected", 7.759e10, "2022", dt.date(2022, 1, 1), None, None)),
    ("correct", Correction(7.76e10, "CNY", "alibaba_cloud", period="2022"),
     ("corrected", 7.76e10, "2022", dt.date(2022, 1, 1), 7.759e10, "value 775.9 亿元 → 776 亿元")),
    ("correct", Correction(7.759e10, "CNY", "alibaba_cloud", period="FY2023"),
     ("corrected", 7.759e10, "FY2023", dt.date(2022, 4, 1), None, "period 2022 → FY2023")),
    ("correct", Correction(7.759e10, "CNY", "alibaba_cloud", period=None),
     ("corrected", 7.759e10, None, None, None, "period 2022 → —")),
]


@pytest.mark.parametrize("action,correction,expected", REVIEWS)
def test_the_latest_decision_is_applied(sample, action, correction, expected):
    claims, _, store = sample
    target = claims.filter(pl.col("quote").str.contains("775.9"))["claim_id"][0]
    store.record(target, "accept", "王芳")  # an earlier decision that the latest one replaces
    store.record(target, action, "李雷", "checked against the 10-K", correction=correction)
    eff = decisions.apply_reviews(claims, store.latest())
    row = eff.filter(pl.col("claim_id") == target).row(0, named=True)
    got = (row["review_status"], row["value"], row["period"], row["period_start"], row["original_value"])
    assert got == expected[:5]
    assert (expected[5] is None and row["corrected_fields"] is None) or expected[5] in row["corrected_fields"]
    assert row["reviewer"] == "李雷" and row["review_note"] == "checked against the 10-K"
    assert eff.filter(pl.col("claim_id") != target)["review_status"].unique().to_list() == ["unreviewed"]
    assert eff.height == claims.height


@hypothesis.settings(max_examples=40, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["accept", "reject", "correct"]),
                                     st.sampled_from([None, "consistent", "inconsistent"]),
                                     st.sampled_from([None, "2022", "FY2023", "2024Q2"]), st.sampled_from([7.76e10, 6.0])),
                           max_size=15))
def test_reviews_applied_to_the_reviewed_rows_alone_equal_the_whole_table_join(tmp_path_factory, drawn):
    """apply_reviews works on the reviewed rows and writes them back in place; the result is the join of
    the whole table with the decisions (_reviewed on every row), extra columns kept after."""
    claims, _ = write_sample_corpus(tmp_path_factory.mktemp("articles"))
    claims = claims.with_columns(pl.lit("x").alias("extra"))
    store = ReviewStore(tmp_path_factory.mktemp("db") / "reviews.sqlite")
    for i, action, verdict, period, value in drawn:
        cid = claims["claim_id"][i % claims.height] if i < 35 else f"gone{i}"  # some decisions outlive their claim
        correction = Correction(value, "CNY" if value > 100 else "%", "alibaba_cloud", period=period) if action == "correct" else None
        store.record(cid, action, "王芳", correction=correction, verdict=verdict if action != "reject" else None)
    latest = store.latest()
    whole = decisions._reviewed(claims, latest).hstack(claims.select("extra"))
    assert decisions.apply_reviews(claims, latest).equals(whole)


def test_reviews_of_claims_that_disappeared_are_listed_as_orphans_with_what_they_were(sample):
    claims, _, store = sample
    gone = claims.row(0, named=True)
    store.record(gone["claim_id"], "reject", "王芳", snapshot=decisions.claim_snapshot(gone))
    store.record(claims["claim_id"][1], "accept", "王芳")
    remaining = claims.slice(1)
    orphans = decisions.orphaned_reviews(store.latest(), remaining)
    assert orphans.select("claim_id", "was_quote").rows() == [(gone["claim_id"], gone["quote"])]
    assert decisions.apply_reviews(remaining, store.latest()).height == remaining.height


# ------------------------------------------------------------------------------------ filters
ROWS = frame(
    claim("2022年阿里云全年營收775.9億元", "revenue", 7.759e10, "CNY", publisher="智東西", published=dt.date(2023, 8, 3)),
    claim("阿里云的年营收已突破千亿", "revenue", 1e11, "CNY", qualifier="over", publisher="极客公园", published=dt.date(2022, 11, 3)),
    claim("阿里云在最新季报中营收增长6%", "revenue_growth", 6.0, period="2024Q2", publisher="雷峰网", published=dt.date(2024, 9, 20)),
    claim("Qwen-Turbo价格直降85%", "price_cut", 85.0, period="2024-09", product="qwen-turbo", publisher=None, published=None),
    claim("800億美元的AWS", "revenue", 8e10, "USD", qualifier="approx", period=None, entity="aws", publisher="智東西", published=dt.date(2023, 8, 3)),
).with_columns(review_status=pl.Series(["unreviewed", "accepted", "rejected", "unreviewed", "corrected"]))

FILTERS = [
    # (filters, quotes expected, in order)
    (filters.Filters(), 5),
    (filters.Filters(metrics=("revenue",)), ["2022年阿里云全年營收775.9億元", "阿里云的年营收已突破千亿", "800億美元的AWS"]),
    (filters.Filters(entities=("aws",)), ["800億美元的AWS"]),
    (filters.Filters(products=("qwen-turbo",)), ["Qwen-Turbo价格直降85%"]),
    (filters.Filters(products=(filters.NONE_LABEL,)), 4),
    (filters.Filters(publishers=(filters.NONE_LABEL,)), ["Qwen-Turbo价格直降85%"]),
    (filters.Filters(publishers=("智東西", "雷峰网")), ["2022年阿里云全年營收775.9億元", "阿里云在最新季报中营收增长6%", "800億美元的AWS"]),
    (filters.Filters(statuses=("rejected",)), ["阿里云在最新季报中营收增长6%"]),
    (filters.Filters(statuses=("unreviewed", "accepted", "corrected")), 4),
    (filters.Filters(published_from=dt.date(2023, 1, 1)), ["2022年阿里云全年營收775.9億元", "阿里云在最新季报中营收增长6%", "Qwen-Turbo价格直降85%", "800億美元的AWS"]),
    (filters.Filters(published_from=dt.date(2023, 1, 1), published_to=dt.date(2023, 12, 31), include_undated=False), ["2022年阿里云全年營收775.9億元", "800億美元的AWS"]),
    (filters.Filters(include_undated=False), 4),
    (filters.Filters(text="营收"), ["2022年阿里云全年營收775.9億元", "阿里云的年营收已突破千亿", "阿里云在最新季报中营收增长6%"]),  # simplified finds traditional
    (filters.Filters(text="營收"), ["2022年阿里云全年營收775.9億元", "阿里云的年营收已突破千亿", "阿里云在最新季报中营收增长6%"]),  # and back
    (filters.Filters(text="qwen"), ["Qwen-Turbo价格直降85%"]),  # case-insensitive
    (filters.Filters(text="aws", metrics=("revenue_growth",)), []),
    (filters.Filters(text="[.*"), []),  # literal, not a regex
]


@pytest.mark.parametrize("chosen,expected", FILTERS)
def test_filters(chosen, expected):
    got = filters.filter_claims(ROWS, chosen)["quote"].to_list()
    assert (len(got) == expected) if isinstance(expected, int) else (got == expected)
    # the pages' path: the conditions computed once (cached per table and filters), the mask from them
    assert ROWS.filter(filters.shown_from(filters.condition_frame(ROWS, chosen), ROWS.height)).equals(filters.filter_claims(ROWS, chosen))


def test_filter_options_offer_none_for_missing_values_first():
    assert filters.options(ROWS, "publisher") == [filters.NONE_LABEL, "智東西", "极客公园", "雷峰网"]
    assert filters.options(ROWS, "metric") == ["price_cut", "revenue", "revenue_growth"]


# ------------------------------------------------------------------------------------ display
DISPLAY = [
    # (row, value_text, x_period, series)
    (claim("全年營收775.9億元", "revenue", 7.759e10, "CNY"), "775.9 亿元", dt.date(2022, 7, 2), "Alibaba Cloud 阿里云"),
    (claim("27.06億美元", "revenue", 2.706e9, "USD", period="2023Q1"), "27.06 亿美元", dt.date(2023, 2, 14), "Alibaba Cloud 阿里云"),
    (claim("下調15%至50%", "price_cut", 15.0, value_high=50.0, period="2023-04"), "15–50%", dt.date(2023, 4, 15), "Alibaba Cloud 阿里云"),
    (claim("同比下滑2%", "revenue_growth", -2.0, period="2023Q1"), "-2%", dt.date(2023, 2, 14), "Alibaba Cloud 阿里云"),
    (claim("低至百万tokens 0.3元", "token_price", 0.3, "CNY/1M tokens", product="qwen-turbo", period=None), "0.3 元/百万tokens", None, "Alibaba Cloud 阿里云 · Qwen-Turbo"),
    (claim("上半年同比仅增长14.7%", "revenue_growth", 14.7, period="2023H1", entity="china_public_cloud_market"), "14.7%", dt.date(2023, 4, 1), "China public cloud market 中国公有云市场"),
    (claim("x", "revenue_growth", 3.0, entity="oracle_cloud"), "3%", dt.date(2022, 7, 2), "oracle_cloud"),  # unknown ids shown raw
]


@pytest.mark.parametrize("row,value_text,x_period,series", DISPLAY)
def test_display_columns(row, value_text, x_period, series):
    out = display.with_display(frame(row)).row(0, named=True)
    assert (out["value_text"], out["x_period"], out["series"]) == (value_text, x_period, series)


# ------------------------------------------------------------------------------------ conflicts
_DOCS = itertools.count()


def v(value, qualifier="exact", value_high=None, **kw):
    """A claim of its own article (unless doc= says which), so that two of them are two sources."""
    kw.setdefault("doc", f"doc{next(_DOCS)}")
    verdict = kw.pop("verdict", None)
    return {**claim(f"value {value} {qualifier}", kw.pop("metric", "revenue_growth"), value, kw.pop("unit", "%"),
                    qualifier=qualifier, value_high=value_high, **kw), "verdict": verdict}


CONFLICTS = [
    # (claims, conflict expected) — the corpus case first: 突破千亿 vs 775.9億元 for 2022
    ([v(1e11, "over", metric="revenue", unit="CNY"), v(7.759e10, metric="revenue", unit="CNY")], True),
    ([v(7.759e10, metric="revenue", unit="CNY"), v(7.76e10, metric="revenue", unit="CNY")], False),  # 775.9 vs 776: rounding
    ([v(7.759e10, metric="revenue", unit="CNY"), v(7.8e10, metric="revenue", unit="CNY")], True),  # 775.9 vs 780
    ([v(6), v(6, "over")], False),  # 6% and 超过6%
    ([v(6), v(5, "under")], True),  # 6% and 不足5%
    ([v(6), v(6.4)], False),  # 6 allows 5.5..6.5
    ([v(6.0), v(6.6)], True),
    ([v(100, "approx"), v(101)], False),  # 约100% allows a full step either side, as the verdicts read it
    ([v(100, "approx"), v(108)], True),
    ([v(6, doc="same"), v(60, doc="same")], False),  # two claims of one article are not a conflict between sources
    ([v(6, doc="a"), v(60, doc="a"), v(6.2, doc="b")], True),  # b's 6.2 agrees with a's 6 but not with a's 60
    ([v(6, doc="a"), v(6.2, doc="b"), v(6, doc="c")], False),  # three articles that can all be right
    ([v(1.8582e10, metric="revenue", unit="CNY", verdict="consistent"), v(1.8584e10, metric="revenue", unit="CNY", verdict="consistent")],
     False),  # both within Alibaba's rounding of 185.8亿: Fact-check calls both consistent, so no conflict
    ([v(15, value_high=50, metric="price_cut"), v(50, "up_to", metric="price_cut")], False),
    ([v(15, value_high=50, metric="price_cut"), v(60, metric="price_cut")], True),
    ([v(20, "average", metric="price_cut"), v(50, "up_to", metric="price_cut")], False),
    ([v(0.3, "as_low_as", unit="CNY/1M tokens", metric="token_price"), v(0.5, unit="CNY/1M tokens", metric="token_price")], False),
    ([v(6, period=None), v(60, period=None)], False),  # unknown periods are never compared
    ([v(6, period="2024Q2"), v(60, period="2024Q3")], False),
    ([v(6), v(60, entity="aws")], False),
    ([v(6), v(60, product="qwen")], False),
    ([v(1.8582e10, metric="revenue", unit="CNY"), v(2.706e9, metric="revenue", unit="USD")], False),  # currencies
    ([v(6)], False),
]


@pytest.mark.parametrize("rows,expected", CONFLICTS)
def test_conflicts(rows, expected):
    found = conflicts.conflicts(frame(*rows).with_columns(verdict=pl.Series([r["verdict"] for r in rows], dtype=pl.String)))
    assert (found.height == len(rows)) if expected else (found.height == 0)


def _conflicts_pair_by_pair(rows: list[dict]) -> dict[tuple, tuple[int, float]]:
    """The rule claim by claim, as the docstring states it: per group, some claim of one article and one of
    another allow no common value (claim_bounds, touching is apart), unless every claim is consistent.
    -> {group keys: (n_docs, gap)}."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if r["period"] is not None and r["value"] is not None and r.get("review_status") != "rejected":
            groups.setdefault(tuple(r[k] for k in conflicts.CONFLICT_KEYS), []).append(r)
    out = {}
    for key, members in groups.items():
        bounds = [(r["doc_id"], *claim_bounds(r["value"], r["value_high"], r["qualifier"], written_step(r["value"], r["unit"])))
                  for r in members]
        apart = any(a != b and lo - hi >= -1e-9 * max([1.0, *(abs(x) for x in (lo, hi) if math.isfinite(x))])
                    for a, lo, _ in bounds for b, _, hi in bounds)
        if apart and not all(r["verdict"] == "consistent" for r in members):
            values = [r["value"] for r in members]
            out[key] = (len({r["doc_id"] for r in members}), max(values) - min(values))
    return out


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(st.lists(st.tuples(
    st.sampled_from(["a", "b", "c"]), st.sampled_from(["2022", "2023Q1", None]), st.sampled_from([("%", "revenue_growth"), ("CNY", "revenue")]),
    st.sampled_from([6, 6.4, 6.6, 60, 5, -2, 0.0]), st.sampled_from(["exact", "approx", "over", "under", "up_to", None]),
    st.sampled_from([None, 8]), st.sampled_from([None, "consistent", "inconsistent"]), st.sampled_from(["unreviewed", "rejected"]),
), max_size=12))
def test_conflicts_equal_the_rule_applied_pair_by_pair(drawn):
    """conflict_rows decides on a few columns and per-document bounds; the groups, their n_docs and gap,
    and the order (widest first, then by value) are those of comparing every claim with every other."""
    rows = [{**claim(f"q{i}", metric, value * (1e8 if unit == "CNY" else 1), unit, qualifier=q, period=period, doc=doc,
                     value_high=None if high is None else high * (1e8 if unit == "CNY" else 1)),
             "verdict": verdict, "review_status": status}
            for i, (doc, period, (unit, metric), value, q, high, verdict, status) in enumerate(drawn)]
    df = pl.DataFrame(rows, schema={**CLAIM_SCHEMA, "verdict": pl.String, "review_status": pl.String})
    found = conflicts.conflicts(df)
    expected = _conflicts_pair_by_pair(df.to_dicts())
    got = {tuple(r[k] for k in conflicts.CONFLICT_KEYS): (r["n_docs"], r["gap"]) for r in found.iter_rows(named=True)}
    assert got.keys() == expected.keys()
    assert all(got[k][0] == n and got[k][1] == pytest.approx(gap) for k, (n, gap) in expected.items())
    assert found.height == sum(1 for r in df.to_dicts() if tuple(r[k] for k in conflicts.CONFLICT_KEYS) in expected
                               and r["period"] is not None and r["review_status"] != "rejected")
    order = found.select(-pl.col("spread"), "conflict_key", "value").rows()
    assert order == sorted(order)


def test_a_page_gathers_only_its_groups_and_gets_what_conflicts_gives():
    rows = [v(6, doc="a"), v(60, doc="b"), v(6, doc="c", period="2023Q1"), v(7, doc="d", period="2023Q1"), v(1, doc="e", period="2021")]
    df = frame(*rows).with_columns(verdict=pl.lit(None, pl.String))
    every = conflicts.conflict_rows(df)
    first = every["conflict_key"].unique(maintain_order=True)[:1]
    page = conflicts.with_groups(df, every.filter(pl.col("conflict_key").is_in(first.implode())))
    assert page.equals(conflicts.conflicts(df).filter(pl.col("conflict_key").is_in(first.implode())))
    assert every["conflict_key"].n_unique() == 2 and page["value"].to_list() == [6, 60]


def test_a_rejected_claim_no_longer_makes_a_conflict():
    rows = frame(v(6), v(60)).with_columns(review_status=pl.Series(["unreviewed", "rejected"]))
    assert conflicts.conflicts(rows).height == 0
    assert conflicts.conflicts(rows.with_columns(review_status=pl.lit("accepted"))).height == 2


def test_the_corpus_2022_revenue_conflict_is_found_in_the_sample(sample):
    claims, _, store = sample
    found = conflicts.conflicts(decisions.apply_reviews(claims, store.latest()))
    assert sorted(found["quote"].to_list()) == sorted(["2022年阿里云全年營收775.9億元。", "到2022年，阿里云的年营收已突破千亿，成为亚洲最大的云服务商。"])


# ------------------------------------------------------------------------------------ doc fixes
def test_a_doc_fix_reextracts_that_document_and_shows_the_fixed_fields(sample):
    claims, docs, _ = sample
    undated = docs.filter(pl.col("published").is_null()).row(0, named=True)
    calls = []

    def reextract(paths, overrides):
        calls.append(([p.name for p in paths], overrides))
        sub_c = claims.filter(pl.col("doc_id") == undated["doc_id"]).with_columns(period=pl.lit("2024Q2"))
        return sub_c, docs.filter(pl.col("doc_id") == undated["doc_id"])

    fixes = {undated["doc_id"]: {"published": "2024-08", "publisher": "博客"}}
    c2, d2, warnings = docfixes.apply_doc_fixes(claims, docs, fixes, reextract)
    assert calls == [(["undated_blog.txt"], fixes)] and warnings == []
    fixed = c2.filter(pl.col("doc_id") == undated["doc_id"])
    assert set(fixed.select("publisher", "published", "published_precision", "published_origin", "period").rows()) == {
        ("博客", dt.date(2024, 8, 1), "month", "app", "2024Q2")}
    assert d2.filter(pl.col("doc_id") == undated["doc_id"]).select("publisher_origin", "published_origin").row(0) == ("app", "app")
    assert c2.height == claims.height and c2.filter(pl.col("doc_id") != undated["doc_id"]).equals(claims.filter(pl.col("doc_id") != undated["doc_id"]))


def test_a_doc_fix_for_a_missing_file_is_still_applied_and_says_periods_were_not_re_resolved(sample):
    claims, docs, _ = sample
    doc = docs.row(0, named=True)
    docs = docs.with_columns(doc_path=pl.when(pl.col("doc_id") == doc["doc_id"]).then(pl.lit("/nowhere/x.md")).otherwise("doc_path"))
    c2, _, warnings = docfixes.apply_doc_fixes(claims, docs, {doc["doc_id"]: {"publisher": "GeekPark"}}, lambda p, o: 1 / 0)
    assert "/nowhere/x.md" in warnings[0] and "not re-resolved" in warnings[0]
    assert set(c2.filter(pl.col("doc_id") == doc["doc_id"])["publisher"]) == {"GeekPark"}


def test_a_failing_reextraction_keeps_the_claims_and_warns(sample):
    claims, docs, _ = sample
    doc_id = docs["doc_id"][1]

    def broken(paths, overrides):
        raise RuntimeError("pipeline not ready")

    c2, _, warnings = docfixes.apply_doc_fixes(claims, docs, {doc_id: {"publisher": "智东西"}}, broken)
    assert c2.height == claims.height and "pipeline not ready" in warnings[0]


def test_merge_extracted_replaces_a_document_and_keeps_the_others(sample):
    claims, docs, _ = sample
    doc_id = docs["doc_id"][2]
    new_c = claims.filter(pl.col("doc_id") == doc_id).head(1)
    c2, d2 = loading.merge_extracted(claims, docs, new_c, docs.filter(pl.col("doc_id") == doc_id))
    assert c2.filter(pl.col("doc_id") == doc_id).height == 1
    assert c2.height == claims.height - claims.filter(pl.col("doc_id") == doc_id).height + 1
    assert d2.height == docs.height and d2.schema == pl.Schema(DOCUMENT_SCHEMA)


# ------------------------------------------------------------------------------------ export
CSV_CELLS = [
    # (quote, what the CSV cell must read back as)
    ("=HYPERLINK(\"http://evil\",\"点我\")", "'=HYPERLINK(\"http://evil\",\"点我\")"),
    ("+86 营收", "'+86 营收"),
    ("-2%的下滑", "'-2%的下滑"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("阿里云=第一", "阿里云=第一"),  # only a leading character makes a formula
    ("營收增長6%", "營收增長6%"),
]


@pytest.mark.parametrize("quote,cell", CSV_CELLS)
def test_csv_export_neutralises_formulas_in_text_and_keeps_numbers_numeric(quote, cell):
    df = decisions.apply_reviews(frame(claim(quote, "revenue_growth", -2.0)), pl.DataFrame(schema=DECISION_SCHEMA))
    raw = export.to_csv_bytes(df)
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pl.read_csv(io.BytesIO(raw), infer_schema_length=None)
    assert back["quote"][0] == cell
    assert back["value"].dtype == pl.Float64 and back["value"][0] == -2.0
    assert back["span_end"].dtype == pl.Int64
    assert back["review_status"][0] == "unreviewed"


# The exported columns: keys and base units (extractors.table) in their order, each followed by what a reader
# needs (labels, human value and unit), then the review and verdict columns, likewise; no page helpers.
# each key column, followed by the readable columns an analyst's spreadsheet shows beside it
READABLE = {"publisher": ["publisher_label"], "entity": ["entity_label"], "product": ["product_label"],
            "metric": ["metric_label"], "unit": ["value_human", "value_high_human", "unit_human"],
            "qualifier": ["qualifier_label"], "quote": ["quote_shown"], "review_status": ["review_label"],
            "verdict": ["verdict_label"], "reported_value": ["reported_human"]}
REVIEW_AND_VERDICT = ["review_status", "reviewer", "review_note", "reviewed_at", "original_value", "corrected_fields",
                      "verdict_override", "verdict", "reported_value", "verdict_reason", "reported_source"]
EXPORTED = [c for key in [*CLAIM_SCHEMA, *REVIEW_AND_VERDICT] for c in [key, *READABLE.get(key, [])]]


def test_exports_carry_labels_human_units_review_and_verdict_columns_but_not_display_helpers(sample):
    claims, _, store = sample
    store.record(claims["claim_id"][0], "reject", "王芳", "=cmd|' /C calc'!A0")
    eff = display.with_display(decisions.apply_reviews(claims, store.latest())).with_columns(
        verdict=pl.lit("unverifiable"), reported_value=pl.lit(None, pl.Float64), verdict_reason=pl.lit("no quarter"),
        reported_source=pl.lit(None, pl.String))
    back = pl.read_parquet(io.BytesIO(export.to_parquet_bytes(eff)))
    assert back.columns == EXPORTED
    assert back.select(list(CLAIM_SCHEMA)).equals(claims)
    csv = pl.read_csv(io.BytesIO(export.to_csv_bytes(eff)), infer_schema_length=None)
    assert csv.columns == back.columns
    assert csv["review_note"][0] == "'=cmd|' /C calc'!A0"
    row = csv.filter(pl.col("value") == 7.759e10).row(0, named=True)
    assert (row["value_human"], row["unit_human"], row["metric_label"], row["entity_label"], row["verdict_label"]) == (
        775.9, "亿元", "Revenue 营收", "Alibaba Cloud 阿里云", "unverifiable 无法核实")
    assert csv.filter(pl.col("product") == "qwen-long")["product_label"].unique().to_list() == ["Qwen-Long"]


# filters, stamp -> the file name: it says which filters made the file
FILE_NAMES = [
    (filters.Filters(statuses=filters.DEFAULT_STATUSES), "cloudclaims_all_20261123-1405.csv"),
    (filters.Filters(), "cloudclaims_status-all_20261123-1405.csv"),
    (filters.Filters(metrics=("revenue",), entities=("alibaba_cloud",), statuses=filters.DEFAULT_STATUSES),
     "cloudclaims_revenue_alibaba_cloud_20261123-1405.csv"),
    (filters.Filters(published_from=dt.date(2023, 1, 1), published_to=dt.date(2024, 12, 31), include_undated=False,
                     statuses=filters.DEFAULT_STATUSES), "cloudclaims_from-2023-01-01_to-2024-12-31_dated_20261123-1405.csv"),
    (filters.Filters(publishers=("智东西", filters.NONE_LABEL), text="营收/增长", statuses=("rejected",)),
     "cloudclaims_智东西-none_status-rejected_search-营收-增长_20261123-1405.csv"),
]


@pytest.mark.parametrize("chosen,name", FILE_NAMES)
def test_the_export_file_name_says_which_filters_made_it(chosen, name):
    assert export.file_name(chosen, "20261123-1405", "csv") == name


# ------------------------------------------------------------------------------------ fact-check
def test_inconsistent_claims_come_worst_first_and_counts_are_per_publisher():
    rows = frame(
        claim("增长6%", "revenue_growth", 6.0, publisher="雷峰网"),
        claim("增长9%", "revenue_growth", 9.0, publisher="智東西"),
        claim("增长30%", "revenue_growth", 30.0, publisher="智東西"),
        claim("增长7%", "revenue_growth", 7.0, publisher=None),
    ).with_columns(
        review_status=pl.lit("unreviewed"),
        verdict=pl.Series(["consistent", "inconsistent", "inconsistent", "unverifiable"]),
        reported_value=pl.Series([6.0, 6.0, 6.0, None]),
    )
    assert checks.inconsistent_claims(rows)["quote"].to_list() == ["增长30%", "增长9%"]
    counts = checks.verdict_counts(rows)
    assert counts.rows() == [("智東西", 0, 2, 0), (filters.NONE_LABEL, 0, 0, 1), ("雷峰网", 1, 0, 0)]


# ------------------------------------------------------------------------------------ a dataset folder
def _dataset(folder, claims, docs):
    """A partitioned dataset in the layout extractors/table.py gives (one file a year, as extract --dataset writes)."""
    from extractors import table

    for kind, frame_ in (("claims", claims), ("documents", docs)):
        years = frame_.with_columns(pl.col("published").dt.year().alias("_y"))
        for (year,), part in years.group_by("_y", maintain_order=True):
            target = table.partition_dir(folder, kind, year)
            target.mkdir(parents=True)
            part.drop("_y").write_parquet(target / "part-0.parquet")


DATASET_PROBLEMS = [
    # (what the folder holds, error naming it)
    ("nothing", "not a claims dataset"),
    ("a damaged part", "unreadable dataset"),
]


def test_a_dataset_folder_is_read_as_the_table_it_partitions(sample, tmp_path):
    claims, docs, _ = sample
    _dataset(tmp_path / "ds", claims, docs)
    got, got_docs, warnings = loading.load_tables(tmp_path / "ds")
    assert warnings == [] and got.schema == claims.schema and got_docs.schema == docs.schema
    assert got.sort("claim_id").equals(claims.sort("claim_id")) and got_docs.sort("doc_id").equals(docs.sort("doc_id"))
    key = loading.source_key(tmp_path / "ds")
    claims.head(1).write_parquet(next((tmp_path / "ds" / "claims").glob("*/part-0.parquet")))  # a new run, fewer rows
    assert loading.source_key(tmp_path / "ds") != key, "a rewritten part changes the cache key"


@pytest.mark.parametrize("problem,error", DATASET_PROBLEMS)
def test_a_folder_that_is_no_dataset_says_which_and_why(sample, tmp_path, problem, error):
    from extractors.table import TableError

    claims, docs, _ = sample
    folder = tmp_path / "ds"
    folder.mkdir()
    if problem == "a damaged part":
        _dataset(folder, claims, docs)
        next((folder / "claims").glob("*/part-0.parquet")).write_bytes(b"PAR1 not parquet")
    with pytest.raises(TableError, match=error) as e:
        loading.load_tables(folder)
    assert str(folder) in str(e.value)


# ------------------------------------------------------------------------------------ verdicts guard
def test_verdicts_are_added_when_the_reference_loads(sample):
    from dashboard.effective import add_verdicts

    claims, _, store = sample
    out, reported, ref, note = add_verdicts(decisions.apply_reviews(claims, store.latest()), REFERENCE)
    assert note is None and decisions.has_verdicts(out) and out.height == claims.height and ref.height > 20
    row = out.filter(pl.col("quote").str.contains("185.82")).row(0, named=True)
    assert row["verdict"] == "consistent"
    assert {"revenue", "revenue_growth"} <= set(reported["metric"])


@pytest.mark.parametrize("problem,note", [
    ("missing", "no reference file"),
    ("malformed", "the reference file has an error"),
    ("bug", "verdicts not available: ZeroDivisionError"),
])
def test_verdicts_that_cannot_be_computed_leave_the_claims_and_say_why(sample, tmp_path, monkeypatch, problem, note):
    from dashboard.effective import add_verdicts
    from factcheck import verdicts

    claims, _, store = sample
    ref = tmp_path / "ref.csv"
    if problem == "malformed":
        ref.write_text(REFERENCE.read_text(encoding="utf-8").replace("2023Q1,", "2023Q9,"), encoding="utf-8")
    elif problem != "missing":
        ref = REFERENCE
        monkeypatch.setattr(verdicts, "add_verdicts", lambda *a: (_ for _ in ()).throw(ZeroDivisionError("x")))
    eff = decisions.apply_reviews(claims, store.latest())
    out, reported, loaded, got = add_verdicts(eff, ref)
    assert out.equals(eff) and reported is None and loaded is None and note in got and got.startswith("verdicts not available")


def test_the_dashboard_view_with_reasons_added_to_some_rows_equals_the_full_build(sample, tmp_path):
    """The dashboard builds the effective table without verdict_reason (whole-column verdicts) and with
    few display columns, and writes the rest for the rows a page shows; those rows then equal what the full build (the export) gives,
    reviewers' verdict overrides and the group's figures stated beside a claim included."""
    from dashboard import effective

    claims, docs, store = sample
    growth = claims.filter((pl.col("metric") == "revenue_growth") & (pl.col("period") == "2023Q1")).head(1)
    stated = [growth.with_columns(pl.lit(5.0).alias("value"), pl.lit(entity).alias("entity"), (pl.col("claim_id") + entity).alias("claim_id"))
              for entity in ("alibaba_cloud", "alibaba_group")]  # the cloud's 5% is the group's, stated beside it
    claims = pl.concat([claims, *stated])
    ids = claims["claim_id"]
    store.record(ids[0], "accept", "王芳", "财报口径不同", verdict="inconsistent")
    store.record(ids[1], "reject", "李雷")
    store.record(ids[2], "accept", "李雷", verdict="consistent")
    args = (claims, docs, [], store, REFERENCE, tmp_path)
    full = effective.build(*args, reextract=None).claims
    lean = effective.build(*args, reextract=None, reasons=False)
    assert "verdict_reason" not in lean.claims.columns and decisions.has_verdicts(lean.claims)
    assert {"value_text", "reported_text", "metric_label", "series"}.isdisjoint(lean.claims.columns)  # for the rows shown
    assert set(display.VIEW_COLUMNS) < set(lean.claims.columns) < set(full.columns)
    assert lean.claims.equals(full.select(lean.claims.columns))
    assert full["verdict_reason"].str.contains("equals the group's figure stated in the same sentence").sum() == 1
    for rows in (lean.claims, lean.claims.slice(0, 3), lean.claims.filter(pl.col("verdict") == "inconsistent"), lean.claims.clear()):
        got = effective.with_reasons(rows, lean.reference, lean.group_figures)
        want = full.join(rows.select("claim_id"), on="claim_id", how="semi", maintain_order="left")
        assert got.select(full.columns).equals(want)
    assert full["verdict_reason"].str.starts_with("set by 王芳").sum() == 1
    # the Fact-check page's counts of claims no reference can check, from the lean view: labelled per pair
    unchecked = full.filter((pl.col("review_status") != "rejected") & pl.col("verdict").is_null())
    want = unchecked.group_by("metric_label", "entity_label").len("claims").sort("metric_label", "entity_label")
    got = checks.not_checkable_counts(lean.claims)
    assert want.height > 1 and got.sort("metric_label", "entity_label").equals(want)
    assert got["claims"].to_list() == sorted(got["claims"].to_list(), reverse=True)


# ------------------------------------------------------------------------------------ verdict overrides
REPORTED_AT = "https://www.alibabagroup.com/en-US/ir-financial-reports-quarterly-results"
NO_VERDICTS = "verdicts unavailable"  # add_verdicts could not run: the table has no verdict columns

OVERRIDES = [
    # (computed (verdict, reason) or NO_VERDICTS; the claim's decisions, oldest first, as (action, verdict, note);
    #  verdict shown; verdict_reason shown, {day} standing for the latest decision's UTC date)
    (("consistent", "matches reported 6% for 2024Q2"), [("accept", "inconsistent", "财报口径不同")],
     "inconsistent", "set by 李雷 on {day}: 财报口径不同; computed: consistent — matches reported 6% for 2024Q2"),
    (("inconsistent", "claims 9%, reported 6%"), [("accept", "consistent", "")],  # no note: no colon
     "consistent", "set by 李雷 on {day}; computed: inconsistent — claims 9%, reported 6%"),
    (("consistent", "matches reported 6% for 2024Q2"), [("correct", "unverifiable", "period is a guess")],
     "unverifiable", "set by 李雷 on {day}: period is a guess; computed: consistent — matches reported 6% for 2024Q2"),
    (("consistent", "matches"), [("accept", "consistent", "checked")],  # the same as computed still says who
     "consistent", "set by 李雷 on {day}: checked; computed: consistent — matches"),
    (("consistent", "matches"), [("accept", "inconsistent", "x"), ("accept", "unverifiable", "y")],  # the latest wins
     "unverifiable", "set by 李雷 on {day}: y; computed: consistent — matches"),
    # a later decision without a verdict ends the override: decisions are stated whole, like corrections
    (("consistent", "matches"), [("accept", "inconsistent", "x"), ("accept", None, "")], "consistent", "matches"),
    # a rejection takes no verdict, so the computed one comes back (and rejected claims are not counted)
    (("consistent", "matches"), [("accept", "inconsistent", "x"), ("reject", None, "duplicate")], "consistent", "matches"),
    ((None, "not an Alibaba Cloud figure"), [("accept", "inconsistent", "x")],  # nothing computed: the reviewer's applies
     "inconsistent", "set by 李雷 on {day}: x; computed: none — not an Alibaba Cloud figure"),
    ((None, None), [("accept", "consistent", "x")], "consistent", "set by 李雷 on {day}: x; computed: none"),
    (("consistent", "matches"), [], "consistent", "matches"),  # no decision
    (("consistent", "matches"), [("accept", None, "fine")], "consistent", "matches"),
    (NO_VERDICTS, [("accept", "inconsistent", "x")], None, None),  # table unchanged; override kept in verdict_override
]


@pytest.mark.parametrize("computed,history,verdict,reason", OVERRIDES)
def test_a_reviewers_verdict_overrides_the_computed_one(tmp_path, computed, history, verdict, reason):
    store = ReviewStore(tmp_path / "reviews.sqlite")
    claims = frame(claim("营收增长9%", "revenue_growth", 9.0, period="2024Q2"), claim("同比增长7%", "revenue_growth", 7.0, period="2024Q2"))
    target, other = claims["claim_id"]
    for action, v, note in history:
        correction = Correction(9.0, "%", "alibaba_cloud", period="2024Q2") if action == "correct" else None
        store.record(target, action, "李雷", note, correction=correction, verdict=v)
    store.record(other, "accept", "王芳", "other claim", verdict="inconsistent")
    eff = decisions.apply_reviews(claims, store.latest())
    if computed != NO_VERDICTS:
        eff = eff.with_columns(verdict=pl.Series([computed[0], "consistent"], dtype=pl.String), reported_value=pl.lit(6.0),
                               verdict_reason=pl.Series([computed[1], "matches"], dtype=pl.String), reported_source=pl.lit(REPORTED_AT))
    out = decisions.apply_verdict_overrides(eff)
    assert out.columns == eff.columns and out.height == 2
    if computed == NO_VERDICTS:
        assert out.equals(eff) and out["verdict_override"].to_list() == ["inconsistent", "inconsistent"]
        return
    row = out.row(0, named=True)
    day = store.latest().filter(pl.col("claim_id") == target)["created_at"].str.slice(0, 10).to_list()
    assert (row["verdict"], row["verdict_reason"]) == (verdict, reason.format(day=(day or [""])[0]))
    assert (row["reported_value"], row["reported_source"]) == (6.0, REPORTED_AT)  # the figure stays as computed
    assert out.row(1, named=True)["verdict"] == "inconsistent"  # each claim its own decision


def test_an_override_reaches_the_fact_check_lists_and_both_exports(sample):
    from dashboard.effective import add_verdicts

    claims, _, store = sample
    target = claims.filter(pl.col("quote").str.contains("185.82") & (pl.col("metric") == "revenue"))["claim_id"][0]
    store.record(target, "accept", "张三", "财报口径不同", verdict="inconsistent")
    computed, _, _, _ = add_verdicts(decisions.apply_reviews(claims, store.latest()), REFERENCE)
    assert computed.filter(pl.col("claim_id") == target)["verdict"][0] == "consistent"
    eff = decisions.apply_verdict_overrides(computed)

    assert target in checks.inconsistent_claims(eff)["claim_id"].to_list()
    before, after = (checks.verdict_counts(df).filter(pl.col("publisher") == "智東西").row(0, named=True) for df in (computed, eff))
    assert (after["consistent"], after["inconsistent"]) == (before["consistent"] - 1, before["inconsistent"] + 1)
    csv = pl.read_csv(io.BytesIO(export.to_csv_bytes(eff)), infer_schema_length=None)
    parquet = pl.read_parquet(io.BytesIO(export.to_parquet_bytes(eff)))
    for back in (csv, parquet):
        row = back.filter(pl.col("claim_id") == target).row(0, named=True)
        assert (row["verdict"], row["verdict_override"]) == ("inconsistent", "inconsistent")
        assert row["verdict_reason"].startswith("set by 张三 on 20") and "财报口径不同; computed: consistent" in row["verdict_reason"]
        assert row["reported_value"] == pytest.approx(1.858e10)
