"""The connection pool pings a pooled connection only when it has sat idle: one handed back
a moment ago is used as is (no round trip per request), one idle for longer is checked and,
if the server dropped it meanwhile, replaced before the request sees it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from app import db as database_module
from app.db import make_engine

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine(database, backend):
    if backend != "postgresql":
        pytest.skip("the PostgreSQL pool's behaviour")
    made = make_engine(database["app"])
    yield made
    made.dispose()


@pytest.fixture
def pings(engine, monkeypatch):
    calls = []
    real = engine.dialect.do_ping

    def counted(dbapi_conn):
        calls.append(dbapi_conn)
        return real(dbapi_conn)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return calls


def _pid(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()


def test_a_connection_used_a_moment_ago_is_not_pinged(engine, pings):
    first = _pid(engine)
    assert _pid(engine) == first  # the same pooled connection, handed out again
    assert pings == []


def test_an_idle_connection_the_server_dropped_is_replaced(engine, pings, monkeypatch, database):
    monkeypatch.setattr(database_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    first = _pid(engine)
    # the server ends the pooled connection's backend while it sits in the pool
    killer = sa.create_engine(database["app"], poolclass=NullPool)
    with killer.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": first}).scalar()
    killer.dispose()
    second = _pid(engine)  # no error: the dead connection was found and replaced
    assert second != first and pings
