"""监督事项 pages: the list and its filters, the form opened from each kind of origin (with
the origin named, the form suggested and the organs it concerns ticked), the matter's page
with the moves the user's role may make and the form that issues an opinion, and the
"发起监督事项" links on the pages a matter starts from. Organs do not read matters; another
congress's matter is 404."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.matters.models import Matter
from tenants.scoping import tenant_scope
from tests.support.http import login

CODE = "330106"
BASE = f"/t/{CODE}"


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def _post(client, url: str, form: dict, page: str):
    return client.post(url, data={"csrf_token": _token(page), **form})


def _checked(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="(\d+)" checked', html)


def _selected(html: str, name: str) -> str | None:
    block = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)[1]
    found = re.search(r'<option value="([^"]*)" selected', block)
    return found[1] if found else None


def _input(html: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)[1]


# --- opening a matter from its origin -------------------------------------------------------


def test_from_the_focus_issue_enforcement(client, world):
    login(client, f"{CODE}-staff")
    focus = _page(client, f"{BASE}/focus-issues")
    link = f"{BASE}/matters/new?origin=focus_issue&amp;ref=enforcement"
    assert link in focus
    form = _page(client, link.replace("&amp;", "&"))
    assert _input(form, "title") == "关于执行难问题的询问"
    assert _selected(form, "origin_kind") == "focus_issue"
    assert _input(form, "origin_ref") == "enforcement"
    assert _input(form, "origin_title") == "执行难"
    assert _selected(form, "subject") == "standing_committee"
    assert _selected(form, "form") == "inquiry"
    # 执行难 is measured by court indicators: the court is ticked, no one else
    assert _checked(form, "targets") == [str(world.organ_id(CODE, "court"))]


def test_from_a_ticket_a_common_problem_a_task_and_a_document(client, world):
    login(client, f"{CODE}-staff")
    ticket = _page(client, f"{BASE}/tickets/{world.tickets[CODE]}")
    assert f"/matters/new?origin=ticket&amp;ref={world.tickets[CODE]}" in ticket
    form = _page(client, f"{BASE}/matters/new?origin=ticket&ref={world.tickets[CODE]}")
    assert "CT01" in _input(form, "origin_title") and "红色预警" in _input(form, "origin_title")
    assert _checked(form, "targets") == [str(world.organ_id(CODE, "court"))]

    task = _page(client, f"{BASE}/joint-tasks/{world.tasks[CODE]}")
    assert f"/matters/new?origin=joint_task&amp;ref={world.tasks[CODE]}" in task
    form = _page(client, f"{BASE}/matters/new?origin=joint_task&ref={world.tasks[CODE]}")
    assert _selected(form, "form") == "law_enforcement_inspection"
    assert _checked(form, "targets") == [str(world.organ_id(CODE, "court"))]  # CT01: courts

    document = world.documents[(CODE, "work_news")]
    form = _page(client, f"{BASE}/matters/new?origin=document&ref={document}")
    assert _input(form, "origin_title") == f"{CODE} 法院工作动态"

    login(client, "330100-staff")
    problems = _page(client, "/t/330100/common-problems")
    problem = world.problems["330100"]
    assert f"/matters/new?origin=common_problem&amp;ref={problem}" in problems
    form = _page(client, f"/t/330100/matters/new?origin=common_problem&ref={problem}")
    assert _input(form, "origin_title").startswith("CT01 ")
    assert _selected(form, "form") == "special_report"


def test_an_unknown_or_foreign_origin_is_refused_on_the_form(client, world):
    login(client, f"{CODE}-staff")
    foreign = world.tickets["330105"]
    form = _page(client, f"{BASE}/matters/new?origin=ticket&ref={foreign}")
    assert "来源不存在" in form and _selected(form, "origin_kind") == "none"


def test_opening_a_matter_from_the_form(client, world, session):
    login(client, f"{CODE}-staff")
    form = _page(client, f"{BASE}/matters/new?origin=focus_issue&ref=enforcement")
    court = world.organ_id(CODE, "court")
    fields = {
        "title": "关于执行难问题的专题询问",
        "subject": "standing_committee",
        "form": "inquiry",
        "origin_kind": "focus_issue",
        "origin_ref": "enforcement",
        "origin_title": "",
        "targets": [str(court)],
        "documents": [str(world.documents[(CODE, "work_news")])],
        "planned_start": "2026-12-01",
        "planned_end": "2027-01-31",
        "summary": "常委会专题询问执行难问题。",
    }
    # a form the subject does not use, and a plan that ends before it starts: refused
    wrong = _post(client, f"{BASE}/matters", {**fields, "subject": "deputies"}, form)
    assert wrong.status_code == 422 and "该监督主体不采用此监督形式" in wrong.get_data(as_text=True)
    late = _post(client, f"{BASE}/matters", {**fields, "planned_end": "2026-11-01"}, form)
    assert late.status_code == 422 and "计划结束日期早于开始日期" in late.get_data(as_text=True)

    done = _post(client, f"{BASE}/matters", fields, form)
    assert done.status_code == 302
    page = _page(client, done.headers["Location"])
    assert "已提出监督事项,待批准" in page
    assert 'data-testid="matter-status">已立项待批准<' in page
    assert "焦点问题" in page and 'href="/t/330106/focus-issues#topic-enforcement"' in page
    assert "2026-12-01 ~ 2027-01-31" in page and "法院工作动态" in page
    with tenant_scope(world.tenant_id(CODE)):
        matter = session.scalars(sa.select(Matter).order_by(Matter.id.desc())).first()
        assert (matter.origin_kind, matter.origin_ref, matter.origin_title) == (
            "focus_issue",
            "enforcement",
            "执行难",
        )
        assert [t.organ_id for t in matter.targets] == [court]


# --- the list ------------------------------------------------------------------------------


def test_the_list_filters_by_status_and_subject(client, world):
    login(client, f"{CODE}-deputy")
    listed = _page(client, f"{BASE}/matters")
    assert f'data-matter-id="{world.matters[CODE]}"' in listed
    assert f'data-matter-id="{world.matters["330105"]}"' not in listed  # another congress's
    assert 'data-testid="new-matter"' not in listed  # deputies do not open matters
    assert "已交办意见" in _page(client, f"{BASE}/matters?status=opinions_issued")
    for query in ("status=closed", "subject=deputies"):
        assert 'data-testid="matter-row"' not in _page(client, f"{BASE}/matters?{query}")
    assert 'data-testid="matter-row"' in _page(client, f"{BASE}/matters?subject=standing_committee")


# --- one matter: who sees which moves, and making them ---------------------------------------


def _actions(html: str) -> list[str]:
    return re.findall(r'data-testid="action-([a-z_]+)"', html)


def _open_one(client, world) -> str:
    """A new matter proposed by staff through the API; its page's URL."""
    from tests.support.http import post_json

    login(client, f"{CODE}-staff")
    response = post_json(
        client,
        f"/api/v1/t/{CODE}/matters",
        {
            "title": "执法检查",
            "subject": "standing_committee",
            "form": "law_enforcement_inspection",
            "targets": [world.organ_id(CODE, "court")],
        },
    )
    assert response.status_code == 201
    return f"{BASE}/matters/{response.get_json()['id']}"


def test_each_role_sees_the_moves_it_may_make(client, world):
    url = _open_one(client, world)
    assert _actions(_page(client, url)) == []  # staff may not approve
    login(client, f"{CODE}-admin")
    assert _actions(_page(client, url)) == ["approve", "cancel"]
    for who in ("deputy", "viewer"):
        login(client, f"{CODE}-{who}")
        page = _page(client, url)
        assert _actions(page) == [] and 'data-testid="issue-form"' not in page
    login(client, "330100-staff")  # an ancestor reads, but acts on nothing
    assert _actions(_page(client, url)) == []
    login(client, f"{CODE}-court")
    _page(client, url, 403)
    _page(client, f"{BASE}/matters", 403)


def test_moving_a_matter_and_issuing_an_opinion_from_its_page(client, world):
    url = _open_one(client, world)
    login(client, f"{CODE}-admin")
    page = _page(client, url)
    refused = _post(client, f"{url}/transitions", {"action": "cancel", "comment": ""}, page)
    assert refused.status_code == 302
    assert "“撤销”须填写意见或理由" in _page(client, url)
    _post(client, f"{url}/transitions", {"action": "approve", "comment": "主任会议同意"}, page)
    login(client, f"{CODE}-staff")
    page = _page(client, url)
    assert "已批准" in page and _actions(page) == ["start"]
    assert 'data-testid="issue-form"' not in page  # not before it is in progress
    _post(client, f"{url}/transitions", {"action": "start"}, page)
    page = _page(client, url)
    assert _actions(page) == [] and 'data-testid="issue-form"' in page
    # an opinion without text or problems is refused; then one to the court
    empty = {"organ_id": str(world.organ_id(CODE, "court")), "title": "审议意见", "text": ""}
    _post(client, f"{url}/opinions", empty, page)
    assert "请填写意见内容或问题清单" in _page(client, url)
    issued = {
        **empty,
        "kind": "problem_list",
        "problems": "执行到位率偏低\n长期未结执行案件多\n",
        "deadline_days": "15",
    }
    _post(client, f"{url}/opinions", issued, page)
    page = _page(client, url)
    assert "已向西湖区人民法院交办监督意见" in page
    assert 'data-testid="matter-status">已交办意见<' in page
    assert len(re.findall(r'data-testid="opinion-row"', page)) == 1
    assert re.findall(r'data-action="([a-z_]+)"', page) == [
        "propose",
        "approve",
        "start",
        "issue_opinions",
    ]
    # another organ than the matter's targets: refused
    other = {**issued, "organ_id": str(world.organ_id(CODE, "procuratorate"))}
    _post(client, f"{url}/opinions", other, page)
    assert "该机关不是此监督事项的监督对象" in _page(client, url)


def test_an_organ_cannot_approve_and_a_deputy_cannot_move_a_matter(client, world):
    url = _open_one(client, world)
    page = _page(client, url)
    for who in ("court", "deputy", "viewer"):
        login(client, f"{CODE}-{who}")
        token_page = _page(client, f"{BASE}/opinions")
        response = _post(client, f"{url}/transitions", {"action": "approve"}, token_page)
        assert response.status_code == 403, who
        response = _post(client, f"{url}/opinions", {"title": "x"}, token_page)
        assert response.status_code == 403, who
    login(client, f"{CODE}-staff")
    assert "已立项待批准" in _page(client, url) and page


def test_another_congress_s_matter_is_404(client, world):
    login(client, "330105-staff")
    other = f"/t/330105/matters/{world.matters[CODE]}"
    _page(client, other, 404)
    page = _page(client, "/t/330105/matters")
    for step in ("transitions", "opinions"):
        response = _post(client, f"{other}/{step}", {"action": "close"}, page)
        assert response.status_code == 404
    _page(client, f"{BASE}/matters/{world.matters[CODE]}", 404)  # not its congress at all


def test_the_pages_in_english(client, world):
    login(client, f"{CODE}-admin")
    page = _page(client, f"{BASE}/matters/{world.matters[CODE]}?lang=en")
    assert "the standing committee" in page and "inquiry" in page
    assert "opinions issued" in page and "Issue an opinion" in page
    assert "Open a supervision matter" in _page(client, f"{BASE}/matters")
