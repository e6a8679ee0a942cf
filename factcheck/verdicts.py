"""Verdicts: each Alibaba Cloud claim checked against the reported quarterly figures.

Conventions (what the four VERDICT_SCHEMA columns mean):
- Claims that no reference can check, verdict null ("not checkable", counted apart from the three
  verdicts): about another entity (AWS, the market, ...: verdict_reason "not an Alibaba Cloud
  figure"), a metric the reference does not hold (market share, price cuts, token prices: "not
  checkable: the reference has no market_share figures"), or a product's figure ("not checkable:
  product qwen ...; the reference holds the whole cloud segment").
- Every other alibaba_cloud claim gets a verdict:
  - consistent: the value matches the reported figure within rounding and honours its qualifier;
  - inconsistent: it does not; reported_value is the reported figure and verdict_reason says by how
    much, plus the likely cause when one is detectable (see `_likely_causes`);
  - unverifiable: verdict_reason says why (reported in USD, period unknown, spans more than one
    quarter, no reference row, no reported figure, mixed segment bases, ...); `reason_group`
    puts these reasons in a few groups an analyst can act on.
- Covered: metrics revenue, revenue_growth, adjusted_ebita, adjusted_ebita_growth of the whole
  segment (product null), and revenue_growth of product "external_revenue" (checked against
  external_revenue_growth.csv). Periods: one calendar quarter (2024Q2; FY2025Q1 is translated),
  or, for revenue and adjusted EBITA only, a calendar or fiscal year checked against the sum of
  its four quarters when all four are reported on one segment basis.
- Units: reported_value is canonical like `value` (CNY, percent points). reported_source is the
  reference row's source URL; for an annual sum, the four sources separated by spaces.

Matching within rounding: a claim is read as an interval of half its written step (185.82亿 is
given to 0.01亿 = 1e6 CNY; 6% to 1 point; steps are inferred from the value, at most 1亿 for money
and 1 point for percentages), and so is the reported figure (1 CNY million, or the step its
`precision` note states; growth to its own decimals). Exact claims match when the two intervals
overlap (touching is not enough: 7% vs 6% is inconsistent). approx (约/近) widens the claim to a
full step; over/at_least/as_low_as need the reported figure not below the claim; under/up_to need it
not above; average is read as exact; a range (value_high) needs the figure inside it.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from extractors.calendar import fiscal_label, label_mixups, parse_quarter, period_quarters, shift_quarter

# Columns add_verdicts appends to a claims table (import this; do not copy the list).
VERDICT_SCHEMA: dict[str, pl.DataType] = {
    "verdict": pl.String,  # consistent | inconsistent | unverifiable | null (not an Alibaba Cloud figure)
    "reported_value": pl.Float64,  # canonical units, like `value`
    "verdict_reason": pl.String,
    "reported_source": pl.String,  # URL(s) of the reference row(s), space-separated for annual sums
}
VERDICTS = ("consistent", "inconsistent", "unverifiable")

REPORTED_SERIES_SCHEMA: dict[str, pl.DataType] = {
    "metric": pl.String,
    "period": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "value": pl.Float64,
    "segment_basis": pl.String,
    "source_url": pl.String,
    "source_kind": pl.String,  # announcement | translation | press | other | null (not classified)
    "source_name": pl.String,
    "confidence": pl.String,
    "precision": pl.String,
}

CLOUD = "alibaba_cloud"
GROUP_ENTITIES = ("alibaba_group", "alibaba")  # ids the extractor may use for the whole group
EXTERNAL_PRODUCT = "external_revenue"
MILLION = 1e6
# metric -> (reference column, rounding-step column or None for growth, canonical unit)
METRICS = {
    "revenue": ("revenue_cny_million", "revenue_step_cny_million", "CNY"),
    "revenue_growth": ("revenue_yoy_pct", None, "%"),
    "adjusted_ebita": ("adjusted_ebita_cny_million", "adjusted_ebita_step_cny_million", "CNY"),
    "adjusted_ebita_growth": ("adjusted_ebita_yoy_pct", None, "%"),
}
# growth metric -> the reference column with its rounding step, when a precision note states one
GROWTH_STEPS = {"revenue_growth": "revenue_yoy_step_pct", "adjusted_ebita_growth": "adjusted_ebita_yoy_step_pct"}
_CLAIM_FIELDS = ("doc_id", "entity", "product", "metric", "value", "value_high", "unit", "qualifier", "period", "quote")
_TARGET_FIELDS = ("entity", "metric", "product", "unit", "period")  # with "value is given", they choose a claim's Target
_AT_LEAST = ("over", "at_least", "as_low_as")
_AT_MOST = ("under", "up_to")
# 云智能集团 and 阿里巴巴云 name the cloud itself, not the group.
_GROUP_WORDS = re.compile(r"集团|集團|阿里巴巴")
_CLOUD_GROUP_NAME = re.compile(r"智能集团|智能集團|阿里巴巴云|阿里巴巴雲")


@dataclass(frozen=True)
class Figure:
    """A reported figure in canonical units, with its rounding step and where it came from."""

    value: float
    step: float
    source: str
    basis: str


@dataclass(frozen=True)
class Verdict:
    verdict: str | None
    reported_value: float | None = None
    reason: str | None = None
    source: str | None = None


def _unverifiable(reason: str) -> Verdict:
    return Verdict("unverifiable", reason=reason)


# ---------------------------------------------------------------- precision and matching
def decimal_step(value: float) -> float:
    """The last written decimal place of a number: 185.82 -> 0.01, 6 -> 1, 150 -> 1 (never above 1)."""
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return 10.0 ** min(int(exponent), 0)


def written_step(value: float, unit: str) -> float:
    """The precision a claim was written to, in canonical units, inferred from its value.

    Percentages: their decimals (14.7 -> 0.1). Money: the value in 亿 and its decimals
    (18582000000 = 185.82亿 -> 0.01亿 = 1e6), so whole 亿 (300亿) count as given to 1亿.
    """
    if unit in ("CNY", "USD"):
        return decimal_step(round(value / 1e8, 6)) * 1e8
    return decimal_step(round(value, 6))  # 6.6000000000000005 from float arithmetic is still 6.6


def written_step_expr(value: pl.Expr, unit: pl.Expr) -> pl.Expr:
    """written_step over a whole column (the same rule: tests/test_verdicts.py checks they agree), for
    tables where calling it once per distinct value would be too slow (conflicts over a million claims)."""
    money = unit.is_in(["CNY", "USD"])
    x = pl.when(money).then(value / 1e8).otherwise(value).round(6)
    step = pl.lit(1e-6)
    for d in range(5, -1, -1):  # the fewest decimals that give the value back win
        step = pl.when(x.round(d) == x).then(10.0 ** -d).otherwise(step)
    return pl.when(money).then(step * 1e8).otherwise(step)


def claim_bounds_expr(value: pl.Expr, value_high: pl.Expr, qualifier: pl.Expr, step: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """claim_bounds over whole columns (the same rule, checked against it in tests/test_verdicts.py)."""
    tol = step / 2 * pl.when(qualifier == "approx").then(2.0).otherwise(1.0)
    low, high = value - tol, pl.coalesce(value_high, value) + tol
    q = qualifier.fill_null("exact")
    return (pl.when(q.is_in(list(_AT_MOST))).then(float("-inf")).otherwise(low),
            pl.when(q.is_in(list(_AT_LEAST))).then(float("inf")).otherwise(high))


def _below(a: float, b: float) -> bool:
    """a < b with room for float noise, so that intervals which only touch do not count as overlapping."""
    if a == float("-inf") or b == float("inf"):
        return a != b
    return a < b - 1e-9 * max(1.0, abs(a), abs(b))


def below_expr(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """_below over whole columns: a < b with the same room for float noise (touching is not below)."""
    noise = 1e-9 * pl.max_horizontal(pl.lit(1.0), a.abs(), b.abs())
    return pl.when((a == float("-inf")) | (b == float("inf"))).then(a != b).otherwise(a < b - noise)


def claim_bounds(value: float, value_high: float | None, qualifier: str | None, claim_step: float) -> tuple[float, float]:
    """The values a claim allows as written: its range widened by half its written step (a full
    step for approx), open above for over/at_least/as_low_as and below for under/up_to. Both the
    verdicts and the dashboard's conflicts read claims through this one rule."""
    tol = claim_step / 2 * (2 if qualifier == "approx" else 1)
    low, high = value - tol, (value_high if value_high is not None else value) + tol
    if qualifier in _AT_LEAST:
        return low, float("inf")
    if qualifier in _AT_MOST:
        return float("-inf"), high
    return low, high


def matches(value: float, value_high: float | None, qualifier: str | None, claim_step: float, reported: Figure) -> bool:
    """Does the reported figure, within its own rounding, fall inside what the claim allows?"""
    low, high = claim_bounds(value, value_high, qualifier, claim_step)
    r, half = reported.value, reported.step / 2
    return _below(low - half, r) and _below(r, high + half)


# ---------------------------------------------------------------- formatting
def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:g}%"
    return f"{value / 1e8:,.2f}亿元"


def _fmt_diff(diff: float, unit: str) -> str:
    return f"{diff:+g} pp" if unit == "%" else f"{diff / 1e8:+,.2f}亿元"


def _quarter_index(quarter: str) -> int:
    year, q = parse_quarter(quarter)
    return year * 4 + q


def _describe(period: str) -> str:
    """2024Q2 -> '2024Q2 (FY2025Q1)'; other periods as they are."""
    return f"{period} ({fiscal_label(period)})" if parse_quarter(period) else period


# ---------------------------------------------------------------- the reference, indexed
class Reference:
    """The loaded reference table indexed by calendar quarter."""

    def __init__(self, frame: pl.DataFrame):
        self.rows = {r["calendar_quarter"]: r for r in frame.iter_rows(named=True)}

    def quarter_figure(self, metric: str, quarter: str) -> Figure | str:
        """The reported figure for one quarter, or why there is none."""
        row = self.rows.get(quarter)
        if row is None:
            return f"no reference row for {_describe(quarter)}"
        col, step_col, _ = METRICS[metric]
        if row[col] is None:
            return f"no reported {metric} for {_describe(quarter)} in the reference"
        if step_col:
            return Figure(row[col] * MILLION, row[step_col] * MILLION, row["source_url"], row["segment_basis"])
        stated = row.get(GROWTH_STEPS[metric])  # "revenue_yoy to 0.1": else growth is given to its own decimals
        return Figure(row[col], stated or decimal_step(row[col]), row["source_url"], row["segment_basis"])

    def external_figure(self, quarter: str) -> Figure | str:
        row = self.rows.get(quarter) or {}
        if row.get("external_revenue_yoy_pct") is None:
            return f"no reported external-revenue growth for {_describe(quarter)}"
        value = row["external_revenue_yoy_pct"]
        return Figure(value, decimal_step(value), row["external_source_url"], row["segment_basis"])

    def figure(self, metric: str, period: str) -> Figure | str:
        """The reported figure for a period: one quarter, or the sum of a year's four quarters."""
        quarters = period_quarters(period)
        if quarters is None:
            return f"period {period} is not made of calendar quarters"
        if len(quarters) == 1:
            return self.quarter_figure(metric, quarters[0])
        if METRICS[metric][1] is None or len(quarters) != 4:
            kind = "annual growth is not in the reference" if len(quarters) == 4 else "only single quarters and full years are checked"
            return f"period {period} spans {len(quarters)} quarters; {kind}"
        no_row = [q for q in quarters if q not in self.rows]
        no_figure = [q for q in quarters if q in self.rows and self.rows[q][METRICS[metric][0]] is None]
        if no_row or no_figure:
            gaps = ([f"no reference row for {', '.join(no_row)}"] if no_row else []) + (
                [f"no reported {metric} for {', '.join(no_figure)}"] if no_figure else []
            )
            return f"the sum over {period} needs all four quarters: {'; '.join(gaps)}"
        parts = [self.quarter_figure(metric, q) for q in quarters]
        bases = {p.basis for p in parts}
        if len(bases) > 1:
            listing = ", ".join(f"{q} {p.basis}" for q, p in zip(quarters, parts))
            return f"the quarters of {period} are on different segment bases ({listing}); their sum is not comparable"
        return Figure(
            sum(p.value for p in parts),
            sum(p.step for p in parts),
            " ".join(dict.fromkeys(p.source for p in parts)),
            bases.pop(),
        )

    def cross_basis_growth(self, metric: str, quarter: str) -> tuple[float, str] | None:
        """Growth computed from the figures of a quarter and the same quarter a year before, when they
        are on different segment bases (the comparison Alibaba never reports), with an explanation."""
        money = {"revenue_growth": "revenue", "adjusted_ebita_growth": "adjusted_ebita"}[metric]
        now, before = self.quarter_figure(money, quarter), self.quarter_figure(money, shift_quarter(quarter, -4))
        if isinstance(now, str) or isinstance(before, str) or now.basis == before.basis or before.value <= 0:
            return None
        growth = (now.value / before.value - 1) * 100
        how = (
            f"{_fmt(now.value, 'CNY')} ({now.basis}) against {_fmt(before.value, 'CNY')} "
            f"({before.basis}) a year before gives {growth:+.1f}%"
        )
        return growth, how


# ---------------------------------------------------------------- what a claim is checked against
@dataclass(frozen=True)
class Target:
    """Everything a claim's verdict needs besides its own value, qualifier and sentence: the reported
    figure, and the figures a wrong value may really be. Claims of one entity, metric, product, unit
    and period share one Target, so add_verdicts builds it once per combination."""

    unit: str  # the metric's canonical unit
    reported: Figure
    where: str  # the period as reasons name it: "2024Q2 (FY2025Q1)", "FY2025 (sum of 2024Q2, ...)"
    mixups: tuple[tuple[Figure, str], ...]  # the same words under the other calendar, with the cause named
    lookalikes: tuple[tuple[Figure, str], ...]  # external vs total growth, growth across a basis break
    # Money of one quarter: every other quarter's figure, sorted by value, as (value, distance in
    # quarters, quarter, figure), and the largest rounding step among them.
    others: tuple[tuple[float, int, str, Figure], ...] = ()
    widest_step: float = 0.0

    def other_quarter(self, value: float, value_high: float | None, step: float) -> str | None:
        """The nearest other quarter whose figure the claim equals (the earlier of two as near), or None."""
        # A figure can only match within (step + its step) / 2 of the claim (see `matches`), so
        # bisect to the figures inside the widest such tolerance and test only those.
        reach = (step + self.widest_step) / 2
        high = value_high if value_high is not None else value
        lo = bisect_left(self.others, value - reach, key=lambda o: o[0])
        hi = bisect_right(self.others, high + reach, key=lambda o: o[0])
        hits = [(d, q) for _, d, q, f in self.others[lo:hi] if matches(value, value_high, "exact", step, f)]
        return min(hits, key=lambda h: (h[0], _quarter_index(h[1])))[1] if hits else None


def _suspects(ref: Reference, metric: str, period: str, external: bool) -> dict:
    """Target's mixups, lookalikes, others and widest_step for claims of `metric` about `period` (a quarter or a year)."""
    mixups = []
    for alt in label_mixups(period):
        figure = ref.external_figure(alt) if external else ref.figure(metric, alt)
        if isinstance(figure, Figure):
            mixups.append((figure, f"equals the reported figure for {_describe(alt)}: fiscal and calendar labels mixed up"))
    quarter = parse_quarter(period)
    lookalikes = []
    if metric == "revenue_growth" and quarter:
        total = ref.quarter_figure(metric, period)
        if external and isinstance(total, Figure):
            lookalikes.append((total, "equals the total revenue growth, not the external-revenue growth"))
        ext = ref.external_figure(period)
        if not external and isinstance(ext, Figure):
            over = "over " if ref.rows[period]["external_qualifier"] == "over" else ""
            lookalikes.append((ext, f"equals the external-revenue growth ({over}{_fmt(ext.value, '%')}, excluding "
                                    "Alibaba-consolidated subsidiaries), not the total"))
    if metric in ("revenue_growth", "adjusted_ebita_growth") and quarter and not external:
        crossed = ref.cross_basis_growth(metric, period)
        if crossed:
            lookalikes.append((Figure(crossed[0], 0.0, "", ""), f"equals growth computed across the segment-basis break: "
                                                               f"{crossed[1]}; the reported growth uses a restated base"))
    others = []
    if metric in ("revenue", "adjusted_ebita") and quarter:
        for q in ref.rows:
            figure = ref.quarter_figure(metric, q)
            if q != period and isinstance(figure, Figure):
                others.append((figure.value, abs(_quarter_index(q) - _quarter_index(period)), q, figure))
    others.sort(key=lambda o: o[0])
    return {"mixups": tuple(mixups), "lookalikes": tuple(lookalikes), "others": tuple(others),
            "widest_step": max((o[3].step for o in others), default=0.0)}


def _target(ref: Reference, entity, metric, product, unit, period, has_value: bool) -> Target | Verdict:
    """What a claim with these fields is checked against, or its verdict when that is already decided."""
    if entity != CLOUD:
        return Verdict(None, reason="not an Alibaba Cloud figure")
    if metric not in METRICS:
        return Verdict(None, reason=f"not checkable: the reference has no {metric} figures")
    external = product == EXTERNAL_PRODUCT
    if product and not (external and metric == "revenue_growth"):
        return Verdict(None, reason=f"not checkable: product {product} is not in the reference, which holds the whole cloud segment")
    if not has_value:
        return _unverifiable("the claim has no value")
    canonical = METRICS[metric][2]
    if unit != canonical:
        return _unverifiable("reported in USD" if unit == "USD" else f"unit {unit} cannot be compared with {canonical}")
    if period in (None, "", "unknown"):
        return _unverifiable("period unknown")
    quarters = period_quarters(period)
    if external:
        reported = ref.external_figure(quarters[0]) if quarters and len(quarters) == 1 else f"period {period} is not one quarter; external-revenue growth is quarterly"
    else:
        reported = ref.figure(metric, period)
    if isinstance(reported, str):
        return _unverifiable(reported)
    if len(quarters) == 1:
        where, around = _describe(quarters[0]), quarters[0]
    else:
        where, around = f"{period} (sum of {', '.join(quarters)})", period
    return Target(canonical, reported, where, **_suspects(ref, metric, around, external))


# ---------------------------------------------------------------- one claim
def _likely_causes(target: Target, value: float, value_high: float | None, step: float, quote: str | None,
                   group_values) -> list[str]:
    """Detectable reasons why an inconsistent figure was written. Each names the figure it equals."""

    def same(figure: Figure) -> bool:
        return matches(value, value_high, "exact", step, figure)

    causes = [cause for figure, cause in target.mixups if same(figure)]
    if target.others and step <= 1e7 and not causes:
        # Money written to 0.1亿 or finer rarely equals another quarter by chance; nearest quarter first.
        other = target.other_quarter(value, value_high, step)
        if other:
            causes.append(f"equals the reported figure for another quarter, {_describe(other)}")
    causes += [cause for figure, cause in target.lookalikes if same(figure)]
    if any(same(Figure(g, 0.0, "", "")) for g in group_values):
        causes.append("equals the group's figure stated in the same sentence")
    elif not causes and _GROUP_WORDS.search(_CLOUD_GROUP_NAME.sub("", quote or "")):
        causes.append("the sentence also speaks of the group (集团/阿里巴巴); the figure may be the group's, not the cloud's")
    return causes


def _judge(target: Target, value: float, value_high: float | None, qualifier: str | None, quote: str | None,
           group_values=()) -> Verdict:
    """The verdict on a claim's value against its Target."""
    unit, reported = target.unit, target.reported
    step = written_step(value, unit)
    if matches(value, value_high, qualifier, step, reported):
        return Verdict("consistent", reported.value, f"matches reported {_fmt(reported.value, unit)} for {target.where}", reported.source)
    written = f"{qualifier if qualifier not in (None, 'exact') else ''} {_fmt(value, unit)}".strip()
    reason = f"claims {written}; reported {_fmt(reported.value, unit)} for {target.where}, off by {_fmt_diff(value - reported.value, unit)}"
    causes = _likely_causes(target, value, value_high, step, quote, group_values)
    if causes:
        reason += "; likely: " + "; ".join(causes)
    return Verdict("inconsistent", reported.value, reason, reported.source)


def check_claim(claim: dict, ref: Reference, group_values=frozenset()) -> Verdict:
    """The verdict on one claim (a dict with the _CLAIM_FIELDS of CLAIM_SCHEMA); `group_values` are
    the values the same sentence states for the group. add_verdicts gives every row of a table
    the verdict this gives it alone."""
    target = _target(ref, *(claim[c] for c in _TARGET_FIELDS), claim["value"] is not None)
    if isinstance(target, Verdict):
        return target
    return _judge(target, claim["value"], claim["value_high"], claim["qualifier"], claim["quote"], group_values)


# ---------------------------------------------------------------- why a claim is unverifiable
# The reasons _target and Reference give, in groups an analyst acts on differently; first match wins.
# tests/test_verdicts.py checks every unverifiable reason lands in a group other than "other".
REASON_GROUPS: tuple[tuple[str, re.Pattern], ...] = (
    ("period_unknown", re.compile(r"^period unknown")),
    ("period_not_checkable", re.compile(r"^period \S+ (?:spans|is not)")),
    ("quarters_missing", re.compile(r"no reference row|no reported|the sum over .* needs all four")),
    ("segment_bases", re.compile(r"different segment bases")),
    ("unit", re.compile(r"^reported in USD|cannot be compared with")),
    ("no_value", re.compile(r"^the claim has no value")),
)


def reason_group(reason: str | None) -> str:
    """The group of an unverifiable verdict's reason ("period_unknown", "quarters_missing", ...), "other" else."""
    return next((g for g, pattern in REASON_GROUPS if pattern.search(reason or "")), "other")


# ---------------------------------------------------------------- tables
def add_verdicts(claims: pl.DataFrame, reference: pl.DataFrame, group_values: pl.DataFrame | None = None) -> pl.DataFrame:
    """`claims` plus the VERDICT_SCHEMA columns, same rows in the same order.

    `reference` is what factcheck.reference.load_reference returns. Verdict columns already
    present are recomputed, so the function can be applied again after the reference changes.
    `group_values` (group_figures of a whole table) judges some of its rows as they are judged in the
    whole table; by default the group's figures stated beside a claim come from `claims` itself.
    Each row gets check_claim's verdict, but the work is done once per distinct combination:
    first of the fields that choose the Target (a few hundred in a million claims; most claims
    end there), then of the value, qualifier and sentence of the claims that need checking.
    """
    base = _without_verdicts(claims)
    ref = Reference(reference)

    keys = base.select(*_TARGET_FIELDS, pl.col("value").is_not_null().alias("has_value")).with_row_index("row")
    distinct, members = _combinations(keys, [*_TARGET_FIELDS, "has_value"])
    targets = [_target(ref, *combination) for combination in distinct.iter_rows()]
    # Each row's index into `verdicts`; the rows that need checking get theirs below.
    verdicts = [t if isinstance(t, Verdict) else Verdict(None) for t in targets]
    verdict_id = pl.zeros(base.height, pl.UInt32, eager=True).scatter(members["row"], members["id"])

    rows = (
        base.select("value", "value_high", "qualifier", "quote", "doc_id", "metric")
        .with_columns(verdict_id.alias("target"))
        .with_row_index("row")
        .filter(pl.col("target").is_in([i for i, t in enumerate(targets) if isinstance(t, Target)]))
        .join(group_figures(base) if group_values is None else group_values, on=["doc_id", "quote", "metric"], how="left",
              nulls_equal=True, maintain_order="left")
    )
    # group_by folds -0.0 into 0.0, but a reason prints them differently ("claims -0%"): keep the sign apart.
    negative = ((1.0 / pl.col("value")) < 0).alias("negative")
    combos, members = _combinations(rows, ["target", "value", negative, "value_high", "qualifier", "quote", "group_values"])
    for target, value, _, value_high, qualifier, quote, figures in combos.iter_rows():
        verdicts.append(_judge(targets[target], value, value_high, qualifier, quote, figures or ()))
    verdict_id = verdict_id.scatter(members["row"], members["id"] + len(targets))

    table = pl.DataFrame([(v.verdict, v.reported_value, v.reason, v.source) for v in verdicts],
                         schema=VERDICT_SCHEMA, orient="row")
    return base.hstack(table[verdict_id])


def verdict_columns(claims: pl.DataFrame, reference: pl.DataFrame) -> pl.DataFrame:
    """`claims` plus verdict, reported_value and reported_source: what add_verdicts gives, decided over
    whole columns (tests/test_verdicts.py checks they agree), for tables of a million claims. Claims of
    another entity or of a metric the reference lacks get no verdict (_target's first two tests); for
    the others, the fields that choose a Target are looked at once per combination and the match is
    `matches` as expressions. verdict_reason needs each claim's own sentence and the figures it may
    be mistaken for: add_verdicts gives it, for the rows a page shows."""
    base = _without_verdicts(claims)
    rows = base.select(((pl.col("entity") == CLOUD) & pl.col("metric").is_in(list(METRICS))).arg_true()).to_series()
    keys = [*_TARGET_FIELDS, "_has_value"]
    some = base.select(*_TARGET_FIELDS, "value", "value_high", "qualifier")[rows].with_columns(
        pl.col("value").is_not_null().alias("_has_value"))
    ref, decided = Reference(reference), []
    combos = some.select(keys).unique()
    for combination in combos.iter_rows():
        t = _target(ref, *combination)
        decided.append((t.verdict, None, None, None) if isinstance(t, Verdict) else
                       (None, t.reported.value, t.reported.step, t.reported.source))
    schema = {"_decided": pl.String, "_reported": pl.Float64, "_reported_step": pl.Float64, "_source": pl.String}
    some = some.join(combos.hstack(pl.DataFrame(decided, schema=schema, orient="row")), on=keys, how="left",
                     nulls_equal=True, maintain_order="left")
    value, reported, half = pl.col("value"), pl.col("_reported"), pl.col("_reported_step") / 2
    # The claim's step once, as a column: an eager frame would compute it again for each bound.
    some = some.with_columns(written_step_expr(value, pl.col("unit")).alias("_step"))
    low, high = claim_bounds_expr(value, pl.col("value_high"), pl.col("qualifier"), pl.col("_step"))
    verdict = (pl.when(reported.is_null()).then(pl.col("_decided"))
               .when(below_expr(low - half, reported) & below_expr(reported, high + half)).then(pl.lit("consistent"))
               .otherwise(pl.lit("inconsistent")))
    some = some.select(verdict.alias("verdict"), reported.alias("reported_value"), pl.col("_source").alias("reported_source"))
    return base.with_columns(pl.repeat(None, base.height, dtype=VERDICT_SCHEMA[c], eager=True).alias(c).scatter(rows, some[c])
                             for c in some.columns)


def _without_verdicts(claims: pl.DataFrame) -> pl.DataFrame:
    """The claims without any verdict columns (they are recomputed); ValueError when a field verdicts need is missing."""
    missing = [c for c in _CLAIM_FIELDS if c not in claims.columns]
    if missing:
        raise ValueError(f"claims table lacks column(s) {', '.join(missing)} needed for verdicts")
    present = [c for c in VERDICT_SCHEMA if c in claims.columns]
    return claims.drop(present) if present else claims  # drop() copies every column of a frame of unequal chunks


def _combinations(frame: pl.DataFrame, by: list) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The distinct combinations of `by` in `frame`, first seen first, and the members of each:
    one ("id", "row") pair per row of `frame`, id indexing the combinations, row from frame's "row"."""
    groups = frame.group_by(*by, maintain_order=True).agg("row")
    members = groups.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("id"), "row").explode("row")
    return groups.drop("row"), members


def group_figures(claims: pl.DataFrame) -> pl.DataFrame:
    """Values the same sentence states for the group, by (doc_id, quote, metric)."""
    return (
        claims.filter(pl.col("entity").is_in(GROUP_ENTITIES) & pl.col("value").is_not_null())
        .group_by("doc_id", "quote", "metric")
        .agg(pl.col("value").unique().sort().alias("group_values"))
    )


def reported_series(reference: pl.DataFrame) -> pl.DataFrame:
    """One row per quarter and metric (REPORTED_SERIES_SCHEMA), values in canonical units.

    Quarters without a reported figure for a metric have no row: the line has a gap there.
    """
    parts = []
    for metric, (col, step_col, _) in METRICS.items():
        scale = MILLION if step_col else 1.0
        parts.append(
            reference.filter(pl.col(col).is_not_null()).select(
                pl.lit(metric).alias("metric"),
                pl.col("calendar_quarter").alias("period"),
                "period_start",
                "period_end",
                (pl.col(col) * scale).alias("value"),
                "segment_basis",
                "source_url",
                "source_kind",
                "source_name",
                "confidence",
                "precision",
            )
        )
    return pl.concat(parts).cast(REPORTED_SERIES_SCHEMA).sort("metric", "period_start", maintain_order=True)
