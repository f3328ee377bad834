"""Liveness and readiness."""

from __future__ import annotations


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_checks_the_database(client):
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready" and body["checks"] == {"database": "ok"}


def test_readyz_reports_a_dead_redis(client, app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/readyz")
    finally:
        app.config["REDIS_URL"] = None
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"].startswith("error")


def test_readyz_with_live_redis(client, app, redis_url):
    app.config["REDIS_URL"] = redis_url
    try:
        body = client.get("/readyz").get_json()
    finally:
        app.config["REDIS_URL"] = None
    assert body["checks"]["redis"] == "ok"
