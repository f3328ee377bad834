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


@in_app_context
def slow_rating(batch_id: int, seconds: float) -> None:
    """The real rating work, then a pause before its commit: a worker killed during the
    pause dies in the middle of a rating job."""
    import time

    from app.audit.recorder import Actor, acting_as
    from app.db import db
    from app.ratings import jobs as rating_jobs
    from app.ratings.engine import Scope
    from app.ratings.policy import ticket_window_start
    from tenants.scoping import system_scope

    with system_scope(), acting_as(Actor("slow-rating")):
        batch = db.session.get(rating_jobs.ImportBatch, batch_id)
        scope = Scope(tenant_ids=rating_jobs.siblings_of(db.session, batch.tenant_id))
        rating_jobs.rate_and_follow(db.session, scope, ticket_window_start())
        db.session.flush()
        Redis.from_url(os.environ["REDIS_URL"]).set(f"slow-rating-{batch_id}", "flushed")
        time.sleep(seconds)
        db.session.commit()
