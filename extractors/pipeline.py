"""One document through every stage: read, normalize, numbers, rules, entities, periods -> rows."""
from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from pathlib import Path

import regex

from extractors import EXTRACTOR_VERSION, metrics, rules
from extractors.recognize import lexicon as entities
from extractors.recognize import numbers, periods
from extractors.table import claim_id
from extractors.text import documents, normalize

SENTENCE_END = regex.compile(r"[。！？!?；;\n]")
HAS_NUMBER = regex.compile("[\ue001-\ue005\ue007]")
LINE_END = regex.compile("\n")
UNITS = {"percent": "%", "token": "CNY/1M tokens", "count": "count"}


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
    mentions = numbers.find(norm.text)
    masked = numbers.mask(norm.text, mentions)
    text = masked.text
    _apply_overrides(doc, fix)
    if "published" not in doc.meta:
        inferred = periods.infer_published(periods.find(text, None), text, doc.meta.get("fetched"))
        if inferred:
            doc.meta["published"], doc.precision, doc.evidence = inferred
            doc.origin["published"] = "inferred"
    published = doc.meta.get("published")
    # Only paragraphs that hold a number need entities; periods also look 3 paragraphs back
    # (a price change dated a few lines earlier). The rest of the text is never scanned again.
    value_lines, line_spans = _value_lines(text)
    exprs = periods.find(text, published, regions=_merge(line_spans, value_lines, back=PERIOD_LOOKBACK))
    aliases = entities.find(text, regions=_merge(line_spans, value_lines, back=0))
    expr_starts = [x.start for x in exprs]
    alias_starts = [a.start for a in aliases]
    claimed: set[int] = set()
    rows: list[dict] = []
    ctx = _Context(published, exprs, expr_starts, line_spans, _doc_fields(doc))
    for line in value_lines:  # a paragraph without a number holds no claim
        ctx.para_period, ctx.para_entities = None, []
        for s, e in _sentences(text, *line_spans[line]):
            # only this sentence's expressions and aliases: keeps long documents linear
            sent_aliases = aliases[bisect.bisect_left(alias_starts, s) : bisect.bisect_left(alias_starts, e)]
            if HAS_NUMBER.search(text, s, e):
                hits = rules.match(text, s, e, claimed)
                if hits:
                    sent_exprs = exprs[bisect.bisect_left(expr_starts, s) : bisect.bisect_left(expr_starts, e)]
                    sent = _Sentence(text, s, e, masked, sent_exprs, entities.index(sent_aliases), line)
                    for hit in hits:
                        rows.extend(_claims(doc, norm, masked, hit, sent, ctx))
            ctx.para_entities = _last_entities(sent_aliases) or ctx.para_entities
    _coreference(rows)
    return rows


PERIOD_LOOKBACK = 3  # paragraphs: how far back a price change's date may stand


def _sentences(text: str, start: int, end: int):
    """(start, end) of each sentence in text[start:end], the last one even without its full stop."""
    s = start
    for m in SENTENCE_END.finditer(text, start, end):
        yield s, m.start()
        s = m.end()
    if s < end:
        yield s, end


def _value_lines(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """Indexes of the lines that hold a number some rule may read, and every line's span."""
    spans, start = [], 0
    for m in LINE_END.finditer(text + "\n"):
        spans.append((start, m.start()))
        start = m.end()
    starts = [s for s, _ in spans]
    numbered = sorted({bisect.bisect_right(starts, m.start()) - 1
                       for m in HAS_NUMBER.finditer(text)})
    return numbered, spans


def _merge(spans: list[tuple[int, int]], lines: list[int], back: int) -> list[tuple[int, int]]:
    """Character regions covering each listed line and the `back` lines before it, merged."""
    out: list[tuple[int, int]] = []
    for i in lines:
        s, e = spans[max(0, i - back)][0], spans[i][1]
        if out and s <= out[-1][1] + 1:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


class _Context:
    """What earlier sentences established, for sentences that rely on it."""

    def __init__(self, published: dt.date | None, exprs, expr_starts, line_spans, doc_fields: dict) -> None:
        self.published, self.doc_fields = published, doc_fields
        self.para_period: periods.Period | None = None
        self.para_entities: list[str] = []
        self.report_period: periods.Period | None = None
        self.exprs, self.expr_starts, self.line_spans = exprs, expr_starts, line_spans

    def recent_date(self, line: int, pos: int) -> periods.Period | None:
        """The month of the last date written in the PERIOD_LOOKBACK paragraphs before pos."""
        lo = bisect.bisect_left(self.expr_starts, self.line_spans[max(0, line - PERIOD_LOOKBACK)][0])
        for x in reversed(self.exprs[lo : bisect.bisect_left(self.expr_starts, pos)]):
            if x.day is not None:
                return periods.month(x.day.year, x.day.month, "context")
        return None


class _Sentence:
    """One sentence of the masked text, with what every claim in it looks up."""

    def __init__(self, text, s, e, masked, exprs, found, line) -> None:
        self.s, self.e, self.line, self.exprs, self.found = s, e, line, exprs, found
        self.expr_ends = [x.end for x in exprs]
        self.report, self.latest = periods.mentions_report(text, s, e)
        # a transition's start value owns the period written inside 从...的: (从 position, value position)
        lo, hi = bisect.bisect_left(masked.positions, s), bisect.bisect_left(masked.positions, e)
        self.from_parts = []
        for j in range(lo, hi):
            if masked.mentions[j].role == "from":
                pos = masked.positions[j]
                k = text.rfind("从", max(s, pos - 40), pos)
                self.from_parts.append((k if k >= 0 else pos, pos))

    def in_from_part(self, x) -> bool:
        return any(a <= x.start < b for a, b in self.from_parts)


def _last_entities(aliases) -> list[str]:
    ents = [a.id for a in aliases if a.kind == "entity"]
    return [x for x in ents[-1:] if x != entities.UNTRACKED]


def _claims(doc, norm, masked, hit, sent: _Sentence, ctx: _Context) -> list[dict]:
    text = masked.text
    mention = masked.mentions[masked.mention_at(hit.position)]
    ents, product, source = entities.attribute(text, sent.s, sent.e, hit.position, hit.position + 1,
                                               mention.list_index, sent.found, hit.rule.metric)
    if ents is None:
        return []  # about a company we do not track: 英伟达营收同比增长94%
    ents = [x for x in ents if x] or ctx.para_entities
    if not ents:
        return []  # nobody to attribute it to: 年营收超过6000亿美元的巨头
    metric = hit.rule.metric
    period, origin = _period(text, sent, hit.position, mention, metric, ctx)
    value = mention.value * hit.sign
    high = None if mention.value_high is None else mention.value_high * hit.sign
    unit = UNITS.get(mention.kind) or (mention.unit if mention.kind == "money" else hit.rule.unit)
    span_start, span_end = norm.offsets.span(mention.start, mention.end)
    q_start, q_end = norm.offsets.span(masked.to_normalized(sent.s), masked.to_normalized(sent.e))
    quote = doc.raw[q_start:q_end].strip()
    rows = []
    for entity in ents:
        rows.append({
            "claim_id": claim_id(doc.doc_id, span_start, span_end, entity, product, metric),
            **ctx.doc_fields,
            "entity": entity,
            "product": product,
            "metric": metric,
            "value": value,
            "value_high": high,
            "unit": unit,
            "qualifier": mention.qualifier,
            "period": period.label if period else None,
            "period_start": period.start if period else None,
            "period_end": period.end if period else None,
            "period_origin": origin,
            "cited_source": source,
            "quote": quote,
            "span_start": span_start,
            "span_end": span_end,
            "rule_id": hit.rule.id,
            "extractor_version": EXTRACTOR_VERSION,
        })
    return rows


def _period(text, sent: _Sentence, pos, mention, metric, ctx):
    """Period and its origin; see periods.py for the vocabulary. Order: the number's own sentence,
    then its paragraph, then the report the document discusses; otherwise unknown."""
    k = bisect.bisect_right(sent.expr_ends, pos)  # expressions that end before the number
    if mention.role == "from":
        own = [x for x in sent.exprs[:k] if any(a <= x.start and b == pos for a, b in sent.from_parts)]
        if own and own[-1].period:
            return own[-1].period, own[-1].period.origin
        return None, "unknown"
    if periods.span_marker(text, sent.s, pos):
        return None, "unknown"
    while k > 0 and sent.in_from_part(sent.exprs[k - 1]):
        k -= 1
    found = None
    if k > 0 and sent.exprs[k - 1].period:
        found = periods.as_metric_period(sent.exprs[k - 1], metric, sent.report)
    elif metric in metrics.financial() and sent.latest and ctx.published is not None:
        found = periods.report_quarter(ctx.published)
    if found is None and ctx.para_period is not None:
        found = dataclasses.replace(ctx.para_period, origin="context")
    if found is None and metric in metrics.priced():
        found = ctx.recent_date(sent.line, sent.s)
    if found is None and metric in metrics.financial() and sent.report and ctx.report_period:
        found = dataclasses.replace(ctx.report_period, origin="report_convention")
    if found is not None:
        if found.origin != "context":
            ctx.para_period = found
        if found.origin == "report_convention":
            ctx.report_period = found
    return (found, found.origin) if found else (None, "unknown")


def _coreference(rows: list[dict]) -> None:
    """A value repeated later for the same entity and metric takes the earlier one's period."""
    known: dict[tuple, dict] = {}
    for r in rows:
        key = (r["entity"], r["product"], r["metric"], r["value"], r["unit"])
        if r["period"] is None and key in known:
            src = known[key]
            r.update(period=src["period"], period_start=src["period_start"], period_end=src["period_end"],
                     period_origin="coreference")
        elif r["period"] is not None and key not in known:
            known[key] = r
