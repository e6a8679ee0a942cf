"""Hostile text in a real browser, beyond the trends panel (tests/test_e2e_dashboard.py covers that one).

Reuses that module's fixtures: the bundled corpus plus an article whose title, publisher and body carry
<script> and <img src=x onerror=alert(...)>, served by `streamlit run` and driven with Debian's chromium.
Here: the Sources page shows that title and publisher literally in the table and in the document panel (the row is
found by its content, so more articles or another order change nothing),
and an upload whose file name and text are themselves hostile is reported literally. Nothing may run: no
dialog opens, no <img src=x> and no injected <script> exist in the page.
"""
from __future__ import annotations

import pytest
from test_e2e_dashboard import IDLE, app_url, chromium_browser  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

TITLE = "<script>alert('title')</script>阿里云观察"
PUBLISHER = "测试<img src=x onerror=alert(3)>"
UPLOAD_NAME = "<img src=x onerror=alert(4)>.md"
UPLOAD_TEXT = "<script>alert(5)</script>阿里云2024年第二季度营收同比增长6%。\n".encode()
ROW_PX = 35  # st.dataframe's row (and header) height


def _nothing_ran(page, dialogs: list[str]) -> None:
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("() => [...document.scripts].filter(s => s.textContent.includes('alert(')).length") == 0


def test_sources_page_shows_hostile_metadata_and_upload_names_literally(app_url, chromium_browser):  # noqa: F811
    from playwright.sync_api import expect

    page = chromium_browser.new_page(viewport={"width": 1500, "height": 1400})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_default_timeout(20_000)
    page.goto(f"{app_url}/sources")
    page.locator(IDLE).wait_for()

    # The document table is a canvas grid; its accessible twin (a hidden <table role=grid>) says which row holds
    # the hostile article, wherever it sorts: click that row's checkbox on the canvas.
    grid = page.locator(".st-key-docs_table [data-testid='stDataFrame']")
    expect(grid).to_be_visible()
    row = grid.locator("tr[role='row']", has=page.locator("td[role='gridcell']", has_text="hostile.md"))
    expect(row).to_have_count(1)
    index = int(row.get_attribute("aria-rowindex"))  # 1 is the header row
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + (index - 1) * ROW_PX + ROW_PX / 2)
    panel = page.locator(".st-key-doc_panel")
    expect(panel).to_contain_text(TITLE)
    expect(panel).to_contain_text(PUBLISHER)
    expect(panel).to_contain_text("hostile.md")
    _nothing_ran(page, dialogs)

    # Upload a file whose name and text are hostile: the result names it literally, and nothing runs.
    page.get_by_text("Add articles 上传文章").click()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": UPLOAD_NAME, "mimeType": "text/markdown", "buffer": UPLOAD_TEXT}])
    page.get_by_role("button", name="Add and extract 添加并提取").click()
    result = page.locator("[data-testid='stAlertContentSuccess']")
    expect(result).to_contain_text(f"{UPLOAD_NAME} →")
    expect(result).to_contain_text("img_src_x_onerror_alert_4.md: 1 claims")
    _nothing_ran(page, dialogs)
    page.close()
