"""The periodic sweep: overdue tickets are escalated (marked; the congress staff and the
parent tenant's staff told), tickets about to fall due remind their organ; overdue
supervision opinions, key concerns and deputies' opinions are escalated the same way
(:mod:`app.matters.sweep`, :mod:`app.coordination.sweep`). Idempotent:
an escalation happens once, a notice is sent once per subject."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.auth.models import User
from app.calendar.workdays import CalendarGap, load_calendar, working_days_between
from app.coordination.sweep import escalate_overdue as escalate_overdue_coordination
from app.matters.sweep import escalate_overdue as escalate_overdue_opinions
from app.matters.sweep import watchers
from app.notifications.service import notify
from app.ratings.engine import settings_for
from app.tickets.models import Ticket, TicketEvent
from app.tickets.states import transition
from tenants.models import Tenant

ESCALATABLE = ("open", "returned")


@dataclass
class SweepReport:
    escalated: int = 0
    due_soon: int = 0
    opinions_escalated: int = 0  # supervision opinions overdue (app.matters.sweep)
    concerns_escalated: int = 0  # key concerns overdue (app.coordination.sweep)
    deputy_opinions_escalated: int = 0  # deputies' opinions overdue (the same)


def sweep(session: Session, now: datetime | None = None) -> SweepReport:
    """Run in system scope: it looks at every tenant's tickets."""
    now = now or clock.now()
    today = now.astimezone(clock.BEIJING).date()
    report = SweepReport()
    overdue = session.scalars(
        sa.select(Ticket).where(
            Ticket.status.in_(ESCALATABLE), Ticket.deadline < today, Ticket.escalated_at.is_(None)
        )
    ).all()
    for ticket in overdue:
        _escalate(session, ticket, now)
        report.escalated += 1
    report.due_soon = _remind(session, today)
    report.opinions_escalated = escalate_overdue_opinions(session, now)
    coordination = escalate_overdue_coordination(session, now)
    report.concerns_escalated = coordination.concerns
    report.deputy_opinions_escalated = coordination.deputy_opinions
    return report


def _escalate(session: Session, ticket: Ticket, now: datetime) -> None:
    transition(ticket.status, "escalate", role="system", overdue=True, escalated=False)
    ticket.escalated_at = now
    session.add(
        TicketEvent(
            ticket_id=ticket.id,
            tenant_id=ticket.tenant_id,
            action="escalate",
            from_status=ticket.status,
            to_status=ticket.status,
            actor="system",
            text=f"逾期未反馈(截止 {ticket.deadline}) / overdue since {ticket.deadline}",
            attachments=[],
            at=now,
        )
    )
    tenant = session.get(Tenant, ticket.tenant_id)
    organ = ticket.organ.name_zh
    for user_id, tenant_id in watchers(session, tenant):
        notify(
            session,
            user_id,
            tenant_id,
            "ticket_overdue",
            f"ticket-{ticket.id}-overdue",
            f"{tenant.name_zh} {organ} {ticket.indicator_code} {ticket.period} 逾期未反馈",
            f"{tenant.name_en or tenant.name_zh}: {ticket.indicator_code} {ticket.period} "
            f"is overdue",
            f"/t/{tenant.code}/tickets/{ticket.id}",
        )
    for user_id in session.scalars(sa.select(User.id).where(User.organ_id == ticket.organ_id)):
        notify(
            session,
            user_id,
            ticket.tenant_id,
            "ticket_overdue",
            f"ticket-{ticket.id}-overdue",
            f"{ticket.indicator_code} {ticket.period} 已逾期,已报告人大",
            f"{ticket.indicator_code} {ticket.period} is overdue and was reported to the congress",
            f"tickets/{ticket.id}",
        )


def _remind(session: Session, today) -> int:
    calendar = load_calendar()
    tickets = session.scalars(
        sa.select(Ticket).where(Ticket.status.in_(ESCALATABLE), Ticket.deadline >= today)
    ).all()
    settings = settings_for(session, {t.tenant_id for t in tickets})
    reminded = 0
    for ticket in tickets:
        try:
            left = working_days_between(today, ticket.deadline, calendar)
        except CalendarGap:  # beyond the holiday data: count calendar days
            left = (ticket.deadline - today).days
        if left > settings[ticket.tenant_id].due_soon_days:
            continue
        for user_id in session.scalars(sa.select(User.id).where(User.organ_id == ticket.organ_id)):
            notify(
                session,
                user_id,
                ticket.tenant_id,
                "ticket_due_soon",
                f"ticket-{ticket.id}-due-soon",
                f"{ticket.indicator_code} {ticket.period} 将于 {ticket.deadline} 到期",
                f"{ticket.indicator_code} {ticket.period} is due on {ticket.deadline}",
                f"tickets/{ticket.id}",
            )
        reminded += 1
    return reminded
