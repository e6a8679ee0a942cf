"""The dashboard in a real browser: Debian's chromium driven by Playwright against `streamlit run`.

One scenario, as an analyst lives it: the trends chart renders (with Alibaba's reported line), a
click opens a claim's source, a review is recorded, the page is reloaded and the review is still
there; an article salted with <script> and <img onerror> shows literally and runs nothing.
Skipped when chromium is missing, unless CLOUDCLAIMS_REQUIRE_BROWSER=1 (CI), which makes it fail.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from extractors.run import cli

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium")
HOSTILE = (
    "---\ntitle: <script>alert('title')</script>阿里云观察\nsource: 测试<img src=x onerror=alert(3)>\n"
    "date: 2024-08-20\n---\n\n"
    "据财报，阿里云2024年第二季度营收增长<script>alert(1)</script>约7%，<img src=x onerror=alert(2)>市场份额超30%。\n"
)
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"

pytestmark = pytest.mark.browser


def _require_browser() -> str:
    if CHROMIUM:
        return CHROMIUM
    if os.environ.get("CLOUDCLAIMS_REQUIRE_BROWSER") == "1":
        pytest.fail("chromium is not installed but CLOUDCLAIMS_REQUIRE_BROWSER=1: apt-get install -y chromium fonts-wqy-microhei")
    pytest.skip("chromium is not installed (apt-get install -y chromium fonts-wqy-microhei)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    _require_browser()
    tmp = tmp_path_factory.mktemp("e2e")
    articles = tmp / "articles"
    shutil.copytree(ROOT / "data" / "articles", articles, ignore=shutil.ignore_patterns("uploads"))
    (articles / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    claims = tmp / "claims.parquet"
    assert cli.main(["extract", str(articles), "--out", str(claims), "--no-cache"]) == 0
    port = _free_port()
    env = {**os.environ, "CLOUDCLAIMS_CLAIMS": str(claims), "CLOUDCLAIMS_REVIEWS_DB": str(tmp / "reviews.sqlite"),
           "CLOUDCLAIMS_ARTICLES_DIR": str(articles)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        env=env, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start: {proc.stdout.read().decode(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def chromium_browser():  # not `browser`: that name belongs to pytest-playwright's own fixtures
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_require_browser(), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


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
