"""Key concerns and deputies' opinions count in 亮榜晒绩 like tickets and opinions: answered
by the first deadline is on time; a concern closed at once is accepted at the first review
(a follow-up question is not); a deputy's opinion rated satisfied is."""

from __future__ import annotations

import re

from app.auth.models import User
from app.coordination import concern_states, concerns, deputy_opinions
from app.coordination.models import DeputyOpinion, KeyConcern
from app.matters.responsiveness import KINDS
from tenants.scoping import system_scope, tenant_scope
from tests.coordination.conftest import CODE


def _answer_both(session, world) -> None:
    with system_scope():
        court, staff, deputy = (
            session.get(User, world.users[f"{CODE}-{name}"])
            for name in ("court", "staff", "deputy")
        )
    with tenant_scope(world.tenant_id(CODE)):
        concern = session.get(KeyConcern, world.concerns[CODE])
        concerns.act(session, concern, concern_states.RESPOND, court, "已说明原因")
        concerns.act(session, concern, concern_states.FOLLOW_UP_ACTION, staff, "整改进度?", 3)
        opinion = session.get(DeputyOpinion, world.deputy_opinions[CODE])
        deputy_opinions.answer(session, opinion, court, "已部署专项清理积案")
        deputy_opinions.rate(session, opinion, deputy, "satisfied")
    session.commit()  # the test's savepoint: the requests' sessions see it


def test_answered_concerns_and_deputy_opinions_count_per_kind(caller, session, world):
    _answer_both(session, world)
    body = caller.as_(f"{CODE}-staff").get("responsiveness").get_json()
    court_id = world.organ_id(CODE, "court")
    (court,) = [row for row in body["organs"] if row["organ"]["id"] == court_id]
    picked = ("items", "due", "on_time", "reviewed", "accepted_first", "answered")
    assert {k: court["concerns"][k] for k in picked} == {
        "items": 1,
        "due": 1,
        "on_time": 1,
        "reviewed": 1,
        "accepted_first": 0,  # a follow-up question was asked
        "answered": 1,
    }
    assert {k: court["deputy_opinions"][k] for k in picked} == {
        "items": 1,
        "due": 1,
        "on_time": 1,
        "reviewed": 1,
        "accepted_first": 1,  # rated satisfied
        "answered": 1,
    }
    assert court["concerns"]["average_days_to_answer"] == 0.0  # answered the day flagged
    # the whole line sums every kind
    assert court["answered"] == sum(court[kind]["answered"] for kind in KINDS)


def test_the_page_shows_each_kind_on_time(caller, session, world):
    _answer_both(session, world)
    staff = caller.as_(f"{CODE}-staff")
    court_id = world.organ_id(CODE, "court")
    for lang, headers in (
        ("zh", ("重点关注按期率", "代表意见按期率")),
        ("en", ("Key concerns on time",)),
    ):
        page = staff.get(f"/t/{CODE}/responsiveness?lang={lang}").get_data(as_text=True)
        assert all(header in page for header in headers), lang
        row = re.search(rf'data-organ-id="{court_id}">(.*?)</tr>', page, re.S)[1]
        for kind in ("concerns", "deputy_opinions"):
            cell = re.search(rf'data-testid="on-time-{kind}">(.*?)</td>', row, re.S)[1]
            assert cell.strip() == "100.0%", (lang, kind)
