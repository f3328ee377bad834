"""工作日历 and an organ's list of what it owes: the windows, the tickets', opinions' and
matters' sources (what waits on whom, by which date), the pages and the API — and who sees
what: an organ user its own organ only (another organ's list is 404), another congress
nothing (404), an ancestor reads."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from app import clock
from app.matters.models import Matter, Opinion
from app.tickets.models import Ticket
from app.workload import DueItem
from app.workload.calendar import calendar_window, group, month_of, week_of
from app.workload.sources import matters_due, opinions_due, tickets_due
from tenants.scoping import tenant_scope
from tests.support.http import login

CODE = "330106"
TODAY = date(2026, 12, 9)  # a Wednesday
NOW = datetime(2026, 12, 9, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
OWN_KINDS = {"ticket", "opinion", "matter"}


# --- the windows ------------------------------------------------------------------------------


def test_week_month_and_window():
    assert week_of(TODAY) == (date(2026, 12, 7), date(2026, 12, 13))
    assert month_of(TODAY) == (date(2026, 12, 1), date(2026, 12, 31))
    assert calendar_window(TODAY) == (date(2026, 12, 1), date(2026, 12, 31))
    # a week across the turn of the month widens the window both ways
    assert calendar_window(date(2026, 12, 30)) == (date(2026, 12, 1), date(2027, 1, 3))
    assert calendar_window(date(2027, 2, 1)) == (date(2027, 2, 1), date(2027, 2, 28))


def _item(due: date, overdue: bool = False, id: int = 1) -> DueItem:
    return DueItem("ticket", ("反馈工单", "ticket"), id, "t", 1, "法院", "open", due, "/", overdue)


def test_each_item_falls_in_one_group():
    items = [
        _item(date(2026, 12, 8), overdue=True, id=1),
        _item(date(2026, 12, 9), id=2),
        _item(date(2026, 12, 13), id=3),
        _item(date(2026, 12, 14), id=4),
        _item(date(2026, 12, 31), id=5),
        _item(date(2027, 1, 1), id=6),
    ]
    found = {k: [i.id for i in v] for k, v in group(items, TODAY).items()}
    assert found == {"overdue": [1], "this_week": [2, 3], "this_month": [4, 5], "later": [6]}


# --- the sources --------------------------------------------------------------------------------


@pytest.fixture
def dated(session, world):
    """The district's ticket overdue, its opinion due this week, its matter due this month,
    a second opinion due next year, a matter closed — all as of ``TODAY``."""
    tid = world.tenant_id(CODE)
    with tenant_scope(tid):
        ticket = session.get(Ticket, world.tickets[CODE])
        ticket.deadline = date(2026, 12, 3)
        opinion = session.get(Opinion, world.opinions[CODE])
        opinion.deadline = date(2026, 12, 11)
        matter = session.get(Matter, world.matters[CODE])
        matter.planned_end = date(2026, 12, 20)
        later = Opinion(
            organ_id=world.organ_id(CODE, "court"),
            title="明年到期的审议意见",
            issued_by="staff",
            first_deadline=date(2027, 3, 1),
            deadline=date(2027, 3, 1),
        )
        closed = Matter(
            title="已办结的事项",
            subject="standing_committee",
            form="inquiry",
            status="closed",
            planned_end=date(2026, 12, 10),
            created_by="staff",
        )
        session.add_all([later, closed])
        session.commit()
    return {"ticket": ticket.id, "opinion": opinion.id, "matter": matter.id, "later": later.id}


def _ids(items) -> list[tuple[str, int, bool]]:
    return [(i.kind, i.id, i.overdue) for i in items if i.kind in OWN_KINDS]


def test_the_sources_in_the_window(session, world, dated):
    tid, court = world.tenant_id(CODE), world.organ_id(CODE, "court")
    window = {"start": date(2026, 12, 1), "end": date(2026, 12, 31)}
    with tenant_scope(tid), clock.frozen_at(NOW):
        assert _ids(tickets_due(session, tid, **window)) == [("ticket", dated["ticket"], True)]
        assert _ids(opinions_due(session, tid, **window)) == [("opinion", dated["opinion"], False)]
        assert _ids(matters_due(session, tid, **window)) == [("matter", dated["matter"], False)]
        # an overdue item shows whatever the start; nothing after the end
        late = {"start": date(2026, 12, 10), "end": date(2026, 12, 10)}
        assert _ids(tickets_due(session, tid, **late)) == [("ticket", dated["ticket"], True)]
        assert opinions_due(session, tid, **late) == matters_due(session, tid, **late) == []
        # an organ owes no matter; the procuratorate owes none of the court's items
        assert matters_due(session, tid, organ_id=court, **window) == []
        other = world.organ_id(CODE, "procuratorate")
        assert tickets_due(session, tid, organ_id=other, **window) == []
        assert opinions_due(session, tid, organ_id=other, **window) == []
        (item,) = opinions_due(session, tid, organ_id=court, **window)
        assert item.url == f"/t/{CODE}/opinions/{dated['opinion']}"
        assert (item.organ_name, item.status, item.due) == (
            "西湖区人民法院",
            "issued",
            date(2026, 12, 11),
        )


def test_what_waits_on_the_congress_is_not_due(session, world, dated):
    """An answered ticket and an opinion whose result awaits evaluation wait on staff."""
    tid = world.tenant_id(CODE)
    window = {"start": date(2026, 12, 1), "end": date(2026, 12, 31)}
    with tenant_scope(tid):
        session.get(Ticket, dated["ticket"]).status = "answered"
        session.get(Opinion, dated["opinion"]).status = "result_submitted"
        session.flush()
        with clock.frozen_at(NOW):
            assert tickets_due(session, tid, **window) == []
            assert opinions_due(session, tid, **window) == []


# --- the pages ----------------------------------------------------------------------------------


def _listed(html: str) -> set[tuple[str, int]]:
    return {
        (kind, int(i))
        for kind, i in re.findall(r'data-kind="([a-z_]+)" data-id="(\d+)"', html)
        if kind in OWN_KINDS
    }


def _section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_the_calendar_page_for_staff_and_deputies(client, world, dated):
    for who in ("staff", "deputy"):
        login(client, f"{CODE}-{who}")
        with clock.frozen_at(NOW):
            page = client.get(f"/t/{CODE}/calendar").get_data(as_text=True)
        assert _listed(_section(page, "calendar-overdue")) == {("ticket", dated["ticket"])}
        assert _listed(_section(page, "calendar-this_week")) == {("opinion", dated["opinion"])}
        assert _listed(_section(page, "calendar-this_month")) == {("matter", dated["matter"])}
        assert ("opinion", dated["later"]) not in _listed(page)  # beyond this month
        assert "已逾期" in page and "2026-12-07" in page and "监督事项" in page


def test_an_organ_sees_its_own_calendar_and_list(client, world, dated):
    court, procuratorate = world.organ_id(CODE, "court"), world.organ_id(CODE, "procuratorate")
    login(client, f"{CODE}-court")
    with clock.frozen_at(NOW):
        calendar = client.get(f"/t/{CODE}/calendar").get_data(as_text=True)
        owed = client.get(f"/t/{CODE}/organs/{court}/owed")
        foreign = client.get(f"/t/{CODE}/organs/{procuratorate}/owed")
    assert _listed(calendar) == {("ticket", dated["ticket"]), ("opinion", dated["opinion"])}
    assert owed.status_code == 200 and foreign.status_code == 404
    html = owed.get_data(as_text=True)
    assert _listed(_section(html, "owed-overdue")) == {("ticket", dated["ticket"])}
    assert _listed(_section(html, "owed-this_week")) == {("opinion", dated["opinion"])}
    assert _listed(_section(html, "owed-later")) == {("opinion", dated["later"])}
    # the total counts every kind (key concerns, deputies' opinions... register their own)
    every = re.findall(r'data-testid="due-item" data-kind="[a-z_]+"', html)
    assert f"西湖区人民法院 尚欠人大 {len(every)} 件待办事项" in html and len(every) >= 3

    login(client, f"{CODE}-procuratorate")
    with clock.frozen_at(NOW):
        assert _listed(client.get(f"/t/{CODE}/calendar").get_data(as_text=True)) == set()
        assert client.get(f"/t/{CODE}/organs/{court}/owed").status_code == 404


def test_who_reads_an_organ_s_list(client, world, dated):
    court = world.organ_id(CODE, "court")
    for user, status in (
        (f"{CODE}-staff", 200),
        (f"{CODE}-viewer", 200),
        ("330100-staff", 200),  # the parent congress reads
        (f"{CODE}-evaluator", 403),
        ("330105-staff", 404),  # a sibling congress
        ("330200-admin", 404),
    ):
        login(client, user)
        assert client.get(f"/t/{CODE}/organs/{court}/owed").status_code == status, user
    login(client, "330105-staff")  # its own tenant, another tenant's organ
    assert client.get(f"/t/330105/organs/{court}/owed").status_code == 404
    assert client.get(f"/api/v1/t/330105/organs/{court}/owed").status_code == 404


# --- the API --------------------------------------------------------------------------------


def test_the_calendar_api(client, world, dated):
    login(client, f"{CODE}-staff")
    api = f"/api/v1/t/{CODE}/calendar"
    with clock.frozen_at(NOW):
        body = client.get(api).get_json()
        narrow = client.get(f"{api}?start=2026-12-10&end=2026-12-12").get_json()
        wide = client.get(f"{api}?start=2026-12-01&end=2027-03-31").get_json()
        refused = [
            client.get(f"{api}?{q}")
            for q in (
                "start=2026-12-10&end=2026-12-01",
                "start=not-a-date",
                "start=2026-01-01&end=2027-12-31",
            )
        ]
    assert (body["today"], body["start"], body["end"]) == ("2026-12-09", "2026-12-01", "2026-12-31")
    own = [i for i in body["items"] if i["kind"] in OWN_KINDS]
    assert [(i["kind"], i["id"], i["overdue"]) for i in own] == [
        ("ticket", dated["ticket"], True),
        ("opinion", dated["opinion"], False),
        ("matter", dated["matter"], False),
    ]
    assert own[1]["kind_zh"] == "监督意见" and own[1]["status_zh"] == "已交办"
    assert own[1]["due"] == "2026-12-11" and own[1]["organ_name"] == "西湖区人民法院"
    assert [(i["kind"], i["id"]) for i in narrow["items"] if i["kind"] in OWN_KINDS] == [
        ("ticket", dated["ticket"]),
        ("opinion", dated["opinion"]),
    ]
    assert ("opinion", dated["later"]) in {(i["kind"], i["id"]) for i in wide["items"]}
    assert [r.status_code for r in refused] == [422, 422, 422]


def test_the_api_for_an_organ(client, world, dated):
    court = world.organ_id(CODE, "court")
    login(client, f"{CODE}-procuratorate")
    with clock.frozen_at(NOW):
        mine = client.get(f"/api/v1/t/{CODE}/calendar").get_json()["items"]
        other = client.get(f"/api/v1/t/{CODE}/organs/{court}/owed")
    assert [i for i in mine if i["kind"] in OWN_KINDS] == [] and other.status_code == 404
    login(client, f"{CODE}-court")
    with clock.frozen_at(NOW):
        owed = client.get(f"/api/v1/t/{CODE}/organs/{court}/owed").get_json()
    assert owed["organ"]["id"] == court
    assert [(i["kind"], i["id"]) for i in owed["items"] if i["kind"] in OWN_KINDS] == [
        ("ticket", dated["ticket"]),
        ("opinion", dated["opinion"]),
        ("opinion", dated["later"]),
    ]
    login(client, "330105-court")  # another congress's court
    assert client.get(f"/api/v1/t/{CODE}/calendar").status_code == 404
    assert client.get(f"/api/v1/t/{CODE}/organs/{court}/owed").status_code == 404
