"""What the native kernels' tests share: skip (or, in CI, fail) when a kernel is not built."""
from __future__ import annotations

import os

import pytest

from extractors import native


def require_kernel(name: str) -> None:
    """Call at module level: the test module needs extractors.native.<name>."""
    if native.kernel(name) is None:
        why = f"the native kernel {name!r} is not built (`cloudclaims core build`)"
        if os.environ.get("CLOUDCLAIMS_REQUIRE_COMPILED") == "1":
            pytest.fail(why, pytrace=False)
        pytest.skip(why, allow_module_level=True)
