"""Imports end to end through the API: validated, all-or-nothing, revisions, late
marks, duplicates, and who may submit what."""

from __future__ import annotations

import io

import openpyxl
import pytest
import sqlalchemy as sa

from app.datamart.models import ImportBatch, IndicatorValue
from tenants.scoping import system_scope
from tests.support.http import csrf, login

HEADER = "期间,机关,指标代码,分子,分母,数值,说明\n"


def _csv(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return (header + "\n".join(rows) + "\n").encode(encoding)


def _upload(client, body: bytes, name: str = "data.csv", **form):
    data = {"file": (io.BytesIO(body), name), **form}
    return client.post(
        "/api/v1/t/330106/imports",
        data=data,
        headers={"X-CSRFToken": csrf(client)},
        content_type="multipart/form-data",
    )


def _values(session, world, code="CT02", period="2026-08"):
    with system_scope():
        return session.scalars(
            sa.select(IndicatorValue)
            .where(
                IndicatorValue.organ_id == world.organ_id("330106", "court"),
                IndicatorValue.indicator_code == code,
                IndicatorValue.period == period,
            )
            .order_by(IndicatorValue.revision)
        ).all()


@pytest.fixture
def court(client):
    login(client, "330106-court")
    return client


def test_valid_csv_is_loaded(court, session, world):
    response = _upload(
        court,
        _csv("2026-08,西湖区人民法院,CT02,980,1000,,", "2026-08,西湖区人民法院,CT03,55000,1000,,"),
    )
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["status"] == "succeeded" and body["rows_ok"] == body["rows_total"] == 2
    assert response.headers["Location"].endswith(f"/imports/{body['id']}")
    (value,) = _values(session, world)
    assert value.value == pytest.approx(98.0) and value.revision == 1
    assert value.batch_id == body["id"] and value.submitted_by == "330106-court"
    status = court.get(body["status_url"]).get_json()
    assert status["progress"] == 100 and status["errors"] == []


def test_one_bad_row_stores_nothing(court, session, world):
    response = _upload(
        court,
        _csv(
            "2026-08,西湖区人民法院,CT02,980,1000,,",
            "2026-08,西湖区人民法院,CT02,1,1000,,",
            "2026-08,西湖区人民法院,XX99,1,2,,",
        ),
    )
    body = response.get_json()
    assert body["status"] == "rejected" and body["rows_ok"] == 0
    assert {(e["row"], e["code"]) for e in body["errors"]} == {
        (3, "duplicate_row"),
        (4, "unknown_indicator"),
    }
    assert all(e["message_zh"] and e["message_en"] for e in body["errors"])
    assert _values(session, world) == []


def test_correction_is_a_new_revision(court, session, world):
    _upload(court, _csv("2026-08,西湖区人民法院,CT02,980,1000,,"))
    response = _upload(court, _csv("2026-08,西湖区人民法院,CT02,990,1000,,更正"))
    assert response.get_json()["status"] == "succeeded"
    first, second = _values(session, world)
    assert (first.revision, first.is_current, second.revision, second.is_current) == (
        1,
        False,
        2,
        True,
    )
    assert second.note == "更正" and second.value == pytest.approx(99.0)
    organ = world.organ_id("330106", "court")
    history = court.get(
        f"/api/v1/t/330106/values/history?organ={organ}&indicator=CT02&period=2026-08"
    ).get_json()["revisions"]
    assert [(r["revision"], r["is_current"], r["submitted_by"]) for r in history] == [
        (1, False, "330106-court"),
        (2, True, "330106-court"),
    ]
    assert history[0]["batch_id"] != history[1]["batch_id"]


def test_same_file_twice_is_recognised(court, session, world):
    body = _csv("2026-08,西湖区人民法院,CT02,980,1000,,")
    first = _upload(court, body).get_json()
    again = _upload(court, body, name="renamed.csv")
    assert again.status_code == 200
    assert again.get_json()["status"] == "duplicate"
    assert again.get_json()["duplicate_of"] == first["id"]
    assert len(_values(session, world)) == 1


def test_late_submission_is_marked(court, session, world):
    _upload(court, _csv("2025-01,西湖区人民法院,CT02,980,1000,,"))
    (value,) = _values(session, world, period="2025-01")
    assert value.is_late


def test_on_time_submission_is_not_late(court, session, world, app):
    from datetime import UTC, datetime

    from app.clock import frozen_at

    with frozen_at(datetime(2026, 9, 3, tzinfo=UTC)):
        _upload(court, _csv("2026-08,西湖区人民法院,CT02,980,1000,,"))
    (value,) = _values(session, world)
    assert not value.is_late


def test_gbk_csv_is_read(court, session, world):
    response = _upload(court, _csv("2026-08,西湖区人民法院,CT02,980,1000,,", encoding="gbk"))
    assert response.get_json()["status"] == "succeeded"


def test_template_filled_in_and_uploaded(court, session, world):
    organ_id = world.organ_id("330106", "court")
    response = court.get(f"/api/v1/t/330106/templates/values.xlsx?period=2026-08&organ={organ_id}")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) + 1 for name in ("指标代码", "分子", "分母", "数值")}
    codes = []
    for row in range(2, sheet.max_row + 1):
        code = sheet.cell(row, col["指标代码"]).value
        codes.append(code)
        # Court indicators are rates (97 of 100) and averages (4,500 days over 100 cases).
        numerator = 4500 if code in ("CT03", "CT05") else 97
        sheet.cell(row, col["分子"]).value, sheet.cell(row, col["分母"]).value = numerator, 100
    assert "CT01" in codes and "CT17" not in codes  # yearly third-party ones are not monthly
    out = io.BytesIO()
    book.save(out)
    result = _upload(court, out.getvalue(), name="filled.xlsx").get_json()
    assert result["status"] == "succeeded", result["errors"][:3]
    assert result["rows_ok"] == len(codes)


def test_organ_cannot_name_another_organ(court, world):
    other = world.organ_id("330106", "procuratorate")
    response = _upload(court, _csv("2026-08,西湖区人民检察院,PR04,100,10,,"), organ=str(other))
    assert response.status_code == 404


def test_rows_for_another_organ_are_rejected(court, session, world):
    body = _upload(court, _csv("2026-08,西湖区人民检察院,PR04,100,10,,")).get_json()
    assert body["status"] == "rejected" and body["errors"][0]["code"] == "wrong_organ"


def test_evaluator_cannot_submit_organ_figures(client):
    login(client, "330106-evaluator")
    response = _upload(client, _csv("2026-08,西湖区人民法院,CT02,980,1000,,"), kind="values")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "kind_not_allowed"


def test_evaluator_uploads_assessments(client, session, world):
    login(client, "330106-evaluator")
    response = _upload(
        client,
        _csv("2025,西湖区人民法院,CT17,,500,86.5,", "2025,西湖区人民法院,CT18,912,1000,,"),
        kind="assessment",
    )
    assert response.get_json()["status"] == "succeeded", response.get_json()
    (index,) = _values(session, world, code="CT17", period="2025")
    assert index.value == pytest.approx(86.5) and index.source == "third_party"


def test_assessment_upload_refuses_organ_reported_rows(client):
    login(client, "330106-evaluator")
    body = _upload(
        client, _csv("2026-08,西湖区人民法院,CT02,980,1000,,"), kind="assessment"
    ).get_json()
    assert body["status"] == "rejected" and body["errors"][0]["code"] == "source_mismatch"


def test_deputy_cannot_submit(client):
    login(client, "330106-deputy")
    assert _upload(client, _csv("2026-08,西湖区人民法院,CT02,980,1000,,")).status_code == 403


def test_staff_submits_on_behalf_of_an_organ(client, session, world):
    login(client, "330106-staff")
    organ = world.organ_id("330106", "court")
    body = _upload(
        client, _csv("2026-08,西湖区人民法院,CT02,980,1000,,"), organ=str(organ)
    ).get_json()
    assert body["status"] == "succeeded" and body["organ_id"] == organ


def test_organ_sees_only_its_own_imports(client, world):
    login(client, "330106-staff")
    prosecutor = world.organ_id("330106", "procuratorate")
    staff_batch = _upload(
        client, _csv("2026-08,西湖区人民检察院,PR04,100,10,,"), organ=str(prosecutor)
    ).get_json()
    client.post("/api/v1/auth/logout", headers={"X-CSRFToken": csrf(client)})
    login(client, "330106-court")
    assert client.get(f"/api/v1/t/330106/imports/{staff_batch['id']}").status_code == 404
    ids = [b["id"] for b in client.get("/api/v1/t/330106/imports").get_json()["imports"]]
    assert staff_batch["id"] not in ids


def test_import_of_another_tenant_is_404(client, world):
    login(client, "330106-staff")
    batch = _upload(
        client,
        _csv("2026-08,西湖区人民法院,CT02,980,1000,,"),
        organ=str(world.organ_id("330106", "court")),
    ).get_json()
    client.post("/api/v1/auth/logout", headers={"X-CSRFToken": csrf(client)})
    login(client, "330105-staff")
    assert client.get(f"/api/v1/t/330105/imports/{batch['id']}").status_code == 404
    assert client.get(f"/api/v1/t/330106/imports/{batch['id']}").status_code == 404


def test_errors_download_as_xlsx(court):
    body = _upload(court, _csv("2026-08,西湖区人民法院,XX99,1,2,,")).get_json()
    response = court.get(f"/api/v1/t/330106/imports/{body['id']}/errors.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert sheet.cell(2, 3).value == "unknown_indicator"


def test_file_is_kept_with_its_hash(court, session, app):
    import hashlib

    from app.datamart.storage import path_of

    data = _csv("2026-08,西湖区人民法院,CT02,980,1000,,")
    body = _upload(court, data).get_json()
    assert body["file_sha256"] == hashlib.sha256(data).hexdigest()
    with system_scope():
        batch = session.get(ImportBatch, body["id"])
        with app.app_context():
            stored = path_of(batch.file)
    assert stored.read_bytes() == data and body["file_sha256"] in stored.name


def test_with_redis_the_import_goes_to_the_imports_queue(app, court, redis_url):
    from redis import Redis
    from rq import Queue

    queue = Queue("imports", connection=Redis.from_url(redis_url))
    queue.empty()
    app.config["REDIS_URL"] = redis_url
    try:
        body = _upload(court, _csv("2026-08,西湖区人民法院,CT02,980,1000,,")).get_json()
    finally:
        app.config["REDIS_URL"] = None
    assert body["status"] == "queued"
    job = queue.fetch_job(f"import-batch-{body['id']}")
    assert job is not None and job.args == (body["id"],)
    queue.empty()


def test_values_export_neutralises_formulas(court):
    # A formula is refused on import; a note starting with + or @ is kept as text, and
    # must not turn into a formula when the export is opened in Excel.
    body = _upload(court, _csv("2026-08,西湖区人民法院,CT02,980,1000,,+86 571 8888")).get_json()
    assert body["status"] == "succeeded", body["errors"]
    response = court.get("/api/v1/t/330106/values/export.csv?period=2026-08")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    assert "'+86 571 8888" in text and "西湖区人民法院" in text
    book = openpyxl.load_workbook(
        io.BytesIO(court.get("/api/v1/t/330106/values/export.xlsx?period=2026-08").data)
    )
    notes = [row[-1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert notes == ["'+86 571 8888"]
