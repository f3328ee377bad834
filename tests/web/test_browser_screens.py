"""Screens a person looks at, in Chromium on the seeded demo with the network closed to
everything but the app: the district's dashboard, an organ's lab sheet, the city's
overview and the micro-report. Each chart must really be drawn — a canvas with ink on it,
or an image that loaded — and each screen is kept as a screenshot in test-artifacts/."""

from __future__ import annotations

import io

import pytest
from docx import Document
from playwright.sync_api import expect

from tests.support.browser import canvas_drawn, log_in, screenshot

pytestmark = pytest.mark.browser

PORTRAIT = '[data-testid="portrait"]'


def test_the_district_dashboard_draws_every_chart(page, live_server):
    log_in(page, live_server.url, "330106-staff", live_server.password)
    page.goto(f"{live_server.url}/t/330106/dashboard")
    charts = page.get_by_test_id("chart")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 3
    for chart in charts.all():
        expect(chart).to_have_attribute("data-drawn", "true")
        name = chart.get_attribute("id")
        assert canvas_drawn(page, f"#{name}"), name
    screenshot(page, "browser-screen-dashboard-330106.png")


def _open_lab_sheet(page, live_server) -> None:
    log_in(page, live_server.url, "330106-court", live_server.password)
    page.get_by_test_id("nav-lab-sheet").click()
    expect(page.get_by_test_id("lab-sheet")).to_be_visible()


def test_an_organs_lab_sheet(page, live_server):
    _open_lab_sheet(page, live_server)
    assert "/t/330106/organs/" in page.url and page.url.endswith("/lab-sheet")
    expect(page.get_by_test_id("lab-sheet")).to_contain_text("西湖区人民法院")
    rows = page.get_by_test_id("lab-row")
    assert rows.count() >= 10
    assert page.locator('[data-testid="lab-row"][data-colour="green"]').count() > 0
    screenshot(page, "browser-screen-lab-sheet-330106-court.png")


def test_the_lab_sheets_portrait_is_drawn(page, live_server):
    _open_lab_sheet(page, live_server)
    portrait = page.locator(PORTRAIT)
    if portrait.count() == 0:
        pytest.skip("the lab sheet shows no portrait yet (it is being added separately)")
    expect(portrait).to_be_visible()
    assert page.get_by_test_id("portrait-dimension").count() >= 3
    if portrait.locator("canvas").count():
        page.wait_for_function(
            "(s) => document.querySelector(s + ' canvas') !== null", arg=PORTRAIT
        )
        assert canvas_drawn(page, PORTRAIT)
    screenshot(page, "browser-screen-lab-sheet-portrait.png")


def test_the_city_overview_draws_its_trend(page, live_server):
    log_in(page, live_server.url, "330100-deputy", live_server.password)
    page.goto(f"{live_server.url}/t/330100/federation")
    trend = page.get_by_test_id("rollup-trend")
    expect(trend).to_have_attribute("data-drawn", "true")
    assert canvas_drawn(page, '[data-testid="rollup-trend"]')
    expect(page.get_by_test_id("heat-row")).to_have_count(13)
    screenshot(page, "browser-screen-federation-330100.png")


def test_the_micro_report_shows_its_charts_and_downloads_as_word(page, live_server):
    log_in(page, live_server.url, "330106-deputy", live_server.password)
    page.get_by_test_id("nav-micro-report").click()
    expect(page.get_by_test_id("report-title")).to_contain_text("西湖区人民法院")
    expect(page.get_by_test_id("figure-row").first).to_be_visible()
    for name in ("chart-trend", "chart-colours", "chart-portrait"):
        image = page.get_by_test_id(name)
        expect(image).to_be_visible()
        width = image.evaluate("(img) => img.complete ? img.naturalWidth : 0")
        assert width > 300, name
    screenshot(page, "browser-screen-micro-report-330106.png")

    with page.expect_download() as download:
        page.get_by_test_id("download-docx").click()
    document = Document(io.BytesIO(download.value.path().read_bytes()))
    assert len(document.inline_shapes) == 3
    assert "西湖区人民法院" in document.paragraphs[0].text
