"""A pattern as Python's `re` reads it, spelled so that PCRE2 (32-bit, non-UTF, UCP) reads it the same way.

Only patterns that `re` itself accepts are taken (\\p{Han} spelled out first, as extractors.patterns does);
anything else raises Unsupported and the caller keeps the Python engine. The differences mended here:
\\uXXXX and \\N{...} escapes, \\Z (PCRE2's \\z), {,n} (PCRE2 reads it as text) and \\s, which Python's str
patterns read as str.isspace() (U+001C-U+001F and U+0085 too) and PCRE2 as Unicode spaces only.
tests/test_native_regex.py checks the character classes against Python over every code point.
"""
from __future__ import annotations

import re
import unicodedata
import warnings

from extractors import patterns


class Unsupported(ValueError):
    """PCRE2 cannot be made to read this pattern exactly as Python does."""


# No character past U+3000 is a space to Python (tests/test_native_regex.py reads \\s over every code point):
# scanning only that far saves every process most of a second at import.
_LAST_SPACE = 0x3000


def _spaces() -> str:
    runs, start = [], None
    for c in range(_LAST_SPACE + 2):
        inside = c <= _LAST_SPACE and chr(c).isspace()
        if inside and start is None:
            start = c
        elif not inside and start is not None:
            runs.append(f"\\x{{{start:x}}}" + (f"-\\x{{{c - 1:x}}}" if c - 1 > start else ""))
            start = None
    return "".join(runs)


SPACES = _spaces()
_SPACE_CHARS = [chr(c) for c in range(_LAST_SPACE + 1) if chr(c).isspace()]
# The flags PCRE2 is given for each re flag (PCRE2's option bits, as pcre2.h defines them).
PCRE2_CASELESS, PCRE2_MULTILINE, PCRE2_DOTALL, PCRE2_EXTENDED = 0x8, 0x400, 0x20, 0x80
_OPTIONS = {re.I: PCRE2_CASELESS, re.M: PCRE2_MULTILINE, re.S: PCRE2_DOTALL, re.X: PCRE2_EXTENDED}


def python_pattern(pattern: str, flags: int = 0) -> re.Pattern:
    """The pattern as Python's re compiles it (\\p{Han} spelled out); Unsupported if re cannot."""
    spelled, re_flags = _spelled(pattern, flags)
    return _re_compiled(spelled, re_flags, pattern)


def checked(pattern: str, flags: int = 0) -> tuple[str, re.Pattern]:
    """The pattern as re reads it (\\p{Han} spelled out), and re's compile of it with each spelled-out Han
    class cut to one of its characters: the same flags, groups and errors (only a class's members differ),
    without re's class optimiser stepping through 28,000 code points in Python for each, which cost a
    third of a second in every process. Unsupported if re cannot read it."""
    spelled, re_flags = _spelled(pattern, flags)
    return spelled, _re_compiled(spelled.replace(patterns.HAN_CLASS, patterns.HAN_CLASS[0]), re_flags, pattern)


def _spelled(pattern: str, flags: int) -> tuple[str, int]:
    re_flags = patterns._re_flags(int(flags) & ~int(re.UNICODE))  # str patterns are Unicode anyway
    spelled = patterns._han_spelled_out(pattern) if "\\p{" in pattern or "\\P{" in pattern else pattern
    if re_flags is None or spelled is None or any(k in spelled for k in patterns._REGEX_ONLY):
        raise Unsupported(f"only the regex module reads {pattern!r}")
    return spelled, re_flags


def _re_compiled(text: str, re_flags: int, pattern: str) -> re.Pattern:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return re.compile(text, re_flags)
    except (re.error, FutureWarning, ValueError, OverflowError) as e:
        raise Unsupported(f"re does not read {pattern!r}: {e}") from None


def _escape(text: str, in_class: bool) -> str:
    """The PCRE2 spelling of an escape (a piece of patterns.pieces)."""
    nxt = text[1:2]
    if nxt in ("u", "U"):
        return f"\\x{{{text[2:]}}}"
    if nxt == "N":
        return f"\\x{{{ord(unicodedata.lookup(text[3:-1])):x}}}"
    if nxt == "Z" and not in_class:
        return "\\z"
    if nxt == "s":
        return SPACES if in_class else f"[{SPACES}]"
    if nxt == "S" and not in_class:
        return f"[^{SPACES}]"
    if nxt == "0" or (nxt.isdigit() and in_class):
        raise Unsupported(f"octal escape {text!r}")
    return text


def _class(opening: str, members: list[str], src: str) -> str:
    """The class of that opening piece and member pieces, as PCRE2 reads it. A class with \\S in it is worked out
    as a set: PCRE2 has no set difference to say [^\\S\\n] with, and a lookahead per character would cost a stack
    frame each."""
    negated = opening.startswith("[^")
    python_items = ["]"] if opening.endswith("]") else []
    items = ["\\]"] if python_items else []
    not_space = False
    for text in members:
        if text == "\\S":
            not_space = True
        elif text[:1] == "\\":
            python_items.append(text)
            items.append(_escape(text, True))
        else:
            python_items.append(text)
            items.append("\\[" if text == "[" else text)
    if not not_space:
        return ("[^" if negated else "[") + "".join(items) + "]"
    if any(len(p) > 1 and p[1] not in "sdwtnrfv\\" for p in python_items) or "-" in python_items:
        raise Unsupported(f"\\S beside a range or an escape in a class of {src!r}")
    others = re.compile("[" + "".join(python_items) + "]") if python_items else None
    # the spaces that are not one of the items: what [^\S...] holds, and what [...\S] leaves out
    keep = [c for c in _SPACE_CHARS if others is None or not others.match(c)]
    spelled = "".join(f"\\x{{{ord(c):x}}}" for c in keep)
    if negated:
        return f"[{spelled}]" if keep else "(?!)"
    return f"[^{spelled}]" if keep else "[\\s\\S]"


def to_pcre2(pattern: str, flags: int = 0) -> tuple[str, int]:
    """(the PCRE2 spelling, PCRE2 option bits) of a pattern re reads."""
    src, compiled = checked(pattern, flags)
    options = 0
    for flag, bit in _OPTIONS.items():
        if compiled.flags & flag:
            options |= bit
    if compiled.flags & re.I:
        raise Unsupported("case-insensitive matching folds differently in PCRE2")  # none of the rules need it
    if compiled.flags & re.X:
        raise Unsupported("verbose patterns are not translated")  # none of the rules are written so
    out: list[str] = []
    opening, members, skip_to = None, [], 0
    for start, text, kind, in_class in patterns.pieces(src):
        if start < skip_to:
            continue
        if kind == "open":
            opening, members = text, []
        elif kind == "close":
            out.append(_class(opening, members, src))
            opening = None
        elif in_class:
            members.append(text)
        elif kind == "escape":
            out.append(_escape(text, False))
        elif text == "{" and src[start + 1 : start + 2] == "," and src[start + 2 : src.find("}", start)].isdigit():
            skip_to = src.find("}", start) + 1  # {,n}: PCRE2 10.42 reads it as text
            out.append("{0," + src[start + 2 : skip_to - 1] + "}")
        else:
            out.append(text)
    if opening is not None:
        raise Unsupported(f"unterminated class in {src!r}")
    return "".join(out), options
