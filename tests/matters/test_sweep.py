"""Overdue opinions escalate like tickets: the periodic sweep marks them once a round, tells
the congress, its parent and the organ, and a new round can be escalated again."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from app import clock
from app.auth.models import User
from app.matters import opinions
from app.matters.models import Opinion, OpinionEvent
from app.notifications.models import Notification
from app.tickets.sweep import sweep
from tenants.scoping import system_scope, tenant_scope

CODE = "330106"


def _after(day) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(9), tzinfo=clock.BEIJING)


def _overdue_notices(session, opinion_id: int) -> set[int]:
    return set(
        session.scalars(
            sa.select(Notification.tenant_id).where(
                Notification.kind == "opinion_overdue",
                Notification.dedupe_key.like(f"opinion-{opinion_id}-overdue-%"),
            )
        )
    )


def test_an_overdue_opinion_is_escalated_once(session, world):
    opinion_id = world.opinions[CODE]
    with system_scope():
        opinion = session.get(Opinion, opinion_id)
        on_time = sweep(session, _after(opinion.deadline - timedelta(days=1)))
        assert on_time.opinions_escalated == 0 and opinion.escalated_at is None
        late = _after(opinion.deadline)
        assert sweep(session, late).opinions_escalated == 2  # the world's, one per district
        assert opinion.escalated_at == late
        assert sweep(session, late).opinions_escalated == 0  # once
        events = session.scalars(
            sa.select(OpinionEvent).where(
                OpinionEvent.opinion_id == opinion_id, OpinionEvent.action == "escalate"
            )
        ).all()
        assert [(e.from_status, e.to_status, e.actor) for e in events] == [
            ("issued", "issued", "system")
        ]
        told = _overdue_notices(session, opinion_id)
    # the district's congress, its parent (the city) and, in the district, the court
    assert told == {world.tenant_id(CODE), world.tenant_id("330100")}


def test_a_new_round_can_be_escalated_again(session, world):
    opinion_id = world.opinions[CODE]
    with system_scope():
        court, staff = (session.get(User, world.users[f"{CODE}-{w}"]) for w in ("court", "staff"))
        opinion = session.get(Opinion, opinion_id)
        sweep(session, _after(opinion.deadline))
    with tenant_scope(world.tenant_id(CODE)):
        opinions.submit(session, opinion, "submit_plan", court, "方案")
        opinions.submit(session, opinion, "submit_result", court, "结果")
        opinions.evaluate(session, opinion, "not_satisfied", staff, "重新办理", 5)
    assert (opinion.round, opinion.escalated_at) == (2, None)
    with system_scope():
        assert sweep(session, _after(opinion.deadline)).opinions_escalated == 1
        keys = session.scalars(
            sa.select(Notification.dedupe_key).where(
                Notification.user_id == world.users[f"{CODE}-court"],
                Notification.kind == "opinion_overdue",
            )
        ).all()
    assert sorted(keys) == [f"opinion-{opinion_id}-overdue-1", f"opinion-{opinion_id}-overdue-2"]


def test_a_result_awaiting_evaluation_is_not_overdue(session, world):
    opinion_id = world.opinions[CODE]
    with tenant_scope(world.tenant_id(CODE)):
        court = session.get(User, world.users[f"{CODE}-court"])
        opinion = session.get(Opinion, opinion_id)
        opinions.submit(session, opinion, "submit_plan", court, "方案")
        opinions.submit(session, opinion, "submit_result", court, "结果")
    with system_scope():
        sweep(session, _after(opinion.deadline))
    assert opinion.escalated_at is None and opinion.status == "result_submitted"


def test_the_sweep_command_reports_overdue_opinions(app, tx, session, world):
    with system_scope():
        deadline = session.get(Opinion, world.opinions[CODE]).deadline
    later = _after(deadline).isoformat()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["jobs", "sweep", "--now", later])
    assert first.exit_code == 0, first.output
    assert "overdue_opinions=2" in first.output  # the world's, one per district
    again = runner.invoke(args=["jobs", "sweep", "--now", later])
    assert "overdue_opinions=0" in again.output
