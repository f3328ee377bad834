"""数据集市 pages: the list with its filters, a document's page, names masked for deputies,
the add form and the workbook import for staff, and the navigation link."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from app.datamart.documents import Document
from tenants.scoping import tenant_scope
from tests.datamart.test_documents_api import GOOD, workbook
from tests.support.http import login

PAGE = "/t/330106/datamart"


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _add(client, **fields):
    token = _token(client.get(PAGE).get_data(as_text=True))
    form = {
        "csrf_token": token,
        "category": "work_news",
        "title": "西湖区法院集中执行",
        "date": "2026-10-08",
        "source": "",
        "organ": "",
        "tags": "执行、专项",
        "persons": "",
        "body": "破解执行难。",
        **fields,
    }
    return client.post(PAGE, data=form)


def _count(session, world) -> int:
    with tenant_scope(world.tenant_id("330106")):
        return session.scalar(sa.select(sa.func.count()).select_from(Document))


@pytest.fixture
def staff(client):
    login(client, "330106-staff")
    return client


def test_the_page_lists_documents_with_chinese_categories(staff, world):
    html = staff.get(PAGE).get_data(as_text=True)
    assert "数据集市" in html
    assert "司法系统工作动态" in html and "涉法涉诉信访" in html
    assert "330106 法院工作动态" in html
    assert "330105" not in html  # the sibling's documents are not here
    assert 'data-testid="add-form"' in html and 'data-testid="import-form"' in html


def test_filters_narrow_the_table(staff):
    html = staff.get(f"{PAGE}?category=petitions").get_data(as_text=True)
    assert "330106 张三信访件" in html and "330106 法院工作动态" not in html
    html = staff.get(f"{PAGE}?q=执行难").get_data(as_text=True)
    assert "330106 张三信访件" in html and "330106 法院工作动态" not in html
    html = staff.get(f"{PAGE}?date_from=2026-09-02").get_data(as_text=True)
    assert "330106 法院工作动态" in html and "330106 张三信访件" not in html


def test_a_bad_filter_is_reported_not_fatal(staff):
    response = staff.get(f"{PAGE}?date_from=昨天")
    assert response.status_code == 200
    assert "查询条件有误" in response.get_data(as_text=True)


def test_a_deputy_sees_masked_names_on_every_page(client, world):
    login(client, "330106-deputy")
    listing = client.get(f"{PAGE}?category=petitions").get_data(as_text=True)
    assert "张某信访件" in listing and "张三" not in listing
    page = client.get(f"{PAGE}/{world.documents[('330106', 'petitions')]}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "张某反映执行难问题" in html and "张三" not in html
    assert "当事人姓名已按规定脱敏" in html
    # No forms for a reader.
    assert 'data-testid="add-form"' not in client.get(PAGE).get_data(as_text=True)


def test_staff_see_the_names(staff, world):
    html = staff.get(f"{PAGE}/{world.documents[('330106', 'petitions')]}").get_data(as_text=True)
    assert "张三反映执行难问题" in html and "当事人姓名已按规定脱敏" not in html


def test_the_detail_links_the_attachment(staff, world):
    html = staff.get(f"{PAGE}/{world.documents[('330106', 'work_news')]}").get_data(as_text=True)
    link = f"/api/v1/t/330106/documents/{world.documents[('330106', 'work_news')]}/attachments/"
    assert link in html and "动态.txt" in html
    assert 'data-testid="attachment-form"' in html


def test_staff_add_a_document_through_the_form(staff, session, world):
    before = _count(session, world)
    response = _add(staff)
    assert response.status_code == 302
    assert re.search(r"/t/330106/datamart/\d+$", response.headers["Location"])
    assert _count(session, world) == before + 1
    html = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "西湖区法院集中执行" in html and "执行、专项" in html


def test_the_form_shows_field_errors_and_keeps_the_input(staff, session, world):
    before = _count(session, world)
    response = _add(staff, category="petitions", title="", persons="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-testid="error-title"' in html and 'data-testid="error-persons"' in html
    assert "涉法涉诉信访须在「当事人」列列明姓名" in html
    assert "破解执行难。" in html  # what was typed is still there
    assert _count(session, world) == before


def test_the_form_needs_the_csrf_token(staff):
    response = staff.post(PAGE, data={"category": "work_news", "title": "x", "date": "2026-01-01"})
    assert response.status_code == 400


def test_import_through_the_page(staff, session, world):
    before = _count(session, world)
    token = _token(staff.get(PAGE).get_data(as_text=True))
    data = {"csrf_token": token, "file": (io.BytesIO(workbook(*GOOD)), "docs.xlsx")}
    response = staff.post(f"{PAGE}/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert _count(session, world) == before + 3
    assert "已导入 3 条文档" in staff.get(PAGE).get_data(as_text=True)


def test_import_errors_are_shown_by_row(staff, session, world):
    before = _count(session, world)
    bad = ("其他", "标题", "2026-09-01", "", "", "", "", None)
    token = _token(staff.get(PAGE).get_data(as_text=True))
    data = {"csrf_token": token, "file": (io.BytesIO(workbook(*GOOD, bad)), "docs.xlsx")}
    response = staff.post(f"{PAGE}/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-testid="import-errors"' in html
    assert "<td>5</td><td>类别</td><td>bad_category</td>" in html
    assert "有数据行未通过校验,整批未导入" in html
    assert _count(session, world) == before


def test_import_of_a_non_workbook_is_explained(staff):
    token = _token(staff.get(PAGE).get_data(as_text=True))
    data = {"csrf_token": token, "file": (io.BytesIO(b"a,b\n1,2\n"), "docs.csv")}
    response = staff.post(f"{PAGE}/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 415
    assert "请上传 Excel 工作簿" in response.get_data(as_text=True)


def test_attachment_through_the_page(staff, world):
    document = world.documents[("330106", "petitions")]
    url = f"{PAGE}/{document}"
    token = _token(staff.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "file": (io.BytesIO(b"letter"), "张三来信.txt")}
    response = staff.post(f"{url}/attachments", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert "张三来信.txt" in staff.get(url).get_data(as_text=True)


def test_a_deputy_cannot_post_forms(client):
    login(client, "330106-deputy")
    token = _token(client.get(PAGE).get_data(as_text=True))
    assert client.post(PAGE, data={"csrf_token": token}).status_code == 403


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("330106-court", 403),
        ("330106-evaluator", 403),
        ("330105-staff", 404),
        ("330100-staff", 404),
    ],
)
def test_who_may_open_the_page(client, world, username, status):
    login(client, username)
    assert client.get(PAGE).status_code == status
    assert client.get(f"{PAGE}/{world.documents[('330106', 'work_news')]}").status_code == status


@pytest.mark.parametrize(
    ("username", "shown"),
    [
        ("330106-admin", True),
        ("330106-staff", True),
        ("330106-deputy", True),
        ("330106-viewer", True),
        ("330106-court", False),
        ("330106-evaluator", False),
    ],
)
def test_the_nav_link_is_for_congress_roles(client, username, shown):
    login(client, username)
    html = client.get("/t/330106/").get_data(as_text=True)
    assert ('data-testid="nav-datamart"' in html) is shown
    if shown:
        assert 'href="/t/330106/datamart"' in html
        assert html.index("指标体系") < html.index("数据集市")
