"""Job functions for the queue tests: they leave a mark in Redis, outside the test's
database transaction, so the test can see that (and when) they ran."""

from __future__ import annotations

import os

from redis import Redis

from workers.queue import in_app_context

RAN: list[tuple] = []


def remember(*args) -> None:
    RAN.append(args)


@in_app_context
def mark(key: str, value: str) -> None:
    from flask import current_app

    Redis.from_url(os.environ.get("REDIS_URL") or current_app.config["REDIS_URL"]).set(key, value)
