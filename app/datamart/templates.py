"""The workbook an organ (or evaluator) fills in: the right rows, nothing to guess."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.datamart.files import TemplateRow, template_xlsx
from app.datamart.models import IndicatorValue
from app.datamart.periods import MONTH, previous_period
from app.errors import ApiError
from app.indicators.dictionary import IndicatorSpec
from app.indicators.service import spec_of, version_named
from tenants.models import Organ
from tenants.resolution import current_tenant

SOURCE_OF_KIND = {"values": "organ", "assessment": "third_party"}


def specs_for(organ: Organ, level: str, kind: str, period: str) -> list[IndicatorSpec]:
    """The indicators this organ reports for this kind of upload and period."""
    granularity = "month" if MONTH.match(period) else "year"
    return [
        spec
        for spec in (spec_of(row) for row in version_named(None).indicators)
        if spec.applies_to(level, organ.family)
        and spec.source == SOURCE_OF_KIND[kind]
        and spec.period == granularity
    ]


def _previous_values(session: Session, organ_ids: list[int], period: str) -> dict:
    rows = session.execute(
        sa.select(
            IndicatorValue.organ_id, IndicatorValue.indicator_code, IndicatorValue.value
        ).where(
            IndicatorValue.is_current,
            IndicatorValue.organ_id.in_(organ_ids),
            IndicatorValue.period == previous_period(period),
        )
    )
    return {(organ_id, code): value for organ_id, code, value in rows}


def template_for(session: Session, *, kind: str, period: str, organ_id: int | None):
    """(workbook bytes, file name) for one organ, or for every organ when none is named."""
    stmt = sa.select(Organ).where(Organ.active).order_by(Organ.id)
    if organ_id is not None:
        stmt = stmt.where(Organ.id == organ_id)
    organs = session.scalars(stmt).all()
    previous = _previous_values(session, [o.id for o in organs], period)
    rows = [
        TemplateRow(
            period=period,
            organ=organ.name_zh,
            spec=spec,
            previous=previous.get((organ.id, spec.code)),
        )
        for organ in organs
        for spec in specs_for(organ, current_tenant.level, kind, period)
    ]
    if not rows:
        raise ApiError(
            422,
            "nothing_to_report",
            "该期间没有需要报送的指标",
            "No indicators to report for that period",
        )
    title = (
        f"{current_tenant.name_zh} {period} {'评估数据' if kind == 'assessment' else '数据报送'}"
    )
    name = f"{current_tenant.code}-{kind}-{period}{'-' + str(organ_id) if organ_id else ''}.xlsx"
    return template_xlsx(rows, title), name
