"""The test session leaves the analyst's data alone (conftest.py): a guard that data/ is byte-identical at the
end, the settings every app and spawned process sees, and the guard's own check on a changed folder."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import DATA, ROOT, changes, snapshot

from dashboard import config

WRITTEN = ["claims", "reviews_db", "articles_dir", "uploads_dir", "reference"]


@pytest.mark.parametrize("attr", WRITTEN)
def test_no_setting_points_into_the_repo_during_tests(attr):
    path = getattr(config.settings(), attr)
    assert not path.is_relative_to(ROOT), path


def test_a_spawned_process_sees_the_same_settings():
    code = "from dashboard import config; print(config.settings().reviews_db)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == str(config.settings().reviews_db) and not out.strip().startswith(str(ROOT))


@pytest.mark.parametrize("change,expected", [
    (lambda d: (d / "a.txt").write_text("x2"), ["a.txt: changed"]),
    (lambda d: os.utime(d / "a.txt", ns=(1, 1)), ["a.txt: changed"]),  # touched: the same bytes, but touched
    (lambda d: (d / "reviews.sqlite-wal").write_bytes(b""), ["reviews.sqlite-wal: added"]),
    (lambda d: (d / "a.txt").unlink(), ["a.txt: removed"]),
    (lambda d: None, []),
])
def test_the_guard_sees_every_kind_of_change(tmp_path, change, expected):
    (tmp_path / "a.txt").write_text("x1")
    before = snapshot(tmp_path)
    change(tmp_path)
    assert changes(before, snapshot(tmp_path)) == expected


def test_data_is_untouched(pytestconfig):
    """Runs last (conftest moves it there): nothing in data/ changed, appeared or disappeared during the run."""
    assert changes(pytestconfig.data_before, snapshot(DATA)) == []
