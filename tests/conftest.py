"""Fixtures: one migrated database per run (PostgreSQL, or SQLite with TEST_DB=sqlite),
the world committed once, and a transaction per test rolled back afterwards."""

from __future__ import annotations

import os

import pytest
from sqlalchemy.orm import sessionmaker

from app import create_app
from app.db import db
from app.extensions import limiter
from tests.support import services
from tests.support.databases import drop_postgres, fresh_postgres, fresh_sqlite, migrate
from tests.support.world import PASSWORD, World, build

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
    "ARGON2_PARALLELISM": 1,
    "RATELIMIT_STORAGE_URI": "memory://",
    "REDIS_URL": None,
}


def pytest_sessionstart(session):
    if not services.in_ci():
        return
    missing = [
        name
        for name, url, port in (
            ("PostgreSQL", services.pg_url(), 5432),
            ("Redis", services.redis_url(), 6379),
        )
        if not services.answers(url, port)
    ]
    if missing:
        pytest.exit(f"CI=true requires {' and '.join(missing)}; not reachable", returncode=3)
    if os.environ.get("TEST_DB", "").lower() == "sqlite":
        return
    if services.wanted_backend() != "postgresql":
        pytest.exit("CI=true requires the suite to run on PostgreSQL", returncode=3)


@pytest.fixture(scope="session")
def backend() -> str:
    return services.wanted_backend()


@pytest.fixture(scope="session")
def database(backend, tmp_path_factory):
    """URLs of the run's database: ``owner`` migrates, ``app`` is what the app uses."""
    if backend == "sqlite":
        url = fresh_sqlite(tmp_path_factory.mktemp("db"))
        migrate(url)
        yield {"owner": url, "app": url, "backend": backend}
        return
    name = f"judsup_test_{os.getpid()}"
    owner, app_url = fresh_postgres(services.pg_url(), name)
    migrate(owner)
    yield {"owner": owner, "app": app_url, "backend": backend, "admin": services.pg_url()}
    drop_postgres(services.pg_url(), name)


@pytest.fixture(scope="session")
def app(database):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database["app"]})
    app.config["WORLD"] = _build_world(app)
    return app


def _build_world(app) -> World:
    from app.auth.passwords import hash_password
    from tenants.scoping import system_scope

    with app.app_context(), system_scope():
        world = build(db.session, hash_password(PASSWORD))
        db.session.commit()
        for tenant in world.tenants.values():
            db.session.refresh(tenant)
        db.session.expunge_all()
    return world


@pytest.fixture
def world(app) -> World:
    return app.config["WORLD"]


@pytest.fixture
def tx(app):
    """Every session of this test shares one connection inside a transaction that is
    rolled back at the end (SQLAlchemy's ``create_savepoint`` recipe)."""
    state = app.extensions["judsup.db"]
    connection = state.engine.connect()
    outer = connection.begin()
    original = state.sessionmaker
    state.sessionmaker = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    limiter.reset()
    try:
        yield connection
    finally:
        state.sessionmaker = original
        outer.rollback()
        connection.close()


@pytest.fixture
def session(app, tx):
    """A session on the test's connection, for tests that work below the HTTP layer.

    Not ``db.session`` in a pushed app context: requests made meanwhile would share that
    context, and with it ``g`` (where Flask-Login caches the user) across requests.
    """
    own = app.extensions["judsup.db"].sessionmaker()
    yield own
    own.close()


@pytest.fixture
def client(app, tx):
    return app.test_client()


@pytest.fixture
def redis_url():
    url = services.redis_url()
    if not services.answers(url, 6379):
        if services.in_ci():
            pytest.fail("CI=true requires Redis")
        pytest.skip("Redis is not running")
    return services.run_redis_url()


def pytest_sessionfinish(session, exitstatus):
    services.release()
