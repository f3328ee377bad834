"""In Chromium, on the seeded demo: the city staff opens the overview and sees the heat
matrix and the roll-up's trend drawn, goes to the common problems, launches a joint
supervision from the planted CT11 problem, and a district's staff finds the task and
records what it did."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app import clock
from tests.support.browser import canvas_drawn, log_in, screenshot

pytestmark = pytest.mark.browser

PLANTED = {"330109", "330110", "330111", "330113"}  # CT11 red there (app/demo/values.py)


def test_city_launches_joint_supervision_and_a_district_sees_its_task(page, live_server):
    log_in(page, live_server.url, "330100-staff", live_server.password)
    page.goto(f"{live_server.url}/t/330100/federation")
    expect(page.get_by_role("heading", name="热力矩阵")).to_be_visible()
    rows = page.get_by_test_id("heat-row")
    expect(rows).to_have_count(13)
    assert page.locator('[data-testid="heat-matrix"] td[data-colour="red"]').count() > 0
    expect(page.get_by_test_id("rollup-trend")).to_have_attribute("data-drawn", "true")
    assert canvas_drawn(page, '[data-testid="rollup-trend"]')
    screenshot(page, "browser-federation-overview.png")

    page.get_by_test_id("nav-common-problems").click()
    problem = page.locator('[data-testid="common-problem"][data-indicator="CT11"]')
    expect(problem).to_be_visible()
    flagged = {
        e.get_attribute("data-child")
        for e in problem.get_by_test_id("evidence").all()
        if e.locator("[data-colour=red], [data-colour=yellow]").count()
    }
    assert flagged >= PLANTED
    problem.get_by_test_id("launch-joint").click()

    form = page.get_by_test_id("campaign-form")
    expect(form).to_be_visible()
    checked = {
        box.get_attribute("value")
        for box in form.locator('input[name="targets"]').all()
        if box.is_checked()
    }
    assert checked == flagged
    deadline = clock.today().replace(year=clock.today().year + 1)
    page.get_by_test_id("deadline").fill(deadline.isoformat())
    page.get_by_test_id("launch").click()

    expect(page.get_by_test_id("campaign-title")).to_contain_text("CT11")
    tasks = page.get_by_test_id("campaign-task")
    expect(tasks).to_have_count(len(flagged))
    assert {t.get_attribute("data-child") for t in tasks.all()} == flagged
    expect(page.get_by_test_id("campaign-progress")).to_have_text(f"0/{len(flagged)}")
    screenshot(page, "browser-federation-campaign.png")
    page.context.clear_cookies()

    log_in(page, live_server.url, "330109-staff", live_server.password)
    page.goto(f"{live_server.url}/t/330109/joint-tasks")
    row = page.get_by_test_id("joint-task-row").filter(has_text="CT11")
    expect(row).to_have_count(1)
    row.get_by_role("link").click()
    expect(page.get_by_test_id("task-title")).to_contain_text("CT11")
    form = page.get_by_test_id("action-form")
    form.locator('select[name="kind"]').select_option("hearing")
    form.locator('input[name="happened_on"]').fill(clock.today().isoformat())
    form.locator('textarea[name="note"]').fill("常委会听取区法院关于执行工作情况的专项报告")
    form.get_by_role("button", name="登记").click()
    expect(page.get_by_test_id("task-actions")).to_contain_text("专项报告")
    expect(page.get_by_test_id("task-status")).to_have_text("办理中")
    screenshot(page, "browser-federation-task.png")
