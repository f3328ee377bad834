"""The micro-report over HTTP: JSON, the HTML page and the DOCX file show the same
figures (the year's exact roll-up), carry their charts, and never a party's name; who may
read which organ's report."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from docx import Document

from app.datamart.models import IndicatorValue
from tenants.scoping import tenant_scope
from tests.support.http import bearer

BASE = "/api/v1/t/330106/reports/micro"
PAGE = "/t/330106/reports/micro"
# Names planted where a report could pick them up: an organ's answer to a ticket, a
# petition about the court, and the world's own petition (张三).
NAMES = ("王小明", "李大伟", "张三")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Api:
    def __init__(self, client, username: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {bearer(client, username)}"}

    def get(self, url: str, **params):
        return self.client.get(url, query_string=params, headers=self.headers)

    def post(self, url: str, body: dict):
        return self.client.post(url, json=body, headers=self.headers)


@pytest.fixture
def court(world) -> int:
    return world.organ_id("330106", "court")


@pytest.fixture
def planted(client, session, world, court):
    """A third month of CT01 with a larger denominator (so the year's rate differs from
    the mean of the months'), the court's answer to its ticket naming a party, and a
    petition about the court naming its petitioner."""
    with tenant_scope(world.tenant_id("330106")):
        session.add(
            IndicatorValue(
                organ_id=court,
                indicator_code="CT01",
                period="2026-08",
                numerator=450,
                denominator=500,
                value=90.0,
                submitted_by="test",
            )
        )
        session.flush()
    answer = Api(client, "330106-court").post(
        f"/api/v1/t/330106/tickets/{world.tickets['330106']}/responses",
        {"text": "当事人王小明对一审判决不服,本院已开展释法答疑并加快结案。"},
    )
    assert answer.status_code == 200, answer.get_json()
    petition = Api(client, "330106-staff").post(
        "/api/v1/t/330106/documents",
        {
            "category": "petitions",
            "title": "李大伟反映执行案件久拖不决",
            "date": "2026-10-08",
            "organ": court,
            "persons": ["李大伟"],
            "body": "李大伟称其执行案件两年未结。",
        },
    )
    assert petition.status_code == 201, petition.get_json()
    return (95 + 80 + 450) / (100 + 100 + 500) * 100


@pytest.fixture
def staff(client):
    return Api(client, "330106-staff")


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(texts)


def _every_part(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return "\n".join(
            package.read(name).decode("utf-8")
            for name in package.namelist()
            if name.endswith((".xml", ".rels"))
        )


def test_json_holds_the_years_exact_figure(staff, court, planted):
    body = staff.get(BASE, organ=court, year="2026").get_json()
    assert body["organ"]["id"] == court and body["year"] == "2026"
    ct01 = next(f for f in body["figures"] if f["code"] == "CT01")
    assert ct01["value"] == pytest.approx(planted)
    assert (ct01["numerator"], ct01["denominator"]) == (625, 700)
    assert ct01["value"] != pytest.approx((95 + 80 + 90) / 3)  # not the mean of the months
    assert ct01["rule_zh"] == "Σ分子 ÷ Σ分母 × 100"
    [line] = body["tickets"]["lines"]
    assert line["indicator"] == "CT01" and line["timeliness"] == "on_time"
    assert body["documents"] == {"petitions": 1}
    assert body["portrait"]["dimensions"]
    assert body["portrait_as_of"] == "2026-10"  # the lab sheet's portrait, as of the last month


def test_the_docx_has_its_charts_names_and_figures_and_no_party(staff, court, planted):
    response = staff.get(BASE, organ=court, year="2026", format="docx")
    assert response.status_code == 200
    assert response.mimetype == DOCX
    assert "attachment" in response.headers["Content-Disposition"]
    document = Document(io.BytesIO(response.data))
    images = [
        rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/image")
    ]
    assert len(images) == 3 and len(document.inline_shapes) == 3
    assert all(p.content_type == "image/png" and p.blob.startswith(b"\x89PNG") for p in images)
    text = _docx_text(response.data)
    assert "西湖区人民法院" in text
    for name in ("结收比", "法定审限内结案率", "平均审理天数"):
        assert name in text
    assert f"{round(planted, 2):g}%" in text  # 89.29%
    assert "按期反馈" in text  # the ticket was answered, and on time
    everything = _every_part(response.data)
    for name in NAMES:
        assert name not in everything


def test_the_html_shows_the_same_figures_with_charts_and_no_party(staff, court, planted):
    json_figures = {
        f["code"]: f["value"]
        for f in staff.get(BASE, organ=court, year="2026").get_json()["figures"]
    }
    for url, params in ((BASE, {"format": "html"}), (PAGE, {})):
        response = staff.get(url, organ=court, year="2026", **params)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "西湖区人民法院" in html and "两院微报告" in html
        shown = dict(
            re.findall(
                r'data-code="([A-Z]{2}\d{2})".*?data-testid="year-value">([\d.]+)', html, re.S
            )
        )
        expected = {code: f"{round(v, 2):g}" for code, v in json_figures.items() if v is not None}
        assert shown == expected
        assert shown["CT01"] == "89.29"
        assert html.count('src="data:image/png;base64,') == 3
        for name in NAMES:
            assert name not in html


def test_the_page_is_in_english_on_request(staff, court):
    html = staff.get(PAGE, organ=court, year="2026", lang="en").get_data(as_text=True)
    assert "Clearance rate" in html and "Micro-report" in html


def test_an_organ_user_reads_its_own_organs_report_only(client, world, court):
    own = Api(client, "330106-court")
    assert own.get(BASE).get_json()["organ"]["id"] == court
    assert own.get(BASE, organ=court).status_code == 200
    other = world.organ_id("330106", "procuratorate")
    assert own.get(BASE, organ=other).status_code == 404
    assert own.get(PAGE, organ=other).status_code == 404
    prosecutors = Api(client, "330106-procuratorate").get(BASE).get_json()
    assert prosecutors["organ"]["id"] == other
    assert prosecutors["organ"]["kind"] == "procuratorate"


def test_only_courts_and_procuratorates_have_a_report(client, world, staff):
    police = world.organ_id("330106", "public_security")
    response = staff.get(BASE, organ=police)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "not_reported"
    assert "法院" in error["message_zh"] and "court" in error["message_en"]
    assert staff.get(PAGE, organ=police).status_code == 422
    assert Api(client, "330106-public-security").get(BASE).status_code == 422


@pytest.mark.parametrize(
    "query", [{"year": "20x6"}, {"year": "1850"}, {"format": "pdf"}, {"organ": "abc"}]
)
def test_bad_query_is_422(staff, query):
    response = staff.get(BASE, **query)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid"


def test_readers_and_strangers(client, world, court):
    assert Api(client, "330100-staff").get(BASE, organ=court).status_code == 200  # ancestor
    assert Api(client, "330106-evaluator").get(BASE).status_code == 403
    assert Api(client, "330105-staff").get(BASE, organ=court).status_code == 404  # sibling
    other_court = world.organ_id("330105", "court")
    assert Api(client, "330106-staff").get(BASE, organ=other_court).status_code == 404


def test_without_the_cjk_font_the_docx_is_refused_and_the_page_says_why(monkeypatch, staff, court):
    from app.reports import charts

    monkeypatch.setattr(charts, "_drawn", {})
    monkeypatch.setattr(charts, "FONT_FILES", ())
    monkeypatch.delenv("CJK_FONT_FILE", raising=False)
    response = staff.get(BASE, organ=court, format="docx")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "font_missing"
    html = staff.get(PAGE, organ=court).get_data(as_text=True)
    assert 'data-testid="no-charts"' in html and "data:image/png" not in html


def test_the_navigation_offers_the_report(client):
    from tests.support.http import login

    login(client, "330106-deputy")
    assert 'data-testid="nav-micro-report"' in client.get("/t/330106/").get_data(as_text=True)
    client.post("/api/v1/auth/logout")
    login(client, "330106-public-security")
    assert 'data-testid="nav-micro-report"' not in client.get("/t/330106/").get_data(as_text=True)
