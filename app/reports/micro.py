"""The micro-report (两院微报告) on one court or procuratorate for one year, composed from
loaded data (no Flask, no SQLAlchemy).

Deputies read it when they review the two organs' annual work reports, so it says, for
the year: each indicator's figure and colour, its month-by-month trend, the response
tickets the organ was asked to answer and whether it answered on time, the monthly
judgements, and the organ's portrait.

The year's figure of a monthly indicator is the dictionary's roll-up over the year's
months — Σnumerator / Σdenominator (× scale) for a rate or an average, Σvalue for a count —
never a mean of the monthly rates; a yearly indicator's figure is the value submitted for
the year. It is coloured by the same rules as any value — its bands, and the robust peer
rule when the sibling organs' figures for the year are given (the service gives none: it
reads no other tenant's rows, so a peer-rated figure is left uncoloured and its monthly
ratings speak for it); there is no trend rule across years.

Names of parties never appear: the report holds indicators, counts, dates and the
system's own reasons. Free text that people wrote — an organ's answer to a ticket, the
congress's comment, a document's title or body — may name a party and is left out, since
nothing lists the names it holds for masking (a petition's ``persons`` covers only the
petition itself).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from app.analysis.portrait import Portrait, draw_portrait
from app.indicators.dictionary import ORGAN_FAMILIES, IndicatorSpec
from app.ratings import rules
from federation.rollup import Parts, parts_of, total, value_of

# The organ families a micro-report is written for (a township tribunal reports court
# figures, so it is one of them).
REPORTED_FAMILIES = ("court", "procuratorate")
COLOUR_ORDER = ("red", "yellow", "green", "grey")
VERDICTS = ("warning", "reminder", "normal")
TIMELINESS = ("on_time", "late", "overdue", "pending", "resolved_by_data")
TIMELINESS_LABELS = {
    "on_time": ("按期反馈", "answered on time"),
    "late": ("逾期反馈", "answered late"),
    "overdue": ("逾期未反馈", "overdue, not answered"),
    "pending": ("办理中", "in progress"),
    "resolved_by_data": ("指标转绿办结", "resolved by data"),
}
COLOUR_LABELS = {
    "green": ("绿", "green"),
    "yellow": ("黄", "yellow"),
    "red": ("红", "red"),
    "grey": ("灰", "grey"),
}
VERDICT_LABELS = {
    "normal": ("正常", "normal"),
    "reminder": ("提醒", "reminder"),
    "warning": ("预警", "warning"),
}
PRIVACY_NOTE_ZH = (
    "本报告仅使用指标数据、统计数字和系统生成的说明；工单反馈原文、审核意见及数据集市文书的"
    "标题和正文可能含有当事人姓名，均未收录。"
)
PRIVACY_NOTE_EN = (
    "This report uses only indicator data, counts and the system's own explanations; the "
    "organs' answers to tickets, review comments and the data mart's document titles and "
    "texts may name parties and are left out."
)


class NotReported(ValueError):
    """A micro-report is written only for courts and procuratorates."""


# --- what the loader hands in -------------------------------------------------------------
@dataclass(frozen=True)
class OrganFacts:
    id: int
    kind: str
    name_zh: str
    name_en: str
    level: str
    tenant_name_zh: str
    tenant_name_en: str


@dataclass(frozen=True)
class Submitted:
    """One current value of the organ."""

    indicator_code: str
    period: str
    value: float | None
    numerator: float | None
    denominator: float | None


@dataclass(frozen=True)
class TicketFacts:
    """A response ticket without its free text (answers and comments may name parties)."""

    id: int
    indicator_code: str
    period: str
    colour: str
    status: str
    opened_on: date
    deadline: date
    answered_on: date | None  # the organ's first answer (Beijing date)
    answers: int
    returns: int
    escalated: bool


# --- what the report holds ----------------------------------------------------------------
@dataclass(frozen=True)
class MonthPoint:
    period: str
    value: float | None
    colour: str | None  # the stored rating of that month; None when not rated


@dataclass(frozen=True)
class KeyFigure:
    code: str
    name_zh: str
    name_en: str
    dimension_zh: str
    dimension_en: str
    unit: str
    direction: str
    period_kind: str  # "month" | "year": how the indicator is reported
    rule_zh: str  # how the year's figure is made
    rule_en: str
    green: float | None
    red: float | None
    peer_rated: bool
    value: float | None  # the year's figure
    numerator: float | None  # Σ over the year (Σvalue for a count)
    denominator: float | None
    contributing: int  # submissions that went into the figure
    # of the year's figure: green / yellow / red; grey when there is none; None for a
    # peer-rated figure with no peers to compare it with
    colour: str | None
    reason_zh: str
    reason_en: str
    latest_period: str | None
    latest_value: float | None
    latest_colour: str | None
    trend: tuple[MonthPoint, ...]
    colour_months: Mapping[str, int]  # stored monthly colours over the year


@dataclass(frozen=True)
class TicketLine:
    facts: TicketFacts
    name_zh: str
    name_en: str
    timeliness: str


@dataclass(frozen=True)
class TicketSummary:
    total: int
    by_status: Mapping[str, int]
    by_timeliness: Mapping[str, int]
    lines: tuple[TicketLine, ...]


@dataclass(frozen=True)
class MicroReport:
    organ: OrganFacts
    year: str
    months: tuple[str, ...]  # the year's months up to the last one with data
    figures: tuple[KeyFigure, ...]
    colour_by_month: tuple[tuple[str, Mapping[str, int]], ...]
    verdict_by_month: tuple[tuple[str, str | None], ...]
    verdicts: Mapping[str, int]
    tickets: TicketSummary
    documents: Mapping[str, int]  # data-mart documents about the organ, per category
    portrait: Portrait | None
    # the month the portrait is drawn as of; None when drawn from the year's figures
    portrait_as_of: str | None = None
    summary_zh: tuple[str, ...] = field(default=())
    summary_en: tuple[str, ...] = field(default=())

    @property
    def through(self) -> str | None:
        return self.months[-1] if self.months else None


# --- the year's figure --------------------------------------------------------------------
def year_parts(spec: IndicatorSpec, submitted: Iterable[Submitted], year: str) -> Parts:
    """The additive parts of the year's figure: the yearly submission itself, or the sum
    of the parts of every month (or quarter) of the year."""
    rows = [r for r in submitted if r.indicator_code == spec.code]
    if spec.period == "year":
        rows = [r for r in rows if r.period == year]
    else:
        rows = [r for r in rows if r.period.startswith(f"{year}-")]
    return total(parts_of(spec, r.value, r.numerator, r.denominator) for r in rows)


def year_value(spec: IndicatorSpec, submitted: Iterable[Submitted], year: str) -> float | None:
    """The year's figure by the dictionary's roll-up rule (module docstring)."""
    return value_of(spec, year_parts(spec, submitted, year))


# --- composing ----------------------------------------------------------------------------
def year_months(year: str, through: str | None) -> tuple[str, ...]:
    if through is None:
        return ()
    last = int(through[5:]) if through.startswith(f"{year}-") else 12
    return tuple(f"{year}-{m:02d}" for m in range(1, last + 1))


def specs_of(organ: OrganFacts, specs: Iterable[IndicatorSpec]) -> list[IndicatorSpec]:
    """The indicators the organ reports at its level, in dictionary order."""
    if ORGAN_FAMILIES.get(organ.kind) not in REPORTED_FAMILIES:
        raise NotReported(organ.kind)
    return [s for s in specs if s.applies_to(organ.level, organ.kind)]


def compose(
    organ: OrganFacts,
    year: str,
    specs: Iterable[IndicatorSpec],
    submitted: Sequence[Submitted],
    colours: Mapping[tuple[str, str], str],
    verdicts: Mapping[str, str],
    tickets: Iterable[TicketFacts],
    *,
    peer_values: Mapping[str, Sequence[float | None]] | None = None,
    documents: Mapping[str, int] | None = None,
    portrait: Portrait | None = None,
    portrait_as_of: str | None = None,
    today: date,
) -> MicroReport:
    """The micro-report of ``organ`` for ``year``.

    ``submitted``: the organ's current values of the year; ``colours``: the stored
    ratings, {(indicator, period): colour}; ``verdicts``: {month: verdict};
    ``peer_values``: {indicator: the year's figures of the sibling organs, this one
    included}, for the peer rule and the portrait; ``portrait``: the organ's portrait as
    of ``portrait_as_of`` (a month), else it is drawn from the year's figures;
    ``today``: for overdue tickets.
    """
    mine = specs_of(organ, specs)
    peer_values = peer_values or {}
    months_of_year = [r.period for r in submitted if r.period.startswith(f"{year}-")]
    through = max(months_of_year, default=None)
    months = year_months(year, through)
    figures = tuple(
        key_figure(spec, submitted, year, months, colours, peer_values.get(spec.code, ()))
        for spec in mine
    )
    names = {s.code: (s.name_zh, s.name_en) for s in mine}
    report = MicroReport(
        organ=organ,
        year=year,
        months=months,
        figures=figures,
        colour_by_month=tuple((m, _colours_in(colours, m)) for m in months),
        verdict_by_month=tuple((m, verdicts.get(m)) for m in months),
        verdicts=dict(Counter(v for m, v in verdicts.items() if m in months)),
        tickets=ticket_summary(tickets, names, today),
        documents=dict(documents or {}),
        portrait=portrait or _portrait(organ, mine, figures, peer_values),
        portrait_as_of=portrait_as_of if portrait else None,
    )
    zh, en = summary(report)
    return MicroReport(**{**vars(report), "summary_zh": zh, "summary_en": en})


def key_figure(
    spec: IndicatorSpec,
    submitted: Sequence[Submitted],
    year: str,
    months: Sequence[str],
    colours: Mapping[tuple[str, str], str],
    peers: Sequence[float | None],
) -> KeyFigure:
    parts = year_parts(spec, submitted, year)
    value = value_of(spec, parts)
    colour, reason_zh, reason_en = year_colour(spec, value, peers)
    rule_zh, rule_en = rule_text(spec)
    own = {
        r.period: r.value
        for r in submitted
        if r.indicator_code == spec.code and r.period[:4] == year
    }
    trend = tuple(MonthPoint(m, own.get(m), colours.get((spec.code, m))) for m in months)
    reported = [p for p in sorted(own) if own[p] is not None]
    latest = reported[-1] if reported else None
    return KeyFigure(
        code=spec.code,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        dimension_zh=spec.dimension_zh,
        dimension_en=spec.dimension_en,
        unit=spec.unit,
        direction=spec.direction,
        period_kind=spec.period,
        rule_zh=rule_zh,
        rule_en=rule_en,
        green=spec.green,
        red=spec.red,
        peer_rated=spec.peer_rated,
        value=value,
        numerator=parts.num if parts else None,
        denominator=parts.den if parts and spec.rollup != "sum" else None,
        contributing=parts.n,
        colour=colour,
        reason_zh=reason_zh,
        reason_en=reason_en,
        latest_period=latest,
        latest_value=own.get(latest) if latest else None,
        latest_colour=colours.get((spec.code, latest)) if latest else None,
        trend=trend if spec.period != "year" else (),
        colour_months=dict(Counter(p.colour for p in trend if p.colour)),
    )


def year_colour(
    spec: IndicatorSpec, value: float | None, peers: Sequence[float | None]
) -> tuple[str | None, str, str]:
    """The colour of the year's figure and why: the rating rules without the trend rule
    (``peers``: the siblings' figures for the year, this one included). A peer-rated
    figure with too few peers has no colour rather than a green by default."""
    known = [p for p in peers if p is not None]
    if spec.peer_rated and value is not None and len(known) < rules.MIN_PEERS:
        return (
            None,
            "同级比较指标，年度数值不评色，各月评级见趋势",
            "rated against peers: the year's figure is not coloured; see the monthly ratings",
        )
    rating = rules.rate(spec, value, peers or [value])
    return rating.colour, rating.reason_zh, rating.reason_en


def _colours_in(colours: Mapping[tuple[str, str], str], month: str) -> dict[str, int]:
    counts = Counter(c for (_code, period), c in colours.items() if period == month)
    return {c: counts.get(c, 0) for c in COLOUR_ORDER}


def timeliness(ticket: TicketFacts, today: date) -> str:
    """Whether the organ answered by the deadline (its first answer counts); a ticket not
    answered is overdue once its deadline has passed, unless the figure turned green."""
    if ticket.answered_on is not None:
        return "on_time" if ticket.answered_on <= ticket.deadline else "late"
    if ticket.status == "resolved":
        return "resolved_by_data"
    if ticket.status in ("open", "returned") and today > ticket.deadline:
        return "overdue"
    return "pending"


def ticket_summary(
    tickets: Iterable[TicketFacts], names: Mapping[str, tuple[str, str]], today: date
) -> TicketSummary:
    lines = tuple(
        TicketLine(t, *names.get(t.indicator_code, (t.indicator_code,) * 2), timeliness(t, today))
        for t in sorted(tickets, key=lambda t: (t.period, t.indicator_code))
    )
    return TicketSummary(
        total=len(lines),
        by_status=dict(Counter(line.facts.status for line in lines)),
        by_timeliness={k: sum(line.timeliness == k for line in lines) for k in TIMELINESS},
        lines=lines,
    )


def _portrait(
    organ: OrganFacts,
    specs: Sequence[IndicatorSpec],
    figures: Sequence[KeyFigure],
    peer_values: Mapping[str, Sequence[float | None]],
) -> Portrait | None:
    """The portrait drawn from the year's figures (``draw_portrait``); None with no data."""
    values = {f.code: f.value for f in figures}
    if all(v is None for v in values.values()):
        return None
    return draw_portrait(organ.kind, values, peer_values, specs=specs, level=organ.level)


# --- the summary in words -----------------------------------------------------------------
def summary(report: MicroReport) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A few sentences for the top of the report, in Chinese and in English."""
    zh, en = [], []
    counts = Counter(f.colour for f in report.figures)
    rated = sum(f.value is not None for f in report.figures)
    period = f"{report.year}年" + (f"1—{int(report.through[5:])}月" if report.through else "")
    peers_zh = f"，同级比较 {counts[None]} 项" if counts[None] else ""
    peers_en = f", {counts[None]} rated against peers" if counts[None] else ""
    zh.append(
        f"{period}，{report.organ.name_zh}共有 {rated} 项指标有数据：红色 {counts['red']} 项、"
        f"黄色 {counts['yellow']} 项、绿色 {counts['green']} 项{peers_zh}。"
    )
    en.append(
        f"{report.year} (through {report.through or '—'}): {rated} indicators with data — "
        f"{counts['red']} red, {counts['yellow']} yellow, {counts['green']} green{peers_en}."
    )
    flagged = [f for f in report.figures if f.colour in ("red", "yellow")]
    if flagged:
        zh.append("需关注：" + "、".join(f"{f.name_zh}（{_figure(f)}）" for f in flagged) + "。")
        en.append("Needs attention: " + "; ".join(f"{f.name_en} ({_figure(f)})" for f in flagged))
    t = report.tickets
    late = t.by_timeliness
    zh.append(
        f"反馈工单 {t.total} 件：按期反馈 {late['on_time']} 件，逾期反馈 {late['late']} 件，"
        f"逾期未反馈 {late['overdue']} 件，指标转绿办结 {late['resolved_by_data']} 件，"
        f"办理中 {late['pending']} 件。"
    )
    en.append(
        f"Response tickets: {t.total} — {late['on_time']} answered on time, {late['late']} "
        f"late, {late['overdue']} overdue, {late['resolved_by_data']} resolved by data, "
        f"{late['pending']} in progress."
    )
    v = report.verdicts
    zh.append(
        f"月度研判：预警 {v.get('warning', 0)} 个月，提醒 {v.get('reminder', 0)} 个月，"
        f"正常 {v.get('normal', 0)} 个月。"
    )
    en.append(
        f"Monthly judgements: {v.get('warning', 0)} warning, {v.get('reminder', 0)} reminder, "
        f"{v.get('normal', 0)} normal."
    )
    if report.portrait is not None and report.portrait.overall is not None:
        weak_zh = "、".join(report.portrait.weakest) or "—"
        as_of_zh = f"（截至 {report.portrait_as_of}）" if report.portrait_as_of else ""
        as_of_en = f" (as of {report.portrait_as_of})" if report.portrait_as_of else ""
        zh.append(f"画像总体得分 {report.portrait.overall:.1f} 分{as_of_zh}，较弱维度：{weak_zh}。")
        weak_en = ", ".join(
            d.name_en for d in report.portrait.dimensions if d.name_zh in report.portrait.weakest
        )
        en.append(
            f"Portrait{as_of_en}: overall {report.portrait.overall:.1f}; weakest: {weak_en or '—'}."
        )
    return tuple(zh), tuple(en)


def reading(value: float | None) -> str:
    """A figure to two decimals at most: 83.33, 80857, 97.8; "—" when there is none."""
    if value is None:
        return "—"
    number = round(float(value), 2)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def _figure(figure: KeyFigure) -> str:
    return f"{reading(figure.value)}{figure.unit}"


def rule_text(spec: IndicatorSpec) -> tuple[str, str]:
    """How the year's figure is made from what was submitted, in Chinese and English."""
    if spec.period == "year":
        return "年度报送值", "the value submitted for the year"
    if spec.rollup == "sum":
        return "各月之和", "sum of the months"
    if spec.rollup == "weighted_mean":
        return "各月加权平均", "weighted mean of the months"
    scale = f" × {spec.scale}" if spec.scale != 1 else ""
    if spec.value_kind == "change":
        return f"(Σ分子 ÷ Σ分母 − 1){scale}", f"(Σnumerator ÷ Σdenominator − 1){scale}"
    return f"Σ分子 ÷ Σ分母{scale}", f"Σnumerator ÷ Σdenominator{scale}"
