"""What the text leaves implicit: each claim's subject, metric and period, carried across clauses,
sentences and from a paragraph or document head, with the reason recorded.

Subjects: the nearest subject before the number in its sentence (not one excluded by 剔除, not the
object of a comparison unless the number belongs to it, not the market a share is of), with the
subjects listed with it; else the paragraph's topic; else the document's. 公司 and 云业务 resolve
through the company the text is about; 公有云市场 through its geography. Metrics: the frame's metric
word, else the sentence's last. Periods: the nearest period before the number in its sentence, else
the period the text is discussing, else (financial figures) the results the document reports.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from extractors import calendar as cal
from extractors import metrics
from extractors.grammar import Claim
from extractors.recognize import lexicon, numbers, periods
from extractors.tokens import Sentence, Token, bracketed, opens_section

UNTRACKED = "_untracked"  # a company or market we do not follow
PART = "_part"  # a part of a company that is not its cloud
SUBJECTS = frozenset({"entity", "company", "segment", "cloud", "coref", "market"})
_OF = lexicon.data()["between"]["possessive"]  # the particle that may stand between two tokens that go together
_PERIOD_RANGE = tuple(lexicon.data()["between"]["period_range"])
MARKETS = frozenset(k for k, v in lexicon.data()["entities"].items() if v.get("market"))
CLOUDS = frozenset(k for k, v in lexicon.data()["entities"].items() if v.get("company") and v.get("level") != "company")
FISCAL_TYPES = frozenset({"fiscal_quarter", "fiscal_year", "fiscal_part"})
COARSE = frozenset({"quarter", "half", "year", "fiscal_year", "context"})  # kinds that date a financial figure
MIN_COMPANY_AMOUNT = 1e6  # a company's revenue or EBITA written without 万/亿 and below this is per share


@dataclass(slots=True)
class Resolved:
    claim: Claim
    sentence: Sentence
    entity: str
    product: str | None
    metric: str
    family: str
    role: str
    value: float
    value_high: float | None
    qualifier: str
    unit: str
    period: cal.Period | None
    period_note: str | None
    subject_origin: str
    source: str | None


class Resolver:
    def __init__(self, text: str, sents: list[Sentence], published: dt.date | None):
        self.text, self.sents, self.published = text, sents, published
        self.fiscal_doc = any(t.kind == "period" and t.ref.type in FISCAL_TYPES for s in sents for t in s.tokens)
        self.dropped: list[tuple[str, str]] = []  # (number, why): what was read but is no claim
        self.current: cal.Period | None = None  # the period the text is discussing
        self.current_fiscal = False  # ... named by a fiscal label
        self.current_by_market = False  # ... by figures about a market, not a company
        self.current_paragraph = -1  # ... in this paragraph
        self.fiscal_year: int | None = None  # of the last fiscal label read
        self.product_topic: Token | None = None
        self.price_month: cal.Period | None = None  # of the last price change dated to a month
        self.market_topic: tuple[str, str | None] | None = None  # (product, geography) of the market the text ranks
        self.last_family: str | None = None  # of the last claim read, for 这一数字
        self.head: tuple[str, cal.Period | None, str | None] | None = None  # (family, period, product) of a list's head
        self.topic: Token | None = None  # the subject the text is about: the last one named
        self.per_tokens: tuple[int, int] | None = None  # (sentence, tokens) of the last token price's unit
        _subjects(sents)
        self._glosses()
        self.report_fiscal = False
        self.report = self._report_period()

    # ------------------------------------------------------------ the document head
    def _glosses(self) -> None:
        """A fiscal label with a calendar restatement in brackets: agreeing, the gloss adds nothing;
        disagreeing (2024财年Q2(2024年3月)), neither can be trusted and the period is unknown."""
        for s in self.sents:
            toks = s.tokens
            for i in range(1, len(toks)):
                t, prev = toks[i], toks[i - 1]
                if (t.kind == "period" and prev.kind == "period" and t.clause == prev.clause + 1 and bracketed(s, t.clause)
                        and prev.ref.type == "fiscal_quarter"):
                    t.ref.gloss = True
                    if t.ref.period is not None and prev.ref.period is not None and not _overlap(prev.ref.period, t.ref.period):
                        prev.ref.reason = (f"the label ({self.text[prev.start:prev.end]}) and its gloss "
                                           f"({self.text[t.start:t.end]}) disagree")
                        prev.ref.period = None

    def _report_period(self) -> cal.Period | None:
        """The quarter whose results the document reports: the first quarter named in its head or in a
        sentence about results; else, for a document about results, the publication date's convention."""
        latest = False
        for k, s in enumerate(self.sents):
            if not s.tokens:
                continue
            report, is_latest = _report(self.text, s)
            latest = latest or is_latest
            if k > 3 and not report:
                continue
            for t in s.tokens:
                e = t.ref if t.kind == "period" else None
                if e is not None and e.kind in ("quarter", "half") and e.period is not None and not e.gloss \
                        and not _in_forecast(s, t):
                    self.report_fiscal = e.type in FISCAL_TYPES
                    return self._latest_label(e, latest)
        if self.published is not None and any(s.tokens and _report(self.text, s)[0] for s in self.sents):
            return cal.report_quarter(self.published)
        return None

    def _latest_label(self, e: periods.Expr, latest: bool) -> cal.Period:
        """A fiscal label in a report called the latest that names a quarter long past, while the same
        words read as a calendar label name the quarter just reported: the writer meant the calendar one."""
        if not latest or self.published is None or e.type != "fiscal_quarter":
            return e.period
        due = cal.report_quarter(self.published)
        reading = _calendar_reading(e.period)
        if reading.label == due.label and e.period.label != due.label:
            e.reason = (f"{self.text[e.start:e.end]} names {e.period.label} by the fiscal calendar, but the latest "
                        f"results when it was published ({self.published:%Y-%m}) cover {due.label}: read as calendar")
            e.period = reading
        return e.period

    # ------------------------------------------------------------ one sentence
    def sentence(self, sent: Sentence, claims: list[Claim]) -> list[Resolved]:
        if not sent.tokens:
            return []
        out: list[Resolved] = []
        last: tuple[str, str] | None = None  # (family, role) of the sentence's last claim
        dated: cal.Period | None = None  # the last period a claim of this sentence took from it
        fiscal = False
        for c in claims:
            r, own = self._claim(sent, c, last)
            if own is not None:
                dated, fiscal = own
            if isinstance(r, str):
                self.dropped.append((self.text[c.number.start : c.number.end], r))
                continue
            out += r
            if r:
                last = (r[0].family, r[0].role)
                self.last_family = r[0].family
        if dated is not None:
            self.current, self.current_fiscal = dated, fiscal
            self.current_by_market = bool(out) and all(r.entity in MARKETS for r in out)
            self.current_paragraph = sent.paragraph
        for t in sent.tokens:
            if t.kind == "period" and t.ref.type in ("fiscal_quarter", "fiscal_year") and t.ref.period is not None:
                self.fiscal_year = _fiscal_year_of(t.ref.period)
        prods = [t for t in sent.tokens if t.kind == "product" and not lexicon.product(t.id).get("market")
                 and not _in_mixed_list(sent.tokens, t.i)]
        if prods:
            self.product_topic = prods[0]  # a model or service a price list goes on about
        self._follow_market(sent)
        self._follow_topic(sent)
        self._follow_head(sent)
        return out

    def _follow_market(self, sent: Sentence) -> None:
        """The market the text is about: the last product named as a market (中国AI云市场, 公有云存储服务市场);
        a market named without one (中国公有云市场) ends it."""
        self.market_topic = _market_named(self.text, sent.tokens, self.market_topic)

    def _follow_head(self, sent: Sentence) -> None:
        """A sentence ending in a colon heads a list: its lines take the metric, period and product it
        names (or the sentence before it in its paragraph names: 按市场份额排名,...。具体来看:), until a
        sentence names a metric of its own."""
        words = [t for t in sent.tokens if t.kind == "metric"]
        if self.text[sent.start : sent.end].rstrip().endswith((":", "：")):
            head = [sent] + ([] if words else [s for s in self.sents[max(0, sent.k - 1) : sent.k]
                                                  if s.paragraph == sent.paragraph])
            toks = [t for s in head for t in s.tokens]
            words = [t for t in toks if t.kind == "metric"]
            dated = [t for t in toks if t.kind == "period" and t.ref.period is not None]
            prods = [t for t in toks if t.kind == "product"]
            if words:
                period = dated[-1].ref.period if dated else self.current
                self.head = (words[-1].id, period, prods[-1].id if prods else None)
        elif words:
            self.head = None

    def _claim(self, sent: Sentence, c: Claim, last) -> tuple[list[Resolved] | str, tuple | None]:
        """Rows for one claim (or why there are none), and the period it took from its own sentence."""
        stance = self._stance(sent, c)
        if stance:
            return stance, None
        family, role, why = self._metric(sent, c, last)
        if family is None:
            return why, None
        subjects, origin, why = self._subjects(sent, c, role)
        product = self._product(sent, c, role, family)
        if product and self._as_market(sent, c, product) and c.metric_id != "market_share" and role != "level":
            if not subjects or origin == "topic" or set(subjects) <= MARKETS:
                subjects, origin, why = [self._geography_market(sent, c)], "market of the product", ""
        if (role == "level" or c.metric_id == "market_share" or (product and lexicon.product(product).get("market"))) \
                and subjects:
            subjects = [_cloud_of_company(s, t) for s, t in zip(subjects, self._subject_tokens)]
        owner = lexicon.product(product).get("entity") if product else None
        if owner and (not subjects or origin == "topic" or set(subjects) <= {owner, lexicon.group_of("alibaba")}):
            subjects, origin, why = [owner], "product", ""
        if not subjects or any(s in (UNTRACKED, PART) or s is None for s in subjects):
            return why or "about a company or part we do not track", None
        metric = _metric_id(family, role, c)
        per = None
        if metric is None and family == "price" and role == "amount" and c.number.ref.unit == "CNY" \
                and self.per_tokens is not None and self.per_tokens[0] == sent.k:
            metric, per = "token_price", self.per_tokens[1]  # 输入价格每百万Token 0.8元,输出价格2元: the unit carries
        if metric is None:
            return f"no {role} metric for {family} words", None
        if lexicon.part_only(family) and not set(subjects) <= CLOUDS:
            return f"{family} of a group is adjusted net income, which is not tracked", None
        if set(subjects) <= MARKETS and metric in ("revenue", "adjusted_ebita"):
            metric = "market_size"
        value, high, qualifier, unit = self._value(c, role, metric)
        if per is not None:
            value, high, unit = numbers.per_million(value, per), None if high is None else numbers.per_million(high, per), \
                "CNY/1M tokens"
        elif metric == "token_price" and c.number.kind == "num":
            tokens = numbers.per_tokens(c.number.ref)
            self.per_tokens = (sent.k, tokens) if tokens else None
        if metric in ("revenue", "adjusted_ebita") and c.number.kind == "num" and not c.number.ref.magnitude \
                and abs(value) < MIN_COMPANY_AMOUNT:
            return "too small for a company's figure: per share or a price", None
        self._alibaba = any(lexicon.entity(e).get("company") == "alibaba" for e in subjects if e in lexicon.tracked_entities())
        period, note, own = self._period(sent, c, metric)
        if lexicon.annual(family) and period is not None and period.origin in ("context", "report_convention") \
                and period.label[4:5] in ("Q", "H"):
            period, note = self._year_discussed(sent, c.number)
        if period is not None and self.published is not None and period.start > self.published \
                and metric not in metrics.priced():  # a price change announced ahead is decided, not forecast
            return "a period after the publication date: a forecast", own
        if metric in metrics.priced() and period is not None and period.label[4:5] == "-":
            self.price_month = period
        src = _source(sent, c.number)
        rows = [Resolved(c, sent, ent, product, metric, family, role, value, high, qualifier, unit, period, note,
                         origin, src) for ent in subjects]
        return rows, own

    # ------------------------------------------------------------ stance
    def _stance(self, sent: Sentence, c: Claim) -> str | None:
        """Why a number is not a claim of fact (a forecast, an expected figure, a question), or None."""
        num = c.number
        toks = sent.tokens
        i = num.i
        for t in sent.before(i, "forecast"):
            if t.id in ("verbs", "estimates") and not _escapes(sent, t, num):
                return f"a forecast ({self.text[t.start:t.end]})"
            if t.id == "nouns" and (t.clause == num.clause or (
                    num.clause == t.clause + 1 and bracketed(sent, num.clause))):
                return f"an expected figure ({self.text[t.start:t.end]})"
        if any(toks[j].id == "questions" and toks[j].clause == num.clause for j in sent.by_kind.get("forecast", ())):
            return "a figure asked about, not stated"
        return None

    # ------------------------------------------------------------ metric
    def _metric(self, sent: Sentence, c: Claim, last) -> tuple[str | None, str, str]:
        """(family, role, why none): the family of the frame's metric word, else the sentence's."""
        role = c.role
        if c.metric_id is not None:
            return "_direct", role, ""
        mt = c.metric_token
        if mt is not None and mt.kind == "growth":
            mt, role = _metric_before(sent, mt), "growth"
        if mt is not None:
            family = mt.id
        else:
            before = _metric_before(sent, c.number)
            if before is None and self.last_family and sent.before(c.number.i, "metric_ref"):
                before = Token("metric", 0, 0, self.last_family)  # 上年这一数字为358亿元
            if role == "carried" and last is None:
                rate = (sent.before(c.number.i, "metric", "growth") or [None])[-1]
                if rate is not None and rate.kind == "growth":  # 营收增速超过亚马逊,达到30%
                    role, before = "growth", _metric_before(sent, rate) or Token("metric", 0, 0, "revenue")
                elif before is None and self.head is not None:  # a line of a list under its head
                    before = Token("metric", 0, 0, self.head[0])
            if role == "carried" and last is not None:
                family, role = last
                if before is not None and before.id != family:
                    family = before.id
            elif before is not None:
                family = before.id
                if role == "growth" and "level" in lexicon.roles(family) and "growth" not in lexicon.roles(family):
                    family = "revenue"  # 市场份额19%,同比增长15%: a company's growth is its revenue's
            elif role == "growth" and _product_before(sent, c.number) and c.sign_token is not None \
                    and c.sign_token.id in ("down", "sign_down"):
                family = "price"  # Qwen-Plus再降80%: a product that falls is a price
            elif role == "growth":
                family = "revenue"  # a company's or a market's growth, with no metric word, is its revenue's
            elif role == "cut":
                family = "price"
            else:
                return None, role, "no metric word for the number"
        if role == "carried":
            roles = lexicon.roles(family)
            role = "level" if "level" in roles else "growth" if "growth" in roles else "amount"
        if family in ("blocked", "company_only"):
            return None, role, "a metric that is not tracked"
        if lexicon.after_market(family) and not _vendor_in_market(sent, c.number.i):
            return None, role, "a part of a whole, not a vendor's market share"
        return family, role, ""

    # ------------------------------------------------------------ subject
    def _subjects(self, sent: Sentence, c: Claim, role: str) -> tuple[list[str], str, str]:
        self._subject_tokens: list[Token | None] = [None]
        num = c.number
        toks = sent.tokens
        i = num.i
        share = c.metric_id == "market_share" or role == "level"
        # 800亿美元的AWS: an amount that describes the subject right after it
        k = i + 2 if i + 1 < len(toks) and toks[i + 1].kind == "of" else i + 1
        if k < len(toks) and toks[k].kind in SUBJECTS and self.text[num.end : toks[k].start].strip() == _OF:
            return self._listed(sent, k, c, role, "attributive")
        for j in range(i - 1, -1, -1):
            t = toks[j]
            if t.kind not in SUBJECTS:
                continue
            if _excluded(sent, t):
                owner = _exclusion_owner(t)
                if owner:
                    return [owner], "exclusion", ""
                continue
            if _a_cause(sent, t) and t.clause != num.clause:
                continue  # 受益于云计算的普及,...增长了42%: what a figure is owed to is not whose it is
            if _compared(sent, t) and not _attached(self.text, sent, t, num):
                continue
            if _occupied(sent, t):
                if c.frame == "level.occupy":
                    return [], "", "a part of a whole, not a market share"
                continue
            if share and (t.entity in MARKETS or t.kind == "market"):
                continue  # the market a share is of
            return self._listed(sent, j, c, role, "clause" if t.clause == num.clause else "sentence")
        if any(t.kind == "combined" and t.clause == num.clause for t in toks[:i]):
            return [], "", "a figure for several subjects together"
        whole = _whole_of_part_after(sent, num)
        if whole:
            return [whole], "whole", ""
        topic = self.topic
        if topic is not None and any(t.kind == "metric" and t.id == "company_only" for t in toks[:i]):
            topic = self._whole_company(topic)  # 经营利润下降85%,主要由于经调整EBITA减少78%: the company's
        if topic is not None and not (share and topic.entity in MARKETS):
            self._subject_tokens = [topic]
            return [topic.entity], "topic", ""
        return [], "", "nobody named before the number"

    def _follow_topic(self, sent: Sentence) -> None:
        """The subject the text goes on about: the last one named, outside headlines (a heading with a
        figure) and comparisons; a section heading sets it (or clears it); a figure only a whole company
        reports (经营利润, 净利润, EPS) with nobody named brings it back to the company."""
        usable = [t for t in sent.before(len(sent.tokens), *SUBJECTS) if _usable(sent, t)]
        has_num = "num" in sent.by_kind
        if opens_section(self.text, sent) and not has_num:
            if usable:
                self.topic = usable[0]
        elif sent.heading and has_num:
            return
        elif usable:
            # the sentence's topic: the subject it starts from, unless that one only dates or heads it (阿里巴巴
            # 2023财年第四季度,云智能集团收入...; 阿里巴巴:云智能集团收入...: no figure, no metric in its clause) and
            # another subject, or its own cloud, follows with the figures
            first = usable[0]
            said = {t.clause for t in sent.before(len(sent.tokens), "num", "metric")}
            later = next((t for t in usable if t.clause in said), None) if first.clause not in said else None
            dates = any(t.clause == first.clause for t in sent.before(len(sent.tokens), "period"))
            if later is not None and (dates or _cloud_of_company(first.entity, first) == later.entity != first.entity):
                first = later
            self.topic = first
        elif any(t.kind == "metric" and t.id == "company_only" for t in sent.tokens) and self.topic is not None:
            self.topic = self._whole_company(self.topic)

    def _whole_company(self, topic: Token) -> Token:
        """The group a topic belongs to (经营利润 with nobody named is the company's)."""
        group = lexicon.group_of(_company_of(topic) or lexicon.data()["default_company"])
        return Token("entity", topic.start, topic.end, group, entity=group) if group else topic

    def _listed(self, sent: Sentence, j: int, c: Claim, role: str, origin: str) -> tuple[list[str], str, str]:
        toks = sent.tokens
        chosen = [toks[j]]
        self._subject_tokens = chosen
        k = self._name_start(toks, j)
        while k >= 2 and toks[k - 1].kind == "and" and toks[k - 2].kind in SUBJECTS:
            chosen.insert(0, toks[k - 2])
            k = self._name_start(toks, k - 2)
        if _combined(self.text, sent, chosen, c.number):
            return [], "", "a figure for several subjects together"
        ents = [t.entity for t in chosen]
        if len(ents) > 1:
            if c.in_list is not None and c.list_len == len(ents):
                ents, self._subject_tokens = [ents[c.in_list]], [chosen[c.in_list]]
            elif role in ("amount", "level"):
                return [], "", "an amount or share for several subjects together"
        return ents, origin, ""

    def _name_start(self, toks: list[Token], k: int) -> int:
        """中国电信天翼云: subjects written together are one name, the last one's; its first token."""
        while k >= 1 and toks[k - 1].kind in SUBJECTS and _one_name(self.text, toks[k - 1], toks[k]):
            k -= 1
        return k

    def _as_market(self, sent: Sentence, c: Claim, product: str) -> bool:
        """The product is a market (IaaS) or is named as one before the number (公有云存储服务市场)."""
        return bool(lexicon.product(product).get("market")) or any(
            t.kind == "product" and t.id == product and lexicon.names_market(self.text, t.start, t.end)
            for t in sent.tokens[: c.number.i])

    def _geography_market(self, sent: Sentence, c: Claim) -> str:
        """The market a slice (IaaS, PaaS) belongs to: the last market or geography named before it."""
        for s in reversed(self.sents[: sent.k + 1]):
            for t in reversed(s.tokens if s is not sent else s.tokens[: c.number.i]):
                if t.entity in MARKETS:
                    return t.entity
                if t.kind == "geography" or (t.kind == "geoword" and s is sent):
                    return "global_cloud_market" if t.id == "global" else "china_public_cloud_market"
        return "china_public_cloud_market"

    # ------------------------------------------------------------ product
    def _product(self, sent: Sentence, c: Claim, role: str, family: str) -> str | None:
        num = c.number
        toks = sent.tokens
        i = num.i
        before = [t for t in toks[:i] if t.kind == "product" and not _excluded(sent, t)
                  and not (t.clause < num.clause and _parallel(self.text, sent, t, num))]
        if c.in_list is not None:
            listed = _listed_products(toks, i)
            if len(listed) == c.list_len:
                return listed[c.in_list].id
        if before:
            return before[-1].id
        if c.frame == "ellipsis.line" and self.head is not None and self.head[2]:
            return self.head[2]
        if role == "level" or c.metric_id == "market_share":
            after = [t for t in toks[i + 1 :] if t.kind == "product" and t.clause == num.clause]
            if after and lexicon.product(after[0].id).get("market"):
                return after[0].id
        if c.metric_id == "market_share" or lexicon.roles(family).get(role) == "market_share":
            topic = _market_named(self.text, toks[:i], self.market_topic)
            if topic is not None:
                return topic[0]
        if c.metric_id == "token_price" or role == "cut":
            topic = self.product_topic
            owner = lexicon.product(topic.id).get("entity") if topic is not None else None
            others = [t for t in toks[:i] if t.kind in ("entity", "company") and t.entity != owner]
            if topic is not None and not (owner and others):  # 腾讯混元...每千tokens: not the Qwen of before
                return topic.id
        return None

    # ------------------------------------------------------------ value
    def _value(self, c: Claim, role: str, metric: str) -> tuple[float, float | None, str, str]:
        num = c.number
        if num.kind == "change":  # 翻倍
            return 100.0, None, "approx", "%"
        m = num.ref
        value, high = m.value, m.value_high
        signed = numbers.signed(m)
        if metric in ("price_cut", "cost_decline"):
            value, high = abs(value), None if high is None else abs(high)
        elif role == "cut":  # a fall of a growing metric (营收降幅达5%)
            value, high = -abs(value), None if high is None else -abs(high)
            if high is not None:
                value, high = min(value, high), max(value, high)
        elif c.sign_token is not None and not c.as_written and not signed and c.sign_token.id in ("down", "sign_down", "loss"):
            value, high = -value, None if high is None else -high
            if high is not None:
                value, high = min(value, high), max(value, high)
        qualifier = m.qualifier
        if c.in_list is not None and qualifier == "exact":
            qualifier = c.list_qualifier or qualifier
        unit = {"percent": "%", "token": "CNY/1M tokens", "count": "count"}.get(m.kind) or m.unit or "CNY"
        return value, high, qualifier, unit

    # ------------------------------------------------------------ period
    def _period(self, sent: Sentence, c: Claim, metric: str) -> tuple[cal.Period | None, str | None, tuple | None]:
        """(period, note, (period, fiscal) taken from the sentence itself or None)."""
        num = c.number
        toks = sent.tokens
        i = num.i
        clause_start = sent.clauses[num.clause][0]
        marker = periods.span_marker(self.text, clause_start, num.start)
        if marker:
            return None, f"covers several periods ({marker})", None
        financial = metric in metrics.financial()
        if c.frame.endswith("transition"):
            mine = _own_transition_period(self.text, toks, i)
            if mine is not None:
                p, why, _ = self._period_of(sent, mine)
                return p, why, None
            if _is_from_value(toks, i):
                return None, "the start of a change, with no period of its own", None
        if c.in_list is not None:
            discussed = self.current or self.report or (cal.report_quarter(self.published) if self.published else None)
            run = periods.quarter_run(self.text, sent.start, num.start, discussed)
            if run is not None:  # 2024年四个季度...分别为3%、6%、7%和13%
                if len(run) == c.list_len:
                    return run[c.in_list], "the quarters named before the list, in order", None
                return None, "a list over several quarters that are not named one by one", None
            listed = self._listed_periods(sent, i, c.list_len)
            if listed:
                return listed[c.in_list], "the periods listed with the values, in order", None
        report, latest = _report(self.text, sent)
        for t in reversed([t for t in toks[:i] if t.kind == "period" and not t.ref.gloss]):
            if _precedes_other_value(self.text, toks, t, num) or (_in_forecast(sent, t) and not _in_forecast(sent, num)):
                continue
            if financial and latest and self.published is not None and t.ref.type in periods.CONTEXT_TYPES:
                break  # 最新一季财报...季度收入: the latest report's quarter
            if financial and t.ref.kind in ("day", "month") and not report:
                continue  # a date in passing does not date a quarter's figure
            p, why, has_day = self._period_of(sent, t)
            if p is None:
                return None, why, None
            fiscal = t.ref.type in FISCAL_TYPES
            if financial and has_day:
                q = cal.report_quarter(t.ref.day)
                return q, "the report published then covers the quarter before", (q, False)
            if metric in metrics.priced() and t.ref.day is not None:
                eff = self._effective_date(sent)
                if eff is not None:
                    return eff, "the month the change took effect", None
                return cal.month(t.ref.day.year, t.ref.day.month, p.origin), why, None
            own = (p, fiscal) if t.ref.type not in ("context_previous", "context_year_before") else None
            return p, why, own
        if financial and self.published is not None and latest:
            q = cal.report_quarter(self.published)
            return q, "the latest report when it was published", (q, False)
        if metric in metrics.priced():
            p = self._effective_date(sent) or self._recent_date(sent)
            if p is not None:
                return p, "the date stated nearby", None
            if self.price_month is not None:
                return dataclasses.replace(self.price_month, origin="context"), "the month of the price change reported before", None
        if c.frame == "ellipsis.line" and self.head is not None and self.head[1] is not None:
            return dataclasses.replace(self.head[1], origin="context"), "the period of the list's head", None
        market = self._about_market(sent, c)
        current = self.current is not None and (financial or not self.current_fiscal) and \
            (not market or self.current_by_market)
        if current and self.current_paragraph == sent.paragraph:
            return dataclasses.replace(self.current, origin="context"), "the period this paragraph discusses", None
        if c.frame.endswith("transition"):  # where a change ended up: only its own paragraph dates it
            return None, "the end of a change, with no period of its own", None
        stated = self.report is not None and self.report.origin != "report_convention"  # named in the text
        if stated and (financial or (self.report.label[4:5] in "QH" and not self.report_fiscal)):
            return dataclasses.replace(self.report, origin="context"), "the period the document reports", None
        if current and financial:
            return dataclasses.replace(self.current, origin="context"), "the period the text is discussing", None
        if financial and self.report is not None:
            return self.report, "the results a report published then covers", None
        return None, "no period stated or implied", None

    def _year_discussed(self, sent: Sentence, num: Token) -> tuple[cal.Period | None, str]:
        """A year's figure (全年收入) in a text about a quarter: the last year or fiscal year it named."""
        for s in reversed(self.sents[: sent.k + 1]):
            if s.paragraph != sent.paragraph:
                break
            toks = s.tokens if s is not sent else s.tokens[: num.i]
            for t in reversed(toks):
                if t.kind == "period" and t.ref.period is not None and t.ref.kind in ("year", "fiscal_year") \
                        and not _in_forecast(s, t):
                    return dataclasses.replace(t.ref.period, origin="context"), "the year the text named"
        return None, "a year's figure in a text about a quarter: no year stated"

    def _about_market(self, sent: Sentence, c: Claim) -> bool:
        toks = sent.tokens
        before = [t for t in toks[: c.number.i] if t.kind in SUBJECTS]
        return bool(before) and (before[-1].entity in MARKETS)

    def _listed_periods(self, sent: Sentence, i: int, n: int) -> list[cal.Period] | None:
        """从2019财年到2022财年 ... 分别是84%、62%、50%、29%: a range or list of periods, one per value."""
        toks = [t for t in sent.tokens[:i] if t.kind in ("period", "to", "from", "and")]
        found = [t for t in toks if t.kind == "period" and t.ref.period is not None]
        if len(found) == n and n > 1:
            return [t.ref.period for t in found]
        for a, b in zip(found, found[1:]):
            between = [t for t in sent.tokens if a.end <= t.start < b.start]
            if any(t.kind == "to" for t in between) or self.text[a.end : b.start].strip() in _PERIOD_RANGE:
                seq = _expand(a.ref.period, b.ref.period)
                if seq is not None and len(seq) == n:
                    return seq
        return None

    def _effective_date(self, sent: Sentence) -> cal.Period | None:
        """A date in this paragraph followed by 生效/起: the month a price change took effect."""
        for s in self.sents:
            if s.paragraph != sent.paragraph:
                continue
            for t in s.tokens:
                if t.kind == "period" and t.ref.day is not None and periods.takes_effect(self.text, t.ref):
                    return cal.month(t.ref.day.year, t.ref.day.month, "context")
        return None

    def _recent_date(self, sent: Sentence) -> cal.Period | None:
        """The month of the last date written in the three paragraphs up to this sentence."""
        k = sent.k
        for s in reversed(self.sents[: k + 1]):
            if s.paragraph < sent.paragraph - 3:
                break
            for t in reversed(s.tokens):
                if t.kind == "period" and t.ref.day is not None:
                    return cal.month(t.ref.day.year, t.ref.day.month, "context")
        return None

    def _period_of(self, sent: Sentence, t: Token) -> tuple[cal.Period | None, str | None, bool]:
        """(period, note, names a day) of one period token, its context filled in."""
        e = t.ref
        if e.type == "relative_quarter":
            q = int(e.period.label[-1]) if e.period else _quarter_number(self.text[t.start : t.end])
            if self.fiscal_doc and getattr(self, "_alibaba", True):
                p = self._fiscal_part(q)
                if p is not None:
                    return p, "a fiscal quarter of the year the text discusses", False
            y = self._text_year(sent, t)
            if y is not None:
                return cal.quarter(y, q, "relative_to_text"), "the year the text named before", False
        if e.type == "last_quarter" and self._contrasted(sent, t):
            base = self._context_before(sent, t, quarter=True) or self.report
            if base is not None:  # 本季度+18%(上季度+13%): the quarter before the one discussed
                return cal.previous(base, "context"), "the quarter before the one discussed", False
        if e.period is not None:
            return e.period, e.reason, e.day is not None
        if e.type not in periods.CONTEXT_TYPES and e.type != "context_half":
            return None, e.reason, False
        if e.type == "fiscal_part":
            p = self._fiscal_part(e.q)
            return (p, "a fiscal quarter of the year the text discusses", False) if p else (None, "no fiscal year in the text", False)
        if e.type == "context_half":
            y = self._text_year(sent, t) or (self.published.year if self.published else None)
            return (cal.half(y, e.q, "context"), None, False) if y else (None, "a half of no year", False)
        base = self._context_before(sent, t) or self.current or self.report
        if e.type == "context_quarter" and (base is None or base.label[4:5] != "Q"):
            base = self._context_before(sent, t, quarter=True) or (self.current if _is_quarter(self.current) else self.report)
        if base is None and self.published is not None and e.type != "context":
            base = cal.report_quarter(self.published)  # 单季, 本季度 ... 去年同期: the quarter just reported
        if base is None:
            return None, "refers to a period the text does not name", False
        if e.type in ("context", "context_quarter"):
            return dataclasses.replace(base, origin="context"), "the period the text is discussing", False
        if e.type == "context_previous":
            return cal.previous(base, "context"), "the period before the one discussed", False
        return cal.year_before(base, "context"), "the same period a year earlier (the comparison's base)", False

    def _contrasted(self, sent: Sentence, t: Token) -> bool:
        """上季度 set against this quarter in the same sentence (本季度..., 上季度...), or after a figure of the
        quarter discussed (增速提升至26%,上季度为18%)."""
        return any(u.kind == "period" and u is not t and u.ref.type in ("context_quarter", "fiscal_part")
                   for u in sent.tokens) or any(u.kind == "num" and u.clause < t.clause for u in sent.tokens[: t.i])

    def _context_before(self, sent: Sentence, t: Token, quarter: bool = False) -> cal.Period | None:
        """The period named last before t in its sentence (本季度 ... 去年同期: the quarter discussed)."""
        for u in reversed(sent.tokens[: t.i]):
            if u.kind != "period" or u.ref.gloss or u.ref.type in ("context_year_before", "context_previous"):
                continue
            p = u.ref.period if u.ref.period is not None else (
                self._period_of(sent, u)[0] if u.ref.type in ("context", "context_quarter", "fiscal_part") else None)
            if p is not None and (u.ref.kind in COARSE or u.ref.period is None) and (not quarter or _is_quarter(p)):
                return p
        return None

    def _fiscal_part(self, q: int) -> cal.Period | None:
        if self.report is not None and cal.fiscal_label(self.report.label)[-1] == str(q):
            return dataclasses.replace(self.report, origin="context")
        fy = self.fiscal_year or (_fiscal_year_of(self.report) if self.report else None)
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
        for s in reversed(self.sents[: sent.k + 1]):
            toks = s.tokens if s is not sent else s.tokens[: t.i]
            for u in reversed(toks):
                if u.kind == "period" and u.ref.period is not None and u.ref.type in ("year", "quarter", "half", "month", "day"):
                    return u.ref.period.start.year
        return None


# ---------------------------------------------------------------- helpers
def _subjects(sents: list[Sentence]) -> None:
    """Give every subject token the entity it stands for, reading the document in order."""
    default = lexicon.data()["default_company"]
    company, part, geography = None, None, "china"
    for s in sents:
        for t in s.tokens:
            if t.kind == "geography":
                geography = t.id  # only next to a market word (lexicon.yaml)
            elif t.kind == "entity":
                spec = lexicon.entity(t.id)
                t.entity = t.id
                company = spec.get("company") or company
                geography = spec.get("market") or geography
                if t.id in CLOUDS:
                    part = t.id
            elif t.kind == "market":
                here = [u for u in s.tokens if u.kind == "geoword" and u.clause == t.clause and u.start < t.start]
                t.entity = lexicon.market(t.id, here[-1].id if here else geography) or UNTRACKED
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


def _cloud_of_company(entity: str, t: Token | None) -> str:
    """微软以22%的份额位居第二, 阿里巴巴 7.9%: in a cloud market a company stands for its cloud."""
    if t is None or t.kind not in ("company", "entity") or entity in MARKETS:
        return entity
    company = t.id if t.kind == "company" else lexicon.entity(t.id).get("company")
    if t.kind == "entity" and lexicon.entity(t.id).get("level") != "company":
        return entity
    return lexicon.cloud_of(company) or entity


def _usable(sent: Sentence, t: Token) -> bool:
    """A subject that can be a topic: named for itself, not excluded, compared with or the whole it is part of."""
    return (t.kind in SUBJECTS and t.entity is not None and not _excluded(sent, t) and not _compared(sent, t)
            and not _occupied(sent, t) and not _a_cause(sent, t))


def _vendor_in_market(sent: Sentence, i: int) -> bool:
    """A vendor and a market (a share word, a market product or a market) named before token i."""
    before = sent.tokens[:i]
    market = any((t.kind == "metric" and lexicon.roles(t.id).get("level") == "market_share" and not lexicon.after_market(t.id))
                 or (t.kind == "product" and lexicon.product(t.id).get("market")) or t.entity in MARKETS for t in before)
    return market and any(t.kind == "entity" and t.entity not in MARKETS for t in before)


def _a_cause(sent: Sentence, t: Token) -> bool:
    """主要因高鑫零售、银泰出表: a subject named as a figure's cause."""
    return "cause" in sent.by_kind and any(u.kind == "cause" and u.clause == t.clause for u in sent.tokens[: t.i])


def _occupied(sent: Sentence, t: Token) -> bool:
    """占集团整体约54%: the subject after 占 is the whole, not the part."""
    toks = sent.tokens
    i = t.i
    return i > 0 and toks[i - 1].kind == "occupy" and toks[i - 1].clause == t.clause


def _excluded(sent: Sentence, t: Token) -> bool:
    """A subject or product named inside 剔除.../不考虑... of its clause."""
    toks = sent.tokens
    if "exclusion" not in sent.by_kind:
        return False
    for u in reversed(toks[: t.i]):
        if u.clause != t.clause or u.kind in ("metric", "change", "num", "growth"):
            return False
        if u.kind == "exclusion":
            return True
    return False


def _exclusion_owner(t: Token) -> str | None:
    """Excluding a part (高鑫零售, 已处置业务) leaves the whole: the owner's group."""
    if t.kind == "segment":
        owner = lexicon.segment(t.id).get("company")
        return lexicon.group_of(owner) if owner else None
    return None


def _compared(sent: Sentence, t: Token) -> bool:
    toks = sent.tokens
    j = t.i - 1
    while j >= 0 and toks[j].kind in ("period", "and") or (j >= 0 and toks[j].kind in SUBJECTS and toks[j].clause == t.clause):
        j -= 1
    return j >= 0 and toks[j].kind == "comparison" and toks[j].clause == t.clause


def _attached(text: str, sent: Sentence, t: Token, num: Token) -> bool:
    """The number belongs to the subject just before it: only periods stand between them, or a bracket
    opens on it (领先第二名华为云(约19%))."""
    toks = sent.tokens
    between = toks[t.i + 1 : num.i]
    gap = text[t.end : num.start]
    aside = gap.lstrip().startswith("(") and num.clause == t.clause + 1 and bracketed(sent, num.clause)
    if any(u.kind != "period" for u in between) or (num.clause != t.clause and not aside):
        return False
    for u in between:
        gap = gap.replace(text[u.start : u.end], "")
    return len(gap.strip()) <= 2


def _one_name(text: str, a: Token, b: Token) -> bool:
    """中国电信天翼云, 谷歌云(Google Cloud), 亚马逊网络服务(Amazon Web Services,AWS): b names a again."""
    gap = text[a.end : b.start].strip()
    if gap in ("", "("):
        return True
    # a second alias in a bracket that opens on the name itself
    opened = text.rfind("(", 0, a.start)
    return gap in (",", "、") and opened > text.rfind(")", 0, a.start) and not text[opened + 1 : a.start].strip() \
        and opened > 0 and text[opened - 1].strip() != ""


def _combined(text: str, sent: Sentence, chosen: list[Token], num: Token) -> bool:
    """三大厂商A、B和C...合计/总: a figure of several subjects together, or of an open list (A、B等)."""
    toks = sent.tokens
    first, last = chosen[0], chosen[-1]
    for k, t in enumerate(toks):
        if t.kind != "combined":
            continue
        if last.end <= t.start < num.start:
            return True
        if t.end <= first.start:  # 三大云服务厂商A(...)、B和C: a list counted before it is named
            between = toks[k + 1 : first.i]
            if all(u.kind in SUBJECTS or u.kind in ("and", "source") for u in between) and len(between) <= 8 \
                    and first.start - t.end <= 40:
                return True
    return False


def _market_named(text: str, toks: list[Token], topic: tuple[str, str | None] | None):
    """The market topic after these tokens: the last product named as a market, with the place named
    before it; a market named without a product (中国公有云市场), or another place, ends it."""
    geo = None
    for t in toks:
        if t.kind == "geoword":
            geo = t.id
            if topic is not None and topic[1] is not None and geo != topic[1]:
                topic = None
        elif t.kind == "product" and lexicon.names_market(text, t.start, t.end):
            topic = (t.id, geo)
        elif t.kind in SUBJECTS and t.entity in MARKETS:
            topic, geo = None, lexicon.entity(t.entity)["market"]
    return topic


def _in_mixed_list(toks: list[Token], i: int) -> bool:
    """计算、存储、数据库等: a product listed among things we do not know is no topic of its own."""
    def other(j: int, step: int) -> bool:
        return 0 <= j < len(toks) and toks[j].kind == "and" and not (
            0 <= j + step < len(toks) and toks[j + step].kind == "product")
    return other(i - 1, -1) or other(i + 1, 1)


def _product_before(sent: Sentence, t: Token) -> bool:
    return sent.last_before(t.i, "product") is not None


def _metric_before(sent: Sentence, t: Token) -> Token | None:
    return sent.last_before(t.i, "metric")


def _metric_id(family: str, role: str, c: Claim) -> str | None:
    if family == "_direct":
        return c.metric_id
    roles = lexicon.roles(family)
    if role == "cut" and "cut" not in roles and "growth" in roles:
        return roles["growth"]  # 营收降幅达5%: a fall of revenue
    if role == "growth" and "growth" not in roles and "cut" in roles:
        # a price that falls (价格下调15%) is a cut of 15 points
        return roles["cut"] if c.sign_token is not None and c.sign_token.id in ("down", "sign_down") else None
    return roles.get(role)


def _source(sent: Sentence, num: Token) -> str | None:
    before = [t for t in sent.tokens if t.kind == "source" and t.start < num.start]
    if before:
        return before[-1].id
    after = [t for t in sent.tokens if t.kind == "source"]
    return after[0].id if after else None


def _in_forecast(sent: Sentence, t: Token) -> bool:
    """Whether t stands in a forecast's scope: its clause, or the rest of the sentence after it."""
    return any(u.kind == "forecast" and u.id == "verbs" and (u.clause == t.clause or
                                                               (u.start < t.start and not _escapes(sent, u, t)))
               for u in sent.tokens)


def _whole_of_part_after(sent: Sentence, num: Token) -> str | None:
    """X为388.4亿元,其中中国电商集团... : a figure with nobody named, followed by 其中 and a part, is the whole's."""
    toks = sent.tokens
    after = toks[num.i + 1 :]
    for k, t in enumerate(after):
        if t.kind == "among" and k + 1 < len(after) and after[k + 1].kind in ("segment", "cloud", "entity"):
            company = _company_of(after[k + 1]) or (lexicon.data()["default_company"] if after[k + 1].kind == "cloud" else None)
            return lexicon.group_of(company) if company else None
    return None


def _company_of(t: Token) -> str | None:
    if t.kind == "entity":
        return lexicon.entity(t.id).get("company")
    if t.kind == "company":
        return t.id
    if t.kind == "segment":
        return lexicon.segment(t.id).get("company")
    return None


def _escapes(sent: Sentence, cue: Token, t: Token) -> bool:
    """A forecast governs the rest of its sentence, except a bracketed aside with its own period
    (预测增长25%(相对于上季度的33%)) and a later clause about a subject of its own."""
    if t.clause == cue.clause:
        return False
    toks = sent.tokens
    own = [u for u in toks if cue.clause < u.clause <= t.clause and u.start < t.start]
    if bracketed(sent, t.clause) and any(u.kind == "period" and u.clause == t.clause for u in own):
        return True
    return any(u.kind in SUBJECTS and u.kind != "market" and u.clause > cue.clause for u in own)


def _report(text: str, sent: Sentence) -> tuple[bool, bool]:
    """(mentions a results report, calls it the latest), read once per sentence."""
    if sent.report is None:
        sent.report = periods.mentions_report(text, sent.start, sent.end)
    return sent.report


def _is_quarter(p: cal.Period | None) -> bool:
    return p is not None and p.label[4:5] == "Q"


def _overlap(label: cal.Period, gloss: cal.Period) -> bool:
    return gloss.start <= label.end and label.start <= gloss.end


def _fiscal_year_of(p: cal.Period) -> int:
    return p.end.year + (1 if p.end.month > 3 else 0)


def _calendar_reading(p: cal.Period) -> cal.Period:
    """FY2025Q3 (2025财年第三季度) read as the calendar 2025年第三季度."""
    fl = cal.fiscal_label(p.label)
    return cal.quarter(int(fl[2:6]), int(fl[-1]))


def _quarter_number(s: str) -> int:
    for ch, q in lexicon.data()["quarter_numbers"]:
        if ch in s:
            return q
    return 1


def _expand(a: cal.Period, b: cal.Period) -> list[cal.Period] | None:
    """2019财年 .. 2022财年 -> FY2019, FY2020, FY2021, FY2022 (same kind, at most 12)."""
    out = [a]
    while out[-1].label != b.label and len(out) <= 12:
        nxt = cal.shifted(out[-1], 1, a.origin)
        if nxt is None:
            return None
        out.append(nxt)
    return out if out[-1].label == b.label else None


def _own_transition_period(text: str, toks: list[Token], i: int) -> Token | None:
    """从2016年的3.7%: the period written right before a value of a change is that value's."""
    j = i - 1
    while j >= 0 and toks[j].kind == "of":
        j -= 1
    if j >= 0 and toks[j].kind == "period" and text[toks[j].end : toks[i].start].strip() in ("", _OF):
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
    j = t.i + 1
    while j < len(toks) and toks[j].kind == "of":
        j += 1
    return j < len(toks) and toks[j].kind == "num" and toks[j] is not num and \
        text[t.end : toks[j].start].strip() in ("", _OF)


def _parallel(text: str, sent: Sentence, t: Token, num: Token) -> bool:
    """对象存储OSS最高降价50%,云数据库RDS最高降价40%: a product that opens a clause holding a value was that
    value's, when the number's clause says the same and opens with a name of its own (one we do not know)."""
    toks = sent.tokens
    own = [u for u in toks if u.clause == t.clause]
    if not any(u.kind == "num" for u in own) or text[sent.clauses[t.clause][0] : t.start].strip():
        return False
    words = {u.kind for u in own if u.kind in ("cut", "metric", "change")}
    mine = [u for u in toks if u.clause == num.clause]
    return any(u.kind in words for u in mine) and len(text[sent.clauses[num.clause][0] : mine[0].start].strip()) >= 2


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
