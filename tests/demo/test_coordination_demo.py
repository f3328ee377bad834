"""The Hangzhou demo shows the supervision-coordination loop in 萧山区 (330109) at its
different stages (:mod:`app.demo.coordination`): an inquiry opened from the 执行难 focus
issue with the court's plan in, an earlier work-report deliberation closed after a "not
satisfied" round, a key concern answered by the procuratorate, two deputies' opinions, an
adopted procuratorial recommendation and a masked public comment — all made through the
services, so the history, the audit log and the responsiveness figures follow.

Seeded once for the module through the real CLI (one year of history is enough)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app import clock, create_app
from app.analysis.periods import shift_month
from app.audit.models import AuditEvent
from app.audit.recorder import Actor, acting_as
from app.coordination.masking import still_personal
from app.coordination.models import (
    DeputyOpinion,
    KeyConcern,
    ProcuratorialRecommendation,
    PublicComment,
)
from app.datamart.documents import Document
from app.datamart.models import IndicatorValue
from app.db import db
from app.demo.coordination import MOTION_TITLE, seed_coordination
from app.demo.documents import XIAOSHAN
from app.indicators.service import spec_of, version_named
from app.matters.models import Matter, Opinion
from tenants.models import Organ, Tenant
from tenants.scoping import system_scope, tenant_scope
from tests.conftest import TEST_CONFIG
from tests.support.databases import fresh_sqlite, migrate

UNTIL = "2026-10"
PASSWORD = "demo-pass-2024"
# The demo's present: the first morning after its last month (Beijing), when nothing the
# story left waiting on an organ is overdue yet.
PRESENT = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
END_OF_UNTIL = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 2026-11-01 00:00 in Beijing


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    url = fresh_sqlite(tmp_path_factory.mktemp("coordination"), "demo.sqlite3")
    migrate(url)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "DEMO_PASSWORD": PASSWORD})
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--until", UNTIL, "--years", "1"])
    assert result.exit_code == 0, result.output
    assert (
        "coordination: matters=2 opinions=2 concerns=1 deputy_opinions=2 recommendations=1 "
        "comments=1" in result.output
    )
    return app


@pytest.fixture
def xiaoshan(demo):
    """An app context in 萧山区's tenant scope, and its organs by kind."""
    with demo.app_context():
        with system_scope():
            tenant_id = db.session.scalar(sa.select(Tenant.id).where(Tenant.code == XIAOSHAN))
        with tenant_scope(tenant_id):
            organs = db.session.scalars(sa.select(Organ)).all()
            yield {o.kind: o for o in organs}


def _client(demo, role: str):
    client = demo.test_client()
    response = client.post(
        "/api/v1/auth/login", json={"username": f"{XIAOSHAN}-{role}", "password": PASSWORD}
    )
    assert response.status_code == 200, response.get_json()
    return client


def _matter(form: str) -> Matter:
    return db.session.scalar(sa.select(Matter).where(Matter.form == form))


def _opinion(matter: Matter) -> Opinion:
    return db.session.scalar(sa.select(Opinion).where(Opinion.matter_id == matter.id))


def test_the_inquiry_from_the_focus_issue_awaits_the_court_s_result(xiaoshan):
    matter = _matter("inquiry")
    assert matter.subject == "standing_committee" and matter.status == "opinions_issued"
    assert (matter.origin_kind, matter.origin_ref, matter.origin_title) == (
        "focus_issue",
        "enforcement",
        "执行难",
    )
    assert [t.organ_id for t in matter.targets] == [xiaoshan["court"].id]
    motion = db.session.scalar(sa.select(Document.id).where(Document.title == MOTION_TITLE))
    assert motion in [d.document_id for d in matter.documents]
    assert [(e.action, e.actor) for e in matter.events] == [
        ("propose", f"{XIAOSHAN}-staff"),
        ("approve", f"{XIAOSHAN}-admin"),
        ("start", f"{XIAOSHAN}-staff"),
        ("issue_opinions", f"{XIAOSHAN}-staff"),
    ]
    opinion = _opinion(matter)
    assert (opinion.kind, opinion.organ_id, opinion.status) == (
        "deliberation",
        xiaoshan["court"].id,
        "plan_submitted",
    )
    assert opinion.plan_text and not opinion.result_text and len(opinion.problems) == 3
    assert [e.actor for e in opinion.events] == [f"{XIAOSHAN}-staff", f"{XIAOSHAN}-court"]
    # Not due on the demo's present: the court still has time for its result.
    assert opinion.deadline > PRESENT.astimezone(clock.BEIJING).date()


def test_the_work_report_deliberation_closed_after_a_second_round(xiaoshan):
    matter = _matter("work_report")
    assert matter.status == "closed" and matter.closed_at is not None
    assert [e.action for e in matter.events] == [
        "propose",
        "approve",
        "start",
        "issue_opinions",
        "receive_feedback",
        "evaluate",
        "close",
    ]
    opinion = _opinion(matter)
    assert (opinion.status, opinion.grade, opinion.round) == ("satisfied", "satisfied", 2)
    assert [(e.round, e.action) for e in opinion.events] == [
        (1, "issue"),
        (1, "submit_plan"),
        (1, "submit_result"),
        (1, "evaluate_not_satisfied"),
        (2, "submit_result"),
        (2, "evaluate_satisfied"),
    ]
    assert opinion.closed_at < _matter("inquiry").created_at


def test_the_procuratorate_answered_its_key_concern(xiaoshan):
    (concern,) = db.session.scalars(sa.select(KeyConcern)).all()
    assert (concern.kind, concern.organ_id, concern.status) == (
        "indicator",
        xiaoshan["procuratorate"].id,
        "responded",
    )
    assert concern.indicator_code.startswith("PR") and concern.period < UNTIL
    # The words are the figures: the month's value and its worsening on the month before.
    values = dict(
        db.session.execute(
            sa.select(IndicatorValue.period, IndicatorValue.value).where(
                IndicatorValue.organ_id == concern.organ_id,
                IndicatorValue.indicator_code == concern.indicator_code,
                IndicatorValue.period.in_([shift_month(concern.period, -1), concern.period]),
            )
        ).all()
    )
    before, after = values[shift_month(concern.period, -1)], values[concern.period]
    (row,) = [r for r in version_named(None).indicators if r.code == concern.indicator_code]
    spec = spec_of(row)
    assert (after - before) * (1 if spec.direction == "down" else -1) > 0
    shown = f"{after:.2f}%" if spec.unit == "%" else f"{after:.1f}{spec.unit}"
    assert spec.name_zh in concern.title and shown in concern.text
    assert concern.response and concern.responded_at is not None
    assert [(e.action, e.actor) for e in concern.events] == [
        ("flag", f"{XIAOSHAN}-staff"),
        ("respond", f"{XIAOSHAN}-procuratorate"),
    ]


def test_two_deputies_opinions_one_answered_one_just_raised(xiaoshan):
    rows = db.session.scalars(sa.select(DeputyOpinion).order_by(DeputyOpinion.id)).all()
    answered, raised = rows
    court = xiaoshan["court"]
    assert (answered.status, answered.page_kind, answered.chart_name) == (
        "answered",
        "dashboard",
        f"organ-{court.id}-trend",
    )
    assert answered.organ_id == court.id and answered.indicator_code == "CT11"
    assert answered.answer and answered.rating is None and answered.deadline is not None
    assert answered.author == f"{XIAOSHAN}-deputy"
    assert (raised.status, raised.page_kind, raised.organ_id) == (
        "submitted",
        "lab_sheet",
        xiaoshan["public_security"].id,
    )
    assert raised.assigned_at is None and raised.deadline is None


def test_the_recommendation_to_the_police_was_adopted(xiaoshan):
    (item,) = db.session.scalars(sa.select(ProcuratorialRecommendation)).all()
    assert item.issuer_organ_id == xiaoshan["procuratorate"].id
    assert item.recipient_organ_id == xiaoshan["public_security"].id
    assert item.status == "adopted" and item.replied_by == f"{XIAOSHAN}-public-security"
    assert item.issued_on < item.replied_on <= item.reply_due


def test_the_public_comment_is_stored_masked(xiaoshan):
    (comment,) = db.session.scalars(sa.select(PublicComment)).all()
    stored = " ".join((comment.title, comment.text, comment.sender))
    for clear in ("赵志强", "孙建军", "13857112345"):
        assert clear not in stored
    assert not still_personal(stored)
    assert comment.sender == "赵某某" and "孙某某" in comment.text and "138****2345" in comment.text
    assert comment.masked_names == 2 and comment.organ_id == xiaoshan["court"].id


def test_every_move_is_in_the_demo_s_past_and_audited_as_its_user(xiaoshan):
    moments = [m.created_at for m in db.session.scalars(sa.select(Matter))]
    for model in (Matter, Opinion, KeyConcern, DeputyOpinion):
        for item in db.session.scalars(sa.select(model)):
            ats = [e.at for e in item.events]
            assert ats == sorted(ats) and len(set(ats)) == len(ats), (model, item.id)
            moments += ats
    latest = max(m.replace(tzinfo=m.tzinfo or UTC) for m in moments)
    assert latest < END_OF_UNTIL
    actors = set(
        db.session.scalars(
            sa.select(AuditEvent.actor).where(
                AuditEvent.object_type.in_(
                    ["supervision_matters", "supervision_opinions", "key_concerns"]
                )
            )
        )
    )
    assert {f"{XIAOSHAN}-staff", f"{XIAOSHAN}-admin", f"{XIAOSHAN}-court"} <= actors
    assert f"{XIAOSHAN}-procuratorate" in actors and "demo-seed" not in actors


def test_the_court_s_responsiveness_is_what_its_history_implies(demo):
    """The work-report opinions: answered on time (issued 2025-10-27, first result
    2025-11-28: 32 days), not accepted at the first review. The inquiry's opinions: a plan
    alone, not an answer, not yet due. The tickets the rating opened are not due yet. The
    deputy's opinion on 执行到位率: answered before its deadline, not rated yet."""
    client = _client(demo, "staff")
    with clock.frozen_at(PRESENT):
        body = client.get(f"/api/v1/t/{XIAOSHAN}/responsiveness").get_json()
    assert body["as_of"] == "2026-11-02"
    (court,) = [r for r in body["organs"] if r["organ"]["kind"] == "court"]
    assert court["opinions"] == {
        "items": 2,
        "due": 1,
        "on_time": 1,
        "on_time_share": 1.0,
        "reviewed": 1,
        "accepted_first": 0,
        "accepted_first_share": 0.0,
        "answered": 1,
        "average_days_to_answer": 32.0,
    }
    assert court["tickets"]["due"] == 0 and court["tickets"]["answered"] == 0
    with demo.app_context(), system_scope():
        assigned, answered, deadline = db.session.execute(
            sa.select(
                DeputyOpinion.assigned_at, DeputyOpinion.answered_at, DeputyOpinion.first_deadline
            ).where(DeputyOpinion.organ_id == court["organ"]["id"])
        ).one()
    assigned, answered = (
        (m if m.tzinfo else m.replace(tzinfo=UTC)).astimezone(clock.BEIJING).date()
        for m in (assigned, answered)
    )
    assert answered <= deadline
    assert court["deputy_opinions"] == {
        "items": 1,
        "due": 1,
        "on_time": 1,
        "on_time_share": 1.0,
        "reviewed": 0,
        "accepted_first": 0,
        "accepted_first_share": None,
        "answered": 1,
        "average_days_to_answer": float((answered - assigned).days),
    }
    assert court["concerns"]["items"] == 0  # the concern is the procuratorate's
    assert (court["due"], court["on_time_share"], court["accepted_first_share"]) == (2, 1.0, 0.0)
    assert court["rank"] == 1  # the only organ with anything due
    with demo.app_context(), system_scope():
        issued = db.session.scalar(
            sa.select(Opinion.issued_at).where(Opinion.title.like("%民商事审判%"))
        )
    assert issued.replace(tzinfo=UTC).astimezone(clock.BEIJING).date() == date(2025, 10, 27)


@pytest.mark.parametrize(
    ("role", "paths"),
    [
        ("staff", ["matters", "opinions", "concerns", "deputy-opinions", "recommendations"]),
        ("deputy", ["matters", "opinions", "concerns", "deputy-opinions", "recommendations"]),
        ("court", ["opinions"]),
    ],
)
def test_the_pages_open_on_the_story(demo, role, paths):
    client = _client(demo, role)
    for path in paths:
        page = client.get(f"/t/{XIAOSHAN}/{path}")
        assert page.status_code == 200, path
    if role == "staff":
        page = client.get(f"/t/{XIAOSHAN}/public-comments").get_data(as_text=True)
        assert "赵某某" in page and "赵志强" not in page and "13857112345" not in page


def test_seeding_again_changes_nothing(demo):
    with demo.app_context(), system_scope(), acting_as(Actor("demo-seed")):
        report = seed_coordination(db.session, UNTIL)
        db.session.commit()
        assert report.matters == 0 and report.comments == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Matter)) == 2
    again = demo.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])
    assert again.exit_code == 0, again.output
