"""The hostile corpus through the real endpoint: every file is refused with a 4xx and a
message in both languages, never a 500, and nothing is stored as data."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from app.datamart.models import IndicatorValue
from tenants.scoping import system_scope
from tests.datamart import hostile
from tests.support.http import csrf, login

CORPUS = {
    "zip bomb as xlsx": (hostile.zip_bomb_xlsx, "bomb.xlsx", (413, 422)),
    "xlsx with DOCTYPE/entity": (hostile.doctype_xlsx, "entity.xlsx", (422,)),
    "pdf renamed .xlsx": (hostile.pdf_renamed, "report.xlsx", (415,)),
    "old xls renamed": (hostile.xls_renamed, "old.xlsx", (415,)),
    "10,000 columns": (hostile.wide_csv, "wide.csv", (422,)),
    "ragged rows": (hostile.ragged_csv, "ragged.csv", (422,)),
    "formula cells (xlsx)": (hostile.formula_xlsx, "formula.xlsx", (422,)),
    "formula cells (csv)": (hostile.formula_csv, "formula.csv", (422,)),
    "not a workbook zip": (hostile.not_a_workbook_zip, "x.xlsx", (415,)),
    "too many zip entries": (hostile.many_entries_xlsx, "many.xlsx", (413,)),
    "path traversal in zip": (hostile.traversal_xlsx, "trav.xlsx", (422,)),
    "truncated xlsx": (hostile.truncated_xlsx, "trunc.xlsx", (415, 422)),
    "corrupt sheet": (hostile.corrupt_sheet_xlsx, "corrupt.xlsx", (422,)),
    "a 2 MB line": (hostile.long_line_csv, "long.csv", (422,)),
    "a row a billion rows down": (hostile.far_row_xlsx, "far.xlsx", (413, 422)),
}


def _count(session) -> int:
    with system_scope():
        return session.scalar(sa.select(sa.func.count()).select_from(IndicatorValue))


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_file_is_refused_cleanly(client, session, name):
    build, filename, statuses = CORPUS[name]
    login(client, "330106-court")
    before = _count(session)
    response = client.post(
        "/api/v1/t/330106/imports",
        data={"file": (io.BytesIO(build()), filename)},
        headers={"X-CSRFToken": csrf(client)},
        content_type="multipart/form-data",
    )
    assert response.status_code in statuses, (response.status_code, response.get_json())
    body = response.get_json()
    if "error" in body:
        assert body["error"]["message_zh"] and body["error"]["message_en"]
    else:
        assert body["status"] == "rejected" and body["errors"]
        assert all(e["message_zh"] and e["message_en"] for e in body["errors"])
    assert _count(session) == before


def test_file_over_the_size_limit_is_413(client, app):
    login(client, "330106-court")
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/api/v1/t/330106/imports",
        data={"file": (io.BytesIO(hostile.oversized(limit + 1024)), "big.csv")},
        headers={"X-CSRFToken": csrf(client)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_gbk_csv_from_the_corpus_loads(client, session):
    login(client, "330106-court")
    response = client.post(
        "/api/v1/t/330106/imports",
        data={"file": (io.BytesIO(hostile.gbk_csv()), "gbk.csv")},
        headers={"X-CSRFToken": csrf(client)},
        content_type="multipart/form-data",
    )
    assert response.status_code in (202, 422), response.get_json()
    assert response.get_json().get("status") in ("succeeded", "rejected")
