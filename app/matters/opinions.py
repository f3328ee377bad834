"""Issuing supervision opinions to an organ and their handling (监督意见办理): the organ's
plan and result, the congress's evaluation, another round when not satisfied. Every move
leaves an event; the other side is told.

Deadlines count working days on the holiday calendar from the day of issue (Beijing time),
as a response ticket's do (:func:`app.tickets.service.deadline`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.auth.models import User
from app.calendar.workdays import load_calendar
from app.errors import ApiError
from app.matters import opinion_states, states
from app.matters import service as matters
from app.matters.models import Matter, Opinion, OpinionEvent
from app.matters.vocabulary import GRADES
from app.notifications.service import notify
from app.tickets.service import deadline as working_deadline
from tenants.models import Organ

DEFAULT_DEADLINE_DAYS = 40  # about two months: the usual time to report on 审议意见
DEFAULT_REHANDLE_DAYS = 20
STAFF_ROLES = ("staff", "admin")


def _invalid(code: str, zh: str, en: str, status: int = 422) -> ApiError:
    return ApiError(status, code, zh, en)


def _deadline(days: int):
    return working_deadline(clock.today(), days, load_calendar())


def issue(
    session: Session,
    user: User,
    *,
    organ_id: int,
    title: str,
    text: str = "",
    kind: str = "deliberation",
    problems: list[str] | None = None,
    matter_id: int | None = None,
    deadline_days: int = DEFAULT_DEADLINE_DAYS,
) -> Opinion:
    """Issue an opinion to one of this tenant's organs. Under a matter, the matter must be
    in progress (or have issued opinions already) and, if it names target organs, target
    this one; the first opinion moves an in-progress matter to ``opinions_issued``."""
    organ = session.scalar(sa.select(Organ).where(Organ.id == organ_id))
    if organ is None:
        raise _invalid("unknown_organ", "该机关不是本级的司法机关", "Not an organ of this congress")
    matter = _matter_for(session, matter_id, organ_id)
    due = _deadline(deadline_days)
    opinion = Opinion(
        matter_id=matter.id if matter else None,
        organ_id=organ.id,
        kind=kind,
        title=title.strip(),
        text=text,
        problems=[p.strip() for p in problems or [] if p.strip()],
        issued_by=user.username,
        issued_by_user_id=user.id,
        issued_at=clock.now(),
        first_deadline=due,
        deadline=due,
    )
    session.add(opinion)
    session.flush()
    _event(opinion, opinion_states.ISSUE, None, opinion_states.ISSUED, user, text)
    if matter is not None and matter.status == states.IN_PROGRESS:
        matters.act(session, matter, states.ISSUE_OPINIONS, user, f"交办监督意见 #{opinion.id}")
    _tell_organ(
        session,
        opinion,
        "opinion_issued",
        f"人大交办监督意见“{opinion.title}”,请于 {due:%Y-%m-%d} 前报送办理结果",
        f"The congress issued the opinion '{opinion.title}': report by {due:%Y-%m-%d}",
    )
    return opinion


def _matter_for(session: Session, matter_id: int | None, organ_id: int) -> Matter | None:
    if matter_id is None:
        return None
    matter = session.scalar(sa.select(Matter).where(Matter.id == matter_id))
    if matter is None:
        raise _invalid("no_such_matter", "监督事项不存在", "No such supervision matter")
    if matter.status not in states.ISSUING_STATUSES:
        zh, en = states.STATUS_LABELS[matter.status]
        raise _invalid(
            "matter_not_issuing",
            f"监督事项当前状态为“{zh}”，不能交办监督意见",
            f"No opinion may be issued under a matter that is {en}",
            409,
        )
    targets = {t.organ_id for t in matter.targets}
    if targets and organ_id not in targets:
        raise _invalid(
            "organ_not_targeted", "该机关不是此监督事项的监督对象", "The matter does not target it"
        )
    return matter


def submit(session: Session, opinion: Opinion, action: str, user: User, text: str) -> Opinion:
    """The organ's handling plan (``submit_plan``) or result report (``submit_result``)."""
    new = opinion_states.transition(opinion.status, action, role=user.role, text=text)
    _event(opinion, action, opinion.status, new, user, text)
    opinion.status = new
    if action == opinion_states.SUBMIT_PLAN:
        opinion.plan_text = text
    else:
        opinion.result_text = text
        _tell_staff(session, opinion)
    session.flush()
    return opinion


def evaluate(
    session: Session,
    opinion: Opinion,
    grade: str,
    user: User,
    comment: str = "",
    rehandle_days: int = DEFAULT_REHANDLE_DAYS,
) -> Opinion:
    """Staff evaluate the result. Satisfied or basically satisfied closes the opinion; not
    satisfied opens another round with a new deadline (``rehandle_days`` working days) that
    may be escalated again."""
    action = opinion_states.EVALUATIONS.get(grade)
    if action is None:
        raise _invalid("unknown_grade", "未知的评价等级", f"Unknown grade {grade!r}")
    new = opinion_states.transition(opinion.status, action, role=user.role, text=comment)
    _event(opinion, action, opinion.status, new, user, comment)
    opinion.status, opinion.grade = new, grade
    if new in opinion_states.TERMINAL_STATUSES:
        opinion.closed_at = clock.now()
    else:
        opinion.round += 1
        opinion.deadline, opinion.escalated_at = _deadline(rehandle_days), None
    _tell_evaluated(session, opinion, grade)
    session.flush()
    return opinion


def _tell_evaluated(session: Session, opinion: Opinion, grade: str) -> None:
    zh, en = GRADES[grade]
    again = opinion.status == opinion_states.REHANDLING
    more_zh = f",请于 {opinion.deadline:%Y-%m-%d} 前重新报送办理结果" if again else ""
    more_en = f"; report again by {opinion.deadline:%Y-%m-%d}" if again else ""
    _tell_organ(
        session,
        opinion,
        "opinion_evaluated",
        f"监督意见“{opinion.title}”的办理结果被评价为{zh}{more_zh}",
        f"The result on '{opinion.title}' was evaluated {en}{more_en}",
    )


def _event(opinion: Opinion, action: str, old, new: str, user: User | None, text: str) -> None:
    opinion.events.append(
        OpinionEvent(
            tenant_id=opinion.tenant_id,
            round=opinion.round,
            action=action,
            from_status=old,
            to_status=new,
            actor=user.username if user else states.SYSTEM,
            actor_user_id=user.id if user else None,
            text=text or "",
            at=clock.now(),
        )
    )


def _tell_organ(session: Session, opinion: Opinion, kind: str, zh: str, en: str) -> None:
    users = session.scalars(
        sa.select(User.id).where(User.organ_id == opinion.organ_id, User.active)
    ).all()
    for user_id in users:
        key = f"opinion-{opinion.id}-{kind}-{len(opinion.events)}"
        notify(session, user_id, opinion.tenant_id, kind, key, zh, en, f"opinions/{opinion.id}")


def _tell_staff(session: Session, opinion: Opinion) -> None:
    users = session.scalars(
        sa.select(User.id).where(
            User.tenant_id == opinion.tenant_id, User.role.in_(STAFF_ROLES), User.active
        )
    ).all()
    organ = opinion.organ.name_zh
    for user_id in users:
        notify(
            session,
            user_id,
            opinion.tenant_id,
            "opinion_result",
            f"opinion-{opinion.id}-result-{len(opinion.events)}",
            f"{organ}已报送监督意见“{opinion.title}”的办理结果,请评价",
            f"{opinion.organ.name_en or organ} reported on '{opinion.title}': evaluate it",
            f"opinions/{opinion.id}",
        )
