"""Deputies' opinions online (代表意见网上交办): a deputy raises an opinion from a page,
staff assign it to an organ (or decline it), the organ answers, the deputy rates the answer.
Every move goes through :mod:`.deputy_states`, leaves an event, and tells the other side."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.auth.models import User
from app.coordination import deputy_states as states
from app.coordination.common import (
    INDICATOR_CODE,
    deadline_in,
    indicator_known,
    invalid,
    organ_here,
    organ_users,
    staff_users,
    tell,
)
from app.coordination.models import DeputyOpinion, DeputyOpinionEvent
from app.coordination.vocabulary import PAGE_KINDS, RATINGS
from app.dashboards.models import DashboardSnapshot
from app.errors import ApiError
from app.tickets.models import Ticket

DEFAULT_DEADLINE_DAYS = 15  # three working weeks for a written answer
DEFAULT_REHANDLE_DAYS = 10
NOUN = ("代表意见", "deputy's opinion")


def raise_opinion(
    session: Session,
    user: User,
    *,
    text: str,
    kind: str = "opinion",
    page_kind: str = "other",
    page_path: str = "",
    organ_id: int | None = None,
    indicator_code: str | None = None,
    chart_name: str | None = None,
    ticket_id: int | None = None,
) -> DeputyOpinion:
    """Record a deputy's opinion with the context of the page it was raised from. The
    context must be this congress's own: a ticket gives its organ and indicator, a chart
    its title (and its organ, for an organ's chart)."""
    if user.role != "deputy":
        raise ApiError(403, "deputies_only", "只有人大代表可以提出代表意见", "Only deputies raise")
    context = _context(session, page_kind, organ_id, indicator_code, chart_name, ticket_id)
    opinion = DeputyOpinion(
        kind=kind,
        text=text.strip(),
        author=user.username,
        author_user_id=user.id,
        author_name=user.display_name,
        page_path=safe_path(page_path),
        raised_at=clock.now(),
        **context,
    )
    session.add(opinion)
    session.flush()
    _event(opinion, states.RAISE, None, states.SUBMITTED, user, text)
    tell(
        session,
        staff_users(session, opinion.tenant_id),
        opinion.tenant_id,
        "deputy_opinion_raised",
        f"deputy-opinion-{opinion.id}-raised",
        (
            f"{user.display_name}代表提出了一条意见,请交办",
            f"Deputy {user.display_name} raised an opinion: assign it",
        ),
        f"deputy-opinions/{opinion.id}",
    )
    session.flush()
    return opinion


def _context(session, page_kind, organ_id, indicator_code, chart_name, ticket_id) -> dict:
    if page_kind not in PAGE_KINDS:
        raise _field("page_kind", f"Unknown page kind {page_kind!r}")
    context = {"page_kind": page_kind, "organ_id": None, "indicator_code": None}
    if ticket_id is not None:
        ticket = session.scalar(sa.select(Ticket).where(Ticket.id == ticket_id))
        if ticket is None:
            raise _field("ticket_id", "No such ticket in this congress")
        organ_id, indicator_code = ticket.organ_id, ticket.indicator_code
        context["ticket_id"] = ticket.id
    if chart_name:
        chart = session.scalar(
            sa.select(DashboardSnapshot).where(DashboardSnapshot.name == chart_name)
        )
        if chart is None:
            raise _field("chart_name", "No such chart in this congress")
        context["chart_name"], context["chart_title"] = chart.name, chart.title_zh
        organ_id = organ_id or chart.organ_id
    if organ_id is not None:
        context["organ_id"] = organ_here(session, organ_id).id
    if indicator_code:
        if not re.match(INDICATOR_CODE, indicator_code):
            raise _field("indicator_code", "Not an indicator code")
        context["indicator_code"] = indicator_known(session, indicator_code)
    return context


def _field(field: str, en: str) -> ApiError:
    return ApiError(
        422, "invalid", "意见所在页面的信息有误", f"Bad page context: {en}", fields={field: [en]}
    )


def safe_path(path: str | None) -> str:
    """The page's own path, kept for a link back: a path on this site only (no scheme, no
    host, no ``//``), or nothing."""
    path = (path or "").strip()
    if not path.startswith("/") or path.startswith("//") or "\\" in path or len(path) > 300:
        return ""
    return path if all(ch.isprintable() for ch in path) else ""


def is_author(opinion: DeputyOpinion, user: User) -> bool:
    return opinion.author_user_id == user.id


def assign(
    session: Session,
    opinion: DeputyOpinion,
    user: User,
    *,
    organ_id: int,
    deadline_days: int = DEFAULT_DEADLINE_DAYS,
    shared: bool = False,
    comment: str = "",
) -> DeputyOpinion:
    """Staff assign the opinion to one of this congress's organs, with a deadline;
    ``shared`` shows it (and the answer) to every deputy of the congress."""
    new = states.transition(opinion.status, states.ASSIGN, role=user.role)
    organ = organ_here(session, organ_id)
    _event(opinion, states.ASSIGN, opinion.status, new, user, comment)
    due = deadline_in(deadline_days)
    opinion.status, opinion.organ_id, opinion.shared = new, organ.id, shared
    opinion.assigned_at, opinion.first_deadline, opinion.deadline = clock.now(), due, due
    message = (
        f"人大交办代表意见,请于 {due:%Y-%m-%d} 前答复",
        f"The congress assigned you a deputy's opinion: answer by {due:%Y-%m-%d}",
    )
    _tell(session, opinion, organ_users(session, organ.id), "deputy_opinion_assigned", message)
    done = (f"您的意见已交办{organ.name_zh}", f"Your opinion was assigned to {organ.name_zh}")
    _tell(session, opinion, [opinion.author_user_id], "deputy_opinion_assigned", done)
    session.flush()
    return opinion


def decline(session: Session, opinion: DeputyOpinion, user: User, comment: str) -> DeputyOpinion:
    """Staff decline to assign it (not a matter for the judicial organs), saying why."""
    new = states.transition(opinion.status, states.DECLINE, role=user.role, comment=comment)
    _move(opinion, states.DECLINE, new, user, comment)
    message = (f"您的意见不予交办:{comment}", f"Your opinion was not assigned: {comment}")
    _tell(session, opinion, [opinion.author_user_id], "deputy_opinion_declined", message)
    session.flush()
    return opinion


def withdraw(session: Session, opinion: DeputyOpinion, user: User, comment: str) -> DeputyOpinion:
    """The deputy who raised it withdraws it while it waits for staff."""
    new = states.transition(
        opinion.status,
        states.WITHDRAW,
        role=user.role,
        comment=comment,
        is_author=is_author(opinion, user),
    )
    _move(opinion, states.WITHDRAW, new, user, comment)
    session.flush()
    return opinion


def answer(session: Session, opinion: DeputyOpinion, user: User, text: str) -> DeputyOpinion:
    """The assigned organ answers in writing; the deputy is told."""
    if user.role == "organ" and user.organ_id != opinion.organ_id:
        raise invalid("not_found", "未找到该代表意见", "No such deputy's opinion", 404)
    new = states.transition(opinion.status, states.ANSWER, role=user.role, comment=text)
    _move(opinion, states.ANSWER, new, user, text)
    opinion.answer, opinion.answered_at = text.strip(), clock.now()
    organ = opinion.organ
    message = (
        f"{organ.name_zh}已答复您的意见,请评价",
        f"{organ.name_en or organ.name_zh} answered your opinion: rate the answer",
    )
    _tell(session, opinion, [opinion.author_user_id], "deputy_opinion_answered", message)
    session.flush()
    return opinion


def rate(
    session: Session,
    opinion: DeputyOpinion,
    user: User,
    rating: str,
    comment: str = "",
    rehandle_days: int = DEFAULT_REHANDLE_DAYS,
) -> DeputyOpinion:
    """The deputy who raised it rates the answer. Satisfied or basically satisfied closes
    it; not satisfied (with a comment) sends it back to the organ with a new deadline, or
    closes it as not satisfied in the last round."""
    action = states.RATINGS.get(rating)
    if action is None:
        raise invalid("unknown_rating", "未知的评价等级", f"Unknown rating {rating!r}")
    new = states.transition(
        opinion.status,
        action,
        role=user.role,
        comment=comment,
        is_author=is_author(opinion, user),
        round=opinion.round,
    )
    _move(opinion, action, new, user, comment)
    opinion.rating = rating
    if new == states.REHANDLING:
        opinion.round += 1
        opinion.deadline = deadline_in(rehandle_days)
        opinion.escalated_at = None  # a new round, which the sweep may escalate in turn
    zh, en = RATINGS[rating]
    again = new == states.REHANDLING
    more_zh = f",请于 {opinion.deadline:%Y-%m-%d} 前重新答复" if again else ""
    more_en = f"; answer again by {opinion.deadline:%Y-%m-%d}" if again else ""
    message = (f"代表对答复的评价:{zh}{more_zh}", f"The deputy rated your answer {en}{more_en}")
    _tell(session, opinion, organ_users(session, opinion.organ_id), "deputy_opinion_rated", message)
    session.flush()
    return opinion


def _move(opinion: DeputyOpinion, action: str, new: str, user: User, text: str) -> None:
    _event(opinion, action, opinion.status, new, user, text)
    opinion.status = new
    if new in states.TERMINAL_STATUSES:
        opinion.closed_at = clock.now()


def _event(opinion: DeputyOpinion, action: str, old, new: str, user: User, text: str) -> None:
    opinion.events.append(
        DeputyOpinionEvent(
            tenant_id=opinion.tenant_id,
            round=opinion.round,
            action=action,
            from_status=old,
            to_status=new,
            actor=user.username,
            actor_user_id=user.id,
            text=(text or "").strip(),
            at=clock.now(),
        )
    )


def _tell(session, opinion: DeputyOpinion, users: list[int], kind: str, message) -> None:
    key = f"deputy-opinion-{opinion.id}-{kind}-{len(opinion.events)}"
    tell(session, users, opinion.tenant_id, kind, key, message, f"deputy-opinions/{opinion.id}")
