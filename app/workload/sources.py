"""The calendar's sources for response tickets, supervision opinions and supervision
matters (issue 7, item 6); see :mod:`app.workload` for the contract.

What is *due* is what waits on someone by a date:

- a ticket waits on its organ while open or returned (an answered one waits on the
  congress, which has no deadline), due on its deadline;
- an opinion waits on its organ while issued, with a plan, or sent back to be handled
  again, due on the current round's deadline;
- a matter is the congress's own work, due on its planned end while it is still open; it
  is owed by no organ, so an organ's list never holds one.

Each source filters by ``tenant_id`` itself, so it answers the same in a request (tenant
scope) and in a job that reads several tenants (system scope).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app import clock
from app.coordination import concern_states, deputy_states
from app.matters import opinion_states, states
from app.matters.models import Matter, Opinion
from app.tickets import states as ticket_states
from app.tickets.models import Ticket
from app.workload import DueItem, register
from tenants.models import Tenant

TICKETS_AWAITING_ORGAN = (ticket_states.OPEN, ticket_states.RETURNED)
LABELS = {
    "ticket": ("反馈工单", "response ticket"),
    "opinion": ("监督意见", "supervision opinion"),
    "matter": ("监督事项", "supervision matter"),
}
# The status labels of each kind registered here, for the pages and the API.
STATUS_LABELS = {
    "ticket": ticket_states.STATUS_LABELS,
    "opinion": opinion_states.STATUS_LABELS,
    "matter": states.STATUS_LABELS,
    "concern": concern_states.STATUS_LABELS,
    "deputy_opinion": deputy_states.STATUS_LABELS,
}
COLOURS = {"red": "红色", "yellow": "黄色"}


def in_window(column, start: date, end: date, today: date):
    """Due between ``start`` and ``end``, or overdue (before today) and due by ``end``."""
    return sa.and_(column <= end, sa.or_(column >= start, column < today))


def _code(session: Session, tenant_id: int) -> str:
    return session.scalar(sa.select(Tenant.code).where(Tenant.id == tenant_id))


@register("ticket")
def tickets_due(
    session: Session, tenant_id: int, *, organ_id: int | None = None, start: date, end: date
) -> list[DueItem]:
    today = clock.today()
    stmt = sa.select(Ticket).where(
        Ticket.tenant_id == tenant_id,
        Ticket.status.in_(TICKETS_AWAITING_ORGAN),
        in_window(Ticket.deadline, start, end, today),
    )
    if organ_id is not None:
        stmt = stmt.where(Ticket.organ_id == organ_id)
    code = _code(session, tenant_id)
    rows = session.scalars(stmt.options(selectinload(Ticket.organ)))
    return [
        DueItem(
            kind="ticket",
            kind_label=LABELS["ticket"],
            id=t.id,
            title=f"{t.indicator_code} {t.period} {COLOURS.get(t.colour, t.colour)}预警",
            organ_id=t.organ_id,
            organ_name=t.organ.name_zh,
            status=t.status,
            due=t.deadline,
            url=f"/t/{code}/tickets/{t.id}",
            overdue=t.deadline < today,
        )
        for t in rows
    ]


@register("opinion")
def opinions_due(
    session: Session, tenant_id: int, *, organ_id: int | None = None, start: date, end: date
) -> list[DueItem]:
    today = clock.today()
    stmt = sa.select(Opinion).where(
        Opinion.tenant_id == tenant_id,
        Opinion.status.in_(opinion_states.AWAITING_ORGAN),
        in_window(Opinion.deadline, start, end, today),
    )
    if organ_id is not None:
        stmt = stmt.where(Opinion.organ_id == organ_id)
    code = _code(session, tenant_id)
    rows = session.scalars(stmt.options(selectinload(Opinion.organ)))
    return [
        DueItem(
            kind="opinion",
            kind_label=LABELS["opinion"],
            id=o.id,
            title=o.title,
            organ_id=o.organ_id,
            organ_name=o.organ.name_zh,
            status=o.status,
            due=o.deadline,
            url=f"/t/{code}/opinions/{o.id}",
            overdue=o.deadline < today,
        )
        for o in rows
    ]


@register("matter")
def matters_due(
    session: Session, tenant_id: int, *, organ_id: int | None = None, start: date, end: date
) -> list[DueItem]:
    if organ_id is not None:
        return []
    today = clock.today()
    stmt = sa.select(Matter).where(
        Matter.tenant_id == tenant_id,
        Matter.status.not_in(states.TERMINAL_STATUSES),
        Matter.planned_end.is_not(None),
        in_window(Matter.planned_end, start, end, today),
    )
    code = _code(session, tenant_id)
    return [
        DueItem(
            kind="matter",
            kind_label=LABELS["matter"],
            id=m.id,
            title=m.title,
            organ_id=None,
            organ_name=None,
            status=m.status,
            due=m.planned_end,
            url=f"/t/{code}/matters/{m.id}",
            overdue=m.planned_end < today,
        )
        for m in session.scalars(stmt)
    ]


def status_label(kind: str, status: str, english: bool = False) -> str:
    """The status in words where the kind is registered here; the code otherwise."""
    zh, en = STATUS_LABELS.get(kind, {}).get(status, (status, status))
    return en if english else zh
