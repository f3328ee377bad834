"""Login, server-side logout, throttling, CSRF and API tokens."""

from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import LoginSession
from tests.support.http import bearer, csrf, login, post_json
from tests.support.world import PASSWORD


def test_bad_password_is_401_with_a_bilingual_message(client):
    response = client.post(
        "/api/v1/auth/login", json={"username": "330106-court", "password": "wrong"}
    )
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "bad_credentials"
    assert error["message_zh"] == "用户名或密码错误" and "Wrong" in error["message_en"]


def test_unknown_user_answers_like_a_bad_password(client):
    response = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "x"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "bad_credentials"


def test_login_body_is_validated(client):
    response = client.post("/api/v1/auth/login", json={"username": ""})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"username", "password"}


def test_me_needs_a_login(client):
    assert client.get("/api/v1/me").status_code == 401


def test_logout_kills_the_session_server_side(client, app):
    login(client, "330106-staff")
    cookie = client.get_cookie("session").value
    assert client.get("/api/v1/me").status_code == 200
    assert post_json(client, "/api/v1/auth/logout").status_code == 200
    assert client.get("/api/v1/me").status_code == 401
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/api/v1/me").status_code == 401


def test_logout_revokes_the_login_row(client, session):
    login(client, "330106-staff")
    post_json(client, "/api/v1/auth/logout")
    from app.auth.models import User
    from tenants.scoping import system_scope

    with system_scope():
        rows = session.scalars(
            sa.select(LoginSession).join(User).where(User.username == "330106-staff")
        ).all()
    assert rows and all(r.revoked_at is not None for r in rows)


def test_eleventh_bad_password_in_a_minute_is_429(client):
    for attempt in range(10):
        response = client.post(
            "/api/v1/auth/login", json={"username": "330106-staff", "password": f"bad{attempt}"}
        )
        assert response.status_code == 401, attempt
    response = client.post(
        "/api/v1/auth/login", json={"username": "330106-staff", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "throttled"


def test_throttle_is_per_username(client):
    for attempt in range(10):
        client.post(
            "/api/v1/auth/login", json={"username": "330106-staff", "password": f"bad{attempt}"}
        )
    login(client, "330106-deputy")


def test_throttle_is_per_address_too(client, app):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "5 per minute"
    try:
        for n in range(5):
            client.post("/api/v1/auth/login", json={"username": f"u{n}", "password": "x"})
        response = client.post(
            "/api/v1/auth/login", json={"username": "330106-deputy", "password": PASSWORD}
        )
        assert response.status_code == 429
    finally:
        app.config["LOGIN_LIMIT_PER_ADDRESS"] = "30 per minute"


def test_successful_logins_do_not_count(client):
    for _ in range(12):
        login(client, "330106-viewer")


def test_cookie_write_without_csrf_token_is_refused(client):
    login(client, "330106-staff")
    response = client.post("/api/v1/auth/tokens", json={"name": "x"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"
    response = client.post(
        "/api/v1/auth/tokens", json={"name": "x"}, headers={"X-CSRFToken": "forged"}
    )
    assert response.status_code == 400


def test_cookie_write_with_csrf_token_passes(client):
    login(client, "330106-staff")
    response = client.post(
        "/api/v1/auth/tokens", json={"name": "x"}, headers={"X-CSRFToken": csrf(client)}
    )
    assert response.status_code == 201


def test_login_form_needs_csrf(client):
    response = client.post("/login", data={"username": "330106-staff", "password": PASSWORD})
    assert response.status_code == 400


def test_login_form_logs_in_and_redirects_home(client):
    page = client.get("/login")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/login", data={"username": "330106-court", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/t/330106/")


def test_login_form_refuses_open_redirect(client):
    page = client.get("/login")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={
            "username": "330106-court",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example",
        },
    )
    assert response.headers["Location"].endswith("/t/330106/")


def test_bearer_token_authenticates_without_csrf(client, app):
    secret = bearer(client, "330106-staff")
    machine = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert machine.get("/api/v1/me", headers=headers).get_json()["username"] == "330106-staff"
    response = machine.post("/api/v1/auth/tokens", json={"name": "second"}, headers=headers)
    assert response.status_code == 201


def test_tokens_are_stored_hashed_and_revocable(client, app, session):
    secret = bearer(client, "330106-staff")
    from app.auth.models import ApiToken
    from tenants.scoping import system_scope

    with system_scope():
        stored = session.scalars(sa.select(ApiToken)).all()
    assert stored and all(secret not in (t.token_hash, t.prefix) for t in stored)
    machine = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    token_id = machine.get("/api/v1/auth/tokens", headers=headers).get_json()["tokens"][0]["id"]
    assert machine.delete(f"/api/v1/auth/tokens/{token_id}", headers=headers).status_code == 200
    response = machine.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "bad_token"


def test_passwords_are_argon2id(session, world):
    from app.auth.models import User
    from tenants.scoping import system_scope

    with system_scope():
        user = session.scalar(sa.select(User).where(User.username == "330106-court"))
    assert user.password_hash.startswith("$argon2id$")


def test_throttle_counts_in_redis(client, redis_url):
    """The counters live in Redis, shared by every web process. (Flask-Limiter keeps one
    storage per limiter, so the test swaps it in and back rather than build a second app.)"""
    from limits.storage import storage_from_string
    from limits.strategies import STRATEGIES

    from app.extensions import limiter

    memory, strategy = limiter._storage, limiter._limiter
    limiter._storage = storage_from_string(redis_url)
    limiter._limiter = STRATEGIES[limiter._strategy](limiter._storage)
    try:
        limiter.reset()
        for attempt in range(10):
            assert (
                client.post(
                    "/api/v1/auth/login",
                    json={"username": "330105-staff", "password": f"bad{attempt}"},
                ).status_code
                == 401
            )
        assert (
            client.post(
                "/api/v1/auth/login", json={"username": "330105-staff", "password": PASSWORD}
            ).status_code
            == 429
        )
        assert any(b"login-user" in key for key in limiter._storage.storage.keys("*"))
    finally:
        limiter.reset()
        limiter._storage, limiter._limiter = memory, strategy


def test_me_shows_the_users_own_email(client, session):
    from app.auth.models import User
    from tenants.scoping import system_scope

    with system_scope():
        user = session.scalar(sa.select(User).where(User.username == "330106-staff"))
        user.email = "staff@xihu.example.org"
        session.flush()
    login(client, "330106-staff")
    assert client.get("/api/v1/me").get_json()["email"] == "staff@xihu.example.org"
