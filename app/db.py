"""The database: one engine per app, a session per app context, the declarative base.

Plain SQLAlchemy 2 (no Flask-SQLAlchemy) so tests can bind the session factory to one
connection and roll back per test (``join_transaction_mode="create_savepoint"``).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from functools import partial

import sqlalchemy as sa
from flask import Flask, abort, current_app, g, request
from flask.globals import _cv_app
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: sa.DateTime(timezone=True)}


def dialect_insert(session: Session):
    """The dialect's ``insert`` (PostgreSQL's or SQLite's), for ON CONFLICT upserts."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


class AppDatabase:
    """What one app holds: its engine and the factory its sessions come from."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = sessionmaker(bind=self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"


def make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling ignores SAVEPOINTs; let SQLAlchemy emit BEGIN
        # so savepoints (and the tests' rollback per test) work as on PostgreSQL.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    else:
        engine = sa.create_engine(url, pool_size=10, max_overflow=20)
        event.listen(engine, "checkin", _note_checkin)
        event.listen(engine, "checkout", partial(_ping_if_idle, engine.dialect))
    event.listen(engine, "before_cursor_execute", _note_write)
    event.listen(engine, "checkin", _forget_writer)
    return engine


# Pinging every checkout (``pool_pre_ping``) costs a round trip per request; a connection
# handed back a moment ago is alive. One idle for longer may have been dropped (a server
# restart, a firewall's idle timeout): only that one is pinged, and a dead one replaced.
PING_AFTER_IDLE_SECONDS = 10.0


def _note_checkin(_dbapi_conn, record) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dialect, dbapi_conn, record, _proxy) -> None:
    checked_in = record.info.get("checked_in")
    if checked_in is None or time.monotonic() - checked_in < PING_AFTER_IDLE_SECONDS:
        return  # new, or back in the pool a moment ago
    try:
        dialect.do_ping(dbapi_conn)
    except Exception as err:  # any failure: the pool retries with a new connection
        raise sa.exc.DisconnectionError(f"stale pooled connection: {err}") from err


# --- ending a request that only read ------------------------------------------------------
#
# A request's transaction used to end as every unfinished one does, with ROLLBACK. psycopg
# forgets its prepared statements on every ROLLBACK (a rolled-back transaction may have
# changed the schema under them), so no statement ever reached its threshold of five runs
# and PostgreSQL parsed and planned every query of every request again. A transaction that
# wrote nothing ends the same either way (its ``set_config(..., true)`` goes with it), so
# a safe request (GET, HEAD, OPTIONS) answered normally (below 400), with a clean session
# and only reads sent in its transaction, ends with COMMIT and keeps the cache.
# Measured under bench/dashboard_load.py's load: PostgreSQL's CPU per dashboard API request
# 462 -> 180 us, the API's throughput 1,043 -> 1,263 req/s. Anything else (a write, a
# pending ORM change, an error, an unsafe method) still ends with ROLLBACK: the teardown
# never commits anything half-written. Writes are seen as the statements SQLAlchemy sends;
# the in-database rating and roll-up write on the driver's own cursor, but they run in
# jobs and imports (never in a safe request), which commit or roll back themselves.

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Statements that change no data. Anything else counts as a write, conservatively: a CTE
# (it may hold an INSERT), SET (it would outlive a COMMIT), a comment before a SELECT.
_READS = ("SELECT", "BEGIN", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
# Whether the session's current transaction wrote: kept in ``session.info``, which the
# connection the transaction runs on points to while it does.
WROTE, WRITER = "judsup_wrote", "judsup_writer"
log = logging.getLogger(__name__)


def _note_write(conn, _cursor, statement: str, *_args) -> None:
    if statement.startswith(_READS) or statement.lstrip().upper().startswith(_READS):
        return
    writer = conn.info.get(WRITER)
    if writer is not None:
        writer[WROTE] = True


def _transaction_began(session: Session, transaction, connection) -> None:
    if transaction.parent is None:
        session.info[WROTE] = False  # a new transaction: nothing written in it yet
    connection.info[WRITER] = session.info


def _forget_writer(_dbapi_conn, record) -> None:
    record.info.pop(WRITER, None)  # back in the pool: no session's any more


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
    dbapi_conn.isolation_level = None


def _scope_key() -> int:
    # One session per app context (a request, a CLI command, a job); outside any
    # context there is no session to share, so a fresh key each time is wrong: raise.
    # (Read from Flask's context variable directly: this runs on every ``db.session``.)
    ctx = _cv_app.get(None)
    if ctx is None:
        raise RuntimeError("db.session used outside an application context")
    return id(ctx)


ANSWER_FAILED = "judsup_answer_failed"


def _note_answer(response):
    """Whether the request finished normally: a 4xx or 5xx answer (an error handled into
    a response, which teardown sees as no error) ends its transaction with ROLLBACK."""
    setattr(g, ANSWER_FAILED, response.status_code >= 400)
    return response


def _new_session() -> Session:
    return current_app.extensions["judsup.db"].sessionmaker()


class Database:
    """The app-wide handle: ``db.session`` is the session of the current app context."""

    def __init__(self) -> None:
        self.session: scoped_session[Session] = scoped_session(_new_session, scopefunc=_scope_key)

    def init_app(self, app: Flask) -> None:
        app.extensions["judsup.db"] = AppDatabase(app.config["SQLALCHEMY_DATABASE_URI"])
        if not event.contains(Session, "after_begin", _transaction_began):
            event.listen(Session, "after_begin", _transaction_began)
        app.after_request(_note_answer)
        app.teardown_request(self._finish_reading)
        app.teardown_appcontext(self._remove)

    def _finish_reading(self, exc: BaseException | None) -> None:
        """End a safe request's read-only transaction with COMMIT (see above). Runs after
        the other teardowns: the scopes are gone, but a clean session's commit flushes
        nothing."""
        if exc is not None or request.method not in SAFE_METHODS or g.get(ANSWER_FAILED, True):
            return
        if not self.session.registry.has():
            return  # the request never touched the database
        session = self.session()
        if not session.in_transaction() or session.info.get(WROTE, True):
            return  # no transaction, or one that wrote (or never reached the database)
        if session.new or session.dirty or session.deleted:
            return
        try:
            session.commit()
        except Exception:  # the teardown's close rolls back whatever is left
            log.warning("ending a read-only request with COMMIT failed", exc_info=True)

    def _remove(self, _exc: BaseException | None) -> None:
        self.session.remove()

    @staticmethod
    def of(app: Flask) -> AppDatabase:
        return app.extensions["judsup.db"]

    def get_or_404(self, model, ident):
        """The row with this primary key, seen through the tenant scope, or a 404.

        A select, not ``Session.get``: the identity map could hand back a row loaded under
        another scope, while a select passes the tenant filter, so a row of another tenant
        answers exactly like a missing one.
        """
        key = sa.inspect(model).primary_key[0]
        row = self.session.execute(sa.select(model).where(key == ident)).scalar_one_or_none()
        if row is None:
            abort(404)
        return row


db = Database()
