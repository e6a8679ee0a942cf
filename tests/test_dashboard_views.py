"""Pure parts of the issue-12 dashboard: the URL codec and the date window of the filters, what the filters
hide, one label table, human display columns (cleaned quotes, one publisher per name, granularity, local
times), the Fact-check lists and the reference's sources in words. Tables, one case a line."""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sample import REFERENCE

from dashboard import checks, display, filters, labels
from extractors.table import CLAIM_SCHEMA
from factcheck.reference import load_reference

D = dt.date

# ------------------------------------------------------------------------------------ the URL
# session values -> the query a link carries (only what differs from the defaults); and back
QUERIES = [
    ({}, []),
    ({"f_metric": ["revenue", "revenue_growth"]}, [("metric", "revenue"), ("metric", "revenue_growth")]),
    ({"f_publisher": ["星船知造 (via 网易号)"], "f_text": "营收"}, [("publisher", "星船知造 (via 网易号)"), ("q", "营收")]),
    ({"f_status": ["rejected"]}, [("status", "rejected")]),
    ({"f_status": []}, [("status", "all")]),  # every status: not the default, which hides rejected claims
    ({"f_undated": False}, [("undated", "0")]),
    ({"f_dates": (D(2023, 1, 1), D(2024, 6, 30))}, [("from", "2023-01-01"), ("to", "2024-06-30")]),
    ({"f_dates": (D(2022, 11, 3), D(2024, 11, 1))}, []),  # the data's whole range is no filter
]
BOUNDS = (D(2022, 11, 3), D(2024, 11, 1))


@pytest.mark.parametrize("state,query", QUERIES)
def test_filters_travel_in_the_url_and_back(state, query):
    assert filters.to_query(state, filters.FILTER_PARAMS, filters.FILTER_DEFAULTS, BOUNDS) == query
    grouped: dict[str, list[str]] = {}
    for k, v in query:
        grouped.setdefault(k, []).append(v)
    back = filters.from_query(grouped, filters.FILTER_PARAMS)
    assert {k: v for k, v in state.items() if k != "f_dates" or v != BOUNDS} == back


# a query that cannot be read is left out, never guessed
BAD_QUERIES = [
    ({"from": ["2024-13-01"], "to": ["2024-12-31"]}, {}),
    ({"from": ["2024-06-01"]}, {}),  # half a window
    ({"from": ["2024-06-01"], "to": ["2024-01-01"]}, {}),  # backwards
    ({"metric": ["revenue", "revenue"]}, {"f_metric": ["revenue"]}),
]


@pytest.mark.parametrize("query,state", BAD_QUERIES)
def test_an_unreadable_link_is_ignored_rather_than_guessed(query, state):
    assert filters.from_query(query, filters.FILTER_PARAMS) == state


# the window, the data's old range, its new range -> the window after: an edge at the old edge follows the data
WINDOWS = [
    (BOUNDS, BOUNDS, (D(2022, 11, 3), D(2025, 6, 30)), (D(2022, 11, 3), D(2025, 6, 30))),  # an upload after the window
    (BOUNDS, BOUNDS, (D(2021, 1, 1), D(2024, 11, 1)), (D(2021, 1, 1), D(2024, 11, 1))),  # a re-dated older article
    ((D(2023, 1, 1), D(2024, 11, 1)), BOUNDS, (D(2022, 11, 3), D(2025, 6, 30)), (D(2023, 1, 1), D(2025, 6, 30))),
    ((D(2023, 1, 1), D(2023, 12, 31)), BOUNDS, (D(2022, 11, 3), D(2025, 6, 30)), (D(2023, 1, 1), D(2023, 12, 31))),  # chosen: kept
    (None, None, BOUNDS, BOUNDS),
]


@pytest.mark.parametrize("window,old,new,after", WINDOWS)
def test_the_date_window_widens_to_new_data_unless_the_analyst_narrowed_that_edge(window, old, new, after):
    assert filters.widen(window, old, new) == after


def _claims(**cols) -> pl.DataFrame:
    n = len(next(iter(cols.values())))
    base = {c: [None] * n for c in CLAIM_SCHEMA} | {"review_status": ["unreviewed"] * n}
    return pl.DataFrame({**base, **cols}, schema=CLAIM_SCHEMA | {"review_status": pl.String})


TABLE = _claims(metric=["revenue", "revenue", "price_cut", "revenue"], quote=["营收100亿", "營收200億", "降价", "营收"],
                published=[D(2023, 1, 1), D(2024, 1, 1), None, D(2025, 1, 1)],
                review_status=["unreviewed", "rejected", "accepted", "unreviewed"])

HIDDEN = [
    (filters.Filters(), (0, {})),
    (filters.Filters(statuses=filters.DEFAULT_STATUSES), (1, {"statuses": 1})),
    (filters.Filters(metrics=("revenue",), statuses=filters.DEFAULT_STATUSES), (2, {"metrics": 1, "statuses": 1})),
    (filters.Filters(published_to=D(2024, 6, 30), include_undated=False), (2, {"published": 2})),
    (filters.Filters(text="营收"), (1, {"text": 1})),
]


@pytest.mark.parametrize("chosen,hidden", HIDDEN)
def test_the_page_can_say_how_many_claims_the_filters_hide_and_why(chosen, hidden):
    total, why = filters.hidden_by(TABLE, chosen)
    assert (total, why) == hidden
    assert total == TABLE.height - filters.filter_claims(TABLE, chosen).height


# ------------------------------------------------------------------------------------ one label table
LABELS = [
    (labels.ENTITIES, "baidu_cloud", "Baidu AI Cloud 百度智能云"),  # the lexicon's id, so Baidu gets its label
    (labels.ENTITIES, "alibaba_cloud", "Alibaba Cloud 阿里云"),
    (labels.METRICS, "adjusted_ebita_growth", "Adjusted EBITA growth 经调整EBITA增速"),
    (labels.METRICS, "ai_revenue_growth", "AI revenue growth AI收入增速"),  # every metric of the registry
    (labels.PRODUCTS, "external_revenue", "External revenue 外部客户收入"),
    (labels.PRODUCTS, "qwen-turbo", "Qwen-Turbo"),
    (labels.SOURCE_KINDS, "announcement", "Alibaba's results announcement 阿里巴巴业绩公告"),
    (labels.ENTITIES, "oracle_cloud", "oracle_cloud"),  # unknown ids shown as they are, never hidden
]


@pytest.mark.parametrize("table,key,label", LABELS)
def test_one_label_table_from_the_registries(table, key, label):
    assert labels.label(table, key) == label


def test_the_label_table_covers_every_registered_metric_entity_and_product():
    from extractors import metrics
    from extractors.recognize import lexicon

    assert set(labels.METRICS) == set(metrics.registry())
    assert set(labels.ENTITIES) == set(lexicon.entity_labels()) and set(labels.PRODUCTS) == set(lexicon.product_labels())


VALUES = [
    (26.61e8, "CNY", None, "26.61 亿元"), (1.008e11, "CNY", None, "1008 亿元"), (4e7, "count", None, "4000 万"),
    (6.0, "%", None, "6%"), (15.0, "%", 50.0, "15–50%"), (-2.0, "%", None, "-2%"), (0.0005, "CNY/1M tokens", None, "0.0005 元/百万tokens"),
    (None, "CNY", None, "—"),
]


@pytest.mark.parametrize("value,unit,high,text", VALUES)
def test_values_in_human_units_the_same_in_python_and_in_the_table(value, unit, high, text):
    assert labels.value_text(value, unit, high) == text
    frame = pl.DataFrame({"value": [value], "value_high": [high], "unit": [unit]}, schema={"value": pl.Float64, "value_high": pl.Float64, "unit": pl.String})
    assert frame.select(display.value_text().fill_null("—"))["value"][0] == text


# ------------------------------------------------------------------------------------ display columns
QUOTES = [
    ("阿里云2023財(cái)年第四季度收入185.82億元(27.06億美元)", "阿里云2023財年第四季度收入185.82億元(27.06億美元)"),
    ("亞馬遜AWS的營收增速僅從高點(diǎn)的約40%降至16%", "亞馬遜AWS的營收增速僅從高點的約40%降至16%"),
    ("更何況,年?duì)I收百億美元的阿里云", "更何況,年營收百億美元的阿里云"),  # mojibake repaired in the quote's script
    ("年?duì)I收百亿美元的阿里云", "年营收百亿美元的阿里云"),
    ("公有云(IaaS)市场份额超30%", "公有云(IaaS)市场份额超30%"),  # brackets that are not pinyin stay
    ("<script>alert(1)</script>营收增长6%", "<script>alert(1)</script>营收增长6%"),  # shown escaped later, never changed here
]


@pytest.mark.parametrize("quote,shown", QUOTES)
def test_quotes_are_shown_without_conversion_junk(quote, shown):
    out = display.with_display(_claims(quote=[quote], publisher=["智东西"]))
    assert out["quote_shown"][0] == shown and out["quote"][0] == quote  # the stored quote (and its spans) unchanged


def test_one_publisher_whatever_the_script_it_was_written_in():
    out = display.with_display(_claims(quote=["a", "b", "c"], publisher=["星船知造 (via 網易號)", "砺石商业评论 (via 网易号)", None]))
    assert out["publisher_label"].to_list() == ["星船知造 (via 网易号)", "砺石商业评论 (via 网易号)", None]
    assert filters.filter_claims(out, filters.Filters(publishers=("星船知造 (via 网易号)",))).height == 1


PERIODS = [("2023Q1", "quarter"), ("2023H2", "half"), ("2022", "year"), ("FY2023", "year"), ("2024-05", "month"), (None, None)]


@pytest.mark.parametrize("period,granularity", PERIODS)
def test_each_claim_knows_its_period_granularity(period, granularity):
    from extractors.calendar import period_bounds

    start, end = period_bounds(period) if period else (None, None)
    out = display.with_display(_claims(quote=["x"], period=[period], period_start=[start], period_end=[end]))
    assert out["granularity"][0] == granularity


def test_times_are_shown_local_to_the_minute():
    stamp = "2026-11-23T06:05:01.123456+00:00"
    expected = dt.datetime(2026, 11, 23, 6, 5, tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    assert display.local_time(stamp) == expected and display.local_time(None) == "—"


# ------------------------------------------------------------------------------------ fact-check lists
CHECKED = _claims(
    metric=["revenue_growth", "revenue", "market_share", "revenue_growth", "revenue", "revenue_growth"],
    quote=["a", "b", "c", "d", "e", "f"],
    review_status=["unreviewed", "unreviewed", "unreviewed", "unreviewed", "rejected", "unreviewed"],
).with_columns(
    verdict=pl.Series(["unverifiable", "unverifiable", None, "consistent", "unverifiable", "unverifiable"]),
    verdict_reason=pl.Series(["period unknown", "the sum over 2022 needs all four quarters: no reported revenue for 2022Q4",
                              "not checkable: the reference has no market_share figures", "matches", "period unknown",
                              "period unknown"]),
    metric_label=pl.lit("m"), entity_label=pl.lit("e"),
)


def test_unverifiable_claims_are_listed_by_why_the_largest_group_first():
    got = checks.unverifiable_claims(CHECKED)
    assert got.select("quote", "reason_group").rows() == [("a", "period_unknown"), ("f", "period_unknown"), ("b", "quarters_missing")]
    assert got["reason_label"][0] == "Period unknown 期间未知"  # rejected claim e is not counted


def test_claims_no_reference_can_check_are_counted_apart():
    assert checks.totals(CHECKED) == {"consistent": 1, "inconsistent": 0, "unverifiable": 3, "not_checkable": 1}


SOURCES = [
    ("https://stocktitan.net/news/BABA/alibaba-group-announces-june-quarter-2024-oar9xyv8z5p8.html",
     "Alibaba's results announcement 阿里巴巴业绩公告 — Stock Titan (Business Wire copy) · medium confidence 中等可信度",
     "Cloud Intelligence Group after DingTalk moved out (from 2024Q2) 云智能集团（钉钉剥离后）"),
    ("https://colamg.com/a/a-li-yun-zan-ting-lie-tu-feng-wang.html",  # not in the fixture's source_kinds.csv
     "Source not classified 来源未分类 · high confidence 高可信度",
     "Cloud Intelligence Group incl. revenue from Alibaba's subsidiaries (2023Q2–2024Q1) 云智能集团（含集团内部收入）"),
]


@pytest.mark.parametrize("url,source,basis", SOURCES)
def test_a_reported_figure_says_what_kind_of_source_how_sure_and_the_basis_in_words(url, source, basis):
    got = checks.with_reported_source(pl.DataFrame({"reported_source": [url]}), load_reference(REFERENCE)).row(0, named=True)
    assert (got["reported_source_label"], got["reported_basis_label"]) == (source, basis)


def test_every_filter_has_a_name_for_the_line_that_says_what_they_hide():
    everything = filters.Filters(metrics=("a",), entities=("a",), products=("a",), publishers=("a",),
                                 published_from=D(2024, 1, 1), statuses=("a",), text="a")
    assert set(filters.conditions(TABLE, everything)) == set(labels.FILTERS)
