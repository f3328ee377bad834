"""Key concerns and deputies' opinions in the calendar's registry: what each organ owes,
due and overdue, and nothing once answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app import clock
from app.coordination import concerns, deputy_opinions
from app.coordination.models import DeputyOpinion, KeyConcern
from app.workload import SOURCES, due_items
from tenants.scoping import tenant_scope
from tests.coordination.conftest import CODE


def _items(session, world, kinds, **kwargs):
    today = clock.today()
    with tenant_scope(world.tenant_id(CODE)):
        found = due_items(
            session,
            world.tenant_id(CODE),
            start=kwargs.pop("start", today),
            end=kwargs.pop("end", today + timedelta(days=60)),
            **kwargs,
        )
    return [i for i in found if i.kind in kinds]


def test_both_kinds_are_registered():
    assert {"concern", "deputy_opinion"} <= set(SOURCES)


def test_the_court_owes_its_concern_and_the_deputy_opinion(session, world):
    court = world.organ_id(CODE, "court")
    items = _items(session, world, {"concern", "deputy_opinion"}, organ_id=court)
    by_kind = {i.kind: i for i in items}
    assert by_kind["concern"].id == world.concerns[CODE]
    assert by_kind["concern"].url == f"/t/{CODE}/concerns/{world.concerns[CODE]}"
    assert by_kind["concern"].kind_label == ("重点关注", "key concern")
    assert by_kind["deputy_opinion"].id == world.deputy_opinions[CODE]
    assert by_kind["deputy_opinion"].organ_name.endswith("人民法院")
    assert not any(i.overdue for i in items)
    # another organ owes none of them
    other = world.organ_id(CODE, "procuratorate")
    assert _items(session, world, {"concern", "deputy_opinion"}, organ_id=other) == []


def test_overdue_items_are_listed_whatever_the_window(session, world):
    later = datetime.now(UTC) + timedelta(days=60)
    with clock.frozen_at(later):
        today = clock.today()
        items = _items(
            session,
            world,
            {"concern", "deputy_opinion"},
            start=today + timedelta(days=7),
            end=today + timedelta(days=14),
        )
    assert {i.kind for i in items} == {"concern", "deputy_opinion"}
    assert all(i.overdue for i in items)


def test_answered_items_are_owed_no_more(session, world):
    from app.auth.models import User

    with tenant_scope(world.tenant_id(CODE)):
        court_user = session.get(User, world.users[f"{CODE}-court"])
        concern = session.get(KeyConcern, world.concerns[CODE])
        concerns.act(session, concern, "respond", court_user, "已说明")
        opinion = session.get(DeputyOpinion, world.deputy_opinions[CODE])
        deputy_opinions.answer(session, opinion, court_user, "已答复")
    assert _items(session, world, {"concern", "deputy_opinion"}) == []
