"""What the text leaves implicit: each claim's subject, metric and period, carried across clauses,
sentences and from a paragraph or document head, with the reason recorded.

Subjects: the nearest subject before the number in its sentence (not one being excluded by 剔除, not
the object of a comparison unless the number belongs to it, not a market a share is of), with the
subjects listed with it; else the topic carried from the sentences before. 公司 and 云业务 resolve
through the company the text is about. Metrics: the frame's metric word, else the sentence's last.
Periods: the nearest period before the number in its sentence, else the period the text is
discussing, else (for financial figures) the period of the results the document reports.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from extractors import calendar as cal
from extractors import metrics
from extractors.grammar import Claim
from extractors.recognize import lexicon, periods
from extractors.tokens import Sentence, Token, bracketed

UNTRACKED = "_untracked"  # a company we do not follow
PART = "_part"  # a part of a company that is not its cloud
SUBJECTS = frozenset({"entity", "company", "segment", "cloud", "coref"})
MARKETS = frozenset(k for k, v in lexicon.data()["entities"].items() if v.get("market"))
CLOUDS = frozenset(k for k, v in lexicon.data()["entities"].items() if v.get("company") and v.get("level") != "company")


@dataclass
class Resolved:
    claim: Claim
    sentence: Sentence
    entities: list[str]
    product: str | None
    metric: str
    value: float
    value_high: float | None
    qualifier: str
    unit: str
    period: cal.Period | None
    period_note: str | None
    subject_origin: str
    source: str | None


@dataclass
class _State:
    topic: Token | None = None  # the subject the text is about
    product_topic: Token | None = None
    current: cal.Period | None = None  # the period the text is discussing
    current_fiscal: bool = False  # ... named by a fiscal label
    fiscal_year: int | None = None  # of the last fiscal label read
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (number, why) for the report


class Resolver:
    def __init__(self, text: str, sents: list[Sentence], published: dt.date | None):
        self.text, self.sents, self.published = text, sents, published
        self.state = _State()
        self.fiscal_doc = any(t.kind == "period" and t.ref.type in ("fiscal_quarter", "fiscal_year", "fiscal_part")
                              for s in sents for t in s.tokens)
        _subjects(sents)
        self._glosses()
        self.report = self._report_period()

    # ------------------------------------------------------------ document head
    def _glosses(self) -> None:
        """A fiscal label with a calendar restatement in brackets: agreeing, the gloss adds nothing;
        disagreeing (2024财年Q2(2024年3月)), neither can be trusted and the period is unknown."""
        for s in self.sents:
            toks = s.tokens
            for i, t in enumerate(toks[1:], 1):
                prev = toks[i - 1]
                if (t.kind == "period" and prev.kind == "period" and t.clause == prev.clause + 1
                        and prev.ref.type == "fiscal_quarter" and self.text[prev.end : t.start].strip() in ("(", "（")):
                    t.ref.gloss = True
                    gloss = t.ref.period
                    if gloss is not None and prev.ref.period is not None and not _within(prev.ref.period, gloss):
                        prev.ref.reason = (f"the label ({prev.ref.period.label}) and its gloss "
                                           f"({self.text[t.start:t.end]}) disagree")
                        prev.ref.period = None

    def _report_period(self) -> cal.Period | None:
        """The quarter whose results the document reports: the first quarter named in its head or in a
        sentence about results; else, for a document about results, the publication date's convention."""
        latest = False
        for k, s in enumerate(self.sents):
            report, is_latest = periods.mentions_report(self.text, s.start, s.end)
            latest = latest or is_latest
            if k > 3 and not report:
                continue
            for t in s.tokens:
                e = t.ref if t.kind == "period" else None
                if e is not None and e.kind == "quarter" and e.period is not None and not e.gloss:
                    return self._latest_label(e, latest)
        if self.published is not None and any(periods.mentions_report(self.text, s.start, s.end)[0] for s in self.sents):
            return cal.report_quarter(self.published)
        return None

    def _latest_label(self, e: periods.Expr, latest: bool) -> cal.Period:
        """A fiscal label in a report called the latest that names a quarter long past, while the same
        words read as a calendar label name the quarter just reported: the writer meant the calendar one."""
        if not latest or self.published is None or e.type != "fiscal_quarter":
            return e.period
        due = cal.report_quarter(self.published)
        reading = _calendar_reading(e)
        if reading is not None and reading.label == due.label and e.period.label != due.label:
            e.reason = (f"{self.text[e.start:e.end]} names {e.period.label} by the fiscal calendar, but the latest "
                        f"results when it was published ({self.published:%Y-%m}) cover {due.label}: read as calendar")
            e.period = dataclasses.replace(reading, origin="explicit")
        return e.period

    # ------------------------------------------------------------ one sentence
    def sentence(self, sent: Sentence, claims: list[Claim]) -> list[Resolved]:
        out: list[Resolved] = []
        last: tuple[str, str] | None = None  # (family, role) of the sentence's last claim
        for c in claims:
            r = self._claim(sent, c, last)
            if isinstance(r, str):
                self.state.dropped.append((self.text[c.number.start : c.number.end], r))
                continue
            for x in r:
                out.append(x)
            if r:
                last = (r[0].claim_family, r[0].claim_role)  # type: ignore[attr-defined]
        self._after(sent)
        return out

    def _after(self, sent: Sentence) -> None:
        """What this sentence establishes for the ones after it."""
        firsts = [t for t in sent.tokens if t.kind in SUBJECTS and t.entity and not _excluded(sent, t)
                  and not _compared(sent, t)]
        if firsts:
            self.state.topic = firsts[0]
        prods = [t for t in sent.tokens if t.kind == "product"]
        if prods:
            self.state.product_topic = prods[0]
        for t in sent.tokens:
            if t.kind != "period" or _in_forecast(sent, t) or t.ref.gloss:
                continue
            p, _, _ = self._period_of(sent, t)
            if p is not None and t.ref.type not in ("context_year_before", "unnamed"):
                self.state.current = p
                self.state.current_fiscal = t.ref.type in ("fiscal_quarter", "fiscal_year", "fiscal_part")
            if t.ref.type in ("fiscal_quarter", "fiscal_year") and t.ref.period is not None:
                self.state.fiscal_year = _fiscal_year_of(t.ref.period)

    def _claim(self, sent: Sentence, c: Claim, last) -> list[Resolved] | str:
        num = c.number
        stance = self._stance(sent, c)
        if stance:
            return stance
        family, role, why = self._metric(sent, c, last)
        if family is None:
            return why
        subjects, origin, why = self._subjects(sent, c)
        if not subjects:
            return why
        product = self._product(sent, c, role, subjects)
        metric = _metric_id(family, role, c, subjects)
        if metric is None:
            return f"no {role} metric for {family} words"
        if family != "_direct" and lexicon.part_only(family) and not set(subjects) <= CLOUDS:
            return f"{family} of a group is adjusted net income, which is not tracked"
        prod_owner = lexicon.product(product).get("entity") if product else None
        if prod_owner and (set(subjects) <= {prod_owner, lexicon.group_of("alibaba")} or origin == "topic"):
            subjects = [prod_owner]
        if product and lexicon.product(product).get("market") and metric != "market_share":
            subjects = [s if s in MARKETS else self._market() for s in subjects] if set(subjects) <= MARKETS else subjects
        if set(subjects) <= MARKETS and metric == "revenue":
            metric = "market_size"
        value, high, qualifier, unit = self._value(c, role, metric)
        period, note = self._period(sent, c, metric)
        if period is not None and self.published is not None and period.start > self.published:
            return "a period after the publication date: a forecast"
        src = _source(sent, num)
        rows = []
        for ent in subjects:
            r = Resolved(c, sent, [ent], product, metric, value, high, qualifier, unit, period, note, origin, src)
            r.claim_family, r.claim_role = family, role  # type: ignore[attr-defined]
            rows.append(r)
        return rows

    # ------------------------------------------------------------ stance
    def _stance(self, sent: Sentence, c: Claim) -> str | None:
        """Why a number is not a claim of fact (a forecast, an expectation, a question), or None."""
        num = c.number
        toks = sent.tokens
        i = toks.index(num)
        for t in toks[:i]:
            if t.kind == "forecast" and t.id == "verbs" and not _escapes(sent, t, num):
                return f"a forecast ({self.text[t.start:t.end]})"
        for t in reversed(toks[:i]):
            if t.clause != num.clause or t.kind in ("num", "metric", "change", "growth", "cut"):
                break
            if t.kind == "forecast" and t.id == "nouns":
                return f"an expected figure ({self.text[t.start:t.end]})"
        if any(t.kind == "forecast" and t.id == "questions" and t.clause == num.clause for t in toks):
            return "a figure asked about, not stated"
        return None

    # ------------------------------------------------------------ metric
    def _metric(self, sent: Sentence, c: Claim, last) -> tuple[str | None, str, str]:
        role = c.role
        if c.metric_id is not None:
            return "_direct", role, ""
        mt = c.metric_token
        if mt is not None and mt.kind == "growth":
            mt = _metric_before(sent, mt) or None
            role = "growth"
            if mt is None:
                family = last[0] if last else _company_family(sent, c)
                return family, role, "" if family else "a growth rate of no metric"
        if mt is not None:
            family = mt.id
        else:
            before = _metric_before(sent, c.number)
            if role == "carried" and last is not None:
                family, role = last
                if before is not None and before.id != family:
                    family = before.id
            elif before is not None:
                family = before.id
            elif role in ("growth",):
                family = _company_family(sent, c)
            elif role == "cut":
                family = "price"
            else:
                family = None
        if family is None:
            return None, role, "no metric word for the number"
        if role == "carried":
            role = "level" if "level" in lexicon.roles(family) else "growth" if "growth" in lexicon.roles(family) else "amount"
        if family == "blocked":
            return None, role, "a metric that is not tracked"
        return family, role, ""

    # ------------------------------------------------------------ subject
    def _subjects(self, sent: Sentence, c: Claim) -> tuple[list[str], str, str]:
        num = c.number
        toks = sent.tokens
        i = toks.index(num)
        share = c.metric_id == "market_share" or (c.metric_token is not None and c.metric_token.id == "share")
        # 800亿美元的AWS: an amount that describes the subject right after it
        if i + 1 < len(toks) and toks[i + 1].kind in SUBJECTS and self.text[num.end : toks[i + 1].start].strip() == "的":
            return self._listed(sent, i + 1, c, "attributive")
        for j in range(i - 1, -1, -1):
            t = toks[j]
            if t.kind not in SUBJECTS or not t.entity:
                continue
            if _excluded(sent, t):
                owner = _exclusion_owner(sent, t)
                if owner:
                    return [owner], "exclusion", ""
                continue
            if _compared(sent, t) and not _attached(self.text, sent, t, num):
                continue
            if share and t.entity in MARKETS:
                continue  # the market a share is of
            return self._listed(sent, j, c, "clause" if t.clause == num.clause else "sentence")
        topic = self.state.topic
        if topic is not None and topic.entity:
            return _keep([topic.entity], "topic")
        return [], "", "nobody named before the number"

    def _listed(self, sent: Sentence, j: int, c: Claim, origin: str) -> tuple[list[str], str, str]:
        toks = sent.tokens
        chosen = [toks[j]]
        k = j
        while k >= 2 and toks[k - 1].kind == "and" and toks[k - 2].kind in SUBJECTS and toks[k - 2].entity:
            chosen.insert(0, toks[k - 2])
            k -= 2
        if any(t.kind == "combined" and t.clause == c.number.clause and chosen[0].start < t.start < c.number.start
               for t in toks) or _combined_after(sent, toks[j]):
            return [], "", "a figure for several subjects together"
        ents = [t.entity for t in chosen]
        if len(ents) > 1:
            if c.in_list is not None and c.list_len == len(ents):
                ents = [ents[c.in_list]]
            elif c.role in ("amount", "level") or c.metric_id == "market_share":
                return [], "", "an amount for several subjects together"
        return _keep(ents, origin)

    def _market(self) -> str:
        return "china_public_cloud_market"

    # ------------------------------------------------------------ product
    def _product(self, sent: Sentence, c: Claim, role: str, subjects: list[str]) -> str | None:
        num = c.number
        toks = sent.tokens
        i = toks.index(num)
        before = [t for t in toks[:i] if t.kind == "product"]
        if c.in_list is not None and c.respectively:
            listed = _listed_products(toks, i)
            if len(listed) == c.list_len:
                return listed[c.in_list].id
        if before:
            return before[-1].id
        if role == "level" or c.metric_id == "market_share":
            after = [t for t in toks[i + 1 :] if t.kind == "product" and t.clause == num.clause]
            if after and lexicon.product(after[0].id).get("market"):
                return after[0].id
        if c.metric_id == "token_price" or role == "cut":
            pt = self.state.product_topic
            if pt is not None:
                return pt.id
        return None

    # ------------------------------------------------------------ value
    def _value(self, c: Claim, role: str, metric: str) -> tuple[float, float | None, str, str]:
        num = c.number
        if num.kind == "change":  # 翻倍
            return 100.0, None, "approx", "%"
        m = num.ref
        value, high = m.value, m.value_high
        sign = 1
        if c.sign_token is not None and not c.as_written and not (m.kind == "percent" and m.text[:1] in "+-−负"):
            sign = -1 if c.sign_token.id in ("down", "sign_down") else 1
        if role == "cut" or metric in ("price_cut", "cost_decline"):
            sign = 1
            value, high = abs(value), None if high is None else abs(high)
        if sign < 0:
            value, high = -value, None if high is None else -high
            if high is not None:
                value, high = min(value, high), max(value, high)
        qualifier = m.qualifier
        if c.in_list is not None:
            qualifier = _shared_qualifier(c, qualifier)
        unit = {"percent": "%", "token": "CNY/1M tokens", "count": "count"}.get(m.kind) or m.unit or "CNY"
        return value, high, qualifier, unit

    # ------------------------------------------------------------ period
    def _period(self, sent: Sentence, c: Claim, metric: str) -> tuple[cal.Period | None, str | None]:
        num = c.number
        toks = sent.tokens
        i = toks.index(num)
        clause_start = sent.clauses[num.clause][0] if sent.clauses else sent.start
        marker = periods.span_marker(self.text, clause_start, num.start)
        if marker:
            return None, f"covers several periods ({marker})"
        financial = metric in metrics.financial()
        own = [t for t in toks[:i] if t.kind == "period" and not t.ref.gloss]
        if c.frame == "transition":
            mine = _own_transition_period(self.text, toks, i)
            if mine is not None:
                p, why, _ = self._period_of(sent, mine)
                return p, why
            if c.in_list is None and _is_from_value(toks, i):
                return None, "the start of a change, with no period of its own"
        for t in reversed(own):
            if _precedes_other_value(self.text, toks, t, num):
                continue
            p, why, has_day = self._period_of(sent, t)
            if p is None:
                return None, why
            if financial and has_day and t.ref.kind in ("day", "month", "context") and \
                    periods.mentions_report(self.text, sent.start, sent.end)[0]:
                return cal.report_quarter(t.ref.day), "the report published then covers the quarter before"
            if metric in metrics.priced() and t.ref.day is not None:
                return cal.month(t.ref.day.year, t.ref.day.month, p.origin), None
            return p, None
        if financial and self.published is not None and periods.mentions_report(self.text, sent.start, sent.end)[1]:
            return cal.report_quarter(self.published), "the latest report when it was published"
        if metric in metrics.priced():
            p = self._recent_date(sent)
            if p is not None:
                return p, "the date stated just before"
        cur = self.state.current
        if cur is not None and (financial or not self.state.current_fiscal):
            return dataclasses.replace(cur, origin="context"), "the period the text is discussing"
        if financial and self.report is not None:
            return dataclasses.replace(self.report, origin="report_convention"), "the results the document reports"
        return None, "no period stated or implied"

    def _recent_date(self, sent: Sentence) -> cal.Period | None:
        """The month of the last date written in the three paragraphs up to this sentence."""
        for s in reversed(self.sents[: self.sents.index(sent) + 1]):
            if s.paragraph < sent.paragraph - 3:
                break
            for t in reversed(s.tokens):
                if t.kind == "period" and t.ref.day is not None and (s is not sent or t.start < sent.end):
                    return cal.month(t.ref.day.year, t.ref.day.month, "context")
        return None

    def _period_of(self, sent: Sentence, t: Token) -> tuple[cal.Period | None, str | None, bool]:
        """(period, note, names a day) of one period token, its context filled in."""
        e = t.ref
        if e.type == "relative_quarter" and (self.fiscal_doc or self._text_year(sent, t) is not None):
            q = int(e.period.label[-1]) if e.period else _quarter_number(self.text[t.start : t.end])
            if self.fiscal_doc:
                return self._fiscal_part(q), "a fiscal quarter of the year the text discusses", False
            y = self._text_year(sent, t)
            return cal.quarter(y, q, "relative_to_text"), "the year the text named before", False
        if e.period is not None:
            return e.period, e.reason, e.day is not None
        if e.type == "unnamed" or e.type not in periods.CONTEXT_TYPES and e.type != "context_half":
            return None, e.reason, False
        base = self._context_before(sent, t) or self.state.current or self.report
        if e.type == "fiscal_part":
            p = self._fiscal_part(e.q)
            return (p, "a fiscal quarter of the year the text discusses", False) if p else (None, "no fiscal year in the text", False)
        if e.type == "context_half":
            y = self._text_year(sent, t) or (self.published.year if self.published else None)
            return (cal.half(y, e.q, "context"), None, False) if y else (None, "a half of no year", False)
        if base is None:
            return None, "refers to a period the text does not name", False
        if e.type == "context":
            return dataclasses.replace(base, origin="context"), "the period the text is discussing", False
        if e.type == "context_previous":
            return cal.previous(base, "context"), "the period before the one discussed", False
        return cal.year_before(base, "context"), "the same period a year earlier (the comparison's base)", False

    def _context_before(self, sent: Sentence, t: Token) -> cal.Period | None:
        for u in reversed(sent.tokens[: sent.tokens.index(t)]):
            if u.kind == "period" and u.ref.period is not None and not u.ref.gloss:
                return u.ref.period
        return None

    def _fiscal_part(self, q: int) -> cal.Period | None:
        if self.report is not None and cal.fiscal_label(self.report.label)[-1] == str(q):
            return dataclasses.replace(self.report, origin="context")
        fy = self.state.fiscal_year or (_fiscal_year_of(self.report) if self.report else None)
        if fy is not None:
            return cal.fiscal_quarter(fy, q, "context")
        if self.published is not None:
            for y in (self.published.year + 1, self.published.year, self.published.year - 1):
                p = cal.fiscal_quarter(y, q, "relative")
                if p.end < self.published:
                    return p
        return None

    def _text_year(self, sent: Sentence, t: Token) -> int | None:
        """The year of the last explicit period before t, in this sentence or the ones before."""
        for s in reversed(self.sents[: self.sents.index(sent) + 1]):
            toks = s.tokens if s is not sent else s.tokens[: s.tokens.index(t)]
            for u in reversed(toks):
                if u.kind == "period" and u.ref.period is not None and u.ref.kind in ("year", "quarter", "half", "month", "day"):
                    return u.ref.period.start.year
        return None


# ---------------------------------------------------------------- helpers
def _keep(ents: list[str], origin: str) -> tuple[list[str], str, str]:
    if any(e in (UNTRACKED, PART) for e in ents):
        return [], "", "about a company or part we do not track"
    return ents, origin, ""


def _subjects(sents: list[Sentence]) -> None:
    """Give every subject token the entity it stands for, reading the document in order."""
    default = lexicon.data()["default_company"]
    company, part = None, None
    for s in sents:
        for t in s.tokens:
            if t.kind == "entity":
                spec = lexicon.entity(t.id)
                t.entity = t.id
                company = spec.get("company") or company
                if t.id in CLOUDS:
                    part = t.id
            elif t.kind == "company":
                t.entity, company = UNTRACKED, t.id
            elif t.kind == "segment":
                t.entity, part = PART, PART
                company = lexicon.segment(t.id).get("company") or company
            elif t.kind == "cloud":
                t.entity = lexicon.cloud_of(company or default) or UNTRACKED
                part = t.entity
            elif t.kind == "coref":
                if t.id == "company":
                    t.entity = lexicon.group_of(company or default) or UNTRACKED
                else:
                    t.entity = part or UNTRACKED


def _index(sent: Sentence, t: Token) -> int:
    return sent.tokens.index(t)


def _excluded(sent: Sentence, t: Token) -> bool:
    """A subject named inside 剔除.../不考虑... of its clause."""
    for u in reversed(sent.tokens[: _index(sent, t)]):
        if u.clause != t.clause or u.kind in ("metric", "change", "num", "growth"):
            return False
        if u.kind == "exclusion":
            return True
    return False


def _exclusion_owner(sent: Sentence, t: Token) -> str | None:
    """Excluding a part (高鑫零售, 已处置业务) leaves the whole: the owner's group."""
    if t.kind == "segment":
        owner = lexicon.segment(t.id).get("company")
        return lexicon.group_of(owner) if owner else None
    return None


def _compared(sent: Sentence, t: Token) -> bool:
    toks = sent.tokens
    i = _index(sent, t)
    j = i - 1
    while j >= 0 and toks[j].kind == "period":
        j -= 1
    return j >= 0 and toks[j].kind == "comparison" and toks[j].clause == t.clause


def _attached(text: str, sent: Sentence, t: Token, num: Token) -> bool:
    """The number belongs to the subject just before it: only periods stand between them."""
    toks = sent.tokens
    between = toks[_index(sent, t) + 1 : toks.index(num)]
    if any(u.kind != "period" for u in between) or num.clause != t.clause:
        return False
    gap = text[t.end : num.start]
    for u in between:
        gap = gap.replace(text[u.start : u.end], "")
    return len(gap.strip()) <= 2


def _combined_after(sent: Sentence, t: Token) -> bool:
    toks = sent.tokens
    i = _index(sent, t)
    return i + 1 < len(toks) and toks[i + 1].kind == "combined" and toks[i + 1].start - t.end <= 2


def _metric_before(sent: Sentence, t: Token) -> Token | None:
    for u in reversed(sent.tokens[: _index(sent, t)]):
        if u.kind == "metric":
            return u
    return None


def _company_family(sent: Sentence, c: Claim) -> str | None:
    """A growth rate with no metric word, of a company or a market, is its revenue's."""
    return "revenue"


def _metric_id(family: str, role: str, c: Claim, subjects: list[str]) -> str | None:
    if family == "_direct":
        return c.metric_id
    roles = lexicon.roles(family)
    if role == "growth" and "growth" not in roles and "cut" in roles:
        return roles["cut"] if c.sign_token is not None and c.sign_token.id in ("down", "sign_down") else None
    if role == "level" and "level" not in roles:
        return None
    return roles.get(role)


def _shared_qualifier(c: Claim, own: str) -> str:
    """4%和2%左右: a qualifier after the last item of a list is the list's."""
    return own


def _source(sent: Sentence, num: Token) -> str | None:
    before = [t for t in sent.tokens if t.kind == "source" and t.start < num.start]
    if before:
        return before[-1].id
    after = [t for t in sent.tokens if t.kind == "source"]
    return after[0].id if after else None


def _in_forecast(sent: Sentence, t: Token) -> bool:
    return any(u.kind == "forecast" and u.id == "verbs" and u.start < t.start and not _escapes(sent, u, t)
               for u in sent.tokens)


def _escapes(sent: Sentence, cue: Token, t: Token, text: str | None = None) -> bool:
    """A bracketed aside with its own period escapes the forecast before it: 预测增长25%(相对于上季度的33%)."""
    if t.clause == cue.clause or not sent.clauses:
        return False
    start = sent.clauses[t.clause][0]
    opened = sent.clauses[t.clause - 1][1] if t.clause else start
    return cue.end <= opened and any(u.kind == "period" and u.clause == t.clause and u.start < t.start
                                     for u in sent.tokens) and t.ref is not None and _bracketed(sent, t)


def _bracketed(sent: Sentence, t: Token) -> bool:
    return bracketed(sent, t.clause)


def _within(label: cal.Period, gloss: cal.Period) -> bool:
    return gloss.start <= label.end and label.start <= gloss.end and (gloss.start >= label.start or gloss.end <= label.end)


def _fiscal_year_of(p: cal.Period) -> int:
    return p.end.year + (1 if p.end.month > 3 else 0)


def _calendar_reading(e: periods.Expr) -> cal.Period | None:
    """2025财年第三季度 read as the calendar 2025年第三季度."""
    if e.period is None or e.type != "fiscal_quarter":
        return None
    fy = _fiscal_year_of(e.period)
    q = int(cal.fiscal_label(e.period.label)[-1])
    return cal.quarter(fy, q)


def _quarter_number(s: str) -> int:
    for ch, q in (("一", 1), ("二", 2), ("三", 3), ("四", 4), ("1", 1), ("2", 2), ("3", 3), ("4", 4)):
        if ch in s:
            return q
    return 1


def _own_transition_period(text: str, toks: list[Token], i: int) -> Token | None:
    """从2016年的3.7%: the period written right before a value of a change is that value's."""
    j = i - 1
    while j >= 0 and toks[j].kind == "of":
        j -= 1
    if j >= 0 and toks[j].kind == "period" and text[toks[j].end : toks[i].start].strip() in ("", "的"):
        return toks[j]
    return None


def _is_from_value(toks: list[Token], i: int) -> bool:
    for t in reversed(toks[:i]):
        if t.kind == "from":
            return True
        if t.kind in ("to", "change", "num"):
            return False
    return False


def _precedes_other_value(text: str, toks: list[Token], t: Token, num: Token) -> bool:
    """A period written right before another value (从2021年上半年的37.8%) is that value's, not this one's."""
    j = toks.index(t) + 1
    while j < len(toks) and toks[j].kind == "of":
        j += 1
    return j < len(toks) and toks[j].kind == "num" and toks[j] is not num and \
        text[t.end : toks[j].start].strip() in ("", "的") and any(u.kind == "from" for u in toks[: toks.index(t)])


def _listed_products(toks: list[Token], i: int) -> list[Token]:
    """Qwen-Plus和Qwen-Max分别...: the products listed last before the number, in order."""
    prods = [j for j in range(i) if toks[j].kind == "product"]
    if not prods:
        return []
    out = [toks[prods[-1]]]
    k = prods[-1]
    while k >= 2 and toks[k - 1].kind == "and" and toks[k - 2].kind == "product":
        out.insert(0, toks[k - 2])
        k -= 2
    return out
