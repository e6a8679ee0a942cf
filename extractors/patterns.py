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

# The code points the regex module reads as \p{Han} (its Unicode data; tests/test_patterns.py checks
# them against it), so that a pattern that says \p{Han} can run on re too.
HAN_RANGES = ((0x2E80, 0x2E99), (0x2E9B, 0x2EF3), (0x2F00, 0x2FD5), (0x3005, 0x3005), (0x3007, 0x3007),
              (0x3021, 0x3029), (0x3038, 0x303B), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFA6D),
              (0xFA70, 0xFAD9), (0x16FE2, 0x16FE3), (0x16FF0, 0x16FF6), (0x20000, 0x2A6DF), (0x2A700, 0x2B81E),
              (0x2B820, 0x2CEAD), (0x2CEB0, 0x2EBE0), (0x2EBF0, 0x2EE5D), (0x2F800, 0x2FA1D), (0x30000, 0x3134A),
              (0x31350, 0x33479))
HAN_CLASS = "".join(f"{chr(a)}-{chr(b)}" if a < b else chr(a) for a, b in HAN_RANGES)  # \\p{Han} in a class


_HEX = frozenset("0123456789abcdefABCDEF")
_NAME = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -")


def _escape_end(pattern: str, i: int) -> int:
    """The end of the escape at pattern[i] (a backslash): \\p{..} and \\P{..} to their brace (or the end), \\uXXXX,
    \\UXXXXXXXX and \\N{NAME} whole when well formed, any other escape two characters."""
    nxt = pattern[i + 1 : i + 2]
    if nxt in ("p", "P") and pattern[i + 2 : i + 3] == "{":
        close = pattern.find("}", i)
        return len(pattern) if close < 0 else close + 1
    width = {"u": 4, "U": 8}.get(nxt, 0)
    if width and len(pattern) >= i + 2 + width and all(c in _HEX for c in pattern[i + 2 : i + 2 + width]):
        return i + 2 + width
    if nxt == "N" and pattern[i + 2 : i + 3] == "{":
        close = pattern.find("}", i)
        if close > i + 3 and all(c in _NAME for c in pattern[i + 3 : close]):
            return close + 1
    return i + 2


def pieces(pattern: str):
    """The pattern read as regex syntax, piece by piece: (start, text, kind, in_class), kind "escape" (a backslash
    and what it escapes), "open" (a class's "[" with its "^" and a "]" first in it, which is a member), "close" (the
    class's "]") or "char" (any other character); in_class: the piece is part of a character class. The one
    walker the pattern rewrites (\\p{Han} spelled out here, the PCRE2 and regex-module dialects) share."""
    i, n, in_class = 0, len(pattern), False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            end = _escape_end(pattern, i)
            yield i, pattern[i:end], "escape", in_class
            i = end
        elif ch == "[" and not in_class:
            end = i + 1
            end += pattern[end : end + 1] == "^"
            end += pattern[end : end + 1] == "]"
            yield i, pattern[i:end], "open", True
            in_class, i = True, end
        elif ch == "]" and in_class:
            yield i, ch, "close", True
            in_class, i = False, i + 1
        else:
            yield i, ch, "char", in_class
            i += 1


def _han_spelled_out(pattern: str) -> str | None:
    r"""The pattern with \p{Han} (and \P{Han} outside a class) as explicit ranges, or None if it cannot be."""
    out = []
    for _, text, kind, in_class in pieces(pattern):
        if kind == "escape" and text[:3] in ("\\p{", "\\P{"):
            if text == "\\p{Han}":
                text = HAN_CLASS if in_class else f"[{HAN_CLASS}]"
            elif text == "\\P{Han}" and not in_class:
                text = f"[^{HAN_CLASS}]"
            else:
                return None
        out.append(text)
    return "".join(out)


# Flags both modules spell alike; regex.V0 (its default: re's behaviour) is dropped for re; any other
# regex-only flag (V1, POSIX, ...) keeps the pattern on regex.
_SHARED_FLAGS = {int(regex.I): re.I, int(regex.M): re.M, int(regex.S): re.S, int(regex.X): re.X}


def _re_flags(flags: int) -> int | None:
    flags = int(flags) & ~int(regex.V0)
    out = 0
    for bit, flag in _SHARED_FLAGS.items():
        if flags & bit:
            out |= flag
            flags &= ~bit
    return None if flags else out


def for_re(pattern: str, flags: int = 0, engine: str | None = None) -> str | None:
    """The pattern as compile() hands it to re (\\p{Han} spelled out), or None when it goes to regex straight away;
    re may still refuse it, and compile() then uses regex."""
    if _re_flags(flags) is None or engine == "regex" or REGEX_ONLY:
        return None
    if "\\p{Han}" in pattern or "\\P{Han}" in pattern:
        pattern = _han_spelled_out(pattern) or pattern
    return None if any(k in pattern for k in _REGEX_ONLY) else pattern


def compile(pattern: str, flags: int = 0, engine: str | None = None):
    """A compiled pattern; engine 'regex' forces the regex module (for partial or overlapped matching)."""
    pattern_for_re = for_re(pattern, flags, engine)
    if pattern_for_re is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # a FutureWarning: a set operation re would read otherwise
                return re.compile(pattern_for_re, _re_flags(flags))
        except (re.error, FutureWarning, ValueError, OverflowError):
            pass
    return regex.compile(pattern, flags)
