"""Which real services the suite runs against.

PostgreSQL and Redis are used when they answer. Under ``CI=true`` both are required:
their absence fails the run instead of skipping tests.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pg_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)


def redis_url() -> str:
    return os.environ.get("REDIS_URL", DEFAULT_REDIS)


_claimed: dict[str, str] = {}
CLAIM_KEY = "judsup-test:claim:{}"


def run_redis_url() -> str:
    """This run's own Redis database: two runs on one machine (an engineer's and a
    helper's) must not drain each other's queues. Claims the first free database 1-15
    with a key in database 0 (expiring after two hours, released by :func:`release`),
    empties it and returns its URL; database 0 itself when every one is taken."""
    if "url" in _claimed:
        return _claimed["url"]
    from redis import Redis

    base = redis_url()
    head, _, _db = base.rpartition("/")
    control = Redis.from_url(f"{head}/0")
    for number in range(1, 16):
        if control.set(CLAIM_KEY.format(number), os.getpid(), nx=True, ex=7200):
            url = f"{head}/{number}"
            Redis.from_url(url).flushdb()
            _claimed.update(url=url, number=str(number), control=f"{head}/0")
            return url
    _claimed["url"] = base
    return base


def release() -> None:
    if "number" in _claimed:
        from redis import Redis

        Redis.from_url(_claimed["control"]).delete(CLAIM_KEY.format(_claimed["number"]))
    _claimed.clear()


def answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def wanted_backend() -> str:
    """``TEST_DB=sqlite`` runs the suite on SQLite; otherwise PostgreSQL when it answers."""
    choice = os.environ.get("TEST_DB", "").lower()
    if choice in {"sqlite", "postgresql"}:
        return choice
    return "postgresql" if answers(pg_url(), 5432) else "sqlite"
