"""Helpers for the coordination tests: switching users on one client, posting JSON with the
CSRF token, reading an error's code."""

from __future__ import annotations

import pytest

from tests.support.http import csrf, login

CODE = "330106"
API = f"/api/v1/t/{CODE}"


class Caller:
    """One test client, logged in as one user at a time."""

    def __init__(self, client):
        self.client = client

    def as_(self, username: str) -> Caller:
        self.client.post("/api/v1/auth/logout", headers={"X-CSRFToken": csrf(self.client)})
        login(self.client, username)
        return self

    def get(self, path: str):
        return self.client.get(path if path.startswith("/") else f"{API}/{path}")

    def post(self, path: str, body: dict | None = None, **kwargs):
        url = path if path.startswith("/") else f"{API}/{path}"
        return self.client.post(url, json=body or {}, headers={"X-CSRFToken": csrf(self.client)})

    def form(self, path: str, data: dict, **kwargs):
        """A page's form post (the CSRF token as a form field)."""
        url = path if path.startswith("/") else f"/t/{CODE}/{path}"
        return self.client.post(url, data={"csrf_token": csrf(self.client), **data}, **kwargs)


@pytest.fixture
def caller(client) -> Caller:
    return Caller(client)


def code_of(response) -> str:
    return response.get_json()["error"]["code"]
