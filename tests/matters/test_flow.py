"""End to end through the API, on the test world: staff open an inquiry matter from the focus
issue 执行难 (the shipped topic every congress has), the admin approves it, an opinion goes
to the court; the court submits its plan and its result; staff evaluate "not satisfied";
the court handles it again; staff evaluate "satisfied"; the matter is evaluated and
closed — and the court's responsiveness figures move exactly as the rules say. The clock
is frozen at each step, so the days are exact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app import clock
from app.calendar.workdays import load_calendar
from app.tickets.service import deadline
from tests.support.http import csrf, login

CODE = "330106"
API = f"/api/v1/t/{CODE}"


class Person:
    """One logged-in user with its own client (own cookie, own CSRF token)."""

    def __init__(self, app, username: str):
        self.client = app.test_client()
        login(self.client, username)
        self.token = csrf(self.client)

    def get(self, path: str):
        response = self.client.get(API + path)
        assert response.status_code == 200, (path, response.get_json())
        return response.get_json()

    def post(self, path: str, body: dict, status: int = 200):
        response = self.client.post(API + path, json=body, headers={"X-CSRFToken": self.token})
        assert response.status_code == status, (path, response.status_code, response.get_json())
        return response.get_json()


def _court_row(figures: dict, court_id: int) -> dict:
    (row,) = [r for r in figures["organs"] if r["organ"]["id"] == court_id]
    return row


def _error(body: dict) -> str:
    return body["error"]["code"]


def test_from_a_focus_issue_to_a_closed_matter(app, tx, world):
    staff, admin = Person(app, f"{CODE}-staff"), Person(app, f"{CODE}-admin")
    court, deputy = Person(app, f"{CODE}-court"), Person(app, f"{CODE}-deputy")
    court_id = world.organ_id(CODE, "court")
    ticket = staff.get(f"/tickets/{world.tickets[CODE]}")
    t0 = datetime.fromisoformat(ticket["opened_at"])  # the day the court's ticket opened
    t0 = t0 if t0.tzinfo else t0.replace(tzinfo=UTC)  # SQLite keeps naive UTC
    day = t0.astimezone(clock.BEIJING).date()

    with clock.frozen_at(t0):
        focus = staff.get("/focus-issues")
        (topic,) = [f["topic"] for f in focus["findings"] if f["topic"]["code"] == "enforcement"]
        assert topic["name_zh"] == "执行难"
        before = _court_row(staff.get("/responsiveness"), court_id)
        # the world's ticket, opinion, key concern and deputy's opinion: none answered or due
        assert before["items"] == 4 and before["due"] == before["answered"] == 0
        assert before["on_time_share"] is None
        assert before["accepted_first_share"] is None
        assert before["average_days_to_answer"] is None

        matter = staff.post(
            "/matters",
            {
                "title": "关于执行难问题的专题询问",
                "subject": "standing_committee",
                "form": "inquiry",
                "summary": "数据碰撞显示执行难为焦点问题(难点、热点、弱点),常委会开展专题询问。",
                "origin": {"kind": "focus_issue", "ref": topic["code"]},
                "targets": [court_id],
                "documents": [world.documents[(CODE, "work_news")]],
                "planned_start": day.isoformat(),
                "planned_end": (day + timedelta(days=60)).isoformat(),
            },
            201,
        )
        assert matter["status"] == "proposed" and matter["form_zh"] == "询问"
        assert matter["origin"] == {
            "kind": "focus_issue",
            "kind_zh": "焦点问题",
            "kind_en": "focus issue",
            "ref": "enforcement",
            "title": "执行难",
        }
        assert [o["id"] for o in matter["targets"]] == [court_id]
        assert [d["id"] for d in matter["documents"]] == [world.documents[(CODE, "work_news")]]
        path = f"/matters/{matter['id']}/transitions"

        # Approval is the admin's record of the committee's decision: not staff's, not an organ's.
        refused = staff.post(path, {"action": "approve"}, 403)
        assert _error(refused) == "role_not_allowed"
        court.post(path, {"action": "approve"}, 403)
        assert admin.post(path, {"action": "approve", "comment": "主任会议同意"})["status"] == (
            "approved"
        )
        assert staff.post(path, {"action": "start"})["status"] == "in_progress"

        opinion = staff.post(
            "/opinions",
            {
                "organ_id": court_id,
                "matter_id": matter["id"],
                "kind": "deliberation",
                "title": "关于切实解决执行难问题的审议意见",
                "text": "一、提高执行到位率;二、清理长期未结执行案件。",
                "deadline_days": 10,
            },
            201,
        )
        assert opinion["status"] == "issued" and opinion["round"] == 1
        first_deadline = opinion["deadline"]
        assert first_deadline == deadline(day, 10, load_calendar()).isoformat()  # working days
        assert staff.get(f"/matters/{matter['id']}")["status"] == "opinions_issued"
        assert _error(staff.post(path, {"action": "receive_feedback"}, 409)) == (
            "feedback_incomplete"
        )
        url = f"/opinions/{opinion['id']}"

    with clock.frozen_at(t0 + timedelta(days=1)):
        court.post(f"{url}/result", {"text": "先报结果"}, 409)  # the plan comes first
        assert court.post(f"{url}/plan", {"text": "制定三项整改措施"})["status"] == "plan_submitted"
        # the court answers its ticket too, and staff accept that answer at once
        court.post(f"/tickets/{world.tickets[CODE]}/responses", {"text": "系统切换导致结案滞后"})
        staff.post(f"/tickets/{world.tickets[CODE]}/review", {"decision": "accept"})

    with clock.frozen_at(t0 + timedelta(days=2)):
        result = court.post(f"{url}/result", {"text": "已清理长期未结执行案件 120 件"})
        assert result["status"] == "result_submitted"
        assert staff.post(path, {"action": "receive_feedback"})["status"] == "organ_feedback"

        deputy.post(f"{url}/evaluate", {"grade": "satisfied"}, 403)  # deputies read only
        court.post(f"{url}/evaluate", {"grade": "satisfied"}, 403)  # nor grades itself
        no_reason = staff.post(f"{url}/evaluate", {"grade": "not_satisfied"}, 422)
        assert _error(no_reason) == "comment_required"
        again = staff.post(
            f"{url}/evaluate",
            {
                "grade": "not_satisfied",
                "comment": "执行到位率仍未改善,请重新办理",
                "rehandle_days": 5,
            },
        )
        assert (again["status"], again["round"], again["grade"]) == (
            "rehandling",
            2,
            "not_satisfied",
        )
        assert again["first_deadline"] == first_deadline
        assert again["closed_at"] is None
        assert _error(staff.post(path, {"action": "evaluate", "comment": "好"}, 409)) == (
            "opinions_open"
        )

    with clock.frozen_at(t0 + timedelta(days=3)):
        assert court.post(f"{url}/result", {"text": "执行到位率回升至 62%"})["status"] == (
            "result_submitted"
        )
        done = staff.post(f"{url}/evaluate", {"grade": "satisfied", "comment": "整改到位"})
        assert (done["status"], done["grade"]) == ("satisfied", "satisfied")
        assert done["closed_at"] is not None
        assert staff.post(path, {"action": "evaluate", "comment": "询问达到预期"})["status"] == (
            "evaluated"
        )
        closed = staff.post(path, {"action": "close"})
        assert closed["status"] == "closed" and closed["closed_at"]
        assert [e["action"] for e in closed["events"]] == [
            "propose",
            "approve",
            "start",
            "issue_opinions",
            "receive_feedback",
            "evaluate",
            "close",
        ]
        history = staff.get(url)["events"]
        assert [(e["action"], e["round"], e["actor"]) for e in history] == [
            ("issue", 1, f"{CODE}-staff"),
            ("submit_plan", 1, f"{CODE}-court"),
            ("submit_result", 1, f"{CODE}-court"),
            ("evaluate_not_satisfied", 1, f"{CODE}-staff"),
            ("submit_result", 2, f"{CODE}-court"),
            ("evaluate_satisfied", 2, f"{CODE}-staff"),
        ]
        assert deputy.get(url)["status"] == "satisfied"  # deputies read what happened

        after = _court_row(staff.get("/responsiveness"), court_id)

    # The ticket: answered on day 1, on time, accepted at once. The new opinion: result on
    # day 2, on time (first deadline), not satisfied at the first evaluation. The world's
    # opinion is neither answered nor due.
    assert after["tickets"] == {
        "items": 1,
        "due": 1,
        "on_time": 1,
        "on_time_share": 1.0,
        "reviewed": 1,
        "accepted_first": 1,
        "accepted_first_share": 1.0,
        "answered": 1,
        "average_days_to_answer": 1.0,
    }
    assert after["opinions"] == {
        "items": 2,
        "due": 1,
        "on_time": 1,
        "on_time_share": 1.0,
        "reviewed": 1,
        "accepted_first": 0,
        "accepted_first_share": 0.0,
        "answered": 1,
        "average_days_to_answer": 2.0,
    }
    kinds = ("tickets", "opinions", "concerns", "deputy_opinions")
    assert after["concerns"]["items"] == after["deputy_opinions"]["items"] == 1
    assert after["concerns"]["due"] == after["deputy_opinions"]["due"] == 0
    assert {k: after[k] for k in before if k not in ("organ", "rank", *kinds)} == {
        "items": 5,
        "due": 2,
        "on_time": 2,
        "on_time_share": 1.0,
        "reviewed": 2,
        "accepted_first": 1,
        "accepted_first_share": 0.5,
        "answered": 2,
        "average_days_to_answer": 1.5,
    }
