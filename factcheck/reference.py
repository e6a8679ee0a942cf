"""Alibaba's reported quarterly cloud figures (data/reference/), loaded through one validated path.

Three files, all edited by analysts as new results come out:
- alibaba_cloud_reported.csv: one row per calendar quarter (REFERENCE_SCHEMA);
- external_revenue_growth.csv beside it: growth of revenue excluding Alibaba-consolidated
  subsidiaries, a different metric that claims often confuse with total growth (EXTERNAL_SCHEMA);
- source_kinds.csv beside it: what kind of source each source_url is (Alibaba's own announcement,
  a translation of it, press, other), as the reference README's "Sources by row" table says (KINDS_SCHEMA).

Every row is checked before anything uses it; the first bad row raises ReferenceError naming the
file, the line (the header is line 1) and the problem. Nothing here computes a figure: the fiscal
calendar helpers below only translate labels.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import polars as pl

from extractors.calendar import fiscal_label, parse_quarter, quarter_bounds

# data/reference/alibaba_cloud_reported.csv of this checkout, wherever the app or CLI is started from.
REFERENCE_PATH = Path(__file__).resolve().parent.parent / "data" / "reference" / "alibaba_cloud_reported.csv"
EXTERNAL_FILE = "external_revenue_growth.csv"  # looked for beside the reference file
KINDS_FILE = "source_kinds.csv"  # likewise

# Segment bases in time order; a later quarter never goes back to an earlier basis (README).
SEGMENT_BASES = (
    "cloud_legacy_b1",
    "cloud_legacy_b2",
    "cloud_intelligence_group_b3",
    "cloud_intelligence_group_b4",
)
CONFIDENCES = ("high", "medium", "low")
# README "Sources by row": P = a copy of Alibaba's announcement, PT = a machine translation of it, N = press, O = other.
SOURCE_KINDS = ("announcement", "translation", "press", "other")
EXTERNAL_QUALIFIERS = ("exact", "over")

REFERENCE_SCHEMA: dict[str, pl.DataType] = {
    "calendar_quarter": pl.String,  # 2024Q2
    "fiscal_label": pl.String,  # FY2025Q1; must agree with calendar_quarter
    "revenue_cny_million": pl.Float64,
    "revenue_yoy_pct": pl.Float64,
    "adjusted_ebita_cny_million": pl.Float64,
    "adjusted_ebita_yoy_pct": pl.Float64,
    "segment_basis": pl.String,
    "precision": pl.String,  # "revenue to 0.1bn", or a free note
    "confidence": pl.String,
    "source_url": pl.String,
}
EXTERNAL_SCHEMA: dict[str, pl.DataType] = {
    "calendar_quarter": pl.String,
    "external_revenue_yoy_pct": pl.Float64,
    "qualifier": pl.String,  # exact | over ("over 11%")
    "source_url": pl.String,  # a URL, or a file beside the CSV (README.md) when no URL is known yet
    "note": pl.String,
}
KINDS_SCHEMA: dict[str, pl.DataType] = {
    "source_url": pl.String,
    "kind": pl.String,  # one of SOURCE_KINDS
    "name": pl.String,  # who published it, in words: "Stock Titan (Business Wire copy)"
}
# What load_reference returns: the file's columns plus what is derived from them at load time.
LOADED_SCHEMA: dict[str, pl.DataType] = {
    **REFERENCE_SCHEMA,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "revenue_step_cny_million": pl.Float64,  # rounding step of the reported revenue
    "adjusted_ebita_step_cny_million": pl.Float64,
    "revenue_yoy_step_pct": pl.Float64,  # rounding step of the reported growth, when `precision` states one
    "adjusted_ebita_yoy_step_pct": pl.Float64,
    "source_kind": pl.String,  # from source_kinds.csv; null when the URL is not listed there
    "source_name": pl.String,
    "external_revenue_yoy_pct": pl.Float64,
    "external_qualifier": pl.String,
    "external_source_url": pl.String,
}


class ReferenceError(ValueError):
    """A malformed reference file: the message names the file, the line and the problem."""


# ---------------------------------------------------------------- precision notes
# One rounding statement: what was rounded, "to", the step, then free words ("as stated by Dow Jones").
# Money (revenue, ebita) is rounded to N bn; growth (revenue_yoy, ebita_yoy) to N percentage points.
_PRECISION = re.compile(
    r"(?P<what>(?:revenue_yoy|ebita_yoy|revenue|ebita)(?:\s+and\s+(?:revenue_yoy|ebita_yoy|revenue|ebita))*)"
    r"\s+to\s+(?P<step>\d+(?:\.\d+)?)(?P<bn>\s*bn)?(?=\s|$)"
)
_GROWTH_STEPS = ("revenue_yoy", "ebita_yoy")


def precision_steps(note: str | None) -> dict[str, float]:
    """Rounding steps stated by a precision note, money in CNY million and growth in percentage points:
    'revenue to 0.1bn' -> {'revenue': 100.0}; 'revenue_yoy to 0.1 as stated by Dow Jones' ->
    {'revenue_yoy': 0.1}. Parts separated by ';' are read one by one.

    A part that is not about rounding ("ebita labelled EBITDA by its source") states no step.
    A part that looks like a rounding statement but cannot be read raises ValueError, so a typo
    never silently tightens the tolerance.
    """
    steps: dict[str, float] = {}
    for part in (note or "").split(";"):
        part = part.strip()
        m = _PRECISION.match(part)
        if m:
            whats = re.findall(r"revenue_yoy|ebita_yoy|revenue|ebita", m["what"])
            growth = [w in _GROWTH_STEPS for w in whats]
            if any(growth) != all(growth) or all(growth) == bool(m["bn"]):
                raise ValueError(f"precision {part!r} not understood: money (revenue, ebita) is rounded to N bn, "
                                 "growth (revenue_yoy, ebita_yoy) to N percentage points")
            step = float(m["step"]) if all(growth) else float(m["step"]) * 1000.0  # 1bn = 1000 CNY million
            steps.update((w, step) for w in whats)
        elif re.search(r"\bto\s+[\d.]", part) or re.match(r"(?:revenue|ebita)\w*(?:\s+and\s+\w+)*\s+to\s", part):
            raise ValueError(f"precision {part!r} not understood; write it like 'revenue to 0.1bn', "
                             "'revenue and ebita to 0.01bn' or 'revenue_yoy to 0.1'")
    return steps


# ---------------------------------------------------------------- the one validated path
def _number(text: str) -> float | None:
    if text == "":
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None


def _required(text: str) -> str:
    if text == "":
        raise ValueError("is empty")
    return text


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    def check(text: str) -> str:
        if text not in choices:
            raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
        return text

    return check


def _quarter(text: str) -> str:
    if not parse_quarter(text):
        raise ValueError(f"{text!r} is not a calendar quarter like 2024Q2")
    return text


_URL = re.compile(r"https?://\S+")


def _url(text: str) -> str:
    if not _URL.fullmatch(_required(text)):
        raise ValueError(f"{text!r} is not an http(s) URL")
    return text


def _optional(text: str) -> str | None:
    return text or None


# Columns whose cells need more than their type: a parser that raises ValueError naming the problem.
# Other Float64 cells are optional numbers; other String cells are optional text.
_REFERENCE_RULES: dict[str, Callable[[str], object]] = {
    "calendar_quarter": _quarter,
    "fiscal_label": _required,
    "segment_basis": _one_of(SEGMENT_BASES),
    "confidence": _one_of(CONFIDENCES),
    "source_url": _url,
}
_EXTERNAL_RULES: dict[str, Callable[[str], object]] = {
    "calendar_quarter": _quarter,
    "external_revenue_yoy_pct": lambda t: _number(_required(t)),
    "qualifier": _one_of(EXTERNAL_QUALIFIERS),
    "source_url": _required,  # a URL or a file beside the CSV: checked in load_external_growth
}


def read_validated(
    path: Path,
    schema: dict[str, pl.DataType],
    rules: dict[str, Callable[[str], object]],
    check_row: Callable[[dict], None] = lambda row: None,
    key: str = "calendar_quarter",
) -> pl.DataFrame:
    """Read a small reference CSV row by row; the first bad cell or row raises ReferenceError.

    Each cell is parsed by its column's rule, else by its type in `schema`; a rule raises
    ValueError with the problem. `check_row` checks a parsed row as a whole. The `key` column
    (calendar quarters) must be unique. Line numbers count the header as 1.
    """
    parsers = {c: rules.get(c) or (_number if t == pl.Float64 else _optional) for c, t in schema.items()}
    try:
        fh = path.open(encoding="utf-8-sig", newline="")
    except OSError as e:
        raise ReferenceError(f"{path}: cannot read the reference file: {e.strerror}") from None
    with fh:
        try:
            return _read_rows(path, fh, schema, parsers, check_row, key)
        except UnicodeDecodeError as e:
            raise ReferenceError(f"{path}: not UTF-8 text (byte {e.start}); save the file as UTF-8") from None


def _read_rows(path: Path, fh, schema: dict, parsers: dict, check_row: Callable[[dict], None], key: str) -> pl.DataFrame:
    rows: list[dict] = []
    first_line: dict[str, int] = {}
    reader = csv.DictReader(fh)
    header = reader.fieldnames or []
    missing = [c for c in schema if c not in header]
    extra = [c for c in header if c not in schema]
    if missing or extra:
        problems = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s) {', '.join(extra)}"] if extra else []
        )
        raise ReferenceError(f"{path}, line 1 (header): {'; '.join(problems)}")
    for raw in reader:
        line = reader.line_num
        where = f"{path}, line {line}"
        extra_cells = raw.pop(None, [])  # DictReader puts surplus cells under None, fills short rows with None
        n_cells = sum(v is not None for v in raw.values()) + len(extra_cells)
        if n_cells != len(header):
            raise ReferenceError(f"{where}: expected {len(header)} cells, found {n_cells}")
        row = {}
        for col, parse in parsers.items():
            try:
                row[col] = parse(raw[col].strip())
            except ValueError as e:
                raise ReferenceError(f"{where}: {col} {e}") from None
        q = row[key]
        if q in first_line:
            what = "quarter" if key == "calendar_quarter" else key
            raise ReferenceError(f"{where}: duplicate {what} {q} (first on line {first_line[q]})")
        first_line[q] = line
        try:
            check_row(row)
        except ValueError as e:
            raise ReferenceError(f"{where} ({q}): {e}") from None
        rows.append(row)
    return pl.DataFrame(rows, schema=schema)


def _check_reference_row(row: dict) -> None:
    expected = fiscal_label(row["calendar_quarter"])
    if row["fiscal_label"] != expected:
        raise ValueError(f"fiscal_label {row['fiscal_label']} does not match the calendar quarter (expected {expected})")
    precision_steps(row["precision"])  # raises on an unreadable rounding note


def _check_bases_in_order(df: pl.DataFrame, path: Path) -> None:
    """A quarter on an earlier basis than the quarter before it is a typo in segment_basis."""
    ordered = sorted(df.select("calendar_quarter", "segment_basis").iter_rows(), key=lambda r: parse_quarter(r[0]))
    for (q0, b0), (q1, b1) in zip(ordered, ordered[1:]):
        if SEGMENT_BASES.index(b1) < SEGMENT_BASES.index(b0):
            raise ReferenceError(f"{path} ({q1}): segment_basis {b1} comes before {q0}'s {b0}; bases only move forward in time")


def load_external_growth(path: str | Path) -> pl.DataFrame:
    """external_revenue_growth.csv, validated like the reference table (EXTERNAL_SCHEMA)."""
    path = Path(path)

    def check(row: dict) -> None:
        src = row["source_url"]
        if _URL.fullmatch(src):
            return
        if not (path.parent / src).is_file():
            raise ValueError(f"source_url {src!r} is neither an http(s) URL nor a file beside {path.name}")
        row["source_url"] = str(path.parent / src)  # shown as a path the reader can open

    return read_validated(path, EXTERNAL_SCHEMA, _EXTERNAL_RULES, check)


_KINDS_RULES: dict[str, Callable[[str], object]] = {"source_url": _url, "kind": _one_of(SOURCE_KINDS), "name": _required}


def load_source_kinds(path: str | Path) -> pl.DataFrame:
    """source_kinds.csv, validated like the reference table (KINDS_SCHEMA), one row per URL."""
    return read_validated(Path(path), KINDS_SCHEMA, _KINDS_RULES, key="source_url")


def load_reference(path: str | Path = REFERENCE_PATH) -> pl.DataFrame:
    """The reference table (LOADED_SCHEMA), one row per calendar quarter in time order.

    Figures stay as reported: money in CNY million, growth in percent. Derived columns: the
    quarter's dates, the rounding step of each figure (from `precision`: money else 1 million,
    growth else null, meaning "to its own decimals"), the kind of each row's source from
    source_kinds.csv, and the external-revenue growth from external_revenue_growth.csv, both
    beside the file and both optional.
    """
    path = Path(path)
    df = read_validated(path, REFERENCE_SCHEMA, _REFERENCE_RULES, _check_reference_row)
    _check_bases_in_order(df, path)
    bounds = [quarter_bounds(q) for q in df["calendar_quarter"]]
    steps = [precision_steps(p) for p in df["precision"]]
    df = df.with_columns(
        pl.Series("period_start", [b[0] for b in bounds], dtype=pl.Date),
        pl.Series("period_end", [b[1] for b in bounds], dtype=pl.Date),
        pl.Series("revenue_step_cny_million", [s.get("revenue", 1.0) for s in steps], dtype=pl.Float64),
        pl.Series("adjusted_ebita_step_cny_million", [s.get("ebita", 1.0) for s in steps], dtype=pl.Float64),
        pl.Series("revenue_yoy_step_pct", [s.get("revenue_yoy") for s in steps], dtype=pl.Float64),
        pl.Series("adjusted_ebita_yoy_step_pct", [s.get("ebita_yoy") for s in steps], dtype=pl.Float64),
    )
    kinds_path = path.with_name(KINDS_FILE)
    kinds = load_source_kinds(kinds_path) if kinds_path.is_file() else pl.DataFrame(schema=KINDS_SCHEMA)
    df = df.join(kinds.select("source_url", pl.col("kind").alias("source_kind"), pl.col("name").alias("source_name")),
                 on="source_url", how="left", maintain_order="left")
    external_path = path.with_name(EXTERNAL_FILE)
    external = load_external_growth(external_path) if external_path.is_file() else pl.DataFrame(schema=EXTERNAL_SCHEMA)
    unknown = sorted(set(external["calendar_quarter"]) - set(df["calendar_quarter"]))
    if unknown:
        raise ReferenceError(f"{external_path}: quarter(s) {', '.join(unknown)} not in {path.name}; add the quarter there first")
    external = external.select(
        "calendar_quarter",
        "external_revenue_yoy_pct",
        pl.col("qualifier").alias("external_qualifier"),
        pl.col("source_url").alias("external_source_url"),
    )
    df = df.join(external, on="calendar_quarter", how="left", maintain_order="left")
    return df.sort("period_start").select(list(LOADED_SCHEMA)).cast(LOADED_SCHEMA)
