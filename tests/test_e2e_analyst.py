"""The dashboard as an analyst uses it (issue 12), in Debian's chromium driven by Playwright against
`streamlit run` on the bundled corpus: one test per defect the issue lists, by number, and screenshots
of every page at 1024 and 1440 px in tests/artifacts/.

Each test opens its own browser context (its own cookies). Tests that change data (an upload, a review)
assert only what they added, so their order does not matter.
"""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import urllib.parse

import polars as pl
import pytest
from browser_app import ARTIFACTS, IDLE, ROOT, chromium, require_browser, served

pytestmark = pytest.mark.browser
# page -> what it shows once drawn (a screenshot waits for it)
PAGES = {"trends": ".claim_points_marks path", "claims": "[class*=st-key-claims_table] table", "conflicts": ".st-key-conflict_0 mark",
         "factcheck": "[data-testid=stVegaLiteChart] svg .mark-rect path", "review": ".st-key-source_panel_review mark",
         "sources": "[class*=st-key-docs_table] table"}
QUARTER = re.compile(r"^\d{4}Q[1-4]$")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    require_browser()
    with served(tmp_path_factory.mktemp("analyst")) as running:
        yield running


@pytest.fixture(scope="module")
def chrome():  # not `browser`: that name belongs to pytest-playwright's own fixtures
    with chromium() as b:
        yield b


def open_page(chrome, app, path: str, width: int = 1440):
    context = chrome.new_context(viewport={"width": width, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(app.url + path)
    page.locator(IDLE).wait_for()
    return page


def chart_facts(page) -> dict:
    """The first chart's SVG: its width, the x axis (plot) width, tick labels, axis descriptions."""
    page.locator("[data-testid='stVegaLiteChart'] svg .role-axis").first.wait_for(state="attached")
    return page.evaluate("""() => {
        const svg = document.querySelector('[data-testid=stVegaLiteChart] svg');
        const axes = [...svg.querySelectorAll('.role-axis')];
        const x = axes.find(a => (a.getAttribute('aria-label') || '').startsWith('X-axis'));
        const y = axes.find(a => (a.getAttribute('aria-label') || '').startsWith('Y-axis'));
        return {width: svg.getBoundingClientRect().width,
                plot: x.querySelector('.role-axis-domain line, .role-axis-domain path').getBoundingClientRect().width,
                ticks: [...x.querySelectorAll('.role-axis-label text')].map(t => t.textContent),
                x: x.getAttribute('aria-label'), y: y.getAttribute('aria-label'),
                texts: [...svg.querySelectorAll('text')].map(t => t.textContent)};
    }""")


def grid(page, key: str) -> list[dict]:
    """The cells of a st.dataframe (its accessible table: the columns on screen) as rows of {header: text};
    `key` is the table's key or its start (the review queue's changes with each decision)."""
    page.locator(f"[class*='st-key-{key}'] table").first.wait_for(state="attached")
    return page.evaluate("""(key) => {
        const t = document.querySelector(`[class*=st-key-${key}] table`);
        const heads = [...t.querySelectorAll('th')].map(h => h.textContent);
        return [...t.querySelectorAll('tr')].slice(1).map(r => Object.fromEntries([...r.querySelectorAll('td')]
            .map((c, i) => [heads[i + (heads.length - r.querySelectorAll('td').length)], c.textContent])));
    }""", key)


def wait_rows(page, key: str, n: int) -> list[dict]:
    """The table once it has n rows (a rerun redraws it a moment after the rest of the page)."""
    page.wait_for_function("([key, n]) => { const t = document.querySelector(`[class*=st-key-${key}] table`);"
                           " return t && t.querySelectorAll('tr').length === n + 1; }", arg=[key, n])
    return grid(page, key)


def headers(page, key: str) -> list[str]:
    return list(grid(page, key)[0])


# ------------------------------------------------------------------------------------ 2 and 4
def test_2_4_at_1024_px_the_plot_keeps_most_of_the_width_and_x_is_labelled_by_period(app, chrome):
    from playwright.sync_api import expect

    page = open_page(chrome, app, "/trends", 1024)
    expect(page.locator(".claim_points_marks path").first).to_be_attached()
    facts = chart_facts(page)
    assert facts["plot"] >= 0.6 * facts["width"], facts
    assert len(facts["ticks"]) >= 3 and all(QUARTER.match(t) for t in facts["ticks"]), facts["ticks"]
    expect(page.get_by_role("radio", name="Half-years 半年")).not_to_be_checked()  # half-year claims: one choice away
    page.screenshot(path=str(ARTIFACTS / "trends_1024_plot.png"))


# ------------------------------------------------------------------------------------ 3
def test_3_identical_claims_are_one_mark_that_opens_them_all_and_neighbours_are_spread(app, chrome):
    from playwright.sync_api import expect

    page = open_page(chrome, app, "/trends")
    twice = page.locator(".claim_points_marks path[aria-label*='Claims 条数: 2']").first  # 2023Q1 -2%, stated twice
    expect(twice).to_be_attached()
    twice.dispatch_event("click")
    expect(page.get_by_role("tab", name="Claim 数据 2")).to_be_visible()
    expect(page.locator(".st-key-source_panel_trends")).to_be_attached()
    expect(page.locator(".st-key-source_panel_trends_2")).to_be_attached()
    # 2024Q2: 6% growth of the whole cloud and 6% of external revenue, two series at one spot, each clickable
    xs = page.evaluate("""() => [...document.querySelectorAll('.claim_points_marks path')]
        .filter(p => p.getAttribute('aria-label').includes('Period 期间: 2024Q2') && p.getAttribute('aria-label').includes('Value 数值: 6%'))
        .map(p => p.getBoundingClientRect().x)""")
    assert len(xs) >= 2 and min(b - a for a, b in zip(sorted(xs), sorted(xs)[1:])) >= 6, xs


# ------------------------------------------------------------------------------------ 14
def test_14_zoom_and_pan_hide_a_series_from_its_legend_log_scale_and_markers(app, chrome):
    from playwright.sync_api import expect

    page = open_page(chrome, app, "/trends")
    expect(page.locator(".claim_points_marks path").first).to_be_attached()
    before = chart_facts(page)
    assert before["texts"].count("restated") == 3  # Alibaba's segment restatements: 2021Q2, 2023Q2, 2024Q2
    plot = page.locator("[data-testid='stVegaLiteChart'] svg .role-axis-domain").first.bounding_box()
    page.mouse.move(plot["x"] + plot["width"] / 2, plot["y"] - 100)
    page.mouse.wheel(0, -400)  # scroll up over the plot: zoom in on the time axis
    page.wait_for_function("(before) => document.querySelector('[data-testid=stVegaLiteChart] svg')"
                           ".querySelector('[aria-label^=\"X-axis\"]').getAttribute('aria-label') !== before", arg=before["x"])
    assert chart_facts(page)["x"] != before["x"]

    external = page.locator(".claim_points_marks path[aria-label*='External revenue']").first
    assert float(external.get_attribute("opacity")) > 0.3
    page.locator("[data-testid='stVegaLiteChart'] svg .role-legend-label text", has_text="External revenue").first.dispatch_event("click")
    expect(external).to_have_attribute("opacity", "0.06")  # hidden, and the legend keeps its entry to bring it back

    page.locator(".st-key-trend_metric").click()
    page.get_by_role("option", name="Revenue 营收", exact=True).click()
    page.get_by_text("Log scale 对数刻度").click()
    page.wait_for_function("() => (document.querySelector('[data-testid=stVegaLiteChart] svg [aria-label^=\"Y-axis\"]')"
                           ".getAttribute('aria-label') || '').includes('log scale')")


# ------------------------------------------------------------------------------------ 10
def test_10_a_link_restores_page_and_filters_and_the_root_opens_trends(app, chrome):
    from playwright.sync_api import expect

    page = open_page(chrome, app, "/claims?" + urllib.parse.urlencode([("metric", "revenue"), ("q", "营收")]))
    expect(page.get_by_role("heading", name="Claims 数据明细")).to_be_visible()
    expect(page.locator(".st-key-f_metric")).to_contain_text("Revenue 营收")
    expect(page.get_by_label("Search quotes 搜索原句")).to_have_value("营收")
    rows = grid(page, "claims_table")
    assert rows and {r["Metric 指标"] for r in rows} == {"Revenue 营收"}
    assert "metric=revenue" in page.url and "q=" in page.url

    page.goto(app.url + "/trends?tm=price_cut&gran=month&x=published")
    page.locator(IDLE).wait_for()
    expect(page.locator(".st-key-trend_metric").get_by_role("combobox")).to_have_value("Price cut 降价幅度")
    expect(page.get_by_role("radio", name="Months 月度")).to_be_checked()
    expect(page.get_by_role("radio", name="Published 发布日期")).to_be_checked()
    assert "Price cut" in " ".join(chart_facts(page)["texts"])

    page.goto(app.url + "/?q=" + urllib.parse.quote("阿里云"))
    expect(page.get_by_role("heading", name="Trends 趋势")).to_be_visible()
    assert urllib.parse.urlparse(page.url).path == "/trends" and "q=" in page.url


# ------------------------------------------------------------------------------------ 1
UPLOAD = ("---\ntitle: 阿里云季报速递\nsource: 测试财经\ndate: 2025-06-30\n---\n\n"
          "2025年第一季度，阿里云营收增长18%，达到301.27亿元。\n")


def test_1_an_upload_dated_after_the_filter_window_shows_on_claims_without_a_reload(app, chrome):
    from playwright.sync_api import expect

    page = open_page(chrome, app, "/claims")
    expect(page.get_by_text("The filters hide")).to_have_count(0)
    page.get_by_role("link", name="Sources 来源").click()
    page.get_by_text("Add articles 上传文章").click()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        files=[{"name": "季报速递.md", "mimeType": "text/markdown", "buffer": UPLOAD.encode()}])
    page.get_by_role("button", name="Add and extract 添加并提取").click()
    expect(page.get_by_text("季报速递.md →")).to_be_visible()
    page.get_by_role("link", name="Claims 数据明细").click()  # the same session: no reload
    expect(page.get_by_role("heading", name="Claims 数据明细")).to_be_visible()
    page.locator(IDLE).wait_for()  # typing into a page still rerunning is lost on a busy machine
    search = page.get_by_label("Search quotes 搜索原句")
    search.fill("301.27")
    search.press("Enter")
    hidden = page.get_by_text("The filters hide")
    expect(hidden).to_contain_text("(search 搜索")
    rows = wait_rows(page, "claims_table", 2)  # the new article's growth and revenue, dated after the old window
    assert sorted(r["Period 期间"] for r in rows) == ["2025Q1", "2025Q1"], rows
    assert "18%" in [r["Value 数值"] for r in rows] and all("301.27" in r["Quote 原句"] for r in rows), rows
    assert "published date" not in hidden.inner_text()  # the date window widened to the new article: only the search hides claims
    page.get_by_role("button", name="Clear filters 清除筛选").first.click()
    expect(page.get_by_text("The filters hide")).to_have_count(0)
    expect(search).to_have_value("")


# ------------------------------------------------------------------------------------ 5
def test_5_a_review_by_keyboard_names_the_claim_and_the_reviewer_is_kept_after_a_reload(app, chrome):
    from playwright.sync_api import expect

    page = open_page(chrome, app, "/review")
    name = page.get_by_label("Reviewer 审核人")
    name.fill("键盘审核员")
    name.press("Enter")
    panel = page.locator(".st-key-source_panel_review")
    expect(panel).to_be_visible()
    page.locator(IDLE).wait_for()
    first = grid(page, "review_queue")[0]  # the queue opens on its first claim
    value, metric = first["Value 数值"], first["Metric 指标"]
    expect(panel).to_contain_text(value)
    page.get_by_role("heading", name="Review 审核").click()  # keys go to the page, not to a text box
    page.keyboard.press("a")
    done = page.locator("[data-testid='stAlert']", has_text="Recorded 已记录: Accept 确认 —")
    expect(done).to_be_visible()
    assert metric in done.inner_text() and value in done.inner_text()
    panel.get_by_text("Correct 更正", exact=True).click()  # corrections pick entities and products from lists
    expect(panel.get_by_role("combobox", name="Entity 主体")).to_have_value(re.compile(r".+ .+"))  # a label, not a key
    page.reload()
    page.locator(IDLE).wait_for()
    expect(page.get_by_label("Reviewer 审核人")).to_have_value("键盘审核员")


# ------------------------------------------------------------------------------------ 6, 7, 8, 9, 11
def test_6_fact_check_lists_why_counts_the_uncheckable_apart_and_uses_human_units(app, chrome):
    from playwright.sync_api import expect

    page = open_page(chrome, app, "/factcheck")
    expect(page.get_by_text("not checkable 不可核查").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Period unknown 期间未知: \d+$"))).to_be_visible()
    text = page.locator("[data-testid='stMain']").inner_text()
    assert not re.search(r"\de[+-]\d", text)  # no 2.661e+09 anywhere
    rows = grid(page, "unverifiable_period_unknown")  # a small group is open from the start
    assert rows and all(r["Why 原因"] == "period unknown" for r in rows)


def test_7_the_reported_series_says_what_kind_of_source_how_sure_and_the_basis_in_words(app, chrome):
    from playwright.sync_api import expect

    page = open_page(chrome, app, "/trends")
    point = page.locator("[data-testid='stVegaLiteChart'] .mark-symbol path[aria-label*='Quarter 季度: 2024Q3']").first
    expect(point).to_be_attached()
    label = point.get_attribute("aria-label")
    assert "Source 来源: Alibaba's results announcement" in label and "Confidence 可信度: high confidence" in label
    assert "Segment basis 口径: Cloud Intelligence Group after DingTalk moved out" in label
    assert "cloud_intelligence_group_b4" not in label


def test_8_9_tables_put_the_evidence_first_in_words_and_quotes_without_conversion_junk(app, chrome):
    page = open_page(chrome, app, "/claims?q=" + urllib.parse.quote("收入185.82"), 1440)  # a sentence with pinyin junk
    shown = headers(page, "claims_table")
    assert {"Quote 原句", "Value 数值", "Verdict 核查", "Review 审核"} <= set(shown), shown  # on screen at 1440 px
    rows = grid(page, "claims_table")
    cells = [v for r in rows for v in r.values()]
    assert cells and "None" not in cells
    assert not any(re.search(r"\d{9,}|alibaba_cloud|count 个", c) for c in cells)  # no raw keys or base units
    quotes = [r["Quote 原句"] for r in rows]
    assert any("財年" in q for q in quotes) and not any(re.search(r"\((cái|diǎn|xù)\)|\?duì\)", q) for q in quotes)


def test_11_conflict_cards_give_the_gap_the_verdicts_the_reviews_and_mark_each_number(app, chrome):
    from playwright.sync_api import expect

    page = open_page(chrome, app, "/conflicts")
    card = page.locator(".st-key-conflict_0")
    expect(card).to_contain_text("224.1 亿元")
    expect(card).to_contain_text("Verdict 核查")
    expect(card).to_contain_text("Review 审核")
    assert card.locator("mark").count() >= 2


# ------------------------------------------------------------------------------------ 12 and the CLI export
def test_12_the_png_has_its_title_and_the_csv_is_what_cloudclaims_export_writes(app, chrome, tmp_path):
    from PIL import Image
    from playwright.sync_api import expect

    from dashboard.charts import png_text

    page = open_page(chrome, app, "/trends")
    page.locator("[data-testid='stVegaLiteChart']").first.hover()  # its toolbar shows; it offers no second download
    expect(page.get_by_role("button", name="Fullscreen").first).to_be_visible()
    expect(page.get_by_role("button", name="Download as PNG").filter(visible=True)).to_have_count(0)  # once styled
    with page.expect_download() as got:
        page.get_by_role("button", name="PNG", exact=True).click()
    png = open(got.value.path(), "rb").read()
    meta = png_text(png)
    assert meta["Title"] == "Revenue growth 营收增速 (%) · Quarters 季度" and "exported" in meta["Source"]
    image = Image.open(io.BytesIO(png)).convert("L")
    top = image.crop((0, 0, image.width // 2, 60))  # the title is drawn above the plot
    assert sum(top.histogram()[:100]) > 200  # dark pixels: the title text

    page = open_page(chrome, app, "/claims")
    with page.expect_download() as got:
        page.get_by_role("button", name="CSV (Excel)").click()
    assert re.fullmatch(r"cloudclaims_all_\d{8}-\d{4}\.csv", got.value.suggested_filename)
    downloaded = pl.read_csv(got.value.path(), infer_schema_length=None)
    out = tmp_path / "export.csv"
    subprocess.run([sys.executable, "-m", "extractors.run.cli", "export", "--out", str(out)], cwd=ROOT, check=True,
                   env={**os.environ, **app.env})
    exported = pl.read_csv(out, infer_schema_length=None)
    assert downloaded.columns == exported.columns and "verdict_reason" in exported.columns
    assert downloaded.sort("claim_id").equals(exported.sort("claim_id"))


# ------------------------------------------------------------------------------------ 13 and screenshots
def test_13_no_request_leaves_127_0_0_1_on_any_page_at_1024_and_1440_px(app, chrome):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    hosts: set[str] = set()
    for width in (1024, 1440):
        context = chrome.new_context(viewport={"width": width, "height": 2400})  # tall: the page scrolls inside the app

        def record(route):  # every request the page makes; anything not local is stopped and counted
            host = urllib.parse.urlparse(route.request.url).hostname or route.request.url
            hosts.add(host)
            route.continue_() if host == "127.0.0.1" else route.abort()

        context.route("**/*", record)
        page = context.new_page()
        page.set_default_timeout(30_000)
        for name, drawn in PAGES.items():
            page.goto(f"{app.url}/{name}")
            page.locator(IDLE).wait_for()
            page.locator(drawn).first.wait_for(state="attached")
            page.wait_for_function("() => !document.querySelector('[data-testid=stSkeleton]')")
            page.screenshot(path=str(ARTIFACTS / f"{name}_{width}.png"), full_page=True)
        context.close()
    assert hosts == {"127.0.0.1"}
