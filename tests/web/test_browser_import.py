"""In Chromium: the court downloads its template from 数据报送, fills it in (as an
official would in Excel), uploads it, and watches the import's progress and result."""

from __future__ import annotations

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.support.browser import log_in, screenshot

pytestmark = pytest.mark.browser


def _fill(template: bytes, numerator: int) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    code_col, num_col, den_col = (header.index(n) + 1 for n in ("指标代码", "分子", "分母"))
    for row in range(2, sheet.max_row + 1):
        code = sheet.cell(row, code_col).value
        sheet.cell(row, num_col).value = 4500 if code in ("CT03", "CT05") else numerator
        sheet.cell(row, den_col).value = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_upload_a_filled_template_and_see_the_result(page, live_server, tmp_path):
    log_in(page, live_server.url, "330106-court", live_server.password)
    page.get_by_test_id("nav-submissions").click()
    expect(page.get_by_role("heading", name="数据报送")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("periods").get_by_role("link", name="下载模板").first.click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(_fill(template.read_bytes(), 96))

    page.get_by_test_id("upload-form").locator("input[type=file]").set_input_files(filled)
    page.get_by_test_id("upload-form").get_by_role("button", name="上传").click()

    expect(page.get_by_test_id("import-status")).to_have_text("已导入")
    expect(page.get_by_test_id("import-progress")).to_have_attribute("value", "100")
    rows = int(page.get_by_test_id("rows-total").inner_text())
    assert rows > 10
    expect(page.get_by_test_id("rows-ok")).to_have_text(str(rows))
    screenshot(page, "browser-import-succeeded.png")


def test_a_bad_file_shows_every_row_error(page, live_server, tmp_path):
    log_in(page, live_server.url, "330106-court", live_server.password)
    page.get_by_test_id("nav-submissions").click()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "期间,机关,指标代码,分子,分母\n2026-10,西湖区人民法院,CT02,120,100\n"
        "2026-10,西湖区人民法院,ZZ01,1,2\n",
        encoding="utf-8",
    )
    page.get_by_test_id("upload-form").locator("input[type=file]").set_input_files(bad)
    page.get_by_test_id("upload-form").get_by_role("button", name="上传").click()
    expect(page.get_by_test_id("import-status")).to_have_text("已拒绝")
    errors = page.get_by_test_id("errors")
    expect(errors).to_contain_text("numerator_gt_denominator")
    expect(errors).to_contain_text("unknown_indicator")
    expect(page.get_by_test_id("errors-total")).to_have_text("2")
    screenshot(page, "browser-import-rejected.png")
