"""The web tests need the compiled English catalog (the .mo is built, not committed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
