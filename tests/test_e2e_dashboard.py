"""The dashboard in a real browser: Debian's chromium driven by Playwright against `streamlit run`.

One scenario, as an analyst lives it: the trends chart renders (with Alibaba's reported line), a
click opens a claim's source, a review is recorded, the page is reloaded and the review is still
there; an article salted with <script> and <img onerror> shows literally and runs nothing.
Skipped when chromium is missing, unless CLOUDCLAIMS_REQUIRE_BROWSER=1 (CI), which makes it fail.
"""
from __future__ import annotations

import pytest
from browser_app import ARTIFACTS, IDLE, chromium, require_browser, served  # noqa: F401 (IDLE: test_e2e_hostile_text)

HOSTILE = (
    "---\ntitle: <script>alert('title')</script>阿里云观察\nsource: 测试<img src=x onerror=alert(3)>\n"
    "date: 2024-08-20\n---\n\n"
    "据财报，阿里云2024年第二季度营收增长<script>alert(1)</script>约7%，<img src=x onerror=alert(2)>市场份额超30%。\n"
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    require_browser()
    with served(tmp_path_factory.mktemp("e2e"), {"hostile.md": HOSTILE}) as app:
        yield app.url


@pytest.fixture(scope="module")
def chromium_browser():  # not `browser`: that name belongs to pytest-playwright's own fixtures
    with chromium() as b:
        yield b


def test_chart_source_review_and_reload_in_a_real_browser(app_url, chromium_browser):
    from playwright.sync_api import expect

    page = chromium_browser.new_page(viewport={"width": 1500, "height": 1400})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_default_timeout(20_000)
    page.goto(app_url)

    # The trends chart renders as a non-empty vega-embed SVG, with claims and Alibaba's reported line.
    chart = page.locator("[data-testid='stVegaLiteChart'] svg").first
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] > 200 and box["height"] > 200
    point = page.locator(".claim_points_marks path[aria-label*='最新季报中营收增长6%']").first
    expect(point).to_be_attached()
    assert page.locator(".claim_points_marks path").count() >= 4  # identical claims are one mark (issue 12)
    assert page.locator("[data-testid='stVegaLiteChart'] .mark-line path").count() >= 1  # reported series

    # A click opens the claim's source panel, with the number marked in its sentence.
    point.dispatch_event("click")  # on this very mark: another 6% claim (external revenue) sits on top of it
    panel = page.locator(".st-key-source_panel_trends")
    expect(panel).to_be_visible()
    expect(panel.locator("mark").first).to_contain_text("6%")

    # Record a review, then reload: a new session sees it on the chart and in the panel.
    page.get_by_label("Reviewer 审核人").fill("浏览器测试")
    page.get_by_label("Reviewer 审核人").press("Enter")
    page.locator(IDLE).wait_for()
    note = panel.get_by_label("Note 备注")
    note.fill("e2e: matches the 2024Q2 results")
    note.press("Enter")
    page.locator(IDLE).wait_for()
    panel.get_by_role("button", name="Record decision 记录审核").click()
    expect(page.get_by_text("已记录")).to_be_visible()

    page.reload()
    point = page.locator(".claim_points_marks path[aria-label*='最新季报中营收增长6%']").first
    expect(point).to_have_attribute("aria-label", _contains("Review 审核: accepted"))
    point.dispatch_event("click")
    expect(page.locator(".st-key-source_panel_trends")).to_contain_text("e2e: matches the 2024Q2 results")
    expect(page.locator(".st-key-source_panel_trends")).to_contain_text("accepted 已确认: 浏览器测试")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard_e2e.png"), full_page=True)

    # Hostile article text shows literally and runs nothing (issue 4).
    page.locator(".st-key-trend_metric").click()
    page.get_by_role("option", name="Market share 市场份额").click()
    hostile = page.locator(".claim_points_marks path[aria-label*='HYPERLINK'], .claim_points_marks path[aria-label*='script']").first
    hostile.dispatch_event("click")
    panel = page.locator(".st-key-source_panel_trends")
    expect(panel).to_contain_text("<script>alert(1)</script>")
    expect(panel).to_contain_text("<img src=x onerror=alert(2)>")
    assert page.locator("img[src='x']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "dashboard_e2e_hostile.png"), full_page=True)
    assert dialogs == []
    page.close()


def _contains(text: str):
    import re

    return re.compile(re.escape(text))
