"""End to end through the pages, as people click: from the focus issue 执行难 staff open an
inquiry matter; the admin approves it; staff start it and issue an opinion to the court;
the court finds it in its inbox and its calendar, submits its plan and its result; staff
evaluate "not satisfied"; the court handles it again; staff evaluate "satisfied"; the matter
is evaluated and closed — and the court's line on the 亮榜晒绩 page moves as the rules say.
The clock is frozen at each step, so the days are exact."""

from __future__ import annotations

import re
from datetime import timedelta

from app import clock
from tests.support.http import login

CODE = "330106"
BASE = f"/t/{CODE}"


class Person:
    """One logged-in user with its own client."""

    def __init__(self, app, username: str):
        self.client = app.test_client()
        login(self.client, username)

    def get(self, url: str, status: int = 200) -> str:
        response = self.client.get(url)
        assert response.status_code == status, (url, response.status_code)
        return response.get_data(as_text=True)

    def submit(self, page_url: str, action: str, form: dict) -> str:
        """Post a form found on ``page_url`` (with its CSRF token); the page it leads to."""
        page = self.get(page_url)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
        response = self.client.post(action, data={"csrf_token": token, **form})
        assert response.status_code == 302, (action, response.status_code)
        self.location = response.headers["Location"]
        return self.get(self.location)


def _court_line(page: str, court_id: int) -> dict:
    row = re.search(rf'data-organ-id="{court_id}">(.*?)</tr>', page, re.S)[1]

    def cell(name):
        text = re.search(rf'data-testid="{name}">(.*?)</td>', row, re.S)[1]
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text))

    return {
        "on_time": cell("on-time-share").strip(),
        "accepted": cell("accepted-first-share").strip(),
        "days": cell("average-days").strip(),
    }


def _flashes(page: str) -> list[str]:
    return re.findall(r'<div class="flash [a-z]+" role="status">(.*?)</div>', page)


def test_from_the_focus_issue_to_a_closed_matter_by_the_pages(app, tx, world):
    staff, admin = Person(app, f"{CODE}-staff"), Person(app, f"{CODE}-admin")
    court, deputy = Person(app, f"{CODE}-court"), Person(app, f"{CODE}-deputy")
    court_id = world.organ_id(CODE, "court")
    t0 = clock.now()  # the world was built moments ago: its ticket and opinion are not due

    with clock.frozen_at(t0):
        before = _court_line(staff.get(f"{BASE}/responsiveness"), court_id)
        assert before == {"on_time": "— (0/0)", "accepted": "— (0/0)", "days": "—"}

        focus = staff.get(f"{BASE}/focus-issues")
        assert 'data-topic="enforcement"' in focus
        new = f"{BASE}/matters/new?origin=focus_issue&ref=enforcement"
        assert new.replace("&", "&amp;") in focus
        page = staff.submit(
            new,
            f"{BASE}/matters",
            {
                "title": "关于执行难问题的专题询问",
                "subject": "standing_committee",
                "form": "inquiry",
                "origin_kind": "focus_issue",
                "origin_ref": "enforcement",
                "targets": str(court_id),
                "planned_start": "2026-12-01",
                "planned_end": "2027-02-26",
                "summary": "常委会就执行难开展专题询问。",
            },
        )
        matter_url = staff.location
        assert re.fullmatch(rf"{BASE}/matters/\d+", matter_url)
        assert 'data-testid="matter-actions"' not in page  # staff do not approve
        assert "执行难" in page and "询问" in page

        # the admin records the committee's approval; an organ may not
        court.get(matter_url, 403)
        page = admin.submit(
            matter_url, f"{matter_url}/transitions", {"action": "approve", "comment": "同意"}
        )
        assert 'data-testid="matter-status">已批准<' in page
        staff.submit(matter_url, f"{matter_url}/transitions", {"action": "start"})
        page = staff.submit(
            matter_url,
            f"{matter_url}/opinions",
            {
                "organ_id": str(court_id),
                "kind": "deliberation",
                "title": "关于切实解决执行难问题的审议意见",
                "text": "一、提高执行到位率;二、清理长期未结执行案件。",
                "deadline_days": "10",
            },
        )
        assert 'data-testid="matter-status">已交办意见<' in page
        opinion_id = re.findall(r'data-opinion-id="(\d+)"', page)[-1]
        opinion_url = f"{BASE}/opinions/{opinion_id}"
        # the court sees it in its inbox and in its calendar (due in ten working days)
        assert f'data-opinion-id="{opinion_id}"' in court.get(f"{BASE}/tickets")
        calendar = court.get(f"{BASE}/calendar")
        assert re.search(rf'data-kind="opinion" data-id="{opinion_id}"', calendar)

    with clock.frozen_at(t0 + timedelta(days=1)):
        court.submit(opinion_url, f"{opinion_url}/plan", {"text": "制定三项整改措施"})

    with clock.frozen_at(t0 + timedelta(days=2)):
        page = court.submit(opinion_url, f"{opinion_url}/result", {"text": "已清理 120 件"})
        assert "已报送办理结果" in page
        owed = court.get(f"{BASE}/organs/{court_id}/owed")
        assert f'data-kind="opinion" data-id="{opinion_id}"' not in owed  # the congress's move
        staff.submit(matter_url, f"{matter_url}/transitions", {"action": "receive_feedback"})
        # a deputy reads the result but has no evaluation form, nor may post one
        assert 'data-testid="evaluate-form"' not in deputy.get(opinion_url)
        page = staff.submit(
            opinion_url,
            f"{opinion_url}/evaluate",
            {"grade": "not_satisfied", "comment": "执行到位率仍未改善,请重新办理"},
        )
        assert "不满意·重新办理" in page and "第 2 轮办理" in page
        page = staff.submit(
            matter_url, f"{matter_url}/transitions", {"action": "evaluate", "comment": "好"}
        )
        assert "尚有 1 件监督意见未经满意或基本满意评价办结" in " ".join(_flashes(page))

    with clock.frozen_at(t0 + timedelta(days=3)):
        assert f'data-kind="opinion" data-id="{opinion_id}"' in court.get(
            f"{BASE}/organs/{court_id}/owed"
        )
        court.submit(opinion_url, f"{opinion_url}/result", {"text": "执行到位率回升至 62%"})
        page = staff.submit(
            opinion_url, f"{opinion_url}/evaluate", {"grade": "satisfied", "comment": "整改到位"}
        )
        assert "满意·办结" in page
        staff.submit(
            matter_url, f"{matter_url}/transitions", {"action": "evaluate", "comment": "达到预期"}
        )
        page = staff.submit(matter_url, f"{matter_url}/transitions", {"action": "close"})
        assert 'data-testid="matter-status">已办结<' in page
        assert re.findall(r'data-testid="matter-event" data-action="([a-z_]+)"', page) == [
            "propose",
            "approve",
            "start",
            "issue_opinions",
            "receive_feedback",
            "evaluate",
            "close",
        ]
        after = _court_line(deputy.get(f"{BASE}/responsiveness"), court_id)

    # The new opinion: its first result on day 2, within its first deadline; its first
    # evaluation "not satisfied". The world's ticket and opinion are not yet due.
    assert after == {"on_time": "100.0% (1/1)", "accepted": "0.0% (0/1)", "days": "2.0"}
