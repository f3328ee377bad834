"""GET /api/v1/indicators and publishing a new dictionary version."""

from __future__ import annotations

import io

from app.indicators.service import DICTIONARY_FILE
from tests.support.http import login, post_json


def test_dictionary_has_52_entries_with_bands_and_rollups(client):
    login(client, "330106-viewer")
    body = client.get("/api/v1/indicators").get_json()
    assert body["version"] == 1
    entries = {e["code"]: e for e in body["indicators"]}
    assert len(entries) == 52
    ct01 = entries["CT01"]
    assert ct01["name_zh"] == "结收比" and ct01["rollup"] == "ratio_of_sums"
    assert ct01["bands"][0] == {
        "colour": "green",
        "lower": 95.0,
        "upper": None,
        "lower_inclusive": True,
        "upper_inclusive": False,
    }
    assert entries["CT03"]["direction"] == "down"
    assert entries["CT17"]["rollup"] == "weighted_mean"
    assert entries["PR01"]["peer_rated"] and entries["PR01"]["bands"] == []
    assert all(e["rollup"] for e in entries.values())


def test_dictionary_needs_a_login(client):
    assert client.get("/api/v1/indicators").status_code == 401


def _publish(client, source: bytes):
    return post_json_file(client, "/api/v1/indicators/versions", source)


def post_json_file(client, url, source):
    from tests.support.http import csrf

    return client.post(
        url,
        data={"file": (io.BytesIO(source), "dictionary.toml")},
        headers={"X-CSRFToken": csrf(client)},
        content_type="multipart/form-data",
    )


def _next_version(text: str, version: int) -> bytes:
    return (
        text.replace("version = 1", f"version = {version}", 1)
        .replace("green = 95.0", "green = 96.0", 1)
        .encode()
    )


def test_only_province_admin_publishes(client):
    source = _next_version(DICTIONARY_FILE.read_text(encoding="utf-8"), 2)
    for user in ("330100-admin", "330000-staff", "330106-admin"):
        login(client, user)
        assert _publish(client, source).status_code == 403, user
        post_json(client, "/api/v1/auth/logout")


def test_publish_new_version_keeps_the_old_readable(client):
    login(client, "330000-admin")
    response = _publish(client, _next_version(DICTIONARY_FILE.read_text(encoding="utf-8"), 2))
    assert response.status_code == 201, response.get_json()
    current = client.get("/api/v1/indicators").get_json()
    old = client.get("/api/v1/indicators?version=1").get_json()
    assert current["version"] == 2 and old["version"] == 1
    assert {e["code"]: e["green"] for e in current["indicators"]}["CT01"] == 96.0
    assert {e["code"]: e["green"] for e in old["indicators"]}["CT01"] == 95.0
    versions = client.get("/api/v1/indicators/versions").get_json()["versions"]
    assert [(v["version"], v["is_current"]) for v in versions] == [(1, False), (2, True)]


def test_publishing_an_old_version_number_conflicts(client):
    login(client, "330000-admin")
    response = _publish(client, DICTIONARY_FILE.read_bytes())
    assert response.status_code == 409


def test_invalid_dictionary_is_422_and_nothing_changes(client):
    login(client, "330000-admin")
    broken = _next_version(DICTIONARY_FILE.read_text(encoding="utf-8"), 2).replace(
        b'value_kind = "rate"', b'value_kind = "ratio"', 1
    )
    response = _publish(client, broken)
    assert response.status_code == 422
    assert "value_kind" in response.get_json()["error"]["message_en"]
    assert client.get("/api/v1/indicators").get_json()["version"] == 1


def test_unknown_version_is_404(client):
    login(client, "330106-viewer")
    assert client.get("/api/v1/indicators?version=99").status_code == 404
