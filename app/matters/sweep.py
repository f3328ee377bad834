"""Overdue opinions, escalated like tickets by the periodic sweep (:mod:`app.tickets.sweep`):
marked, the congress's and the parent congress's staff told, and the organ told that the
congress was. Once per round: a new round (after "not satisfied") has a new deadline."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.auth.models import User
from app.matters import opinion_states
from app.matters.models import Opinion, OpinionEvent
from app.notifications.service import notify
from tenants.models import Tenant


def escalate_overdue(session: Session, now: datetime) -> int:
    """Escalate every opinion whose organ let the deadline pass (run in system scope)."""
    today = now.astimezone(clock.BEIJING).date()
    overdue = session.scalars(
        sa.select(Opinion).where(
            Opinion.status.in_(opinion_states.AWAITING_ORGAN),
            Opinion.deadline < today,
            Opinion.escalated_at.is_(None),
        )
    ).all()
    for opinion in overdue:
        _escalate(session, opinion, now)
    return len(overdue)


def _escalate(session: Session, opinion: Opinion, now: datetime) -> None:
    opinion_states.transition(
        opinion.status, opinion_states.ESCALATE, role="system", overdue=True, escalated=False
    )
    opinion.escalated_at = now
    session.add(
        OpinionEvent(
            opinion_id=opinion.id,
            tenant_id=opinion.tenant_id,
            round=opinion.round,
            action=opinion_states.ESCALATE,
            from_status=opinion.status,
            to_status=opinion.status,
            actor="system",
            text=f"逾期未报送办理结果(截止 {opinion.deadline}) / overdue since {opinion.deadline}",
            at=now,
        )
    )
    tenant = session.get(Tenant, opinion.tenant_id)
    key = f"opinion-{opinion.id}-overdue-{opinion.round}"
    organ = opinion.organ.name_zh
    for user_id, tenant_id in watchers(session, tenant):
        notify(
            session,
            user_id,
            tenant_id,
            "opinion_overdue",
            key,
            f"{tenant.name_zh} {organ} 逾期未报送监督意见“{opinion.title}”的办理结果",
            f"{tenant.name_en or tenant.name_zh}: {opinion.organ.name_en or organ} is overdue "
            f"on '{opinion.title}'",
            f"/t/{tenant.code}/opinions/{opinion.id}",
        )
    for user_id in session.scalars(sa.select(User.id).where(User.organ_id == opinion.organ_id)):
        notify(
            session,
            user_id,
            opinion.tenant_id,
            "opinion_overdue",
            key,
            f"监督意见“{opinion.title}”已逾期,已报告人大",
            f"The opinion '{opinion.title}' is overdue and was reported to the congress",
            f"opinions/{opinion.id}",
        )


def watchers(session: Session, tenant: Tenant) -> list[tuple[int, int]]:
    """Staff and admins of the congress and of its parent: who hears of an escalation."""
    tenants = [tenant.id] + ([tenant.parent_id] if tenant.parent_id else [])
    return session.execute(
        sa.select(User.id, User.tenant_id).where(
            User.tenant_id.in_(tenants), User.role.in_(("staff", "admin")), User.active
        )
    ).all()
