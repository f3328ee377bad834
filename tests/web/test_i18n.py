"""Chinese first, English on request: the catalog is complete, the switch sticks, and
every API error speaks both languages."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.auth.models import ROLES
from tenants.models import LEVEL_NAMES, ORGAN_KINDS
from tests.support.http import login

EN_PO = Path(__file__).resolve().parents[2] / "app/translations/en/LC_MESSAGES/messages.po"


def _catalog():
    with EN_PO.open("rb") as f:
        return read_po(f)


def test_pages_are_chinese_by_default(client):
    login(client, "330106-court")
    page = client.get("/t/330106/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "西湖区" in html
    assert "监督对象" in html
    assert "人大常委会" in html
    assert "Supervised organs" not in html
    assert '<html lang="zh-CN">' in html


def test_lang_en_switches_to_english_and_sticks(client):
    login(client, "330106-court")
    page = client.get("/t/330106/?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Supervised organs" in html
    assert "People's Congress Standing Committee" in html
    assert "People's Congress Judicial Supervision Platform" in html
    assert "Log out" in html
    assert "监督对象" not in html
    assert '<html lang="en">' in html
    assert "lang=en" in page.headers.get("Set-Cookie", "")

    # No parameter now: the cookie keeps the English.
    again = client.get("/t/330106/").get_data(as_text=True)
    assert "Supervised organs" in again
    assert "Subordinate congresses" in again

    # ...until Chinese is asked for.
    back = client.get("/t/330106/?lang=zh_CN").get_data(as_text=True)
    assert "监督对象" in back
    assert "监督对象" in client.get("/t/330106/").get_data(as_text=True)


def test_dynamic_labels_are_translated(client):
    """Level, role and organ-kind labels go through ``_()`` as variables."""
    login(client, "330106-court")
    html = client.get("/t/330106/?lang=en").get_data(as_text=True)
    assert "District/county" in html  # 区县
    assert "Organ user" in html  # 司法机关用户
    assert "Court" in html and "Procuratorate" in html and "Justice bureau" in html


def test_login_error_in_english(client):
    form = client.get("/login?lang=en").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    page = client.post(
        "/login",
        data={"csrf_token": token, "username": "330106-court", "password": "wrong-password"},
    )
    assert page.status_code == 401
    html = page.get_data(as_text=True)
    assert "Incorrect username or password" in html
    assert "用户名或密码错误" not in html


def test_every_message_has_an_english_translation():
    catalog = _catalog()
    messages = [m for m in catalog if m.id]
    assert messages, "the English catalog is empty"
    untranslated = [m.id for m in messages if not m.string or not str(m.string).strip()]
    assert untranslated == []
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert fuzzy == []
    # English is what the catalog is for: no msgstr is left in Chinese.
    still_chinese = [m.id for m in messages if any("\u4e00" <= ch <= "\u9fff" for ch in m.string)]
    assert still_chinese == []


def test_catalog_covers_the_template_variables():
    """Labels passed to ``_()`` as variables cannot be extracted: app/i18n_dynamic.py
    lists them, and they must all be in the catalog."""
    ids = {m.id for m in _catalog() if m.id}
    labels = (
        set(LEVEL_NAMES.values())
        | {kind[2] for kind in ORGAN_KINDS.values()}
        | {zh for zh, _en in ROLES.values()}
    )
    assert labels - ids == set()
    # The roles' English in the catalog is the English the model gives them.
    by_id = {m.id: m.string for m in _catalog() if m.id}
    assert {zh: by_id[zh] for zh, _en in ROLES.values()} == dict(ROLES.values())


def test_dynamic_label_module_matches_the_models():
    from app import i18n_dynamic

    listed = {
        str(label._args[0])
        for label in (
            *i18n_dynamic.LEVEL_LABELS,
            *i18n_dynamic.ORGAN_KIND_LABELS,
            *i18n_dynamic.ROLE_LABELS,
        )
    }
    assert listed == (
        set(LEVEL_NAMES.values())
        | {kind[2] for kind in ORGAN_KINDS.values()}
        | {zh for zh, _en in ROLES.values()}
    )


@pytest.mark.parametrize("query", ["", "?lang=en"])
def test_api_errors_carry_both_languages(client, query):
    response = client.get(f"/api/v1/me{query}")
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "not_authenticated"
    assert error["message_zh"] == "请先登录"
    assert error["message_en"] == "Please log in"
    assert error["message"] == (error["message_en"] if query else error["message_zh"])


def test_api_not_found_carries_both_languages(client):
    error = client.get("/api/v1/no-such-thing").get_json()["error"]
    assert error["message_zh"] and error["message_en"]
    assert error["message_zh"] != error["message_en"]


def test_indicator_dictionary_in_english(client):
    login(client, "330106-staff")
    zh = client.get("/indicators").get_data(as_text=True)
    assert "统一指标体系" in zh and "汇总规则" in zh
    en = client.get("/indicators?lang=en").get_data(as_text=True)
    assert "Unified indicator dictionary · version" in en
    assert "Roll-up rule" in en
    assert "统一指标体系" not in en


def test_every_extracted_message_is_in_the_catalog(tmp_path):
    """A new ``_('…')`` in a page or view without its English line fails here, not in
    front of an English-speaking user."""
    root = Path(__file__).resolve().parents[2]
    pot = tmp_path / "messages.pot"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "gettext",
            "-k",
            "_",
            "-o",
            str(pot),
            "app",
            "tenants",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with pot.open("rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    known = {m.id for m in _catalog() if m.id}
    assert sorted(extracted - known) == []
