"""Overdue key concerns and deputies' opinions escalate like tickets: the periodic sweep
marks each once per deadline, writes it into the history, tells the congress, its parent
and the organ; a follow-up question or a new round can be escalated again."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from app import clock
from app.auth.models import User
from app.coordination import concern_states, concerns, deputy_opinions
from app.coordination.models import ConcernEvent, DeputyOpinion, DeputyOpinionEvent, KeyConcern
from app.notifications.models import Notification
from app.tickets.sweep import sweep
from tenants.scoping import system_scope, tenant_scope

CODE, OTHER = "330106", "330105"


def _after(day) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(9), tzinfo=clock.BEIJING)


def _notices(session, kind: str, prefix: str) -> list[tuple[int, int, str]]:
    """(tenant, user, key) of every notice of ``kind`` whose key starts with ``prefix``."""
    return sorted(
        session.execute(
            sa.select(Notification.tenant_id, Notification.user_id, Notification.dedupe_key).where(
                Notification.kind == kind, Notification.dedupe_key.like(f"{prefix}%")
            )
        ).all()
    )


def _users(session, world, *names: str) -> list[User]:
    with system_scope():
        return [session.get(User, world.users[f"{CODE}-{name}"]) for name in names]


def test_an_overdue_concern_is_escalated_once(session, world):
    concern_id = world.concerns[CODE]
    with system_scope():
        concern = session.get(KeyConcern, concern_id)
        on_time = sweep(session, _after(concern.deadline - timedelta(days=1)))
        assert on_time.concerns_escalated == 0 and concern.escalated_at is None
        late = _after(concern.deadline)
        assert sweep(session, late).concerns_escalated == 2  # the world's, one per district
        assert concern.escalated_at == late
        assert sweep(session, late).concerns_escalated == 0  # once
        events = session.scalars(
            sa.select(ConcernEvent).where(
                ConcernEvent.concern_id == concern_id, ConcernEvent.action == "escalate"
            )
        ).all()
        assert [(e.from_status, e.to_status, e.actor) for e in events] == [
            ("open", "open", "system")
        ]
        assert str(concern.deadline) in events[0].text
        told = _notices(session, "concern_overdue", f"concern-{concern_id}-overdue-")
    court = world.users[f"{CODE}-court"]
    # the district's staff, the city's staff, and the court of the district
    assert {tenant for tenant, _, _ in told} == {world.tenant_id(CODE), world.tenant_id("330100")}
    assert court in {user for _, user, _ in told}
    assert world.users[f"{OTHER}-court"] not in {user for _, user, _ in told}


def test_an_answered_concern_is_not_escalated(session, world):
    (court,) = _users(session, world, "court")
    with tenant_scope(world.tenant_id(CODE)):
        concern = session.get(KeyConcern, world.concerns[CODE])
        concerns.act(session, concern, concern_states.RESPOND, court, "已说明原因并整改")
    with system_scope():
        assert sweep(session, _after(concern.deadline)).concerns_escalated == 1  # the other's
    assert concern.escalated_at is None


def test_a_follow_up_question_can_be_escalated_again(session, world):
    court, staff = _users(session, world, "court", "staff")
    concern_id = world.concerns[CODE]
    with system_scope():
        concern = session.get(KeyConcern, concern_id)
        first = concern.deadline
        sweep(session, _after(first))
    with tenant_scope(world.tenant_id(CODE)):
        concerns.act(session, concern, concern_states.RESPOND, court, "已说明原因")
        concerns.act(session, concern, concern_states.FOLLOW_UP_ACTION, staff, "整改进度?", 3)
    assert concern.escalated_at is None and concern.status == concern_states.FOLLOW_UP
    with system_scope():
        assert sweep(session, _after(concern.deadline)).concerns_escalated == 1
        keys = [
            key
            for _, user, key in _notices(session, "concern_overdue", f"concern-{concern_id}-")
            if user == court.id
        ]
    assert sorted(keys) == sorted(
        [
            f"concern-{concern_id}-overdue-{first}",
            f"concern-{concern_id}-overdue-{concern.deadline}",
        ]
    )


def test_an_overdue_deputy_opinion_is_escalated_once_a_round(session, world):
    court, deputy = _users(session, world, "court", "deputy")
    opinion_id = world.deputy_opinions[CODE]
    with system_scope():
        opinion = session.get(DeputyOpinion, opinion_id)
        assert (
            sweep(session, _after(opinion.deadline - timedelta(days=1))).deputy_opinions_escalated
            == 0
        )
        late = _after(opinion.deadline)
        assert sweep(session, late).deputy_opinions_escalated == 2  # one per district
        assert sweep(session, late).deputy_opinions_escalated == 0  # once
        assert opinion.escalated_at == late
    with tenant_scope(world.tenant_id(CODE)):
        deputy_opinions.answer(session, opinion, court, "已部署专项清理积案")
        deputy_opinions.rate(session, opinion, deputy, "not_satisfied", "进度太慢", 5)
    assert (opinion.round, opinion.escalated_at) == (2, None)
    with system_scope():
        assert sweep(session, _after(opinion.deadline)).deputy_opinions_escalated == 1
        events = session.scalars(
            sa.select(DeputyOpinionEvent).where(
                DeputyOpinionEvent.opinion_id == opinion_id, DeputyOpinionEvent.action == "escalate"
            )
        ).all()
        told = _notices(session, "deputy_opinion_overdue", f"deputy-opinion-{opinion_id}-")
    assert [(e.round, e.from_status, e.actor) for e in events] == [
        (1, "assigned", "system"),
        (2, "rehandling", "system"),
    ]
    assert sorted(key for _, user, key in told if user == court.id) == [
        f"deputy-opinion-{opinion_id}-overdue-1",
        f"deputy-opinion-{opinion_id}-overdue-2",
    ]
    assert {tenant for tenant, _, _ in told} == {world.tenant_id(CODE), world.tenant_id("330100")}


def test_the_sweep_command_reports_overdue_concerns_and_deputy_opinions(app, tx, session, world):
    with system_scope():
        concern = session.get(KeyConcern, world.concerns[CODE])
        opinion = session.get(DeputyOpinion, world.deputy_opinions[CODE])
        later = _after(max(concern.deadline, opinion.deadline)).isoformat()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["jobs", "sweep", "--now", later])
    assert first.exit_code == 0, first.output
    assert "overdue_concerns=2" in first.output and "overdue_deputy_opinions=2" in first.output
    again = runner.invoke(args=["jobs", "sweep", "--now", later])
    assert "overdue_concerns=0" in again.output and "overdue_deputy_opinions=0" in again.output


def test_the_escalation_shows_in_the_histories_on_the_pages(caller, session, world):
    with system_scope():
        concern = session.get(KeyConcern, world.concerns[CODE])
        opinion = session.get(DeputyOpinion, world.deputy_opinions[CODE])
        sweep(session, _after(max(concern.deadline, opinion.deadline)))
        session.commit()  # the test's savepoint: the pages' sessions see it
    staff = caller.as_(f"{CODE}-staff")
    for page in (f"concerns/{concern.id}", f"deputy-opinions/{opinion.id}"):
        answer = staff.get(f"/t/{CODE}/{page}")
        assert answer.status_code == 200, page
        html = answer.get_data(as_text=True)
        assert "逾期督办" in html and "overdue since" in html, page
