"""The native kernels: typed Cython compiled as C++, with PCRE2 as the regex engine (regex32.pyx).

Each kernel does one stage's work for the Python module that owns it; that module's own code stays the
reference, which CLOUDCLAIMS_PURE_PYTHON=1 (everything from source) or CLOUDCLAIMS_NATIVE=0 (the Cython
core without kernels) runs instead, and the differential tests compare the two. `cloudclaims core build`
builds them when PCRE2's headers are there (Debian: libpcre2-dev); without them the Python code runs.
"""
from __future__ import annotations

import importlib
import os

from extractors import compiled

_loaded: dict[str, object] = {}


def enabled() -> bool:
    if os.environ.get(compiled.PURE_ENV) or os.environ.get("CLOUDCLAIMS_NATIVE") == "0":
        return False
    return compiled.native_status()["ok"]


def kernel(name: str):
    """The built kernel extractors.native.<name>, or None (not built, stale, or switched off)."""
    if name not in _loaded:
        _loaded[name] = importlib.import_module(f"extractors.native.{name}") if enabled() and \
            name in compiled.native_status()["kernels"] else None
    return _loaded[name]
