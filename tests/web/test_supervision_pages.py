"""体检化验单, the ticket inbox and list, one ticket's page with its answer and review
forms, the navigation's badges and the notifications page."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app import clock
from app.datamart.models import IndicatorValue
from app.indicators.dictionary import load_dictionary
from app.notifications.models import Notification
from app.ratings import rules
from app.ratings.models import Judgement, Rating, inputs_of
from app.tickets import service as tickets
from app.tickets.models import Ticket
from app.tickets.states import OPEN_STATUSES, STATUS_LABELS
from tenants.scoping import system_scope
from tests.support.http import login

DISTRICT = "330106"
DICTIONARY = load_dictionary()


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def _spec(code: str):
    return DICTIONARY.by_code(code), DICTIONARY.version


def _rate(session, world, code, period, value, *, peers=(), kind="court", add_value=True):
    """A current value (unless the world has it) and its rating, computed by the real rules."""
    tid, organ = world.tenant_id(DISTRICT), world.organ_id(DISTRICT, kind)
    spec, version = _spec(code)
    result = rules.rate(spec, value, [*peers, value], [value])
    with system_scope():
        if add_value:
            session.add(
                IndicatorValue(
                    tenant_id=tid,
                    organ_id=organ,
                    indicator_code=code,
                    period=period,
                    value=value,
                    submitted_by="test",
                )
            )
        session.add(
            Rating(
                tenant_id=tid,
                organ_id=organ,
                indicator_code=code,
                period=period,
                value=value,
                colour=result.colour,
                **inputs_of(result, value, rules.peer_stats([*peers, value]), (None,) * 3),
                dictionary_version=version,
            )
        )
        session.flush()
    return result


def _open_ticket(session, world, code, period, colour, *, kind="court") -> int:
    """A rating row for the key, then a ticket opened the way the rating job opens one."""
    tid, organ = world.tenant_id(DISTRICT), world.organ_id(DISTRICT, kind)
    _spec_row, version = _spec(code)
    with system_scope():
        session.add(
            Rating(
                tenant_id=tid,
                organ_id=organ,
                indicator_code=code,
                period=period,
                value=1.0,
                colour=colour,
                dictionary_version=version,
            )
        )
        session.flush()
        opened, _ = tickets.sync(session, [(tid, organ, code, period, colour)])
        assert opened == 1
        ticket_id = session.scalar(
            sa.select(Ticket.id).where(
                Ticket.organ_id == organ, Ticket.indicator_code == code, Ticket.period == period
            )
        )
    session.commit()
    return ticket_id


def _update(session, ticket_id: int, **values) -> None:
    with system_scope():
        session.execute(sa.update(Ticket).where(Ticket.id == ticket_id).values(**values))
    session.commit()


def _section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


def _ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-ticket-id="(\d+)"', html)}


def _row(html: str, code: str) -> str:
    start = html.index(f'data-code="{code}"')
    return html[start : html.index("</tr>", start)]


def _lab_sheet(client, world, period=None, kind="court", lang=None):
    organ = world.organ_id(DISTRICT, kind)
    query = "&".join(f"{k}={v}" for k, v in (("period", period), ("lang", lang)) if v)
    return client.get(f"/t/{DISTRICT}/organs/{organ}/lab-sheet?{query}")


# --- 体检化验单 ------------------------------------------------------------------------------
def test_lab_sheet_shows_values_colours_and_the_reasons(client, session, world):
    red = _rate(session, world, "CT02", "2026-09", 90.0)
    # CT01 2026-09 is 95 in the world: inside its band, but far below its peers.
    peer = _rate(
        session,
        world,
        "CT01",
        "2026-09",
        95.0,
        peers=(99.0, 99.1, 99.3, 99.5, 99.6),
        add_value=False,
    )
    with system_scope():
        session.add(
            Judgement(
                tenant_id=world.tenant_id(DISTRICT),
                organ_id=world.organ_id(DISTRICT, "court"),
                period="2026-09",
                verdict="warning",
                reds=2,
            )
        )
        session.flush()
    session.commit()
    assert red.colour == "red" and peer.colour == "red"

    login(client, f"{DISTRICT}-staff")
    page = _lab_sheet(client, world, "2026-09")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "体检化验单" in html and "西湖区人民法院" in html
    assert 'data-testid="verdict">预警<' in html
    head = _section(html, "lab-sheet").split("</thead>")[0]
    for column in ("指标", "数值", "参考范围", "较上期", "较去年同期", "颜色", "原因"):
        assert f">{column}</th>" in head
    ct02 = _row(html, "CT02")
    assert '<tr class="row-red" data-testid="lab-row" data-code="CT02"' in html
    assert "90<span" in ct02 and "%" in ct02 and "红</span>" in ct02
    assert "低于红色界限 95%" in ct02  # why: the band
    ct01 = _row(html, "CT01")
    assert "同级中位数" in ct01 and "MAD" in ct01  # why: the peers
    assert "绿 ≥ 95%" in ct01  # the reference range
    # Every monthly court indicator is listed; the unrated ones carry no colour.
    assert html.count('data-testid="lab-row"') > 5
    assert '<option value="2026-09" selected>' in html


def test_lab_sheet_arrows_against_the_previous_period(client, world):
    login(client, f"{DISTRICT}-staff")
    html = _lab_sheet(client, world, "2026-10").get_data(as_text=True)
    ct01 = _row(html, "CT01")
    assert "80<span" in ct01
    assert 'class="arrow arrow-down">↓</span> <span class="muted">95</span>' in ct01


def test_lab_sheet_in_english_gives_the_english_reason(client, session, world):
    _rate(session, world, "CT02", "2026-09", 90.0)
    session.commit()
    login(client, f"{DISTRICT}-staff")
    html = _lab_sheet(client, world, "2026-09", lang="en").get_data(as_text=True)
    assert "below the red bound 95%" in _row(html, "CT02")


def test_lab_sheet_refuses_a_malformed_period(client, world):
    login(client, f"{DISTRICT}-staff")
    assert _lab_sheet(client, world, "2026-13").status_code == 404


def test_home_links_each_organ_to_its_lab_sheet(client, world):
    login(client, f"{DISTRICT}-deputy")
    html = client.get(f"/t/{DISTRICT}/").get_data(as_text=True)
    for kind in ("court", "procuratorate", "public_security", "justice_bureau"):
        assert f"/t/{DISTRICT}/organs/{world.organ_id(DISTRICT, kind)}/lab-sheet" in html
    login(client, f"{DISTRICT}-court")
    html = client.get(f"/t/{DISTRICT}/").get_data(as_text=True)
    assert html.count('data-testid="lab-sheet-link"') == 1


def test_ancestor_congress_reads_the_lab_sheet(client, world):
    login(client, "330100-staff")
    assert _lab_sheet(client, world, "2026-10").status_code == 200


# --- an organ sees its own organ only -----------------------------------------------------
def test_organ_user_sees_only_its_own_organ(client, session, world):
    theirs = _open_ticket(session, world, "PR01", "2026-09", "red", kind="procuratorate")
    login(client, f"{DISTRICT}-court")
    assert _lab_sheet(client, world, "2026-10").status_code == 200
    assert _lab_sheet(client, world, "2026-10", kind="procuratorate").status_code == 404
    assert client.get(f"/t/{DISTRICT}/tickets/{theirs}").status_code == 404
    inbox = client.get(f"/t/{DISTRICT}/tickets").get_data(as_text=True)
    assert theirs not in _ids(inbox) and world.tickets[DISTRICT] in _ids(inbox)
    token = _token(client.get(f"/t/{DISTRICT}/tickets/{world.tickets[DISTRICT]}").get_data(True))
    answer = client.post(
        f"/t/{DISTRICT}/tickets/{theirs}/answer", data={"csrf_token": token, "text": "越权"}
    )
    assert answer.status_code == 404
    assert client.get(f"/t/{DISTRICT}/tickets/{theirs}").status_code == 404


# --- the inbox ----------------------------------------------------------------------------
def test_organ_inbox_groups_tickets_by_urgency(client, session, world):
    today = clock.now().astimezone(clock.BEIJING).date()
    overdue = _open_ticket(session, world, "CT02", "2026-09", "red")
    soon = _open_ticket(session, world, "CT03", "2026-09", "yellow")
    later = _open_ticket(session, world, "CT04", "2026-09", "yellow")
    done = _open_ticket(session, world, "CT05", "2026-09", "yellow")
    _update(session, overdue, deadline=today - timedelta(days=3))
    _update(session, soon, deadline=today)
    _update(session, later, deadline=today + timedelta(days=40))
    _update(session, done, status="accepted", closed_at=clock.now())

    login(client, f"{DISTRICT}-court")
    html = client.get(f"/t/{DISTRICT}/tickets").get_data(as_text=True)
    assert "待办工单" in html
    assert overdue in _ids(_section(html, "group-overdue"))
    assert "已逾期" in _section(html, "group-overdue")
    assert soon in _ids(_section(html, "group-due_soon"))
    assert later in _ids(_section(html, "group-pending"))
    assert done in _ids(_section(html, "group-closed"))
    assert done not in _ids(_section(html, "group-pending"))
    row = _section(html, "group-overdue")
    assert "CT02" in row and "2026-09" in row and "红" in row and STATUS_LABELS["open"][0] in row
    assert (today - timedelta(days=3)).isoformat() in row


def test_escalated_tickets_are_marked(client, session, world):
    ticket = _open_ticket(session, world, "CT02", "2026-09", "red")
    _update(session, ticket, escalated_at=clock.now())
    login(client, f"{DISTRICT}-court")
    html = client.get(f"/t/{DISTRICT}/tickets").get_data(as_text=True)
    assert 'data-testid="escalated"' in html and "已升级督办" in html


def test_congress_sees_every_ticket_and_filters(client, session, world):
    red = _open_ticket(session, world, "PR01", "2026-09", "red", kind="procuratorate")
    yellow = _open_ticket(session, world, "CT03", "2026-09", "yellow")
    login(client, f"{DISTRICT}-staff")
    html = client.get(f"/t/{DISTRICT}/tickets").get_data(as_text=True)
    assert {red, yellow, world.tickets[DISTRICT]} <= _ids(html)
    assert "西湖区人民检察院" in html and "西湖区人民法院" in html
    only_yellow = client.get(f"/t/{DISTRICT}/tickets?colour=yellow").get_data(as_text=True)
    assert _ids(only_yellow) == {yellow}
    organ = world.organ_id(DISTRICT, "procuratorate")
    by_organ = client.get(f"/t/{DISTRICT}/tickets?organ={organ}&period=2026-09")
    assert _ids(by_organ.get_data(as_text=True)) == {red}
    _update(session, red, status="accepted", closed_at=clock.now())
    still_open = client.get(f"/t/{DISTRICT}/tickets?status=open").get_data(as_text=True)
    assert red not in _ids(still_open) and yellow in _ids(still_open)
    accepted = client.get(f"/t/{DISTRICT}/tickets?status=accepted").get_data(as_text=True)
    assert _ids(accepted) == {red}


def test_ancestor_reads_tickets_but_may_not_review(client, world):
    ticket = world.tickets[DISTRICT]
    login(client, "330100-staff")
    assert ticket in _ids(client.get(f"/t/{DISTRICT}/tickets").get_data(as_text=True))
    page = client.get(f"/t/{DISTRICT}/tickets/{ticket}").get_data(as_text=True)
    assert "accept-form" not in page and "answer-form" not in page
    review = client.post(
        f"/t/{DISTRICT}/tickets/{ticket}/review",
        data={"csrf_token": _token(page), "decision": "accept"},
    )
    assert review.status_code == 404


# --- answering and reviewing --------------------------------------------------------------
def _page(client, ticket_id: int) -> str:
    response = client.get(f"/t/{DISTRICT}/tickets/{ticket_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _post(client, ticket_id: int, action: str, **data):
    token = _token(_page(client, ticket_id))
    return client.post(
        f"/t/{DISTRICT}/tickets/{ticket_id}/{action}",
        data={"csrf_token": token, **data},
        follow_redirects=True,
    )


def test_the_organ_answers_and_the_history_shows_it(client, session, world):
    ticket = _open_ticket(session, world, "CT02", "2026-09", "red")
    login(client, f"{DISTRICT}-court")
    page = _page(client, ticket)
    assert 'data-testid="answer-form"' in page
    reason = rules.rate(DICTIONARY.by_code("CT02"), 1.0).reason_zh
    assert "低于红色界限" in reason and reason in page  # the reason, as the rating gives it
    assert "accept-form" not in page

    answer = "已组织专项清理积案,下月审限内结案率可恢复至 98% 以上。"
    response = client.post(
        f"/t/{DISTRICT}/tickets/{ticket}/answer",
        data={"csrf_token": _token(page), "text": answer},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/t/{DISTRICT}/tickets/{ticket}")
    page = _page(client, ticket)
    assert "反馈说明已提交" in page
    history = _section(page, "ticket-history")
    assert answer in history and f"{DISTRICT}-court" in history
    assert f"{STATUS_LABELS['open'][0]} → {STATUS_LABELS['answered'][0]}" in history
    assert history.count('data-testid="ticket-event"') == 2  # opened, answered
    assert f'data-testid="ticket-status">{STATUS_LABELS["answered"][0]}<' in page
    assert 'data-testid="answer-form"' not in page


def test_an_empty_or_repeated_answer_is_refused_with_a_message(client, session, world):
    ticket = _open_ticket(session, world, "CT02", "2026-09", "red")
    login(client, f"{DISTRICT}-court")
    empty = _post(client, ticket, "answer", text="   ")
    assert empty.status_code == 200 and "请填写反馈说明" in empty.get_data(as_text=True)
    assert _post(client, ticket, "answer", text="第一次说明").status_code == 200
    again = _post(client, ticket, "answer", text="第二次说明")
    html = again.get_data(as_text=True)
    assert again.status_code == 200
    assert "工单当前状态为" in html and "第二次说明" not in html


def test_staff_return_with_a_comment_then_accept(client, session, world):
    ticket = _open_ticket(session, world, "CT02", "2026-09", "red")
    login(client, f"{DISTRICT}-court")
    _post(client, ticket, "answer", text="初次说明")

    login(client, f"{DISTRICT}-staff")
    page = _page(client, ticket)
    assert 'data-testid="accept-form"' in page and 'data-testid="return-form"' in page
    assert "answer-form" not in page
    blank = _post(client, ticket, "review", decision="return", comment="")
    assert "退回时须填写退回意见" in blank.get_data(as_text=True)
    returned = _post(client, ticket, "review", decision="return", comment="请补充整改时间表")
    html = returned.get_data(as_text=True)
    assert "请补充整改时间表" in _section(html, "ticket-history")
    assert f'data-testid="ticket-status">{STATUS_LABELS["returned"][0]}<' in html
    assert "accept-form" not in html  # nothing to review until the organ answers again

    login(client, f"{DISTRICT}-court")
    page = _page(client, ticket)
    assert 'data-testid="answer-form"' in page  # a returned ticket can be answered again
    _post(client, ticket, "answer", text="补充:12 月底前完成")

    login(client, f"{DISTRICT}-staff")
    accepted = _post(client, ticket, "review", decision="accept").get_data(as_text=True)
    assert f'data-testid="ticket-status">{STATUS_LABELS["accepted"][0]}<' in accepted
    assert _section(accepted, "ticket-history").count('data-testid="ticket-event"') == 5
    with system_scope():
        closed = session.get(Ticket, ticket, populate_existing=True)
        assert closed.status == "accepted" and closed.closed_at is not None


def test_a_bad_decision_is_a_message_not_an_error(client, session, world):
    ticket = _open_ticket(session, world, "CT02", "2026-09", "red")
    login(client, f"{DISTRICT}-staff")
    response = _post(client, ticket, "review", decision="approve")
    assert response.status_code == 200 and "请选择认可或退回" in response.get_data(as_text=True)
    early = _post(client, ticket, "review", decision="accept")  # not answered yet
    assert early.status_code == 200 and "不能" in early.get_data(as_text=True)


def test_deputies_and_viewers_read_without_forms(client, session, world):
    ticket = _open_ticket(session, world, "CT02", "2026-09", "red")
    login(client, f"{DISTRICT}-court")
    _post(client, ticket, "answer", text="说明")
    for role in ("deputy", "viewer"):
        login(client, f"{DISTRICT}-{role}")
        page = _page(client, ticket)
        assert "说明" in _section(page, "ticket-history")
        # the only form a deputy has on a ticket is raising an opinion about it (issue 7)
        forms = re.findall(r'<form method="post" action="(/t/[^"]+)"', page)
        assert forms == ([f"/t/{DISTRICT}/deputy-opinions"] if role == "deputy" else [])
        for form in ("answer-form", "accept-form", "return-form"):
            assert form not in page
        refused = client.post(
            f"/t/{DISTRICT}/tickets/{ticket}/review",
            data={"csrf_token": _token(page), "decision": "accept"},
        )
        assert refused.status_code == 403


# --- navigation and notifications ---------------------------------------------------------
def _open_count(session, world) -> int:
    with system_scope():
        return session.scalar(
            sa.select(sa.func.count(Ticket.id)).where(
                Ticket.organ_id == world.organ_id(DISTRICT, "court"),
                Ticket.status.in_(OPEN_STATUSES),
            )
        )


def _badge(html: str, testid: str) -> int | None:
    found = re.search(rf'data-testid="{testid}">(\d+)<', html)
    return int(found[1]) if found else None


def test_the_navigation_counts_the_organs_open_tickets(client, session, world):
    _open_ticket(session, world, "CT02", "2026-09", "red")
    done = _open_ticket(session, world, "CT03", "2026-09", "yellow")
    _update(session, done, status="accepted", closed_at=clock.now())
    _open_ticket(session, world, "PR01", "2026-09", "red", kind="procuratorate")
    login(client, f"{DISTRICT}-court")
    html = client.get(f"/t/{DISTRICT}/").get_data(as_text=True)
    assert _badge(html, "open-count") == _open_count(session, world) == 2
    assert "待办工单" in html and f'href="/t/{DISTRICT}/tickets"' in html
    # The badge follows the user to pages outside the tenant.
    assert _badge(client.get("/indicators").get_data(as_text=True), "open-count") == 2

    login(client, f"{DISTRICT}-staff")
    html = client.get(f"/t/{DISTRICT}/").get_data(as_text=True)
    assert _badge(html, "open-count") is None
    assert ">工单<" in html and f'href="/t/{DISTRICT}/tickets"' in html


def _unread(session, world) -> int:
    with system_scope():
        return session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.user_id == world.users[f"{DISTRICT}-court"],
                Notification.read_at.is_(None),
            )
        )


def test_notifications_are_counted_listed_and_read(client, session, world):
    before = _unread(session, world)
    ticket = _open_ticket(session, world, "CT02", "2026-09", "red")  # tells the court
    assert _unread(session, world) == before + 1
    login(client, f"{DISTRICT}-court")
    html = client.get(f"/t/{DISTRICT}/").get_data(as_text=True)
    assert _badge(html, "unread-count") == before + 1
    page = client.get("/notifications").get_data(as_text=True)
    assert "CT02 2026-09" in page and "红色预警" in page
    assert f'href="/t/{DISTRICT}/tickets/{ticket}"' in page
    html = client.get(f"/t/{DISTRICT}/").get_data(as_text=True)
    assert _badge(html, "unread-count") is None  # seen, so read
    assert _unread(session, world) == 0


def test_notifications_need_a_login(client):
    response = client.get("/notifications")
    assert response.status_code in (302, 401)
