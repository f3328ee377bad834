"""Logging in through the real endpoints, and JSON writes that carry the CSRF token."""

from __future__ import annotations

from tests.support.world import PASSWORD


def login(client, username: str, password: str = PASSWORD):
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["csrf_token"]


def csrf(client) -> str:
    return client.get("/api/v1/auth/csrf").get_json()["csrf_token"]


def post_json(client, url: str, body: dict | None = None, **kwargs):
    headers = {"X-CSRFToken": csrf(client), **kwargs.pop("headers", {})}
    return client.post(url, json=body or {}, headers=headers, **kwargs)


def bearer(client, username: str) -> str:
    """A fresh API token for ``username`` (logs in, creates it, logs out)."""
    login(client, username)
    response = post_json(client, "/api/v1/auth/tokens", {"name": "test"})
    assert response.status_code == 201, response.get_json()
    post_json(client, "/api/v1/auth/logout")
    return response.get_json()["secret"]
