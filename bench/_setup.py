"""Shared set-up of the benchmarks: a fresh database (PostgreSQL when it answers, as the
app's non-owner role; else SQLite), migrated, with an app bound to it."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from tests.support import services  # noqa: E402
from tests.support.databases import drop_postgres, fresh_postgres, fresh_sqlite, migrate  # noqa: E402

BENCH_CONFIG = {
    "TESTING": False,
    "SECRET_KEY": "bench",
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
    "ARGON2_PARALLELISM": 1,
    "RATELIMIT_STORAGE_URI": "memory://",
    "REDIS_URL": None,
    "MAX_CONTENT_LENGTH": 200 * 1024 * 1024,
}


class BenchDatabase:
    """A database for one benchmark run, dropped afterwards."""

    def __init__(self, name: str):
        self.name = f"judsup_bench_{name}_{os.getpid()}"
        self.tmp = tempfile.TemporaryDirectory()
        self.backend = services.wanted_backend()

    def __enter__(self):
        if self.backend == "postgresql":
            owner, app_url = fresh_postgres(services.pg_url(), self.name)
            migrate(owner)
            self.url = app_url
        else:
            self.url = fresh_sqlite(Path(self.tmp.name))
            migrate(self.url)
        self.app = create_app(
            {**BENCH_CONFIG, "SQLALCHEMY_DATABASE_URI": self.url, "FILE_STORE_DIR": self.tmp.name}
        )
        return self

    def __exit__(self, *exc):
        self.app.extensions["judsup.db"].engine.dispose()
        if self.backend == "postgresql":
            drop_postgres(services.pg_url(), self.name)
        self.tmp.cleanup()
