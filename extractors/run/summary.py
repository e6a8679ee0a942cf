"""What a run did, as counts and as the lines `extract` prints at the end. Light to import: an unchanged re-run
prints a recorded summary without loading the table libraries."""
from __future__ import annotations

import collections
from pathlib import Path


class Summary:
    """Counts of a run (a plain class, not a dataclass: dataclasses imports inspect, a tenth of a warm run)."""

    def __init__(self, **kw):
        self.files = self.read = self.chars = self.claims = 0
        self.per_metric: collections.Counter = collections.Counter()
        self.errors: list[tuple[str, str]] = []
        self.cached = self.extracted = 0
        self.seconds = 0.0
        self.write_seconds = 0.0  # of those, writing the output tables
        self.written = False  # extract_to replaced the tables (something was read)
        self.current = False  # the tables were already those of these inputs: left as they were, not rewritten
        self.outputs: list[str] = []  # the files written (or kept), claims table first
        for k, v in kw.items():
            if not hasattr(self, k):
                raise TypeError(f"Summary has no field {k!r}")
            setattr(self, k, v)

    def __repr__(self) -> str:
        return f"Summary({vars(self)})"

    def add(self, docs, claims) -> None:
        """Count one window's tables (Arrow) in."""
        import pyarrow.compute as pc

        self.files += docs.num_rows
        err = docs.filter(pc.is_valid(docs["error"]))
        self.read += docs.num_rows - err.num_rows
        self.errors += zip(err["doc_path"].to_pylist(), err["error"].to_pylist())
        self.chars += pc.sum(docs["n_chars"]).as_py() or 0
        self.claims += claims.num_rows
        for v in pc.value_counts(claims["metric"]).to_pylist():
            self.per_metric[v["values"]] += v["counts"]

    def counts(self) -> dict:
        """What a later run that finds the tables current reports again (manifest.py)."""
        return {"files": self.files, "read": self.read, "chars": self.chars, "claims": self.claims,
                "per_metric": dict(self.per_metric), "errors": [list(e) for e in self.errors]}

    @classmethod
    def from_counts(cls, d: dict, **kw) -> Summary:
        return cls(**{**d, "per_metric": collections.Counter(d["per_metric"]),
                      "errors": [tuple(e) for e in d["errors"]]}, **kw)


def _printable(text: str) -> str:
    if text.isprintable():  # nothing to escape: the common case, without importing the document reader
        return text
    from extractors.text.documents import printable

    return printable(text)


def summary_lines(s: Summary, out: Path | None) -> list[str]:
    rate = s.chars / s.seconds / 1e6 if s.seconds else 0.0
    lines = [
        f"documents read: {s.read:,} of {s.files:,} ({s.chars:,} chars, {s.seconds:.1f} s, {rate:.2f} M chars/s; "
        f"{s.cached:,} from cache, {s.extracted:,} extracted)",
        f"claims: {s.claims:,}",
    ]
    lines += [f"  {metric}: {n:,}" for metric, n in sorted(s.per_metric.items(), key=lambda kv: str(kv[0]))]
    if s.errors:
        lines.append(f"files with errors: {len(s.errors):,}")
        lines += [f"  {_printable(path)}: {_printable(why)}" for path, why in s.errors]
    shown = [_printable(str(p)) for p in s.outputs]
    names = " and ".join([", ".join(shown[:-1]), shown[-1]] if len(shown) > 2 else shown)
    if out is not None and s.current:
        lines.append(f"{names}: already current (same articles, rules and code): left as they were")
    elif out is not None and s.written:
        lines.append(f"wrote {names}")
    elif out is not None:
        lines.append(f"nothing was read: {_printable(str(out))} is left as it was")
    return lines
