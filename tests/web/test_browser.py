"""The real app in a real Chromium: log in, read the Chinese page (in a CJK font, not
boxes), switch to English, log out; a wrong password stays on the login page.

The app runs in a thread on its own SQLite file with the real demo seeded, and the
browser may reach nothing but that server: the pages must work on a closed network.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the browser fixture skips, or fails under CI=true
    expect = sync_playwright = None

from tests.support.browser import log_in, rendered_fonts, screenshot

pytestmark = pytest.mark.browser

USER = "330106-court"


def test_login_and_read_the_chinese_home_page(page, live_server):
    log_in(page, live_server.url, USER, live_server.password)
    expect(page).to_have_url(f"{live_server.url}/t/330106/")

    heading = page.get_by_test_id("tenant-name")
    expect(heading).to_contain_text("西湖区")
    expect(heading).to_contain_text("人大常委会")
    expect(page.get_by_test_id("organs")).to_contain_text("西湖区人民法院")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    screenshot(page, "browser-tenant-home-zh.png")

    # The Chinese is drawn with a CJK font, not as boxes: every glyph of the heading
    # comes from a real font, and a Noto CJK font drew the Chinese.
    fonts = rendered_fonts(page, '[data-testid="tenant-name"]')
    families = {font["familyName"] for font in fonts}
    assert any(re.match(r"Noto Sans CJK", family) for family in families), fonts
    drawn = sum(font["glyphCount"] for font in fonts)
    assert drawn == len(heading.inner_text().replace(" ", "")), fonts

    # And, independently of DevTools, in pixels: two different characters look
    # different, and neither looks like the box drawn for a character no font has.
    glyphs = page.evaluate(
        """() => {
            const font = getComputedStyle(document.body).fontFamily;
            const draw = (ch) => {
                const canvas = document.createElement("canvas");
                canvas.width = canvas.height = 40;
                const ctx = canvas.getContext("2d");
                ctx.font = `32px ${font}`;
                ctx.textBaseline = "top";
                ctx.fillText(ch, 4, 4);
                return canvas.toDataURL();
            };
            return {xi: draw("西"), hu: draw("湖"), missing: draw("\\u{10FFFD}"),
                    font: font, inked: draw("西") !== draw(" ")};
        }"""
    )
    assert "Noto Sans CJK SC" in glyphs["font"]
    assert glyphs["inked"]
    assert glyphs["xi"] != glyphs["hu"]
    assert glyphs["missing"] not in (glyphs["xi"], glyphs["hu"])


def test_switch_to_english_and_log_out(page, live_server):
    log_in(page, live_server.url, USER, live_server.password)
    expect(page).to_have_url(f"{live_server.url}/t/330106/")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Supervised organs")).to_be_visible()
    expect(page.get_by_test_id("tenant-name")).to_contain_text(
        "People's Congress Standing Committee"
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "browser-tenant-home-en.png")

    # The choice is a cookie: the next page, without ?lang=en, is still English.
    page.goto(f"{live_server.url}/t/330106/")
    expect(page.get_by_role("heading", name="Supervised organs")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You have been logged out")

    # The session is gone: the tenant page sends the visitor back to log in.
    response = page.goto(f"{live_server.url}/t/330106/")
    assert response is not None
    if urlsplit(page.url).path == "/login":
        assert "next=" in page.url
        expect(page.get_by_label("Username")).to_be_visible()
    else:
        assert response.status == 401
    expect(page.get_by_test_id("organs")).to_have_count(0)


def test_wrong_password_stays_on_the_login_page(page, live_server):
    log_in(page, live_server.url, USER, "not-the-password")
    expect(page.get_by_role("status")).to_contain_text("用户名或密码错误")
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_label("用户名")).to_have_value(USER)
    expect(page.get_by_label("密码")).to_have_value("")
    expect(page.get_by_role("button", name="退出")).to_have_count(0)
