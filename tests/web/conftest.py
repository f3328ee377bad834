"""The web tests need the compiled English catalog (the .mo is built, not committed);
the browser tests share one Chromium and one live server on the seeded demo."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the browser fixture skips, or fails under CI=true
    sync_playwright = None

from app import create_app
from tests.conftest import TEST_CONFIG
from tests.support import services
from tests.support.databases import fresh_sqlite, migrate

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = EN_PO.with_suffix(".mo")


@pytest.fixture(scope="session", autouse=True)
def compiled_catalog():
    """Compile the catalog when the .mo is missing or older than the .po, so an English
    test never passes, or fails, on a page that silently stayed Chinese."""
    if not EN_MO.exists() or EN_MO.stat().st_mtime < EN_PO.stat().st_mtime:
        result = subprocess.run(
            [sys.executable, "-m", "babel.messages.frontend", "compile", "-d", str(TRANSLATIONS)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        # Flask-Babel caches loaded catalogs per process: forget any loaded before the .mo.
        from app.extensions import babel

        domain = vars(babel).get("domain_instance")  # a cached_property, once used
        if domain is not None:
            domain.cache.clear()
    assert EN_MO.exists(), f"{EN_MO} was not built"
    return EN_MO


# --- the real app in a real Chromium (shared by every browser test) -----------------------
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    if services.in_ci():
        pytest.fail(f"CI=true requires the browser tests to run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
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
