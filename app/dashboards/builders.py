"""The charts of a tenant, as ECharts options built with pyecharts from the stored
ratings, values and tickets. Each builder takes what it needs from the database (in the
tenant's scope) and returns a :class:`Chart`; nothing here runs during a request.

Colours are the product's own (green / yellow / red / grey), labels Chinese: the charts
render in Chinese on every page, and the page around them carries the English switch.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from pyecharts import options as opts
from pyecharts.charts import Bar, HeatMap, Line, Radar
from sqlalchemy.orm import Session

from app.analysis import trend
from app.analysis.periods import shift_month
from app.datamart.models import IndicatorValue
from app.datamart.periods import MONTH, recent_months
from app.indicators.service import spec_of, version_named
from app.portraits import service as portraits
from app.ratings.models import Rating
from app.tickets.models import Ticket, TicketEvent
from app.tickets.states import STATUS_LABELS
from tenants.models import Organ, Tenant

COLOUR_HEX = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828", "grey": "#9e9e9e"}
COLOUR_ZH = {"green": "绿", "yellow": "黄", "red": "红", "grey": "灰（缺报）"}
HEAT_LEVEL = {"grey": -1, "green": 0, "yellow": 1, "red": 2}
TREND_MONTHS = 24
TREND_SERIES = 6
TREND_WINDOW = 3  # months in the trend chart's moving average
TREND_COLOUR = "#1f4e79"  # an indicator's own line and its moving average (dashed)
_TREND_COLOURS = {
    "value": TREND_COLOUR,
    f"ma{TREND_WINDOW}": TREND_COLOUR,
    "last": COLOUR_HEX["grey"],
    "green": COLOUR_HEX["green"],
    "red": COLOUR_HEX["red"],
}


@dataclass(frozen=True)
class Chart:
    name: str
    title_zh: str
    title_en: str
    options: dict
    organ_id: int | None = None


def _options(chart) -> dict:
    # dump_options() is JSON with JavaScript functions already dropped: safe to store
    return json.loads(chart.dump_options())


def _init() -> opts.InitOpts:
    return opts.InitOpts(renderer="canvas", width="100%", height="380px")


def latest_period(session: Session) -> str | None:
    """The latest month with data: a month whose figures are all still missing (grey)
    is shown by the inboxes and lab sheets as missing, not as the dashboards' month."""
    periods = session.scalars(
        sa.select(Rating.period)
        .where(Rating.colour != "grey")
        .distinct()
        .order_by(Rating.period.desc())
        .limit(24)
    ).all()
    return next((p for p in periods if MONTH.match(p)), None)


def _organs(session: Session) -> list[Organ]:
    return list(session.scalars(sa.select(Organ).where(Organ.active).order_by(Organ.id)))


def colours(session: Session, tenant: Tenant, period: str | None) -> Chart:
    """三色总览: each organ's green / yellow / red / grey count for the period."""
    organs = _organs(session)
    counts: dict[int, Counter] = defaultdict(Counter)
    if period:
        for organ_id, colour, n in session.execute(
            sa.select(Rating.organ_id, Rating.colour, sa.func.count())
            .where(Rating.period == period)
            .group_by(Rating.organ_id, Rating.colour)
        ):
            counts[organ_id][colour] = n
    bar = Bar(init_opts=_init()).add_xaxis([o.name_zh for o in organs])
    for colour in ("green", "yellow", "red", "grey"):
        bar.add_yaxis(
            COLOUR_ZH[colour],
            [counts[o.id][colour] for o in organs],
            stack="colours",
            label_opts=opts.LabelOpts(is_show=False),
        )
    bar.set_global_opts(
        title_opts=opts.TitleOpts(title=f"三色评价总览 {period or ''}"),
        tooltip_opts=opts.TooltipOpts(trigger="axis"),
        xaxis_opts=opts.AxisOpts(axislabel_opts=opts.LabelOpts(interval=0, rotate=20)),
    )
    return Chart("colours", "三色评价总览", "Three-colour overview", _options(bar))


def heat(session: Session, tenant: Tenant, period: str | None) -> Chart:
    """热力矩阵: organs × indicators, each cell the indicator's colour for the period."""
    organs = _organs(session)
    rows = []
    if period:
        rows = session.execute(
            sa.select(Rating.organ_id, Rating.indicator_code, Rating.colour).where(
                Rating.period == period
            )
        ).all()
    codes = sorted({code for _, code, _ in rows})
    y_index = {o.id: i for i, o in enumerate(organs)}
    x_index = {code: i for i, code in enumerate(codes)}
    data = [
        [x_index[code], y_index[organ_id], HEAT_LEVEL[colour]]
        for organ_id, code, colour in rows
        if organ_id in y_index
    ]
    chart = HeatMap(init_opts=_init())
    chart.add_xaxis(codes)
    chart.add_yaxis(
        "颜色",
        [o.name_zh for o in organs],
        data,
        label_opts=opts.LabelOpts(is_show=False),
    )
    chart.set_global_opts(
        title_opts=opts.TitleOpts(title=f"指标热力矩阵 {period or ''}"),
        visualmap_opts=opts.VisualMapOpts(
            is_piecewise=True,
            pieces=[
                {"value": HEAT_LEVEL[c], "label": COLOUR_ZH[c], "color": COLOUR_HEX[c]}
                for c in ("green", "yellow", "red", "grey")
            ],
            orient="horizontal",
            pos_left="center",
            pos_bottom="0",
        ),
        xaxis_opts=opts.AxisOpts(axislabel_opts=opts.LabelOpts(interval=0, rotate=60)),
    )
    return Chart("heat", "指标热力矩阵", "Heat matrix", _options(chart))


def warnings_trend(session: Session, tenant: Tenant, period: str | None) -> Chart:
    """预警趋势: red, yellow and grey ratings per month over the last two years."""
    months = list(reversed(recent_months(_after(period), TREND_MONTHS))) if period else []
    counts: dict[tuple, int] = {}
    if months:
        counts = {
            (p, c): n
            for p, c, n in session.execute(
                sa.select(Rating.period, Rating.colour, sa.func.count())
                .where(Rating.period.in_(months), Rating.colour != "green")
                .group_by(Rating.period, Rating.colour)
            )
        }
    line = Line(init_opts=_init()).add_xaxis(months)
    for colour in ("red", "yellow", "grey"):
        line.add_yaxis(
            COLOUR_ZH[colour],
            [counts.get((p, colour), 0) for p in months],
            label_opts=opts.LabelOpts(is_show=False),
        )
    line.set_global_opts(
        title_opts=opts.TitleOpts(title="黄红灰数量逐月走势"),
        tooltip_opts=opts.TooltipOpts(trigger="axis"),
    )
    return Chart("warnings-trend", "预警逐月走势", "Warnings by month", _options(line))


def _after(period: str) -> str:
    """The month after ``period`` (recent_months counts the months before it)."""
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}"


def tickets(session: Session, tenant: Tenant, today) -> Chart:
    """工单状态与时效: tickets by state, and answered on time, late, or not yet."""
    by_status = dict(
        session.execute(sa.select(Ticket.status, sa.func.count()).group_by(Ticket.status)).all()
    )
    first_answer = dict(
        session.execute(
            sa.select(TicketEvent.ticket_id, sa.func.min(TicketEvent.at))
            .where(TicketEvent.action == "answer")
            .group_by(TicketEvent.ticket_id)
        ).all()
    )
    timeliness = Counter()
    for ticket_id, deadline, status in session.execute(
        sa.select(Ticket.id, Ticket.deadline, Ticket.status)
    ):
        answered = first_answer.get(ticket_id)
        if status == "resolved" and answered is None:
            timeliness["数据转绿自动关闭"] += 1
        elif answered is None:
            timeliness["逾期未反馈" if deadline < today else "期限内待反馈"] += 1
        else:
            timeliness["按期反馈" if answered.date() <= deadline else "逾期反馈"] += 1
    statuses = list(STATUS_LABELS)
    bar = (
        Bar(init_opts=_init())
        .add_xaxis([STATUS_LABELS[s][0] for s in statuses])
        .add_yaxis("工单数", [by_status.get(s, 0) for s in statuses], color="#8c1c13")
    )
    kinds = ["按期反馈", "逾期反馈", "期限内待反馈", "逾期未反馈", "数据转绿自动关闭"]
    bar.set_global_opts(
        title_opts=opts.TitleOpts(
            title="工单状态与反馈时效",
            subtitle="；".join(f"{k} {timeliness[k]}" for k in kinds),
        ),
        tooltip_opts=opts.TooltipOpts(trigger="axis"),
    )
    return Chart("tickets", "工单状态与反馈时效", "Tickets and timeliness", _options(bar))


def organ_trend(session: Session, tenant: Tenant, organ: Organ, period: str | None) -> Chart:
    """An organ's most troubled indicators month by month, with the moving average over
    TREND_WINDOW months, the same month a year earlier and the green and red bounds (one
    indicator shown at a time: their units differ; its lines share its legend entry, so
    they show and hide together)."""
    months = list(reversed(recent_months(_after(period), TREND_MONTHS))) if period else []
    specs = {row.code: spec_of(row) for row in version_named(None, session).indicators}
    codes = _troubled_codes(session, organ, months)
    # a year and a window more, for the first months' year-on-year and moving average
    history = (
        list(reversed(recent_months(_after(period), TREND_MONTHS + 12 + TREND_WINDOW - 1)))
        if period
        else []
    )
    values = _organ_values(session, organ, codes, history)
    line = Line(init_opts=_init()).add_xaxis(months)
    kinds = [
        (code, kind)
        for code in codes
        for kind in _add_trend_lines(line, code, specs.get(code), months, history, values)
    ]
    line.set_global_opts(
        title_opts=opts.TitleOpts(title=f"{organ.name_zh} 重点指标走势"),
        legend_opts=opts.LegendOpts(selected_mode="single", pos_top="28", type_="scroll"),
        yaxis_opts=opts.AxisOpts(is_scale=True),  # the indicator's own range, not from 0
        tooltip_opts=opts.TooltipOpts(
            trigger="axis",
            formatter=f"{{b}}<br/>{{a0}}：{{c0}}<br/>{TREND_WINDOW}个月移动平均：{{c1}}"
            "<br/>去年同月：{c2}",
        ),
    )
    options = {**_options(line), "grid": {"top": 70, "left": 50, "right": 30, "bottom": 30}}
    for series, (code, kind) in zip(options["series"], kinds, strict=True):
        series["id"] = f"{code}-{kind}"
        # one colour per kind of line (ECharts would give same-named series one colour)
        colour = _TREND_COLOURS[kind.split("-")[0]]
        series["itemStyle"] = {"color": colour}
        series["lineStyle"] = {**series.get("lineStyle", {}), "color": colour}
        # plain values on the category axis, so the tooltip's {c0}… are the numbers
        series["data"] = [_rounded(point[1]) for point in series["data"]]
    return Chart(
        f"organ-{organ.id}-trend",
        f"{organ.name_zh} 指标走势",
        f"{organ.name_en or organ.name_zh}: trends",
        options,
        organ.id,
    )


def _troubled_codes(session: Session, organ: Organ, months: list[str]) -> list[str]:
    """The organ's indicators most often yellow or red in these months (red counts three
    times); with none, the first indicators it reports."""
    severity = Counter()
    for code, colour in session.execute(
        sa.select(Rating.indicator_code, Rating.colour).where(
            Rating.organ_id == organ.id, Rating.period.in_(months), Rating.colour != "green"
        )
    ):
        severity[code] += 3 if colour == "red" else 1
    codes = [c for c, _ in severity.most_common(TREND_SERIES)]
    if codes:
        return codes
    reported = session.scalars(
        sa.select(IndicatorValue.indicator_code)
        .distinct()
        .where(IndicatorValue.organ_id == organ.id, IndicatorValue.is_current)
    )
    return sorted(set(reported))[:TREND_SERIES]


def _organ_values(session: Session, organ: Organ, codes, periods) -> dict[tuple, float | None]:
    return {
        (code, p): v
        for code, p, v in session.execute(
            sa.select(
                IndicatorValue.indicator_code, IndicatorValue.period, IndicatorValue.value
            ).where(
                IndicatorValue.organ_id == organ.id,
                IndicatorValue.is_current,
                IndicatorValue.indicator_code.in_(codes),
                IndicatorValue.period.in_(periods),
            )
        )
    }


def _add_trend_lines(line: Line, code: str, spec, months, history, values) -> list[str]:
    """The indicator's values, its moving average (None where a month of the window is
    missing), last year's values and its green and red bounds, all under one legend name;
    returns what each series is, in order. The bounds are series, not mark lines, so the
    scaled axis always reaches them."""
    name = f"{code} {spec.name_zh}" if spec else code
    series = [(p, values[(code, p)]) for p in history if (code, p) in values]
    averages = trend.moving_average(series, TREND_WINDOW)
    quiet = opts.LabelOpts(is_show=False)
    line.add_yaxis(
        name,
        [values.get((code, p)) for p in months],
        is_connect_nones=False,
        label_opts=quiet,
    )
    line.add_yaxis(
        name,
        [_rounded(averages.get(p)) for p in months],
        is_symbol_show=False,
        label_opts=quiet,
        linestyle_opts=opts.LineStyleOpts(type_="dashed", width=2),
    )
    line.add_yaxis(
        name,
        [values.get((code, shift_month(p, -12))) for p in months],
        is_symbol_show=False,
        label_opts=quiet,
        linestyle_opts=opts.LineStyleOpts(type_="dotted", width=2),
    )
    added = ["value", f"ma{TREND_WINDOW}", "last-year"]
    for colour in ("green", "red"):
        bound = getattr(spec, colour, None) if spec else None
        if bound is None:
            continue
        line.add_yaxis(
            name,
            [bound] * len(months),
            is_symbol_show=False,
            label_opts=quiet,
            linestyle_opts=opts.LineStyleOpts(width=1, opacity=0.6),
            tooltip_opts=opts.TooltipOpts(is_show=False),
        )
        added.append(f"{colour}-bound")
    return added


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def organ_yoy(session: Session, tenant: Tenant, organ: Organ, period: str | None) -> Chart:
    """同比: each indicator of the period against the same month a year earlier, in %,
    green where the change is for the better (direction-aware)."""
    specs = {row.code: spec_of(row) for row in version_named(None, session).indicators}
    last_year = f"{int(period[:4]) - 1}{period[4:]}" if period else None
    values = {}
    if period:
        values = {
            (code, p): v
            for code, p, v in session.execute(
                sa.select(
                    IndicatorValue.indicator_code, IndicatorValue.period, IndicatorValue.value
                ).where(
                    IndicatorValue.organ_id == organ.id,
                    IndicatorValue.is_current,
                    IndicatorValue.period.in_((period, last_year)),
                )
            )
        }
    codes, data = [], []
    for code in sorted({c for c, _ in values}):
        now, before = values.get((code, period)), values.get((code, last_year))
        if now is None or not before:
            continue
        change = round((now - before) / abs(before) * 100, 1)
        direction = specs[code].direction if code in specs else "neutral"
        better = (change > 0) if direction == "up" else (change < 0)
        colour = (
            "#9e9e9e"
            if direction == "neutral" or change == 0
            else (COLOUR_HEX["green"] if better else COLOUR_HEX["red"])
        )
        codes.append(code)
        data.append(opts.BarItem(name=code, value=change, itemstyle_opts={"color": colour}))
    bar = Bar(init_opts=_init()).add_xaxis(codes).add_yaxis("同比变化 %", data)
    bar.set_global_opts(
        title_opts=opts.TitleOpts(
            title=f"{organ.name_zh} 同比变化", subtitle=f"{period or ''} 对比 {last_year or ''}"
        ),
        xaxis_opts=opts.AxisOpts(axislabel_opts=opts.LabelOpts(interval=0, rotate=60)),
        tooltip_opts=opts.TooltipOpts(trigger="axis"),
    )
    return Chart(
        f"organ-{organ.id}-yoy",
        f"{organ.name_zh} 同比",
        f"{organ.name_en or organ.name_zh}: year on year",
        _options(bar),
        organ.id,
    )


def organ_portrait(session: Session, tenant: Tenant, organ: Organ, period: str | None) -> Chart:
    """画像: the organ's dimension scores (0–100) as a radar, the overall score beneath
    the title; dimensions with no score are named there instead of drawn at 0."""
    drawn = portraits.organ_portrait(session, tenant, organ, period) if period else None
    dimensions = drawn.portrait.dimensions if drawn else ()
    scored = [d for d in dimensions if d.score is not None]
    overall = drawn.portrait.overall if drawn else None
    subtitle = f"{period or ''} 总体得分 {overall:.1f} 分" if overall is not None else "暂无得分"
    missing = [d.name_zh for d in dimensions if d.score is None]
    if missing:
        subtitle += f"；无数据：{'、'.join(missing)}"
    radar = Radar(init_opts=_init())
    radar.add_schema(
        schema=[opts.RadarIndicatorItem(name=d.name_zh, min_=0, max_=100) for d in scored],
        shape="polygon",
    )
    radar.add(
        "维度得分",
        [[round(d.score, 1) for d in scored]] if scored else [],
        color="#8c1c13",
        areastyle_opts=opts.AreaStyleOpts(opacity=0.25),
        label_opts=opts.LabelOpts(is_show=True),
    )
    radar.set_global_opts(
        title_opts=opts.TitleOpts(title=f"{organ.name_zh} 画像", subtitle=subtitle),
        legend_opts=opts.LegendOpts(is_show=False),
    )
    return Chart(
        f"organ-{organ.id}-portrait",
        f"{organ.name_zh} 画像",
        f"{organ.name_en or organ.name_zh}: portrait",
        _options(radar),
        organ.id,
    )


def build_all(session: Session, tenant: Tenant, today) -> list[Chart]:
    """Every chart of a tenant (call in the tenant's scope)."""
    period = latest_period(session)
    charts = [
        colours(session, tenant, period),
        heat(session, tenant, period),
        warnings_trend(session, tenant, period),
        tickets(session, tenant, today),
    ]
    for organ in _organs(session):
        charts.append(organ_trend(session, tenant, organ, period))
        charts.append(organ_yoy(session, tenant, organ, period))
        charts.append(organ_portrait(session, tenant, organ, period))
    return charts
