"""Opening, closing and moving response tickets; every change leaves an event."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.auth.models import User
from app.calendar.workdays import CalendarGap, add_working_days, load_calendar
from app.dashboards.service import schedule as schedule_dashboards
from app.db import dialect_insert
from app.notifications.service import notify
from app.ratings.engine import settings_for
from app.ratings.models import Rating
from app.tickets.models import Ticket, TicketEvent
from app.tickets.states import OPEN_STATUSES, transition
from tenants.models import Organ

FLAGGED = ("yellow", "red")
log = logging.getLogger("tickets")


def sync(session: Session, keys: list[tuple]) -> tuple[int, int]:
    """Open a ticket for every yellow or red (organ, indicator, period) that has none, and
    close as resolved-by-data the open ones whose value is green again. Idempotent: the
    unique constraint makes a second opening a no-op, under retries and concurrency."""
    flagged = [k for k in keys if k[4] in FLAGGED]
    green = [k for k in keys if k[4] == "green"]
    return _open(session, flagged), _resolve(session, green)


def _ratings_of(session: Session, keys: list[tuple]) -> dict:
    tenants, organs, periods = {k[0] for k in keys}, {k[1] for k in keys}, {k[3] for k in keys}
    rows = session.scalars(
        sa.select(Rating).where(
            Rating.tenant_id.in_(tenants), Rating.organ_id.in_(organs), Rating.period.in_(periods)
        )
    )
    return {(r.organ_id, r.indicator_code, r.period): r for r in rows}


def _open(session: Session, keys: list[tuple]) -> int:
    if not keys:
        return 0
    now, calendar = clock.now(), load_calendar()
    today = now.astimezone(clock.BEIJING).date()
    settings = settings_for(session, {k[0] for k in keys})
    ratings = _ratings_of(session, keys)
    rows = []
    for tenant_id, organ_id, code, period, colour in keys:
        rating = ratings[(organ_id, code, period)]
        days = settings[tenant_id].red_days if colour == "red" else settings[tenant_id].yellow_days
        rows.append(
            {
                "tenant_id": tenant_id,
                "organ_id": organ_id,
                "indicator_code": code,
                "period": period,
                "colour": colour,
                "status": "open",
                "rating_id": rating.id,
                "reason_zh": rating.reason_zh,
                "reason_en": rating.reason_en,
                "opened_at": now,
                "deadline": deadline(today, days, calendar),
            }
        )
    insert = dialect_insert(session)
    stmt = (
        insert(Ticket.__table__)
        .on_conflict_do_nothing(
            index_elements=["tenant_id", "organ_id", "indicator_code", "period"]
        )
        .returning(
            Ticket.__table__.c.id,
            Ticket.__table__.c.tenant_id,
            Ticket.__table__.c.organ_id,
            Ticket.__table__.c.indicator_code,
            Ticket.__table__.c.period,
            Ticket.__table__.c.colour,
            Ticket.__table__.c.deadline,
        )
    )
    opened = session.execute(stmt, rows).all()
    _events(session, [(t.id, t.tenant_id, None, "open", "open", "") for t in opened], now)
    _notify_organs(session, opened)
    _recolour(session, keys)
    return len(opened)


def deadline(today: date, days: int, calendar) -> date:
    """``days`` working days after today. Past the years the holiday data covers (the
    State Council publishes each year's schedule in the autumn before), weekdays count
    and the gap is logged loudly: a ticket with an approximate deadline is better than
    no ticket at all."""
    try:
        return add_working_days(today, days, calendar)
    except CalendarGap:
        log.warning("calendar=gap day=%s: add the new year's holidays to cn_holidays.toml", today)
        day, left = today, days
        while left:
            day += timedelta(days=1)
            left -= day.weekday() < 5
        return day


def _recolour(session: Session, keys: list[tuple]) -> None:
    """A yellow that turned red (or back) keeps its ticket and deadline, with the new colour."""
    for colour in FLAGGED:
        for tenant_id, organ_id, code, period, _ in (k for k in keys if k[4] == colour):
            session.execute(
                sa.update(Ticket)
                .where(
                    Ticket.tenant_id == tenant_id,
                    Ticket.organ_id == organ_id,
                    Ticket.indicator_code == code,
                    Ticket.period == period,
                    Ticket.colour != colour,
                )
                .values(colour=colour)
                .execution_options(synchronize_session=False)
            )


def _resolve(session: Session, keys: list[tuple]) -> int:
    if not keys:
        return 0
    wanted = {(k[1], k[2], k[3]) for k in keys}
    candidates = session.scalars(
        sa.select(Ticket).where(
            Ticket.status.in_(OPEN_STATUSES),
            Ticket.organ_id.in_({k[1] for k in keys}),
            Ticket.period.in_({k[3] for k in keys}),
        )
    ).all()
    now = clock.now()
    closing = [t for t in candidates if (t.organ_id, t.indicator_code, t.period) in wanted]
    for ticket in closing:
        new = transition(ticket.status, "resolve_by_data", role="system")
        _events(
            session,
            [
                (
                    ticket.id,
                    ticket.tenant_id,
                    ticket.status,
                    "resolve_by_data",
                    new,
                    "数值已恢复正常 / the value is back to normal",
                )
            ],
            now,
        )
        ticket.status, ticket.closed_at = new, now
    return len(closing)


def _events(
    session: Session, items, now: datetime, actor: str = "system", user_id: int | None = None
) -> None:
    rows = [
        {
            "ticket_id": tid,
            "tenant_id": tenant,
            "from_status": old,
            "action": action,
            "to_status": new,
            "actor": actor,
            "actor_user_id": user_id,
            "text": text,
            "attachments": [],
            "at": now,
        }
        for tid, tenant, old, action, new, text in items
    ]
    if rows:
        session.execute(sa.insert(TicketEvent.__table__), rows)


def _notify_organs(session: Session, opened) -> None:
    by_organ = defaultdict(list)
    for t in opened:
        by_organ[t.organ_id].append(t)
    if not by_organ:
        return
    users = session.execute(
        sa.select(User.id, User.tenant_id, User.organ_id).where(
            User.organ_id.in_(list(by_organ)), User.active
        )
    ).all()
    names = dict(
        session.execute(
            sa.select(Organ.id, Organ.name_zh).where(Organ.id.in_(list(by_organ)))
        ).all()
    )
    for user_id, tenant_id, organ_id in users:
        for t in by_organ[organ_id]:
            colour_zh = "红色" if t.colour == "red" else "黄色"
            notify(
                session,
                user_id,
                tenant_id,
                "ticket_opened",
                f"ticket-{t.id}-opened",
                f"{names[organ_id]} {t.indicator_code} {t.period} {colour_zh}预警,请于 "
                f"{t.deadline:%Y-%m-%d} 前反馈说明",
                f"{t.indicator_code} {t.period} is {t.colour}: explain by {t.deadline:%Y-%m-%d}",
                f"tickets/{t.id}",
            )


def act(
    session: Session,
    ticket: Ticket,
    action: str,
    user: User,
    text: str = "",
    attachments: list | None = None,
) -> Ticket:
    """An organ answers, or staff accept or return: through the state machine, into the
    history, and the other side is told."""
    new = transition(ticket.status, action, role=user.role, comment=text or None)
    now = clock.now()
    session.add(
        TicketEvent(
            ticket_id=ticket.id,
            tenant_id=ticket.tenant_id,
            action=action,
            from_status=ticket.status,
            to_status=new,
            actor=user.username,
            actor_user_id=user.id,
            text=text,
            attachments=attachments or [],
            at=now,
        )
    )
    ticket.status = new
    if new in ("accepted", "resolved"):
        ticket.closed_at = now
    if action == "return":
        _notify_organ_users(
            session,
            ticket,
            "ticket_returned",
            f"{ticket.indicator_code} {ticket.period} 的说明被退回:{text}",
            f"Your answer on {ticket.indicator_code} {ticket.period} was returned: {text}",
        )
    session.flush()
    schedule_dashboards(session, [ticket.tenant_id])
    return ticket


def _notify_organ_users(session, ticket, kind, zh, en) -> None:
    users = session.scalars(
        sa.select(User.id).where(User.organ_id == ticket.organ_id, User.active)
    ).all()
    events = len(ticket.events)
    for user_id in users:
        notify(
            session,
            user_id,
            ticket.tenant_id,
            kind,
            f"ticket-{ticket.id}-{kind}-{events}",
            zh,
            en,
            f"tickets/{ticket.id}",
        )
