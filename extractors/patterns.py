"""The one place the rules' patterns are compiled: by the standard library's `re` when it reads the pattern
(its calls cost several times less than the `regex` module's), else by `regex` (\\p{Han}, variable-length
lookbehind, POSIX leftmost-longest, partial and overlapped matching). Both read the patterns the rules use
the same way, so which engine runs a pattern changes no match (tests/test_patterns.py)."""
from __future__ import annotations

import os
import re
import warnings

import regex

# CLOUDCLAIMS_PATTERNS=regex compiles every pattern with the regex module: the reference path the
# differential tests compare the fast one against.
REGEX_ONLY = os.environ.get("CLOUDCLAIMS_PATTERNS") == "regex"
_REGEX_ONLY = ("(?p)", "(?V1)", "(?r)", "\\K", "\\p{", "\\P{", "\\X", "\\m", "\\M")


def compile(pattern: str, flags: int = 0, engine: str | None = None):
    """A compiled pattern; engine 'regex' forces the regex module (for partial or overlapped matching)."""
    if engine != "regex" and not REGEX_ONLY and not any(k in pattern for k in _REGEX_ONLY):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # a FutureWarning: a set operation re would read otherwise
                return re.compile(pattern, flags)
        except (re.error, FutureWarning, ValueError, OverflowError):
            pass
    return regex.compile(pattern, flags)
