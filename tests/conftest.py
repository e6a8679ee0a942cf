"""Shared fixtures, and a test session that cannot touch the analyst's own data.

- Before any test module is imported, every CLOUDCLAIMS_* path points into a temporary folder of this session
  (the articles and reference figures are copied there), so an app started by a test, or by a process a test
  spawns, never opens data/ by default. A test that needs other paths sets them with monkeypatch.
- Streamlit's AppTest leaves sys.modules["__main__"] pointing at dashboard/app.py; spawned processes
  (multiprocessing's "spawn" re-imports __main__) would then run the app. Each test gets the real one back.
- data/ is snapshotted (every file's bytes and mtime) when the session starts; test_data_is_untouched, moved to
  run last, and the end of the session check that nothing in it changed, appeared or disappeared.
- Hypothesis writes no example database into the repo; in CI (HYPOTHESIS_PROFILE=ci or CI set) it is
  derandomised, so a run is reproducible.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from extractors.text.documents import discover

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
ARTICLES = DATA / "articles"
N_ARTICLES = len(discover([ARTICLES]))  # counts follow the corpus: a sixth article breaks no test about the others

hypothesis_settings.register_profile("dev", database=None)
hypothesis_settings.register_profile("ci", database=None, derandomize=True, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under folder: (kind, size, mtime_ns, sha256 of the bytes) by relative path."""
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        if p.is_symlink():
            out[p.relative_to(folder).as_posix()] = ("link", os.readlink(p))
        elif p.is_file():
            digest = hashlib.sha256(p.read_bytes()).hexdigest()
            out[p.relative_to(folder).as_posix()] = ("file", st.st_size, st.st_mtime_ns, digest)
        else:
            out[p.relative_to(folder).as_posix()] = ("dir",)
    return out


def changes(before: dict, after: dict) -> list[str]:
    return sorted({f"{k}: {'added' if k not in before else 'removed' if k not in after else 'changed'}"
                   for k in set(before) | set(after) if before.get(k) != after.get(k)})


def pytest_configure(config):
    config.data_before = snapshot(DATA)
    session = Path(tempfile.mkdtemp(prefix="cloudclaims-tests-"))
    config.session_dir = session
    shutil.copytree(ARTICLES, session / "articles", ignore=shutil.ignore_patterns("uploads"))
    shutil.copytree(DATA / "reference", session / "reference")
    os.environ.update({
        "CLOUDCLAIMS_CLAIMS": str(session / "claims.parquet"),
        "CLOUDCLAIMS_REVIEWS_DB": str(session / "reviews.sqlite"),
        "CLOUDCLAIMS_ARTICLES_DIR": str(session / "articles"),
        "CLOUDCLAIMS_UPLOADS_DIR": str(session / "articles" / "uploads"),
        "CLOUDCLAIMS_REFERENCE": str(session / "reference" / "alibaba_cloud_reported.csv"),
    })


def pytest_unconfigure(config):
    shutil.rmtree(getattr(config, "session_dir", ""), ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    last = [i for i in items if i.name == "test_data_is_untouched"]
    items[:] = [i for i in items if i not in last] + last


def pytest_sessionfinish(session, exitstatus):
    """Also catches what session fixtures' teardown (a server, a pool) wrote after the last test."""
    changed = changes(session.config.data_before, snapshot(DATA))
    if changed:
        print(f"\nERROR: the test session changed {DATA}: " + "; ".join(changed), file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _real_main_module():
    main = sys.modules.get("__main__")
    yield
    if sys.modules.get("__main__") is not main:
        sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def corpus_tables():
    """(claims, documents) for the bundled corpus, extracted without any cache."""
    from extractors.run import batch

    return batch.extract([ARTICLES], jobs=1, cache_dir=None)
