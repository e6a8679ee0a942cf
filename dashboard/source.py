"""A claim's source: the article text around its span, rendered escaped, and a safe link.

Article text is hostile input (issue 4): everything here escapes it with html.escape before it
goes anywhere near HTML, and only http(s) URLs become links.
"""
from __future__ import annotations

import functools
import hashlib
import html
import string
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import polars as pl

CONTEXT_CHARS = 200


@dataclass(frozen=True)
class Article:
    text: str
    path: Path
    changed: bool  # the file's bytes no longer hash to the doc_id the claim was extracted from


def find_article(doc_path: str | None, articles_dir: Path) -> Path | None:
    """The file as recorded, else the same name under the articles dir (tables move between machines)."""
    if not doc_path:
        return None
    p = Path(doc_path)
    for candidate in (p, articles_dir / p, articles_dir / p.name, articles_dir / "uploads" / p.name):
        if candidate.is_file():
            return candidate
    return None


def read_article(path: Path, encoding: str | None, doc_id: str | None) -> Article:
    raw = path.read_bytes()
    changed = doc_id is not None and hashlib.sha256(raw).hexdigest()[:16] != doc_id
    return Article(raw.decode(encoding or "utf-8", errors="replace"), path, changed)


@functools.lru_cache(maxsize=256)
def _text(path: str, mtime_ns: int, encoding: str | None) -> str:
    return Path(path).read_bytes().decode(encoding or "utf-8", errors="replace")


def number_as_written(claim: dict, articles_dir: Path, encoding: str | None = None) -> str:
    """The claim's number as its article writes it (raw[span_start:span_end]), or "" when the file is gone."""
    path = find_article(claim.get("doc_path"), articles_dir)
    if path is None:
        return ""
    text = _text(str(path), path.stat().st_mtime_ns, encoding)
    return text[claim["span_start"]:claim["span_end"]]


@dataclass(frozen=True)
class Snippet:
    before: str
    number: str
    after: str
    clipped_start: bool
    clipped_end: bool


def snippet(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> Snippet:
    """The span with about `width` characters either side, clamped to the text."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    lo, hi = max(0, start - width), min(len(text), end + width)
    return Snippet(text[lo:start], text[start:end], text[end:hi], lo > 0, hi < len(text))


def cleaned(s: Snippet) -> Snippet:
    """The context without conversion junk (bracketed pinyin, mojibake) on either side of the number,
    which stays exactly as written at its span."""
    from extractors.text.normalize import clean_for_display

    return Snippet(clean_for_display(s.before), s.number, clean_for_display(s.after), s.clipped_start, s.clipped_end)


def snippet_html(s: Snippet) -> str:
    """Escaped context with the number marked. The only markup is ours."""
    return (
        '<div style="white-space: pre-wrap; line-height: 1.7">'
        + ("… " if s.clipped_start else "")
        + html.escape(s.before)
        + '<mark style="background: #ffd54f; color: #111; font-weight: 600">'
        + html.escape(s.number)
        + "</mark>"
        + html.escape(s.after)
        + (" …" if s.clipped_end else "")
        + "</div>"
    )


def quote_html(quote: str, number: str) -> str:
    """The claim's sentence, escaped, with the number as written marked where it occurs."""
    i = quote.find(number) if number else -1
    if i < 0:
        return f'<div style="font-size: 1.1em">{html.escape(quote)}</div>'
    return snippet_html(Snippet(quote[:i], number, quote[i + len(number):], False, False)).replace(
        "line-height: 1.7", "line-height: 1.7; font-size: 1.1em"
    )


def text_html(text: str | None) -> str:
    """Any article-derived string (title, publisher, quote) as escaped HTML."""
    return f"<div>{html.escape(text or '—')}</div>"


_MD_SPECIAL = set(string.punctuation)


def md_escape(text: str | None) -> str:
    """Text (a file name, an error naming one) for Streamlit's markdown messages, shown literally:
    every ASCII punctuation mark backslash-escaped (CommonMark), so no formatting, link, :directive:
    or $math$ can come from data, and newlines cannot start a new block."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in (text or "")).replace("\n", " ")


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s) with a host; None for javascript:, data:, relative or garbage."""
    if not url:
        return None
    try:
        parts = urlparse(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def safe_url_expr(col: str) -> pl.Expr:
    """safe_url over a column of links shown in a table (documents, reference rows: a few hundred)."""
    return pl.col(col).map_elements(safe_url, return_dtype=pl.String, skip_nulls=True)


def table_html(rows: list[tuple[str, str | None, str | None]]) -> str:
    """(label, value, where it came from) rows as an escaped two-column table of document metadata."""
    cells = "".join(
        f'<tr><th style="text-align: left; padding-right: 1em; white-space: nowrap">{html.escape(label)}</th>'
        f'<td style="overflow-wrap: anywhere">{html.escape(value or "—")}'
        + (f' <span style="color: #888">({html.escape(origin)})</span>' if origin else "")
        + "</td></tr>"
        for label, value, origin in rows
    )
    return f'<table style="border-collapse: collapse; font-size: 0.9em">{cells}</table>'


def facts_html(pairs: list[tuple[str, str]], size: str = "1.5em") -> str:
    """A row of labelled values (value, qualifier, period…), escaped, compact enough for long labels."""
    cells = "".join(
        f'<div style="margin-right: 2.5em"><div style="color: #888; font-size: 0.85em">{html.escape(label)}</div>'
        f'<div style="font-size: {size}; font-weight: 600">{html.escape(value or "—")}</div></div>'
        for label, value in pairs
    )
    return f'<div style="display: flex; flex-wrap: wrap">{cells}</div>'
