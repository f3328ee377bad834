"""Key concerns (重点关注回应): staff flag an item for an organ with a deadline in working
days; the organ responds in writing; staff close the concern or ask a follow-up question.
Every move leaves an event; the other side is told."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.auth.models import User
from app.coordination import concern_states as states
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
from app.coordination.models import ConcernEvent, KeyConcern
from app.coordination.vocabulary import CONCERN_KINDS
from app.datamart.documents import Document
from app.datamart.periods import MONTH
from app.errors import ApiError

DEFAULT_DEADLINE_DAYS = 10  # two working weeks for a written response
DEFAULT_FOLLOW_UP_DAYS = 5
HOT_TOPICS = "hot_topics"


def flag(
    session: Session,
    user: User,
    *,
    organ_id: int,
    kind: str,
    title: str,
    text: str = "",
    indicator_code: str | None = None,
    period: str | None = None,
    document_id: int | None = None,
    deadline_days: int = DEFAULT_DEADLINE_DAYS,
) -> KeyConcern:
    """Flag a concern for one of this congress's organs (status ``open``). An indicator
    concern names a known indicator (and maybe the month); a hot-topic concern names one of
    this congress's internet-hot-topic documents; any other concern says what it is in
    words."""
    if kind not in CONCERN_KINDS:
        raise _field("kind", "未知的关注类型", f"Unknown kind of concern {kind!r}")
    organ = organ_here(session, organ_id)
    indicator_code, period, document_id = _grounds(
        session, kind, text, indicator_code, period, document_id
    )
    due = deadline_in(deadline_days)
    concern = KeyConcern(
        organ_id=organ.id,
        kind=kind,
        title=title.strip(),
        text=text.strip(),
        indicator_code=indicator_code,
        period=period,
        document_id=document_id,
        flagged_by=user.username,
        flagged_by_user_id=user.id,
        flagged_at=clock.now(),
        first_deadline=due,
        deadline=due,
    )
    session.add(concern)
    session.flush()
    _event(concern, states.FLAG, None, states.OPEN, user, text)
    tell(
        session,
        organ_users(session, organ.id),
        concern.tenant_id,
        "concern_flagged",
        f"concern-{concern.id}-flagged",
        (
            f"人大将“{concern.title}”列为重点关注,请于 {due:%Y-%m-%d} 前书面回应",
            f"The congress flagged '{concern.title}' for your attention: respond by {due:%Y-%m-%d}",
        ),
        f"concerns/{concern.id}",
    )
    session.flush()
    return concern


def _grounds(session, kind, text, indicator_code, period, document_id):
    """(indicator, period, document) of a concern of ``kind``, checked; the fields another
    kind would use are dropped."""
    if kind == "indicator":
        if not indicator_code or not re.match(INDICATOR_CODE, indicator_code):
            raise _field("indicator_code", "请选择指标", "Name the indicator")
        if period and not MONTH.match(period):
            raise _field("period", "期间应为 2026-07 这样的月份", "The period is a month: 2026-07")
        return indicator_known(session, indicator_code), period or None, None
    if kind == "hot_topic":
        document = (
            session.scalar(sa.select(Document).where(Document.id == document_id))
            if document_id
            else None
        )
        if document is None or document.category != HOT_TOPICS:
            raise _field(
                "document_id",
                "请选择本级数据集市中的互联网热议文件",
                "Name an internet hot topic document of this congress's data mart",
            )
        return None, None, document.id
    if not text.strip():
        raise _field("text", "请说明关注的事项", "Say what the concern is")
    return None, None, None


def _field(field: str, zh: str, en: str) -> ApiError:
    return ApiError(422, "invalid", zh, en, fields={field: [en]})


def act(
    session: Session,
    concern: KeyConcern,
    action: str,
    user: User,
    text: str = "",
    deadline_days: int = DEFAULT_FOLLOW_UP_DAYS,
) -> KeyConcern:
    """The organ responds; staff close, ask a follow-up (with a new deadline) or withdraw."""
    if user.role == "organ" and user.organ_id != concern.organ_id:
        raise invalid("not_found", "未找到该重点关注事项", "No such key concern", 404)
    new = states.transition(concern.status, action, role=user.role, comment=text)
    _event(concern, action, concern.status, new, user, text)
    concern.status = new
    if action == states.RESPOND:
        concern.response, concern.responded_at = text.strip(), clock.now()
        _tell_staff(session, concern)
    elif action == states.FOLLOW_UP_ACTION:
        concern.deadline = deadline_in(deadline_days)
        concern.escalated_at = None  # a new deadline, which the sweep may escalate in turn
        _tell_organ_follow_up(session, concern, text)
    if new in states.TERMINAL_STATUSES:
        concern.closed_at = clock.now()
    session.flush()
    return concern


def _event(concern: KeyConcern, action: str, old, new: str, user: User, text: str) -> None:
    concern.events.append(
        ConcernEvent(
            tenant_id=concern.tenant_id,
            action=action,
            from_status=old,
            to_status=new,
            actor=user.username,
            actor_user_id=user.id,
            text=(text or "").strip(),
            at=clock.now(),
        )
    )


def _tell_staff(session: Session, concern: KeyConcern) -> None:
    organ = concern.organ
    tell(
        session,
        staff_users(session, concern.tenant_id),
        concern.tenant_id,
        "concern_responded",
        f"concern-{concern.id}-responded-{len(concern.events)}",
        (
            f"{organ.name_zh}已书面回应重点关注“{concern.title}”",
            f"{organ.name_en or organ.name_zh} responded on '{concern.title}'",
        ),
        f"concerns/{concern.id}",
    )


def _tell_organ_follow_up(session: Session, concern: KeyConcern, question: str) -> None:
    tell(
        session,
        organ_users(session, concern.organ_id),
        concern.tenant_id,
        "concern_follow_up",
        f"concern-{concern.id}-follow-up-{len(concern.events)}",
        (
            f"人大就“{concern.title}”追问:{question},请于 {concern.deadline:%Y-%m-%d} 前回应",
            f"The congress asks again on '{concern.title}': {question}; "
            f"respond by {concern.deadline:%Y-%m-%d}",
        ),
        f"concerns/{concern.id}",
    )
