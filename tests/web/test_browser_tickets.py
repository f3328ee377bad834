"""In Chromium, on the seeded demo: a court with an open red ticket sees the red badge in
the navigation, opens its inbox and the ticket, answers it in Chinese, and finds its
answer in the history and the ticket answered."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.tickets.states import STATUS_LABELS
from tests.support.browser import log_in, screenshot

pytestmark = pytest.mark.browser

# 330106-court first; the demo's planted stories give these courts red tickets for months.
CANDIDATES = ("330106-court", "330109-court", "330127-court")
ANSWER = "经核查,本月数据异常系集中清理长期未结案件所致,已制定整改方案,下月起逐步恢复。"


def _court_with_an_open_red_ticket(browser, live_server) -> tuple[str, int]:
    """Ask the live app's JSON API (in a throwaway context) which court has one."""
    context = browser.new_context()
    try:
        api = context.request
        for username in CANDIDATES:
            code = username.split("-")[0]
            login = api.post(
                f"{live_server.url}/api/v1/auth/login",
                data={"username": username, "password": live_server.password},
            )
            assert login.ok, login.text()
            found = api.get(f"{live_server.url}/api/v1/t/{code}/tickets?status=open").json()
            red = [t for t in found["tickets"] if t["colour"] == "red" and t["status"] == "open"]
            api.post(
                f"{live_server.url}/api/v1/auth/logout",
                headers={"X-CSRFToken": login.json()["csrf_token"]},
            )
            if red:
                return username, red[0]["id"]
    finally:
        context.close()
    pytest.fail(f"none of {CANDIDATES} has an open red ticket in the seeded demo")


def test_a_court_answers_its_red_ticket(browser, page, live_server):
    username, ticket_id = _court_with_an_open_red_ticket(browser, live_server)
    log_in(page, live_server.url, username, live_server.password)

    badge = page.get_by_test_id("nav-tickets").get_by_test_id("open-count")
    expect(badge).to_be_visible()
    assert int(badge.inner_text()) > 0
    assert page.get_by_test_id("nav-tickets").get_by_text("待办工单").is_visible()

    page.get_by_test_id("nav-tickets").click()
    expect(page.get_by_role("heading", name="待办工单", exact=True)).to_be_visible()
    row = page.locator(f'[data-testid="ticket-row"][data-ticket-id="{ticket_id}"]')
    expect(row).to_have_attribute("data-colour", "red")
    screenshot(page, "browser-tickets-inbox.png")
    row.get_by_test_id("ticket-link").click()

    expect(page).to_have_url(re.compile(rf"/tickets/{ticket_id}$"))
    expect(page.get_by_test_id("ticket-reason")).not_to_be_empty()
    page.get_by_test_id("answer-form").locator("textarea").fill(ANSWER)
    page.get_by_test_id("answer-form").get_by_role("button", name="提交反馈").click()

    expect(page.get_by_role("status")).to_contain_text("反馈说明已提交")
    expect(page.get_by_test_id("ticket-status")).to_have_text(STATUS_LABELS["answered"][0])
    history = page.get_by_test_id("ticket-history")
    expect(history).to_contain_text(ANSWER)
    expect(history).to_contain_text(username)
    expect(page.get_by_test_id("answer-form")).to_have_count(0)
    screenshot(page, "browser-ticket-answered.png")

    # The ticket links to the organ's lab sheet for that month: the red row says why.
    code = page.get_by_test_id("ticket").locator("h1 strong").inner_text()
    page.get_by_test_id("ticket").get_by_role("link", name="体检化验单").click()
    expect(page.get_by_role("heading", name=re.compile("体检化验单"))).to_be_visible()
    lab_row = page.locator(f'[data-testid="lab-row"][data-code="{code}"]')
    expect(lab_row).to_have_attribute("data-colour", "red")
    expect(lab_row.get_by_test_id("reason")).not_to_be_empty()
    expect(page.get_by_test_id("verdict")).to_have_text("预警")
    screenshot(page, "browser-lab-sheet.png")
