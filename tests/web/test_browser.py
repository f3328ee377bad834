"""The real app in a real Chromium: log in, read the Chinese page (in a CJK font, not
boxes), switch to English, log out; a wrong password stays on the login page.

The app runs in a thread on its own SQLite file with the real demo seeded, and the
browser may reach nothing but that server: the pages must work on a closed network.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the browser fixture skips, or fails under CI=true
    expect = sync_playwright = None

from app import create_app
from tests.conftest import TEST_CONFIG
from tests.support import services
from tests.support.databases import fresh_sqlite, migrate

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
USER = "330106-court"


def _unavailable(reason: str) -> None:
    if services.in_ci():
        pytest.fail(f"CI=true requires the browser tests to run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    if sync_playwright is None:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def live_server(browser, tmp_path_factory):
    """The app on a free port, on a migrated SQLite file holding the real demo."""
    url = fresh_sqlite(tmp_path_factory.mktemp("browser"), "demo.sqlite3")
    migrate(url)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    seeded = app.test_cli_runner().invoke(
        args=["demo", "seed", "--years", "1", "--until", "2026-10"]
    )
    assert seeded.exit_code == 0, seeded.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(
            url=f"http://127.0.0.1:{server.server_port}",
            netloc=f"127.0.0.1:{server.server_port}",
            password=app.config["DEMO_PASSWORD"],
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["judsup.db"].engine.dispose()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) whose every request not to the app is
    aborted and recorded; the test fails if the page tried to reach anywhere else."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    outside: list[str] = []

    def only_the_app(route):
        parts = urlsplit(route.request.url)
        if parts.scheme == "http" and parts.netloc == live_server.netloc:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", only_the_app)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()
    assert outside == [], f"the page tried to reach beyond the app: {outside}"


def _log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def _rendered_fonts(page, selector: str) -> list[dict]:
    """The platform fonts Chromium actually drew the element's text with (what DevTools
    shows as "Rendered Fonts"), from the DevTools protocol."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()


def _screenshot(page, name: str) -> Path:
    """A full-page PNG in test-artifacts/ (git-ignored), checked to be a real image."""
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / name
    shot.unlink(missing_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 1000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return shot


def test_login_and_read_the_chinese_home_page(page, live_server):
    _log_in(page, live_server.url, USER, live_server.password)
    expect(page).to_have_url(f"{live_server.url}/t/330106/")

    heading = page.get_by_test_id("tenant-name")
    expect(heading).to_contain_text("西湖区")
    expect(heading).to_contain_text("人大常委会")
    expect(page.get_by_test_id("organs")).to_contain_text("西湖区人民法院")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    _screenshot(page, "browser-tenant-home-zh.png")

    # The Chinese is drawn with a CJK font, not as boxes: every glyph of the heading
    # comes from a real font, and a Noto CJK font drew the Chinese.
    fonts = _rendered_fonts(page, '[data-testid="tenant-name"]')
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
    _log_in(page, live_server.url, USER, live_server.password)
    expect(page).to_have_url(f"{live_server.url}/t/330106/")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Supervised organs")).to_be_visible()
    expect(page.get_by_test_id("tenant-name")).to_contain_text(
        "People's Congress Standing Committee"
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _screenshot(page, "browser-tenant-home-en.png")

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
    _log_in(page, live_server.url, USER, "not-the-password")
    expect(page.get_by_role("status")).to_contain_text("用户名或密码错误")
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_label("用户名")).to_have_value(USER)
    expect(page.get_by_label("密码")).to_have_value("")
    expect(page.get_by_role("button", name="退出")).to_have_count(0)
