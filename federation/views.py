"""What a parent congress sees of its federation, as read models: its exact roll-ups, its
children ranked (亮榜晒绩), a heat map of their colours, the spread of their values, the
trend, and one child drilled into. Plain functions over a session returning JSON-ready
dicts, shared by the API and the pages.

Why reading across tenants is safe here: a child's ratings and roll-ups belong to the
child, so every function that reads them enters ``system_scope()``. Each is called only
*after* the caller has been let into the parent (a route scoped to the parent's URL, whose
``@allow`` admits the parent's own congress and its ancestors), and each reads only the
parent's **direct children** (``Tenant.parent_id``) — never a sibling's rows, never raw
submissions. ``drill_down`` takes a child the caller has checked with ``child_of``.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analysis.heat import HeatCell, children_by_indicator
from app.datamart.periods import end_of
from app.indicators.dictionary import IndicatorSpec
from app.indicators.service import spec_of, version_named
from app.ratings.models import Rating
from federation.common import SEVERITY
from federation.engine import Node, Tree
from federation.models import Rollup
from federation.problems import signals_of
from federation.rollup import value_of
from tenants.models import Organ, Tenant
from tenants.scoping import system_scope

TREND_PERIODS = 24


def dictionary(session: Session) -> dict[str, IndicatorSpec]:
    """The dictionary in force, code → spec, in dictionary order."""
    version = version_named(None, session)
    return {row.code: spec_of(row) for row in version.indicators} if version else {}


def latest(periods: Iterable[str | None]) -> str | None:
    """The period that ended last (a month before the year it closes)."""
    known = [p for p in periods if p]
    return max(known, key=lambda p: (end_of(p), len(p))) if known else None


def children_of(session: Session, parent_id: int) -> list[Tenant]:
    return list(
        session.scalars(
            sa.select(Tenant).where(Tenant.parent_id == parent_id).order_by(Tenant.code)
        )
    )


def child_of(session: Session, parent_id: int, code: str) -> Tenant | None:
    """The direct child of ``parent_id`` with this code; None for anyone else (a sibling,
    a grandchild, the parent itself)."""
    return session.scalar(
        sa.select(Tenant).where(Tenant.parent_id == parent_id, Tenant.code == code)
    )


def _ref(tenant) -> dict:
    return {"code": tenant.code, "name_zh": tenant.name_zh, "name_en": tenant.name_en}


def _indicator(spec: IndicatorSpec | None, code: str | None) -> dict | None:
    if code is None:
        return None
    if spec is None:
        return {"code": code}
    return {
        "code": code,
        "name_zh": spec.name_zh,
        "name_en": spec.name_en,
        "unit": spec.unit,
        "direction": spec.direction,
        "dimension_zh": spec.dimension_zh,
        "dimension_en": spec.dimension_en,
    }


# -- roll-ups -------------------------------------------------------------------------


def rollup_periods(session: Session, tenant_id: int, indicator: str | None = None) -> list[str]:
    stmt = sa.select(Rollup.period).distinct().where(Rollup.tenant_id == tenant_id)
    if indicator:
        stmt = stmt.where(Rollup.indicator_code == indicator)
    return sorted(session.scalars(stmt), key=lambda p: (end_of(p), len(p)))


def rebuilt_at(session: Session, tenant_id: int):
    """When the tenant's roll-ups were last computed: the federation job recomputes them
    after every rating of a descendant's figures, so this is when the overview's data
    (its roll-ups, and the children's colours rated just before) was last rebuilt."""
    with system_scope():
        return session.scalar(
            sa.select(sa.func.max(Rollup.computed_at)).where(Rollup.tenant_id == tenant_id)
        )


def first_indicator(session: Session, tenant_id: int, period: str | None = None) -> str | None:
    """The first indicator, in dictionary order, the tenant has a roll-up of in ``period``
    (default: its latest): what a chart shows before anyone picks one."""
    period = period or latest(rollup_periods(session, tenant_id))
    codes = set(
        session.scalars(
            sa.select(Rollup.indicator_code).where(
                Rollup.tenant_id == tenant_id, Rollup.period == period
            )
        )
    )
    return next((code for code in dictionary(session) if code in codes), None)


def rollup_of(
    session: Session, tenant_id: int, indicator: str | None = None, period: str | None = None
) -> dict:
    """The tenant's own roll-ups (of one indicator, or all) for ``period`` (default: the
    latest period it has one for): the exact sums, each child's part, the coverage, its
    own organs' figures apart, the colour and why. Reads the tenant's rows only, so it
    runs in the tenant's scope (or in ``drill_down``'s)."""
    period = period or latest(rollup_periods(session, tenant_id, indicator))
    stmt = sa.select(Rollup).where(Rollup.tenant_id == tenant_id, Rollup.period == period)
    if indicator:
        stmt = stmt.where(Rollup.indicator_code == indicator)
    specs = dictionary(session)
    order = {code: n for n, code in enumerate(specs)}
    rows = sorted(session.scalars(stmt), key=lambda r: order.get(r.indicator_code, len(order)))
    names = _children_named(session, tenant_id)
    return {
        "period": period,
        "rollups": [_rollup(r, specs.get(r.indicator_code), names) for r in rows],
    }


def _children_named(session: Session, parent_id: int) -> dict[int, dict]:
    """id → code and names of the parent's children: a roll-up stores their ids only."""
    rows = session.execute(
        sa.select(Tenant.id, Tenant.code, Tenant.name_zh, Tenant.name_en).where(
            Tenant.parent_id == parent_id
        )
    )
    return {
        row.id: {"code": row.code, "name_zh": row.name_zh, "name_en": row.name_en} for row in rows
    }


def parts_of(row: Rollup, spec: IndicatorSpec | None, names: dict[int, dict]) -> list[dict]:
    """Each reporting child's part of a roll-up, named, with the value its sums give."""
    out = []
    for child, sums in row.child_parts():
        named = names.get(child) or {"code": None, "name_zh": "", "name_en": ""}
        out.append(
            {
                **named,
                "numerator": sums.num,
                "denominator": None if spec is None or spec.rollup == "sum" else sums.den,
                "value": value_of(spec, sums) if spec is not None else None,
                "n_values": sums.n,
            }
        )
    return out


def _rollup(row: Rollup, spec: IndicatorSpec | None, names: dict[int, dict]) -> dict:
    def codes(ids):
        return [names[t]["code"] for t in ids if t in names]

    return {
        "indicator": _indicator(spec, row.indicator_code),
        "period": row.period,
        "numerator": row.numerator,
        "denominator": row.denominator,
        "value": row.value,
        "n_values": row.n_values,
        "parts": parts_of(row, spec, names),
        "coverage": {
            "reporting": codes(row.reporting_ids),
            "missing": codes(row.missing),
            "complete": not row.missing,
        },
        "own": {
            "numerator": row.own_numerator,
            "denominator": row.own_denominator,
            "value": row.own_value,
        },
        "colour": row.colour,
        "fired": row.fired,
        "reason_zh": row.reason_zh,
        "reason_en": row.reason_en,
        "dictionary_version": row.dictionary_version,
        "computed_at": row.computed_at.isoformat() if row.computed_at else None,
    }


# -- the children compared ------------------------------------------------------------


def _family(parent: Tenant, children: list[Tenant]) -> Tree:
    """The parent and its direct children as a small tree, for ``signals_of``."""

    def node(t: Tenant) -> Node:
        return Node(t.id, t.code, t.name_zh, t.name_en, t.level, t.parent_id, t.path, t.depth)

    nodes = {t.id: node(t) for t in (parent, *children)}
    return Tree(nodes, {parent.id: [c.id for c in children]})


def _colours(session, parent, children, codes, period) -> dict[tuple[str, str], str]:
    """(child code, indicator) → the child's colour (``signals_of``'s definition)."""
    if not children:
        return {}
    found = signals_of(
        session, _family(parent, children), {c.id for c in children}, codes, {period}, None
    )
    return {
        (child, code): signal.colour
        for (_, code), bucket in found.items()
        for (child, _period), signal in bucket.items()
    }


def _parts(session, parent_id: int, period: str, codes=None) -> dict[str, dict[str, dict]]:
    """indicator → child code → that child's total, as the parent's roll-up holds it."""
    stmt = sa.select(Rollup).where(Rollup.tenant_id == parent_id, Rollup.period == period)
    if codes is not None:
        stmt = stmt.where(Rollup.indicator_code.in_(sorted(codes)))
    specs, names = dictionary(session), _children_named(session, parent_id)
    return {
        r.indicator_code: {p["code"]: p for p in parts_of(r, specs.get(r.indicator_code), names)}
        for r in session.scalars(stmt)
    }


def _period_or_latest(session, parent_id: int, period, indicator=None) -> str | None:
    return period or latest(rollup_periods(session, parent_id, indicator))


def ranking(
    session: Session,
    parent_id: int,
    period: str | None,
    indicator: str | None = None,
    dimension: str | None = None,
) -> dict:
    """The children ranked best first: on one indicator by their total value (the part the
    parent's roll-up holds for each; higher first when higher is better, lower first when
    lower is better, larger first for a neutral count); or on a dimension (or, with
    neither, on every indicator) by the share of its indicators rated green. Equal values
    share a rank; a child with nothing to rank on comes last, unranked."""
    with system_scope():
        parent = session.get(Tenant, parent_id)
        children = children_of(session, parent_id)
        specs = dictionary(session)
        period = _period_or_latest(session, parent_id, period, indicator)
        if indicator:
            rows = _by_value(session, parent, children, specs[indicator], period)
            head = {"indicator": _indicator(specs[indicator], indicator)}
        else:
            codes = [c for c, s in specs.items() if _in_dimension(s, dimension)]
            rows = _by_green_share(session, parent, children, codes, period)
            head = {"dimension": dimension, "indicators": codes}
    return {"period": period, **head, "rows": rows}


def _in_dimension(spec: IndicatorSpec, dimension: str | None) -> bool:
    return dimension is None or dimension in (spec.dimension_zh, spec.dimension_en)


def _by_value(session, parent, children, spec: IndicatorSpec, period) -> list[dict]:
    parts = _parts(session, parent.id, period, {spec.code}).get(spec.code, {})
    colours = _colours(session, parent, children, {spec.code}, period)
    rows = [
        {
            **_ref(c),
            "value": parts.get(c.code, {}).get("value"),
            "colour": colours.get((c.code, spec.code)),
        }
        for c in children
    ]
    sign = 1 if spec.direction == "down" else -1
    return _ranked(rows, "value", lambda v: sign * v)


def _by_green_share(session, parent, children, codes: list[str], period) -> list[dict]:
    """Score: the share (%) of the child's coloured indicators that are green; a grey one
    (a due figure not submitted) counts against it, like a yellow or a red."""
    colours = _colours(session, parent, children, set(codes), period)
    rows = []
    for child in children:
        mine = [colours[(child.code, c)] for c in codes if (child.code, c) in colours]
        green = mine.count("green")
        rows.append(
            {
                **_ref(child),
                "score": round(100 * green / len(mine), 1) if mine else None,
                "green": green,
                "rated": len(mine),
                "colour": max(mine, key=SEVERITY.__getitem__) if mine else None,
            }
        )
    return _ranked(rows, "score", lambda v: -v)


def _ranked(rows: list[dict], key: str, order) -> list[dict]:
    present = sorted((r for r in rows if r[key] is not None), key=lambda r: order(r[key]))
    rank = 0
    for position, row in enumerate(present, start=1):
        if position == 1 or row[key] != present[position - 2][key]:
            rank = position
        row["rank"] = rank
    absent = [{**r, "rank": None} for r in rows if r[key] is None]
    return present + absent


def heat(session: Session, parent_id: int, period: str | None) -> dict:
    """Children × indicators: each cell the child's colour (the worst of its own organs'
    ratings and its own roll-up's, as for common problems) and its total value; the worst
    children and indicators first."""
    with system_scope():
        parent = session.get(Tenant, parent_id)
        children = children_of(session, parent_id)
        specs = dictionary(session)
        period = _period_or_latest(session, parent_id, period)
        colours = _colours(session, parent, children, None, period)
        parts = _parts(session, parent_id, period)
    cells = {
        (child, code): HeatCell(colour, parts.get(code, {}).get(child, {}).get("value"))
        for (child, code), colour in colours.items()
    }
    codes = [c for c in specs if any(key[1] == c for key in cells)]
    matrix = children_by_indicator(cells, [c.code for c in children], codes).as_dict()
    names = {c.code: c for c in children}
    return {
        "period": period,
        "children": [_ref(names[code]) for code in matrix["rows"]],
        "indicators": [_indicator(specs[code], code) for code in matrix["columns"]],
        **{k: matrix[k] for k in ("grid", "row_totals", "column_totals", "total")},
    }


def spread(values: list[float]) -> dict:
    """Minimum, quartiles, median and maximum (the inclusive method: the quartiles of a
    handful of children stay within their values)."""
    if not values:
        return {"n": 0, "min": None, "q1": None, "median": None, "q3": None, "max": None}
    ordered = sorted(values)
    q1, median, q3 = (
        statistics.quantiles(ordered, n=4, method="inclusive") if len(ordered) > 1 else ordered * 3
    )
    return {
        "n": len(ordered),
        "min": ordered[0],
        "q1": q1,
        "median": median,
        "q3": q3,
        "max": ordered[-1],
    }


def distribution(session: Session, parent_id: int, indicator: str, period: str | None) -> dict:
    """Each child's total value of one indicator, their spread, and the parent's exact
    roll-up marked beside it (not a mean of the children's values)."""
    with system_scope():
        parent = session.get(Tenant, parent_id)
        children = children_of(session, parent_id)
        spec = dictionary(session).get(indicator)
        period = _period_or_latest(session, parent_id, period, indicator)
        parts = _parts(session, parent_id, period, {indicator}).get(indicator, {})
        colours = _colours(session, parent, children, {indicator}, period)
        mine = session.scalar(
            sa.select(Rollup).where(
                Rollup.tenant_id == parent_id,
                Rollup.indicator_code == indicator,
                Rollup.period == period,
            )
        )
    rows = [
        {
            **_ref(c),
            "value": parts.get(c.code, {}).get("value"),
            "colour": colours.get((c.code, indicator)),
        }
        for c in children
    ]
    return {
        "period": period,
        "indicator": _indicator(spec, indicator),
        "children": rows,
        "stats": spread([r["value"] for r in rows if r["value"] is not None]),
        "parent": {
            **_ref(parent),
            "value": mine.value if mine else None,
            "colour": mine.colour if mine else None,
        },
    }


def trend(session: Session, parent_id: int, indicator: str, periods: int = TREND_PERIODS) -> dict:
    """The parent's roll-up of one indicator over its last ``periods`` periods, each with
    the spread of its children's totals (min, median, max)."""
    with system_scope():
        spec = dictionary(session).get(indicator)
        rows = session.scalars(
            sa.select(Rollup).where(
                Rollup.tenant_id == parent_id, Rollup.indicator_code == indicator
            )
        ).all()
    rows = sorted(rows, key=lambda r: (end_of(r.period), len(r.period)))[-periods:]
    points = []
    for row in rows:
        values = [value_of(spec, sums) for _, sums in row.child_parts()] if spec else []
        stats = spread([v for v in values if v is not None])
        points.append(
            {
                "period": row.period,
                "value": row.value,
                "colour": row.colour,
                "children": stats["n"],
                **{k: stats[k] for k in ("min", "median", "max")},
            }
        )
    return {"indicator": _indicator(spec, indicator), "points": points}


def drill_down(session: Session, child_id: int, period: str | None) -> dict:
    """One child as its parent sees it: its roll-ups and its organs' ratings for the period
    (the parent's latest when none is given) — ratings and roll-ups only, never the raw
    submissions. The caller has checked that the child is its own (``child_of``)."""
    with system_scope():
        child = session.get(Tenant, child_id)
        period = (
            period
            or latest(rollup_periods(session, child.parent_id))
            or latest(_rating_periods(session, child_id))
        )
        rollups = rollup_of(session, child_id, None, period)["rollups"]
        organs = _organ_ratings(session, child_id, period)
    return {"tenant": _ref(child), "period": period, "rollups": rollups, "organs": organs}


def _rating_periods(session, tenant_id: int) -> list[str]:
    stmt = sa.select(Rating.period).distinct().where(Rating.tenant_id == tenant_id)
    return list(session.scalars(stmt))


def _organ_ratings(session, tenant_id: int, period: str | None) -> list[dict]:
    organs = session.scalars(
        sa.select(Organ).where(Organ.tenant_id == tenant_id, Organ.active).order_by(Organ.id)
    ).all()
    ratings = session.scalars(
        sa.select(Rating)
        .where(Rating.tenant_id == tenant_id, Rating.period == period)
        .order_by(Rating.organ_id, Rating.indicator_code)
    ).all()
    return [
        {
            "id": organ.id,
            "kind": organ.kind,
            "name_zh": organ.name_zh,
            "name_en": organ.name_en,
            "ratings": [
                {
                    "indicator": r.indicator_code,
                    "value": r.value,
                    "colour": r.colour,
                    "reason_zh": r.reason_zh,
                    "reason_en": r.reason_en,
                }
                for r in ratings
                if r.organ_id == organ.id
            ],
        }
        for organ in organs
    ]
