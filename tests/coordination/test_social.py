"""Third-party and social supervision through the API: evaluators' reports beside their
uploads, procuratorial recommendations and their adoption, public comments stored masked;
each the origin of a supervision matter."""

from __future__ import annotations

import io
import json

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.coordination.models import PublicComment
from tenants.scoping import system_scope
from tests.coordination.conftest import API, CODE, code_of

RAW = "本人王小明,身份证330106199001011234,电话13912345678,邮箱wxm@example.com,反映执行难。"


# --- evaluators' reports -----------------------------------------------------------------


def _upload(caller, data: dict, content: bytes | None = b"report body"):
    form = {**data}
    if content is not None:
        form["file"] = (io.BytesIO(content), "透明度报告.pdf")
    return caller.client.post(
        f"{API}/evaluator-reports",
        data=form,
        content_type="multipart/form-data",
        headers={"X-CSRFToken": caller.client.get("/api/v1/auth/csrf").get_json()["csrf_token"]},
    )


def test_an_evaluator_files_a_report_beside_its_upload(caller, world):
    evaluator = caller.as_(f"{CODE}-evaluator")
    batch = world.batches[(CODE, "evaluator")]
    response = _upload(
        evaluator,
        {"title": "2025年度司法透明度评估", "period": "2025", "batch_id": str(batch)},
        b"%PDF-1.4 transparency",
    )
    assert response.status_code == 201, response.get_json()
    report = response.get_json()
    assert (
        report["batch_id"] == batch and report["has_file"] and report["file_name"].endswith(".pdf")
    )
    download = evaluator.get(f"evaluator-reports/{report['id']}/file")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 transparency"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    listed = evaluator.get("evaluator-reports").get_json()["reports"]
    assert {r["id"] for r in listed} == {report["id"], world.evaluator_reports[CODE]}
    deputy = caller.as_(f"{CODE}-deputy")
    assert deputy.get(f"evaluator-reports/{report['id']}").get_json()["title"].startswith("2025")
    assert caller.as_(f"{CODE}-court").get("evaluator-reports").status_code == 403


def test_a_report_needs_a_file_or_a_summary_and_its_own_upload(caller, world):
    evaluator = caller.as_(f"{CODE}-evaluator")
    missing = _upload(evaluator, {"title": "空报告", "period": "2025"}, None)
    assert missing.status_code == 422
    organ_batch = world.batches[(CODE, "organ")]
    wrong = _upload(evaluator, {"title": "报告", "period": "2025", "batch_id": str(organ_batch)})
    assert wrong.status_code == 422 and code_of(wrong) == "unknown_batch"
    foreign = _upload(
        evaluator,
        {
            "title": "报告",
            "period": "2025",
            "batch_id": str(world.batches[("330105", "evaluator")]),
        },
    )
    assert foreign.status_code == 422
    as_json = evaluator.post(
        "evaluator-reports", {"title": "摘要报告", "period": "2025-Q3", "summary": "良好"}
    )
    assert as_json.status_code == 201 and not as_json.get_json()["has_file"]
    assert evaluator.get(f"evaluator-reports/{as_json.get_json()['id']}/file").status_code == 404


def test_another_congress_cannot_read_a_report(caller, world):
    report = world.evaluator_reports[CODE]
    sibling = caller.as_("330105-evaluator")
    assert sibling.get(f"/api/v1/t/330105/evaluator-reports/{report}").status_code == 404
    assert sibling.get(f"/api/v1/t/330105/evaluator-reports/{report}/file").status_code == 404
    assert caller.as_("330105-staff").get(f"evaluator-reports/{report}").status_code == 404


# --- procuratorial recommendations -------------------------------------------------------


def _recommendation(world, **changes) -> dict:
    return {
        "number": "西检建〔2026〕7号",
        "title": "关于加强涉案财物管理的检察建议",
        "issuer_organ_id": world.organ_id(CODE, "procuratorate"),
        "recipient_organ_id": world.organ_id(CODE, "public_security"),
        "issued_on": "2026-09-15",
        **changes,
    }


def test_the_procuratorate_records_and_the_recipient_replies(caller, world):
    procuratorate = caller.as_(f"{CODE}-procuratorate")
    created = procuratorate.post("recommendations", _recommendation(world))
    assert created.status_code == 201, created.get_json()
    rec = created.get_json()
    assert rec["reply_due"] == "2026-11-15" and rec["status"] == "pending"
    duplicate = procuratorate.post("recommendations", _recommendation(world))
    assert duplicate.status_code == 409

    # the court neither issued nor received it
    court = caller.as_(f"{CODE}-court")
    assert court.get(f"recommendations/{rec['id']}").status_code == 404
    assert (
        court.post(f"recommendations/{rec['id']}/reply", {"outcome": "adopted"}).status_code == 404
    )

    police = caller.as_(f"{CODE}-public-security")
    no_reason = police.post(f"recommendations/{rec['id']}/reply", {"outcome": "not_adopted"})
    assert no_reason.status_code == 422 and code_of(no_reason) == "comment_required"
    replied = police.post(
        f"recommendations/{rec['id']}/reply", {"outcome": "partly_adopted", "text": "部分已整改"}
    )
    assert replied.get_json()["status"] == "partly_adopted"
    again = police.post(f"recommendations/{rec['id']}/reply", {"outcome": "adopted"})
    assert again.status_code == 409

    figures = caller.as_(f"{CODE}-deputy").get("recommendations").get_json()["adoption"]
    assert figures["replied"] == 1 and figures["adopted_share"] == 100.0
    assert figures["by_status"]["pending"] == 1  # the world's, to the court


def test_who_may_record_a_recommendation(caller, world):
    court = caller.as_(f"{CODE}-court")
    own = court.post("recommendations", _recommendation(world))
    assert own.status_code == 422  # the court is not the procuratorate
    as_issuer = court.post(
        "recommendations", _recommendation(world, issuer_organ_id=world.organ_id(CODE, "court"))
    )
    assert as_issuer.status_code == 422  # and a court issues no recommendations
    assert (
        caller.as_(f"{CODE}-deputy").post("recommendations", _recommendation(world)).status_code
        == 403
    )
    staff = caller.as_(f"{CODE}-staff")
    to_itself = staff.post(
        "recommendations",
        _recommendation(world, recipient_organ_id=world.organ_id(CODE, "procuratorate")),
    )
    assert to_itself.status_code == 422
    nobody = staff.post("recommendations", _recommendation(world, recipient_organ_id=None))
    assert nobody.status_code == 422
    outside = staff.post(
        "recommendations",
        _recommendation(world, recipient_organ_id=None, recipient_name="西湖区市场监督管理局"),
    )
    assert (
        outside.status_code == 201
        and outside.get_json()["recipient_name"] == "西湖区市场监督管理局"
    )


# --- public comments ---------------------------------------------------------------------


def test_a_public_comment_is_stored_masked(caller, world, session):
    staff = caller.as_(f"{CODE}-staff")
    created = staff.post(
        "public-comments",
        {
            "channel": "hotline",
            "received_on": "2026-10-08",
            "title": "王小明反映执行难",
            "text": RAW,
            "sender": "王小明",
            "persons": ["赵六"],
            "organ_id": world.organ_id(CODE, "court"),
        },
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["sender"] == "王某某" and body["title"] == "王某某反映执行难"
    assert body["text"] == (
        "本人王某某,身份证3301************34,电话139****5678,邮箱w***@example.com,反映执行难。"
    )
    with system_scope():
        row = session.get(PublicComment, body["id"])
        stored = json.dumps([row.title, row.text, row.sender], ensure_ascii=False)
        audit = json.dumps(
            session.scalars(
                sa.select(AuditEvent.detail).where(AuditEvent.object_type == "public_comments")
            ).all(),
            ensure_ascii=False,
        )
    for secret in ("王小明", "330106199001011234", "13912345678", "wxm@example.com"):
        assert secret not in stored and secret not in audit
    # the world's comment, entered in the same way
    world_comment = staff.get(f"public-comments/{world.public_comments[CODE]}").get_json()
    assert "李四" not in world_comment["text"] and "13812345678" not in world_comment["text"]


def test_public_comments_are_the_congress_own(caller, world):
    comment = world.public_comments[CODE]
    for user in (f"{CODE}-court", f"{CODE}-evaluator"):
        assert caller.as_(user).get(f"public-comments/{comment}").status_code == 403
    assert caller.as_(f"{CODE}-deputy").get(f"public-comments/{comment}").status_code == 200
    assert (
        caller.as_(f"{CODE}-deputy").post("public-comments", {"channel": "letter"}).status_code
        == 403
    )
    assert caller.as_("330105-staff").get(f"public-comments/{comment}").status_code == 404
    future = caller.as_(f"{CODE}-staff").post(
        "public-comments",
        {"channel": "letter", "received_on": "2999-01-01", "title": "t", "text": "x"},
    )
    assert future.status_code == 422


# --- each can become the origin of a supervision matter ---------------------------------


def test_each_is_the_origin_of_a_matter(caller, world):
    staff = caller.as_(f"{CODE}-staff")
    origins = {
        "evaluator_report": (world.evaluator_reports[CODE], "2025 司法透明度评估报告"),
        "recommendation": (
            world.recommendations[CODE],
            f"{CODE}检建〔2026〕1号 关于规范执行款发放的检察建议",
        ),
        "public_comment": (world.public_comments[CODE], "反映执行款迟迟未到账"),
    }
    for kind, (ref, title) in origins.items():
        response = staff.post(
            "matters",
            {
                "title": f"由{kind}立项",
                "subject": "standing_committee",
                "form": "special_report",
                "origin": {"kind": kind, "ref": ref},
            },
        )
        assert response.status_code == 201, (kind, response.get_json())
        origin = response.get_json()["origin"]
        assert origin["kind"] == kind and origin["ref"] == str(ref) and origin["title"] == title
        assert origin["kind_zh"]
    foreign = staff.post(
        "matters",
        {
            "title": "他区群众意见",
            "subject": "standing_committee",
            "form": "special_report",
            "origin": {"kind": "public_comment", "ref": world.public_comments["330105"]},
        },
    )
    assert foreign.status_code == 422 and code_of(foreign) == "no_such_origin"
