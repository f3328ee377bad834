"""Overdue key concerns and deputies' opinions, escalated by the periodic sweep like tickets
and supervision opinions (:mod:`app.tickets.sweep`, :mod:`app.matters.sweep`): marked, a
``escalate`` event in the history, the congress's and the parent congress's staff told, and
the organ told that the congress was. Once per deadline: a follow-up question (a concern)
or a new round (a deputy's opinion) sets a new deadline and clears the mark."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.coordination import concern_states, deputy_states
from app.coordination.common import organ_users
from app.coordination.models import ConcernEvent, DeputyOpinion, DeputyOpinionEvent, KeyConcern
from app.matters.sweep import watchers
from app.notifications.service import notify
from tenants.models import Tenant


@dataclass(frozen=True)
class Escalated:
    concerns: int
    deputy_opinions: int


def escalate_overdue(session: Session, now: datetime) -> Escalated:
    """Escalate every concern and deputy's opinion whose organ let the deadline pass
    (run in system scope: it looks at every tenant's)."""
    today = now.astimezone(clock.BEIJING).date()
    concerns = _overdue(session, KeyConcern, concern_states.AWAITING_ORGAN, today)
    for concern in concerns:
        title = concern.title
        _escalate(
            session,
            now,
            concern,
            concern_states,
            ConcernEvent(concern_id=concern.id),
            ("concern_overdue", f"concern-{concern.id}-overdue-{concern.deadline}"),
            f"concerns/{concern.id}",
            staff=("逾期未回应重点关注事项", "is overdue on the key concern", title),
            organ=(f"重点关注事项“{title}”", f"The key concern '{title}'"),
        )
    opinions = _overdue(session, DeputyOpinion, deputy_states.AWAITING_ORGAN, today)
    for opinion in opinions:
        gist = _gist(opinion.text)
        _escalate(
            session,
            now,
            opinion,
            deputy_states,
            DeputyOpinionEvent(opinion_id=opinion.id, round=opinion.round),
            ("deputy_opinion_overdue", f"deputy-opinion-{opinion.id}-overdue-{opinion.round}"),
            f"deputy-opinions/{opinion.id}",
            staff=("逾期未答复代表意见", "is overdue on the deputy's opinion", gist),
            organ=(f"代表意见“{gist}”", f"The deputy's opinion '{gist}'"),
        )
    return Escalated(len(concerns), len(opinions))


def _overdue(session: Session, model, awaiting: frozenset[str], today) -> list:
    """Items waiting on their organ past the deadline, not yet escalated for it."""
    return session.scalars(
        sa.select(model)
        .where(model.status.in_(awaiting), model.deadline < today, model.escalated_at.is_(None))
        .order_by(model.id)
    ).all()


def _escalate(
    session: Session,
    now: datetime,
    item,
    states,
    event,
    notice: tuple[str, str],
    page: str,
    *,
    staff: tuple[str, str, str],
    organ: tuple[str, str],
) -> None:
    """Mark ``item`` escalated and write the ``escalate`` event into its history: added
    to the session, not appended to ``item.events`` (which would load every overdue
    item's whole history). Then tell the staff of the congress and of its parent (a link
    into the congress's pages, from wherever they read it) and the organ's users (a link
    relative to their own pages)."""
    states.transition(item.status, states.ESCALATE, role="system")
    item.escalated_at = now
    event.tenant_id, event.at, event.actor = item.tenant_id, now, "system"
    event.action, event.from_status, event.to_status = states.ESCALATE, item.status, item.status
    event.text = f"逾期未答复(截止 {item.deadline}) / overdue since {item.deadline}"
    session.add(event)
    kind, key = notice
    tenant = session.get(Tenant, item.tenant_id)
    org = item.organ
    zh = f"{tenant.name_zh} {org.name_zh} {staff[0]}“{staff[2]}”"
    en = f"{tenant.name_en or tenant.name_zh}: {org.name_en or org.name_zh} {staff[1]} '{staff[2]}'"
    for user_id, user_tenant in watchers(session, tenant):
        notify(session, user_id, user_tenant, kind, key, zh, en, f"/t/{tenant.code}/{page}")
    organ_zh, organ_en = (
        f"{organ[0]}已逾期,已报告人大",
        f"{organ[1]} is overdue and was reported to the congress",
    )
    for user_id in organ_users(session, item.organ_id):
        notify(session, user_id, item.tenant_id, kind, key, organ_zh, organ_en, page)


def _gist(text: str, length: int = 30) -> str:
    """The start of an opinion's text, for a notice (opinions have no title)."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"
