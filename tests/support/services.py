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
