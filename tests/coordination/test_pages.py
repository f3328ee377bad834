"""The coordination pages: the 提意见 component on the dashboard, a ticket and a lab sheet
(for deputies only), the organ's inbox sections, the forms' round trips, another organ's
items answering 404, and English."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.coordination.models import DeputyOpinion, PublicComment
from app.matters.models import Matter
from tenants.scoping import system_scope
from tests.coordination.conftest import CODE

PAGES = f"/t/{CODE}"


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_raise_component_is_on_the_deputy_pages(caller, world):
    deputy = caller.as_(f"{CODE}-deputy")
    dashboard = _html(deputy.get(f"{PAGES}/dashboard"))
    assert dashboard.count('data-testid="raise-opinion"') == dashboard.count('data-testid="chart"')
    assert 'data-chart="colours"' in dashboard and "提意见" in dashboard
    ticket = _html(deputy.get(f"{PAGES}/tickets/{world.tickets[CODE]}"))
    assert f'name="ticket_id" value="{world.tickets[CODE]}"' in ticket
    court = world.organ_id(CODE, "court")
    sheet = _html(deputy.get(f"{PAGES}/organs/{court}/lab-sheet"))
    assert 'name="page_kind" value="lab_sheet"' in sheet
    assert f'name="organ_id" value="{court}"' in sheet


def test_staff_get_a_flag_link_not_the_component(caller, world):
    staff = caller.as_(f"{CODE}-staff")
    court = world.organ_id(CODE, "court")
    sheet = _html(staff.get(f"{PAGES}/organs/{court}/lab-sheet"))
    assert 'data-testid="raise-opinion"' not in sheet
    assert 'data-testid="flag-concern-link"' in sheet
    dashboard = _html(staff.get(f"{PAGES}/dashboard"))
    assert 'data-testid="raise-opinion"' not in dashboard
    flag_page = _html(staff.get(f"{PAGES}/concerns?organ={court}&indicator=CT01&kind=indicator"))
    assert re.search(rf'<option value="{court}"\s+selected', flag_page)


def test_raising_from_the_dashboard_goes_back_there(caller, world, session):
    deputy = caller.as_(f"{CODE}-deputy")
    response = deputy.form(
        "deputy-opinions",
        {
            "page_kind": "dashboard",
            "page_path": f"{PAGES}/dashboard",
            "chart_name": "colours",
            "kind": "suggestion",
            "text": "建议关注红色指标集中的机关。",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    with system_scope():
        raised = session.scalars(
            sa.select(DeputyOpinion).where(DeputyOpinion.text == "建议关注红色指标集中的机关。")
        ).one()
    assert raised.kind == "suggestion" and raised.chart_name == "colours"
    mine = _html(deputy.get(f"{PAGES}/deputy-opinions"))
    assert "建议关注红色指标集中的机关" in mine and "待交办" in mine
    # a page elsewhere is not a place to go back to
    away = deputy.form("deputy-opinions", {"page_path": "https://evil.example/", "text": "意见"})
    assert away.headers["Location"].endswith(f"{PAGES}/deputy-opinions")


def test_the_court_inbox_lists_what_it_owes(caller, world):
    inbox = _html(caller.as_(f"{CODE}-court").get(f"{PAGES}/tickets"))
    assert 'data-testid="inbox-concerns"' in inbox
    assert f"/concerns/{world.concerns[CODE]}" in inbox
    assert f"/deputy-opinions/{world.deputy_opinions[CODE]}" in inbox
    assert f"/recommendations/{world.recommendations[CODE]}" in inbox
    other = _html(caller.as_(f"{CODE}-procuratorate").get(f"{PAGES}/tickets"))
    assert f"/concerns/{world.concerns[CODE]}" not in other
    assert f"/deputy-opinions/{world.deputy_opinions[CODE]}" not in other


def test_another_organ_gets_404_on_the_pages(caller, world):
    other = caller.as_(f"{CODE}-procuratorate")
    for path in (
        f"concerns/{world.concerns[CODE]}",
        f"deputy-opinions/{world.deputy_opinions[CODE]}",
    ):
        assert other.get(f"{PAGES}/{path}").status_code == 404
    assert (
        other.form(
            f"deputy-opinions/{world.deputy_opinions[CODE]}/answer", {"text": "越权"}
        ).status_code
        == 404
    )
    assert (
        other.form(f"concerns/{world.concerns[CODE]}/respond", {"text": "越权"}).status_code == 404
    )


def test_forms_round_trip(caller, world):
    court = caller.as_(f"{CODE}-court")
    concern = world.concerns[CODE]
    done = court.form(f"concerns/{concern}/respond", {"text": "已书面说明原因。"})
    assert done.status_code == 302
    page = _html(caller.as_(f"{CODE}-deputy").get(f"{PAGES}/concerns/{concern}"))
    assert "已书面说明原因。" in page and "已回应" in page
    empty = caller.as_(f"{CODE}-staff").form(
        f"concerns/{concern}/review", {"decision": "follow_up"}
    )
    assert empty.status_code == 302  # refused: a follow-up needs its question
    follow = _html(caller.get(f"{PAGES}/concerns/{concern}"))
    assert "已回应" in follow


def test_staff_open_a_matter_from_a_public_comment(caller, world, session):
    """The comment's page links to the matters' own form, filled in from it (its masked
    title, its organ as the target); the matter opened lists on the comment's page."""
    staff = caller.as_(f"{CODE}-staff")
    comment = world.public_comments[CODE]
    page = _html(staff.get(f"{PAGES}/public-comments/{comment}"))
    assert "李某" in page and "李四" not in page and "138****5678" in page
    link = re.search(r'href="([^"]+)" data-testid="open-matter"', page).group(1)
    assert "origin=public_comment" in link and f"ref={comment}" in link
    form = _html(staff.get(link.replace("&amp;", "&")))
    assert "反映执行款迟迟未到账" in form
    court = world.organ_id(CODE, "court")
    assert re.search(rf'name="targets" value="{court}"\s+checked', form)
    response = staff.form(
        "matters",
        {
            "title": "执行款发放专项监督",
            "subject": "standing_committee",
            "form": "special_report",
            "origin_kind": "public_comment",
            "origin_ref": str(comment),
            "targets": str(court),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with system_scope():
        matter = session.scalars(
            sa.select(Matter).where(Matter.origin_kind == "public_comment")
        ).one()
        stored = session.get(PublicComment, comment)
    assert matter.origin_ref == str(comment) and matter.origin_title == stored.title
    assert "执行款发放专项监督" in _html(staff.get(f"{PAGES}/public-comments/{comment}"))
    # readers see the matters opened from it, but no way to open one
    deputy_page = _html(caller.as_(f"{CODE}-deputy").get(f"{PAGES}/public-comments/{comment}"))
    assert "执行款发放专项监督" in deputy_page and 'data-testid="open-matter"' not in deputy_page


def test_recording_a_public_comment_from_the_page_masks_it(caller, session):
    staff = caller.as_(f"{CODE}-staff")
    response = staff.form(
        "public-comments",
        {
            "channel": "website",
            "received_on": "2026-10-01",
            "title": "反映派出所出警慢",
            "text": "我是孙七,手机13700001111,邻居周八可作证。",
            "sender": "孙七",
            "persons": "周八",
        },
    )
    assert response.status_code == 302
    with system_scope():
        row = session.scalars(
            sa.select(PublicComment).where(PublicComment.title == "反映派出所出警慢")
        ).one()
    assert row.text == "我是孙某,手机137****1111,邻居周某可作证。" and row.masked_names == 2


def test_pages_in_english(caller, world):
    deputy = caller.as_(f"{CODE}-deputy")
    page = _html(deputy.get(f"{PAGES}/deputy-opinions/{world.deputy_opinions[CODE]}?lang=en"))
    assert "Deputy's opinion" in page and "assigned: awaiting the answer" in page
    assert "代表意见" not in page
    hub = _html(deputy.get(f"{PAGES}/coordination?lang=en"))
    assert "Key concerns" in hub and "My opinions" in hub


def test_the_hub_counts_this_congress_only(caller, world):
    """Each district has one of each item (tests/support/world.py): the counts are the
    congress's own, as the user may see them."""
    staff = _html(caller.as_(f"{CODE}-staff").get(f"{PAGES}/coordination"))
    numbers = re.findall(r'<td class="num">(\d+)</td>', staff)
    assert numbers == ["1", "1", "1", "1", "1"]
    court = _html(caller.as_(f"{CODE}-procuratorate").get(f"{PAGES}/coordination"))
    # the procuratorate issued the recommendation; it owes no concern and no opinion
    assert re.findall(r'<td class="num">(\d+)</td>', court) == ["0", "0", "1"]
