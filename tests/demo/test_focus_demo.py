"""The Hangzhou demo shows a focus issue: 萧山区 (330109)'s 执行难 is difficult (its court's
CT11 red month after month), hot (the demo's petitions, deputies' suggestions and internet
hot topics) and weak (far below the other district courts), and every piece of evidence
opens. Seeded once for the module through the real CLI, which rates the history and
builds the dashboards."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import create_app
from app.datamart.documents import Document
from app.db import db
from app.demo.documents import DOCUMENTS, XIAOSHAN
from tenants.models import Organ, Tenant
from tenants.scoping import system_scope, tenant_scope
from tests.conftest import TEST_CONFIG
from tests.support.databases import fresh_sqlite, migrate

UNTIL = "2026-10"
PASSWORD = "demo-pass-2024"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    url = fresh_sqlite(tmp_path_factory.mktemp("focus"), "demo.sqlite3")
    migrate(url)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "DEMO_PASSWORD": PASSWORD})
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--until", UNTIL, "--years", "1"])
    assert result.exit_code == 0, result.output
    assert f"{len(DOCUMENTS)} documents" in result.output
    return app


def _client(demo, username: str):
    client = demo.test_client()
    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return client


def _court(demo, code: str = XIAOSHAN) -> int:
    with demo.app_context(), system_scope():
        return db.session.scalar(
            sa.select(Organ.id)
            .join(Tenant, Tenant.id == Organ.tenant_id)
            .where(Tenant.code == code, Organ.kind == "court")
        )


def test_xiaoshan_has_a_focus_issue_with_three_tags(demo):
    client = _client(demo, f"{XIAOSHAN}-staff")
    body = client.get(f"/api/v1/t/{XIAOSHAN}/focus-issues").get_json()
    assert body["period"] == UNTIL
    assert body["focus_issues"] == ["enforcement"]
    (issue,) = [f for f in body["findings"] if f["is_focus"]]
    assert issue["topic"]["name_zh"] == "执行难"
    tags = {t["kind"]: t for t in issue["tags"]}
    assert set(tags) == {"difficulty", "hot", "weakness"}
    assert all(t["evidence"] for t in tags.values())
    court = _court(demo)
    assert {e["organ"]["id"] for e in tags["difficulty"]["evidence"]} == {court}
    assert {e["indicator"] for e in tags["weakness"]["evidence"]} == {"CT11"}
    categories = {e["category"] for e in tags["hot"]["evidence"]}
    assert categories == {"petitions", "deputy_motions", "hot_topics"}


@pytest.mark.parametrize("role", ["staff", "deputy"])
def test_every_piece_of_evidence_opens(demo, role):
    client = _client(demo, f"{XIAOSHAN}-{role}")
    body = client.get(f"/api/v1/t/{XIAOSHAN}/focus-issues").get_json()
    (issue,) = [f for f in body["findings"] if f["is_focus"]]
    urls = [e["url"] for t in issue["tags"] for e in t["evidence"]]
    for url in urls:
        assert client.get(url).status_code == 200, url
    page = client.get(f"/t/{XIAOSHAN}/focus-issues").get_data(as_text=True)
    assert page.count('data-testid="evidence-link"') >= len(urls)
    for url in urls:
        assert f'href="{url}"' in page.replace("&amp;", "&")


def test_a_deputy_reads_the_petitions_masked(demo):
    client = _client(demo, f"{XIAOSHAN}-deputy")
    body = client.get(f"/api/v1/t/{XIAOSHAN}/focus-issues").get_json()
    hot = next(t for t in body["findings"][0]["tags"] if t["kind"] == "hot")
    petitions = [e for e in hot["evidence"] if e["category"] == "petitions"]
    assert petitions and all(e["masked"] for e in petitions)
    text = "".join(e["what_zh"] + e["title"] for e in petitions)
    assert "陈建国" not in text and "陈某某" in text


def test_the_demo_documents_are_indexed_and_masked_as_uploads(demo):
    with demo.app_context(), system_scope():
        tenant_id = db.session.scalar(sa.select(Tenant.id).where(Tenant.code == XIAOSHAN))
    with demo.app_context(), tenant_scope(tenant_id):
        petitions = db.session.scalars(
            sa.select(Document).where(Document.category == "petitions")
        ).all()
    assert petitions and all(p.persons and p.organ_id == _court(demo) for p in petitions)
    for petition in petitions:
        assert all(name not in petition.search_text for name in petition.persons)
        assert "执行" in petition.search_text or "审理" in petition.search_text


def test_the_court_s_portrait_and_its_radar(demo):
    court = _court(demo)
    client = _client(demo, f"{XIAOSHAN}-court")
    body = client.get(f"/api/v1/t/{XIAOSHAN}/portraits/{court}").get_json()
    assert body["period"] == UNTIL and body["overall"] is not None
    assert "效果" in body["weakest"]  # CT11 drags the effect dimension down
    assert "enforcement" in [t["code"] for t in body["topics"]]
    radar = client.get(f"/api/v1/t/{XIAOSHAN}/dashboards/organ-{court}-portrait")
    assert radar.status_code == 200
    assert radar.get_json()["options"]["series"][0]["type"] == "radar"
