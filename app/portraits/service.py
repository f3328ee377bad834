"""An organ's portrait for a month, from the stored values.

The organ's own values are read in its congress's scope. A peer-rated indicator (CT05,
PR01…) is scored against the sibling organs — the same organ family in the congresses
that share the organ's parent, as the rating job's peer rule — whose values belong to
other tenants: they are read in system scope, only those values (no organ, no tenant
leaves this module), and only once the route has let the caller see the organ.

A portrait "as of" a month takes each indicator's latest period complete by then: the
month itself for a monthly indicator, the last complete quarter or year for the others
(as of 2026-10, the yearly satisfaction surveys of 2025).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analysis.periods import month_index
from app.analysis.portrait import Portrait, draw_portrait, specs_for
from app.datamart.models import IndicatorValue
from app.datamart.periods import MONTH
from app.focus.topics import active_topics
from app.indicators.dictionary import IndicatorSpec
from app.indicators.service import spec_of, version_named
from tenants.models import ORGAN_KINDS, Organ, Tenant, organ_family
from tenants.scoping import system_scope


@dataclass(frozen=True)
class OrganPortrait:
    organ: Organ
    period: str | None  # the month it is drawn as of; None when the organ has no values
    portrait: Portrait
    periods: dict[str, str]  # indicator code -> the period its value is taken from


def latest_month(session: Session, organ: Organ) -> str | None:
    """The organ's most recent month with a current value."""
    periods = session.scalars(
        sa.select(IndicatorValue.period)
        .distinct()
        .where(IndicatorValue.organ_id == organ.id, IndicatorValue.is_current)
        .order_by(IndicatorValue.period.desc())
        .limit(24)
    )
    return next((p for p in periods if MONTH.match(p)), None)


def period_as_of(spec: IndicatorSpec, month: str) -> str:
    """The spec's latest period complete at the end of ``month``."""
    index = month_index(month)
    year, number = divmod(index, 12)  # number: 0 for January
    if spec.period == "month":
        return month
    if spec.period == "quarter":
        quarter = (number + 1) // 3  # quarters complete by the month's end
        return f"{year}-Q{quarter}" if quarter else f"{year - 1}-Q4"
    return str(year if number == 11 else year - 1)


def current_specs(session: Session) -> list[IndicatorSpec]:
    version = version_named(None, session)
    return [spec_of(row) for row in version.indicators] if version else []


def organ_portrait(
    session: Session, tenant: Tenant, organ: Organ, month: str | None = None
) -> OrganPortrait:
    """The portrait of ``organ`` (of ``tenant``, the current scope) as of ``month``
    (default: its latest month with values)."""
    month = month or latest_month(session, organ)
    specs = current_specs(session)
    mine = specs_for(organ.kind, specs, tenant.level)
    periods = {spec.code: period_as_of(spec, month) for spec in mine} if month else {}
    values = own_values(session, organ, periods)
    peer_codes = {s.code: periods[s.code] for s in mine if s.peer_rated and s.code in periods}
    peers = sibling_values(session, tenant, organ, peer_codes)
    portrait = draw_portrait(
        organ.kind,
        values,
        peers,
        specs=specs,
        level=tenant.level,
        topics=active_topics(session),
    )
    return OrganPortrait(organ, month, portrait, periods)


def own_values(
    session: Session, organ: Organ, periods: Mapping[str, str]
) -> dict[str, float | None]:
    if not periods:
        return {}
    rows = session.execute(
        sa.select(IndicatorValue.indicator_code, IndicatorValue.period, IndicatorValue.value).where(
            IndicatorValue.organ_id == organ.id,
            IndicatorValue.is_current,
            IndicatorValue.indicator_code.in_(sorted(periods)),
            IndicatorValue.period.in_(sorted(set(periods.values()))),
        )
    )
    return {code: value for code, period, value in rows if periods.get(code) == period}


def sibling_values(
    session: Session, tenant: Tenant, organ: Organ, periods: Mapping[str, str]
) -> dict[str, Sequence[float | None]]:
    """{code: the values of the organ and its siblings in ``periods[code]``}.

    Siblings: organs of the same family in the congresses with the same parent (the
    top-level congresses, for one with no parent), as in the rating job's peer groups."""
    if not periods:
        return {}
    family = organ_family(organ.kind)
    kinds = [kind for kind, spec in ORGAN_KINDS.items() if spec[0] == family]
    same_parent = (
        Tenant.parent_id.is_(None)
        if tenant.parent_id is None
        else Tenant.parent_id == tenant.parent_id
    )
    stmt = (
        sa.select(IndicatorValue.indicator_code, IndicatorValue.period, IndicatorValue.value)
        .join(Organ, Organ.id == IndicatorValue.organ_id)
        .join(Tenant, Tenant.id == IndicatorValue.tenant_id)
        .where(
            same_parent,
            Organ.kind.in_(kinds),
            IndicatorValue.is_current,
            IndicatorValue.indicator_code.in_(sorted(periods)),
            IndicatorValue.period.in_(sorted(set(periods.values()))),
        )
    )
    found: dict[str, list[float | None]] = defaultdict(list)
    with system_scope():
        for code, period, value in session.execute(stmt):
            if periods.get(code) == period:
                found[code].append(value)
    return dict(found)
