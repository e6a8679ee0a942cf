"""Differential: the compiled core (extractors/compiled.py) gives the rows of its own Python source, one for
one, on the bundled, held-out and dev-set articles, the synthetic bench corpus, the hostile corpus and
Hypothesis-made text; and a build is run only when it was made from the source beside it.

Skipped when the core was not built (no C compiler), unless CLOUDCLAIMS_REQUIRE_COMPILED=1 (CI)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import compiled
from tests import row_dump
from tests.text_strategies import texts


@pytest.fixture(scope="module", autouse=True)
def built():
    now = compiled.status()
    if sorted(now["compiled"]) != sorted(compiled.MODULES) or not compiled.native_status()["ok"]:
        why = f"the compiled core or its native kernels are not built or are stale ({now}); run `cloudclaims core build`"
        if os.environ.get("CLOUDCLAIMS_REQUIRE_COMPILED") == "1":
            pytest.fail(why)
        pytest.skip(why)


def _agree(files: list[str]) -> dict:
    fast, reference = row_dump.rows(files), row_dump.rows(files, pure_python="1")
    assert sorted(fast["compiled"]) == sorted(compiled.MODULES) and reference["compiled"] == []
    assert reference["native"] == [] and (fast["native"] or not compiled.native_status()["ok"])
    assert fast["files"] == reference["files"]
    return reference["files"]


def test_the_articles_give_the_rows_of_the_python_source():
    rows = _agree(row_dump.corpus())
    assert sum(len(v) - 1 for v in rows.values()) > 300  # the corpus holds claims to compare


def test_the_bench_corpus_gives_the_rows_of_the_python_source(tmp_path):
    subprocess.run([sys.executable, str(row_dump.ROOT / "bench" / "corpus.py"), str(tmp_path), "-n", "150"], check=True,
                   capture_output=True)
    rows = _agree(sorted(str(p) for p in tmp_path.rglob("*.*")))
    assert len(rows) >= 150


def test_hostile_files_give_the_rows_of_the_python_source(tmp_path):
    rows = _agree(row_dump.hostile_files(tmp_path))
    assert any(v[0] for v in rows.values()) and any(len(v) > 1 for v in rows.values())  # errors and claims both


@settings(deadline=None, max_examples=3, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(texts, min_size=100, max_size=100))
def test_generated_texts_give_the_rows_of_the_python_source(tmp_path, generated):
    _agree(row_dump.generated_files(tmp_path, generated))


IMPORTS = "import extractors.tokens as t, extractors.grammar as g; print(t.__file__); print(g.__file__)"


def _imported(root, **env) -> tuple[list[str], str]:
    done = subprocess.run([sys.executable, "-c", IMPORTS], cwd=root, capture_output=True, text=True, check=True,
                          env={**{k: v for k, v in os.environ.items() if k != compiled.PURE_ENV}, **env})
    return done.stdout.split(), done.stderr


def test_a_build_from_other_source_is_not_run(tmp_path):
    shutil.copytree(compiled.PACKAGE, tmp_path / "extractors")
    assert [f.endswith(".so") for f in _imported(tmp_path)[0]] == [True, True]
    with open(tmp_path / "extractors" / "tokens.py", "a", encoding="utf-8") as f:
        f.write("\nEDITED = True\n")  # a change the build has not seen
    files, stderr = _imported(tmp_path)
    assert files[0].endswith("tokens.py") and files[1].endswith(".so")
    assert "extractors.tokens was built from another version of tokens.py" in stderr


def test_the_python_source_runs_when_asked():
    files, _ = _imported(row_dump.ROOT, **{compiled.PURE_ENV: "1"})
    assert all(f.endswith(".py") for f in files)


KERNEL = "from extractors import native; print(native.kernel('normalize') is not None)"


def test_a_kernel_built_from_other_source_is_not_run(tmp_path):
    shutil.copytree(compiled.PACKAGE, tmp_path / "extractors")
    run = lambda: subprocess.run([sys.executable, "-c", KERNEL], cwd=tmp_path, capture_output=True, text=True,  # noqa: E731
                                 check=True, env={k: v for k, v in os.environ.items() if k != compiled.PURE_ENV})
    assert run().stdout.split() == ["True"]
    with open(tmp_path / "extractors" / "native" / "normalize.pyx", "a", encoding="utf-8") as f:
        f.write("\n# edited\n")  # a change the build has not seen
    done = run()
    assert done.stdout.split() == ["False"]
    assert re.search(r"the native kernels (\w+, )*normalize(, \w+)* were built from other sources", done.stderr)


def test_the_kernels_are_off_when_asked():
    done = subprocess.run([sys.executable, "-c", KERNEL], cwd=row_dump.ROOT, capture_output=True, text=True,
                          check=True, env={**os.environ, "CLOUDCLAIMS_NATIVE": "0"})
    assert done.stdout.split() == ["False"]
