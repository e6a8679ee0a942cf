"""A served dashboard and Debian's chromium for browser tests: the bundled corpus copied to a tmp dir,
extracted by the real `cloudclaims extract`, served by `streamlit run` on a free port of 127.0.0.1.

Skipped when chromium is missing, unless CLOUDCLAIMS_REQUIRE_BROWSER=1 (CI), which makes it fail.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def require_browser() -> str:
    chromium = shutil.which("chromium")
    if chromium:
        return chromium
    if os.environ.get("CLOUDCLAIMS_REQUIRE_BROWSER") == "1":
        pytest.fail("chromium is not installed but CLOUDCLAIMS_REQUIRE_BROWSER=1: apt-get install -y chromium fonts-wqy-microhei")
    pytest.skip("chromium is not installed (apt-get install -y chromium fonts-wqy-microhei)")


@dataclass(frozen=True)
class App:
    url: str
    env: dict[str, str]  # the CLOUDCLAIMS_* settings the server runs with
    root: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(root: Path, extra: dict[str, str] | None = None):
    """The bundled corpus under `root` (plus `extra` articles, name -> text), extracted, and the app
    serving it; yields an App."""
    from extractors.run import cli

    articles = root / "articles"
    shutil.copytree(ROOT / "data" / "articles", articles, ignore=shutil.ignore_patterns("uploads"))
    for name, text in (extra or {}).items():
        (articles / name).write_text(text, encoding="utf-8")
    claims = root / "claims.parquet"
    assert cli.main(["extract", str(articles), "--out", str(claims), "--no-cache"]) == 0
    env = {"CLOUDCLAIMS_CLAIMS": str(claims), "CLOUDCLAIMS_REVIEWS_DB": str(root / "reviews.sqlite"),
           "CLOUDCLAIMS_ARTICLES_DIR": str(articles)}
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,  # ROOT: .streamlit/config.toml
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
        yield App(url, env, root)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import expect, sync_playwright

    # How long `expect` waits for the page (not a timed assertion: a bound on waiting). Playwright's 5 s is
    # too short for a rerun on 2 cores that other jobs share.
    expect.set_options(timeout=30_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_browser(), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            yield browser
        finally:
            browser.close()
