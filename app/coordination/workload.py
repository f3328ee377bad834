"""What the organs owe the congress from coordination, for the calendar and workload pages
(:mod:`app.workload`): key concerns and deputies' opinions awaiting the organ's answer.

Imported when the app's blueprints are (``app.api.coordination``, ``app.web.coordination``),
which registers both sources.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.coordination import concern_states, deputy_states
from app.coordination.models import DeputyOpinion, KeyConcern
from app.workload import DueItem, register
from tenants.models import Organ, Tenant

CONCERN_LABEL = ("重点关注", "key concern")
DEPUTY_OPINION_LABEL = ("代表意见", "deputy's opinion")


def _due(model, awaiting, tenant_id: int, organ_id: int | None, start: date, end: date):
    """Rows of ``model`` of the tenant awaiting the organ, overdue or due by ``end``,
    with their organ's name."""
    today = clock.today()
    stmt = (
        sa.select(model, Organ.name_zh)
        .join(Organ, Organ.id == model.organ_id)
        .where(
            model.tenant_id == tenant_id,
            model.status.in_(awaiting),
            model.deadline.is_not(None),
            model.deadline <= end,
            sa.or_(model.deadline >= start, model.deadline < today),
        )
        .order_by(model.deadline, model.id)
    )
    if organ_id is not None:
        stmt = stmt.where(model.organ_id == organ_id)
    return stmt, today


def _code(session: Session, tenant_id: int) -> str:
    return session.scalar(sa.select(Tenant.code).where(Tenant.id == tenant_id))


@register("concern")
def concerns_due(
    session: Session, tenant_id: int, *, organ_id: int | None = None, start: date, end: date
) -> list[DueItem]:
    """Key concerns awaiting the organ's written response."""
    stmt, today = _due(KeyConcern, concern_states.AWAITING_ORGAN, tenant_id, organ_id, start, end)
    code = _code(session, tenant_id)
    return [
        DueItem(
            kind="concern",
            kind_label=CONCERN_LABEL,
            id=row.id,
            title=row.title,
            organ_id=row.organ_id,
            organ_name=organ_name,
            status=row.status,
            due=row.deadline,
            url=f"/t/{code}/concerns/{row.id}",
            overdue=row.deadline < today,
        )
        for row, organ_name in session.execute(stmt).all()
    ]


@register("deputy_opinion")
def deputy_opinions_due(
    session: Session, tenant_id: int, *, organ_id: int | None = None, start: date, end: date
) -> list[DueItem]:
    """Deputies' opinions assigned to an organ and awaiting its answer."""
    stmt, today = _due(DeputyOpinion, deputy_states.AWAITING_ORGAN, tenant_id, organ_id, start, end)
    code = _code(session, tenant_id)
    return [
        DueItem(
            kind="deputy_opinion",
            kind_label=DEPUTY_OPINION_LABEL,
            id=row.id,
            title=_first_line(row.text),
            organ_id=row.organ_id,
            organ_name=organ_name,
            status=row.status,
            due=row.deadline,
            url=f"/t/{code}/deputy-opinions/{row.id}",
            overdue=row.deadline < today,
        )
        for row, organ_name in session.execute(stmt).all()
    ]


def _first_line(text: str, width: int = 60) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"
