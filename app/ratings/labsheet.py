"""The lab sheet (体检化验单): an organ's indicators read like a medical check-up — value,
reference range, arrows against last period and the same period last year, colour, and
the reason in words."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.datamart.models import IndicatorValue
from app.datamart.periods import previous_period
from app.indicators.dictionary import IndicatorSpec
from app.indicators.service import spec_of, version_named
from app.ratings.models import Judgement, Rating
from tenants.models import Organ, Tenant


def same_period_last_year(period: str) -> str:
    return str(int(period) - 1) if len(period) == 4 else f"{int(period[:4]) - 1}{period[4:]}"


def arrow(now: float | None, before: float | None) -> str | None:
    if now is None or before is None:
        return None
    return "up" if now > before else "down" if now < before else "flat"


def reference(spec: IndicatorSpec) -> dict:
    """The reference range in words, both languages."""
    if spec.peer_rated or spec.green is None:
        return {"zh": "与同级比较", "en": "compared with peers"}
    good, bad = ("≥", "<") if spec.direction == "up" else ("≤", ">")
    return {
        "zh": f"绿 {good} {spec.green:g}{spec.unit};红 {bad} {spec.red:g}{spec.unit}",
        "en": f"green {good} {spec.green:g}{spec.unit}; red {bad} {spec.red:g}{spec.unit}",
    }


def _latest_period(session: Session, organ: Organ) -> str | None:
    return session.scalar(
        sa.select(sa.func.max(Rating.period)).where(
            Rating.organ_id == organ.id, sa.func.length(Rating.period) == 7
        )
    )


def lab_sheet(session: Session, organ: Organ, tenant: Tenant, period: str | None) -> dict:
    period = period or _latest_period(session, organ)
    if period is None:
        return {"organ_id": organ.id, "period": None, "rows": [], "judgement": None}
    before, last_year = previous_period(period), same_period_last_year(period)
    values = {
        (v.indicator_code, v.period): v.value
        for v in session.execute(
            sa.select(
                IndicatorValue.indicator_code, IndicatorValue.period, IndicatorValue.value
            ).where(
                IndicatorValue.is_current,
                IndicatorValue.organ_id == organ.id,
                IndicatorValue.period.in_((period, before, last_year)),
            )
        )
    }
    ratings = {
        r.indicator_code: r
        for r in session.scalars(
            sa.select(Rating).where(Rating.organ_id == organ.id, Rating.period == period)
        )
    }
    specs = [spec_of(row) for row in version_named(None, session).indicators]
    rows = [
        _row(spec, period, before, last_year, values, ratings.get(spec.code))
        for spec in specs
        if spec.applies_to(tenant.level, organ.family) and spec.period == "month"
    ]
    judgement = session.scalar(
        sa.select(Judgement).where(Judgement.organ_id == organ.id, Judgement.period == period)
    )
    return {
        "organ_id": organ.id,
        "organ": organ.name_zh,
        "period": period,
        "judgement": judgement.verdict if judgement else None,
        "rows": rows,
    }


def _row(spec: IndicatorSpec, period, before, last_year, values, rating) -> dict:
    value = values.get((spec.code, period))
    return {
        "code": spec.code,
        "name_zh": spec.name_zh,
        "name_en": spec.name_en,
        "unit": spec.unit,
        "dimension_zh": spec.dimension_zh,
        "value": value,
        "reference": reference(spec),
        "previous": values.get((spec.code, before)),
        "vs_previous": arrow(value, values.get((spec.code, before))),
        "last_year": values.get((spec.code, last_year)),
        "vs_last_year": arrow(value, values.get((spec.code, last_year))),
        "colour": rating.colour if rating else ("grey" if value is None else None),
        "reason_zh": rating.reason_zh if rating else "",
        "reason_en": rating.reason_en if rating else "",
        "fired": rating.fired if rating else [],
    }
