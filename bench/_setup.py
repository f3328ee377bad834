"""Shared set-up of the benchmarks: a fresh database (PostgreSQL when it answers, as the
app's non-owner role; else SQLite), migrated, with an app bound to it."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

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

    def seed(self, *options: str) -> str:
        """``flask demo seed`` with these options into this database; its summary line."""
        result = self.app.test_cli_runner().invoke(args=["demo", "seed", *options])
        if result.exit_code != 0:
            raise SystemExit(f"demo seed failed: {result.output}{result.exception!r}")
        return result.output.splitlines()[0]

    def analyze(self) -> None:
        """Gather planner statistics, which a freshly loaded database lacks until autovacuum
        comes by (on PostgreSQL only the owner may)."""
        if self.backend == "postgresql":
            owner = sa.create_engine(
                make_url(services.pg_url()).set(database=self.name), isolation_level="AUTOCOMMIT"
            )
            with owner.connect() as conn:
                conn.execute(sa.text("ANALYZE"))
            owner.dispose()
            return
        engine = self.app.extensions["judsup.db"].engine
        with engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))

    def __exit__(self, *exc):
        self.app.extensions["judsup.db"].engine.dispose()
        if self.backend == "postgresql":
            drop_postgres(services.pg_url(), self.name)
        self.tmp.cleanup()
