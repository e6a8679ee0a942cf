"""One document through every stage: text -> typed tokens -> claim frames -> resolution -> rows."""
from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
from pathlib import Path

from extractors import calendar as cal
from extractors import grammar, metrics, rules_data, tokens
from extractors import patterns as rx_engine
from extractors.recognize import lexicon, numbers, periods, tables
from extractors.resolve import Resolved, Resolver
from extractors.table import claim_id
from extractors.text import documents, normalize


@functools.cache
def version() -> str:
    """What made a row: the rules' fingerprint (every rule file), so a rules change is visible per row."""
    return "rules-" + rules_data.fingerprint()[:12]


def process_path(path: Path, sources: dict | None = None, overrides: dict | None = None) -> tuple[dict, list[dict]]:
    """The document row and the claim rows of one file. Never raises for bad input: errors go in the row."""
    doc = documents.read_document(Path(path), sources)
    claims: list[dict] = []
    if doc.error is None:
        claims = extract(doc, (overrides or {}).get(doc.doc_id))
    return document_row(doc, len(claims)), claims


def _doc_fields(doc: documents.Document) -> dict:
    """The document's columns that the claims table repeats on every row."""
    return {
        "doc_id": doc.doc_id or None,
        "doc_path": documents.path_text(doc.path),
        "title": doc.meta.get("title"),
        "publisher": doc.meta.get("publisher"),
        "url": doc.meta.get("url"),
        "published": doc.meta.get("published"),
        "published_precision": doc.precision,
        "published_origin": doc.origin.get("published", "unknown" if doc.error is None else None),
    }


def document_row(doc: documents.Document, n_claims: int) -> dict:
    return {
        **_doc_fields(doc),
        "title_origin": doc.origin.get("title"),
        "publisher_origin": doc.origin.get("publisher"),
        "published_evidence": doc.evidence,
        "warnings": "; ".join(doc.warnings) or None,
        "encoding": doc.encoding,
        "n_chars": len(doc.raw),
        "n_claims": n_claims,
        "error": doc.error,
    }


def _apply_overrides(doc: documents.Document, fix: dict | None) -> None:
    """Analyst fixes from the dashboard win over everything else."""
    for name, value in (fix or {}).items():
        if name == "published" and value:
            parsed = documents.parse_date(value)
            if parsed:
                doc.meta["published"], doc.precision = parsed
                doc.origin["published"], doc.evidence = "app", "set by an analyst in the dashboard"
        elif name in ("publisher", "title", "url") and value:
            doc.meta[name], doc.origin[name] = value, "app"


def extract(doc: documents.Document, fix: dict | None = None) -> list[dict]:
    """Claim rows of a document that was read."""
    norm = normalize.normalize(doc.raw, doc.body_start)
    found = numbers.find(norm.text)
    masked = numbers.mask(norm.text, sorted(found + tables.find(norm.text, found), key=lambda m: m.start))
    text = masked.text
    _apply_overrides(doc, fix)
    paras = tokens.paragraphs(text)
    keep = _kept(paras, sorted(masked.positions + lexicon.self_valued(text)))  # only where a claim or its context can be
    sents = tokens.sentences(text, paras, keep)
    regions = _regions(text, paras, keep)
    dates = periods.scan(text, regions)
    if "published" not in doc.meta:
        _infer_published(doc, text, sents, periods.resolve(dates, None))
    published = doc.meta.get("published")
    words = lexicon.tag(text, regions, traditional=norm.traditional) + lexicon.after_numbers(text, masked.positions)
    stream = tokens.merge(
        [tokens.Token("num", p, p + 1, ref=m) for p, m in zip(masked.positions, masked.mentions)],
        [tokens.Token("period", e.start, e.end, e.rule_id, ref=e) for e in periods.resolve(dates, published)],
        [tokens.Token(t.kind, t.start, t.end, t.id) for t in sorted(words, key=lambda t: t.start)],
    )
    tokens.assign(text, sents, stream)
    resolver = Resolver(text, sents, published)
    found: list[Resolved] = []
    for sent in sents:
        claims = grammar.match(sent, text) if "num" in sent.by_kind or "change" in sent.by_kind else []
        found += resolver.sentence(sent, claims)
    return [_row(doc, norm, masked, r) for r in _once(_rounded_restated(_bounds_restated(found)))]


HEAD_PARAGRAPHS = 3  # the title and lead: they set the report's period and subject
LOOKBACK = 3  # paragraphs before one with a number: its topic, headings, the date of a price change


def _kept(paras: list[tuple[int, int]], positions: list[int]) -> set[int]:
    """The paragraphs worth reading: those that hold a number, the ones just before them, and the head."""
    starts = [a for a, _ in paras]
    keep = set(range(min(HEAD_PARAGRAPHS, len(paras))))
    for p in positions:
        k = bisect.bisect_right(starts, p) - 1
        keep.update(range(max(0, k - LOOKBACK), k + 1))
    return keep


def _regions(text: str, paras: list[tuple[int, int]], keep: set[int]) -> list[tuple[int, int]]:
    """The kept paragraphs as stretches of text (paragraphs with only blank lines between are one)."""
    out: list[tuple[int, int]] = []
    for k in sorted(keep):
        a, b = paras[k]
        if out and not text[out[-1][1] : a].strip():
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _infer_published(doc: documents.Document, text: str, sents: list[tokens.Sentence],
                     exprs: list[periods.Expr]) -> None:
    """An undated document: the latest date it states, or, when later, the date the results of the
    latest quarter it reports figures for came out (a report of the quarter ending in September comes
    out in November)."""
    inferred = periods.infer_published(exprs, text, doc.meta.get("fetched"))
    reported = _latest_reported_quarter(text, sents, exprs)
    if reported is not None:
        e, q = reported
        due = cal.month_end(q.end.year + (q.end.month == 12), q.end.month % 12 + 2).replace(day=1)
        if inferred is None or (inferred[0] < q.end and due <= dt.date.today()):
            inferred = (due, "month", f"inferred: results for {text[e.start:e.end]} ({q.label}) come out around {due:%Y-%m}")
    if inferred:
        doc.meta["published"], doc.precision, doc.evidence = inferred
        doc.origin["published"] = "inferred"


_VALUE = rx_engine.compile(numbers.VALUE_PLACEHOLDER)


def _latest_reported_quarter(text: str, sents: list[tokens.Sentence], exprs: list[periods.Expr]):
    """(expression, period) of the latest quarter named in a sentence that states a figure."""
    best, starts = None, [s.start for s in sents]
    for e in exprs:
        if e.period is None or e.kind != "quarter" or e.gloss:
            continue
        k = bisect.bisect_right(starts, e.start) - 1
        if k < 0 or e.start >= sents[k].end or not _VALUE.search(text, sents[k].start, sents[k].end):
            continue
        if best is None or e.period.end > best[1].end:
            best = (e, e.period)
    return best


# Which of two statements of one figure to keep: one that dates it, then one that states it of a
# subject named in its own clause over one that mentions it in passing (年营收百亿美元的阿里云).
_ORIGIN_RANK = {"clause": 0, "sentence": 1, "exclusion": 1, "whole": 1, "product": 1, "market of the product": 1,
                "topic": 2, "attributive": 3}


def _once(found: list[Resolved]) -> list[Resolved]:
    """The same figure repeated in one document is one claim: its best statement (see _ORIGIN_RANK);
    a repeat without a period adds nothing to one with. The ends of a stated change are a series of
    their own; one without a period takes that of the same figure stated before (coreference)."""
    best: dict[tuple, int] = {}  # (figure, qualifier, period) -> index in found
    dated: dict[tuple, Resolved] = {}
    for k, r in enumerate(found):
        if r.claim.frame.endswith("transition"):
            continue
        base = _figure(r)
        key = (base, r.qualifier, r.period.label if r.period else None)
        if key not in best or _rank(r) < _rank(found[best[key]]):
            best[key] = k
        if r.period is not None:
            dated.setdefault(base, r)
    out = []
    for k, r in enumerate(found):
        base = _figure(r)
        if r.claim.frame.endswith("transition"):
            if r.period is None and base in dated:
                r.period = dataclasses.replace(dated[base].period, origin="coreference")
                r.period_note = "the same figure stated before with its period"
            out.append(r)
        elif best.get((base, r.qualifier, r.period.label if r.period else None)) == k and \
                not (r.period is None and base in dated):
            out.append(r)
    return out


_BOUNDS = {"over": lambda v, b: v > b, "at_least": lambda v, b: v >= b, "under": lambda v, b: v < b}


def _bounds_restated(found: list[Resolved]) -> list[Resolved]:
    """收入5097.11亿元...首次突破5000亿元: a bound that the same sentence's figure of the same thing
    meets restates that figure; it is no claim of its own."""
    def key(r: Resolved) -> tuple:
        return (r.sentence.k, r.entity, r.product, r.metric, r.unit, r.period.label if r.period else None)

    stated = {}
    for r in found:
        if r.qualifier not in _BOUNDS and r.value_high is None:
            stated.setdefault(key(r), []).append(r.value)
    return [r for r in found if not (r.qualifier in _BOUNDS and any(
        _BOUNDS[r.qualifier](v, r.value) for v in stated.get(key(r), ())))]


_DIGITS = rx_engine.compile(r"\d+(?:\.(\d+))?")


def _precision(r: Resolved) -> float | None:
    """Half the step of the value as written (2801.5亿元: 0.05亿), in the row's units."""
    num = r.claim.number
    m = _DIGITS.search(num.ref.text) if num.kind == "num" else None
    if m is None or not float(m.group()):
        return None
    return abs(r.value / float(m.group())) * 10 ** -len(m.group(1) or "") / 2


def _rounded_restated(found: list[Resolved]) -> list[Resolved]:
    """原标题:营收2801.5亿元 ... 收入为2801.54亿元: a figure written rounded, of the same thing and period as
    a more precise one it rounds from, is that figure again; the precise one stays. Not for prices: a
    list of them holds close values of different models."""
    groups: dict[tuple, list[Resolved]] = {}
    for r in found:
        if not r.claim.frame.endswith("transition") and r.value_high is None and r.metric not in metrics.priced():
            groups.setdefault((r.entity, r.product, r.metric, r.unit, r.period.label if r.period else None), []).append(r)
    drop = set()
    for rows in groups.values():
        for r in rows:
            step = _precision(r)
            if step and any(o.value != r.value and (_precision(o) or step) < step and abs(o.value - r.value) < step
                            for o in rows):
                drop.add(id(r))
    return [r for r in found if id(r) not in drop]


def _figure(r: Resolved) -> tuple:
    return (r.entity, r.product, r.metric, r.value, r.value_high, r.unit)


def _rank(r: Resolved) -> int:
    return _ORIGIN_RANK.get(r.subject_origin, 2)


def _row(doc: documents.Document, norm, masked, r: Resolved) -> dict:
    num = r.claim.number
    if num.kind == "num":
        m = num.ref
        span_start, span_end = norm.offsets.span(m.start, m.end)
    else:  # a word that states its own size (翻倍)
        span_start, span_end = norm.offsets.span(masked.to_normalized(num.start), masked.to_normalized(num.end))
    qa, qb = tokens.quote_span(r.sentence, num.start, num.end)
    q_start, q_end = norm.offsets.span(masked.to_normalized(qa), masked.to_normalized(qb))
    entity, p = r.entity, r.period
    return {
        "claim_id": claim_id(doc.doc_id, span_start, span_end, entity, r.product, r.metric),
        **_doc_fields(doc),
        "entity": entity,
        "product": r.product,
        "metric": r.metric,
        "value": r.value,
        "value_high": r.value_high,
        "unit": r.unit,
        "qualifier": r.qualifier,
        "period": p.label if p else None,
        "period_start": p.start if p else None,
        "period_end": p.end if p else None,
        "period_origin": p.origin if p else "unknown",
        "period_note": r.period_note,
        "subject_origin": r.subject_origin,
        "cited_source": r.source,
        "quote": doc.raw[q_start:q_end].strip(),
        "span_start": span_start,
        "span_end": span_end,
        "rule_id": r.claim.frame,
        "extractor_version": version(),
    }


def extract_text(text: str, published: dt.date | None = None, name: str = "example.txt") -> list[dict]:
    """Claim rows of a text given directly (tests, rule examples): as if it were a file's body."""
    doc = documents.Document(Path(name), "example", text, meta={"published": published} if published else {})
    return extract(doc)
