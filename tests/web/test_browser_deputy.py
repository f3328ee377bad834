"""In Chromium, on the seeded demo, the deputy's path (代表意见网上交办): a deputy raises an
opinion from a chart of the dashboard, staff assign it to the court, the court answers it
from its inbox, and the deputy finds it answered under 我的意见 and rates the answer."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from app.coordination.deputy_states import STATUS_LABELS
from tests.support.browser import log_in, screenshot

pytestmark = pytest.mark.browser

CODE = "330106"
COURT = "西湖区人民法院"


def _switch(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, live_server.url, username, live_server.password)
    expect(page.get_by_test_id("who")).to_be_visible()


def _status(page, code: str):
    expect(page.get_by_test_id("deputy-opinion-status")).to_have_text(STATUS_LABELS[code][0])


def test_a_deputy_raises_an_opinion_from_a_chart_and_rates_the_answer(page, live_server):
    text = f"执行案件办理周期偏长,建议法院专项清理长期未结案件。({time.time_ns()})"

    # 1. the deputy, on the dashboard, raises an opinion from the first chart
    _switch(page, live_server, f"{CODE}-deputy")
    page.get_by_test_id("nav-dashboard").click()
    card = page.locator(".chart-card").filter(has=page.locator('[data-drawn="true"]')).first
    expect(card).to_be_visible()
    chart = card.get_by_test_id("chart").get_attribute("data-chart")
    card.get_by_test_id("raise-opinion-button").click()
    form = card.get_by_test_id("raise-opinion-form")
    form.locator("textarea[name=text]").fill(text)
    form.get_by_role("button", name="提交意见").click()
    expect(page.locator(".flash.info")).to_contain_text("意见已提交")
    assert page.url.endswith(f"/t/{CODE}/dashboard")
    screenshot(page, "browser-deputy-raised.png")

    page.get_by_test_id("nav-my-opinions").click()
    row = (
        page.get_by_test_id("my-opinions")
        .get_by_test_id("deputy-opinion-row")
        .filter(has_text=text[:20])
    )
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("deputy-opinion-status")).to_have_text(STATUS_LABELS["submitted"][0])
    opinion_url = row.get_by_test_id("deputy-opinion-link").get_attribute("href")

    # 2. staff assign it to the court
    _switch(page, live_server, f"{CODE}-staff")
    page.goto(f"{live_server.url}{opinion_url}")
    expect(page.get_by_test_id("deputy-opinion-context")).to_contain_text("监督看板图表")
    _status(page, "submitted")
    assign = page.get_by_test_id("assign-form")
    assign.get_by_test_id("assign-organ").select_option(label=COURT)
    assign.get_by_role("button", name="交办").click()
    _status(page, "assigned")
    expect(page.get_by_test_id("deputy-opinion-organ")).to_have_text(COURT)

    # 3. the court finds it in its inbox and answers
    _switch(page, live_server, f"{CODE}-court")
    page.get_by_test_id("nav-tickets").click()
    inbox = page.get_by_test_id("inbox-deputy-opinions")
    inbox.get_by_test_id("inbox-deputy-opinion-link").filter(has_text=text[:20]).click()
    expect(page.get_by_test_id("deputy-opinion-text")).to_have_text(text)
    answer = "已部署长期未结案件专项清理,每月向人大报送进展。"
    page.get_by_test_id("answer-form").locator("textarea[name=text]").fill(answer)
    page.get_by_role("button", name="提交答复").click()
    _status(page, "answered")
    assert page.get_by_test_id("rate").count() == 0  # an organ cannot rate
    screenshot(page, "browser-deputy-answered.png")

    # 4. the deputy sees it answered under 我的意见 and rates the answer
    _switch(page, live_server, f"{CODE}-deputy")
    page.get_by_test_id("nav-my-opinions").click()
    row = (
        page.get_by_test_id("my-opinions")
        .get_by_test_id("deputy-opinion-row")
        .filter(has_text=text[:20])
    )
    expect(row.get_by_test_id("deputy-opinion-status")).to_have_text(STATUS_LABELS["answered"][0])
    row.get_by_test_id("deputy-opinion-link").click()
    expect(page.get_by_test_id("deputy-opinion-answer-text")).to_have_text(answer)
    expect(page.get_by_test_id("deputy-opinion-context")).to_contain_text("监督看板图表")
    assert page.get_by_test_id("assign").count() == 0  # a deputy cannot assign
    rate = page.get_by_test_id("rate-form")
    rate.get_by_label("满意", exact=True).check()
    rate.get_by_role("button", name="提交评价").click()
    _status(page, "satisfied")
    expect(page.get_by_test_id("deputy-opinion-rating")).to_have_text("满意")
    actions = [e.get_attribute("data-action") for e in page.get_by_test_id("history-event").all()]
    assert actions == ["raise", "assign", "answer", "rate_satisfied"]
    assert chart
    screenshot(page, "browser-deputy-rated.png")
