"""数据报送 and 第三方评估 pages: periods and their state, the form through the same
pipeline as an upload, the import page."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.datamart.models import IndicatorValue
from tenants.scoping import system_scope
from tests.support.http import login


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def test_organ_sees_its_periods(client):
    login(client, "330106-court")
    page = client.get("/t/330106/submissions").get_data(as_text=True)
    assert "数据报送" in page and "西湖区人民法院" in page
    assert "代为报送的机关" not in page  # an organ reports only for itself
    assert page.count('class="state state-') >= 12


def test_staff_chooses_the_organ(client, world):
    login(client, "330106-staff")
    organ = world.organ_id("330106", "procuratorate")
    page = client.get(f"/t/330106/submissions?organ={organ}").get_data(as_text=True)
    assert "代为报送的机关" in page and "西湖区人民检察院" in page


def test_form_submission_goes_through_the_pipeline(client, session, world):
    login(client, "330106-court")
    form = client.get("/t/330106/submissions/2026-08").get_data(as_text=True)
    assert "CT01" in form and "结收比" in form and "绿" in form
    response = client.post(
        "/t/330106/submissions/2026-08",
        data={"csrf_token": _token(form), "n_CT01": "95", "d_CT01": "100", "note_CT01": "月报"},
    )
    assert response.status_code == 302 and "/t/330106/imports/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已导入" in page
    with system_scope():
        value = session.scalar(
            sa.select(IndicatorValue).where(
                IndicatorValue.organ_id == world.organ_id("330106", "court"),
                IndicatorValue.indicator_code == "CT01",
                IndicatorValue.period == "2026-08",
            )
        )
    assert value.value == 95.0 and value.note == "月报" and value.source == "organ"


def test_form_errors_are_shown(client):
    login(client, "330106-court")
    form = client.get("/t/330106/submissions/2026-08").get_data(as_text=True)
    response = client.post(
        "/t/330106/submissions/2026-08",
        data={"csrf_token": _token(form), "n_CT02": "120", "d_CT02": "100"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "已拒绝" in page and "numerator_gt_denominator" in page


def test_future_period_form_is_404(client):
    login(client, "330106-court")
    assert client.get("/t/330106/submissions/2099-01").status_code == 404


def test_evaluator_page_lists_years(client):
    login(client, "330106-evaluator")
    page = client.get("/t/330106/assessments").get_data(as_text=True)
    assert "第三方评估" in page and "下载模板" in page


def test_navigation_links_by_role(client):
    login(client, "330106-court")
    page = client.get("/t/330106/").get_data(as_text=True)
    assert "数据报送" in page and "第三方评估" not in page
    login(client, "330106-deputy")
    page = client.get("/t/330106/").get_data(as_text=True)
    assert "数据报送" not in page
