"""How a request's transaction ends: a safe request that only read ends with COMMIT, so
psycopg keeps its prepared statements (it drops them on every ROLLBACK); anything that
wrote, left a change pending, failed or used an unsafe method ends with ROLLBACK, so the
teardown never commits anything half-written.

These tests run against an app with its own engine and pool (not the per-test savepoint
of the other tests), as a served app does; they write nothing that outlives them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import abort, current_app, jsonify, request
from sqlalchemy import event

from app import create_app
from app.db import db
from tenants.models import Tenant
from tenants.scoping import enter_tenant
from tests.conftest import TEST_CONFIG

CITY = "330100"
CHANGED = "Changed, never flushed"


@pytest.fixture
def probe(database, world):
    """An app with probe routes; ``probe.ends`` records how each transaction ended."""
    app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": database["app"],
            "PROPAGATE_EXCEPTIONS": False,
        }
    )
    postgres = database["backend"] == "postgresql"
    ends: list[str] = []
    engine = app.extensions["judsup.db"].engine
    event.listen(engine, "commit", lambda _conn: ends.append("COMMIT"))
    event.listen(engine, "rollback", lambda _conn: ends.append("ROLLBACK"))
    temp_exists = (
        "SELECT to_regclass('pg_temp.probe_rows') IS NOT NULL"
        if postgres
        else "SELECT count(*) > 0 FROM sqlite_temp_master WHERE name = 'probe_rows'"
    )

    def read():
        if request.args.get("then") == "404":
            _count_tenants()
            abort(404)
        if not postgres:
            return jsonify(pid=0, prepared=0, tenants=_count_tenants())
        pid, prepared = db.session.execute(
            sa.text("SELECT pg_backend_pid(), (SELECT count(*) FROM pg_prepared_statements)")
        ).one()
        return jsonify(pid=pid, prepared=prepared, tenants=_count_tenants())

    def write_uncommitted():
        db.session.execute(sa.text("CREATE TEMP TABLE IF NOT EXISTS probe_rows (x integer)"))
        db.session.execute(sa.text("INSERT INTO probe_rows VALUES (1)"))
        return jsonify(ok=True)

    def write_then_read_elsewhere():
        write_uncommitted()
        with current_app.app_context():  # another session, on another connection, only reads
            _count_tenants()
        return jsonify(ok=True)

    def write_commit_then_read():
        write_uncommitted()
        db.session.commit()
        return jsonify(tenants=_count_tenants())

    def exists():
        return jsonify(exists=bool(db.session.execute(sa.text(temp_exists)).scalar()))

    def dirty():
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.code == CITY))
        enter_tenant(tenant.id)  # for the rest of the request: a flush could be audited
        tenant.name_en = CHANGED
        return jsonify(ok=True)

    def fail():
        _count_tenants()
        raise RuntimeError("the view failed after reading")

    app.add_url_rule("/probe/read", view_func=read, methods=["GET", "POST"])
    app.add_url_rule("/probe/write", view_func=write_uncommitted)
    app.add_url_rule("/probe/write-then-read-elsewhere", view_func=write_then_read_elsewhere)
    app.add_url_rule("/probe/write-commit-then-read", view_func=write_commit_then_read)
    app.add_url_rule("/probe/exists", view_func=exists)
    app.add_url_rule("/probe/dirty", view_func=dirty)
    app.add_url_rule("/probe/fail", view_func=fail)
    app.ends = ends
    yield app
    engine.dispose()


def _count_tenants() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Tenant))


def test_a_get_that_only_read_ends_with_commit(probe, world):
    answer = probe.test_client().get("/probe/read")
    assert answer.status_code == 200 and answer.json["tenants"] >= 2
    assert probe.ends == ["COMMIT"]


# A bearer header spares the probe's POST the CSRF check (the token itself is no good).
BEARER = {"Authorization": "Bearer not-a-token"}


def test_a_post_that_only_read_still_ends_with_rollback(probe):
    assert probe.test_client().post("/probe/read", headers=BEARER).status_code == 200
    assert probe.ends == ["ROLLBACK"]


def test_a_get_that_wrote_without_committing_ends_with_rollback(probe):
    client = probe.test_client()
    assert client.get("/probe/write").status_code == 200
    assert probe.ends == ["ROLLBACK"]
    # the temporary table and its row went with the transaction
    assert client.get("/probe/exists").json == {"exists": False}
    assert probe.ends == ["ROLLBACK", "COMMIT"]  # the next read is clean again


def test_what_another_session_did_not_write_does_not_clear_this_ones_write(probe):
    """Whether a transaction wrote is kept per session: a read-only session opened meanwhile
    (a nested app context, another connection) does not make this one's write look clean."""
    client = probe.test_client()
    assert client.get("/probe/write-then-read-elsewhere").status_code == 200
    assert probe.ends == ["ROLLBACK", "ROLLBACK"]  # the inner session's, then the request's
    assert client.get("/probe/exists").json == {"exists": False}


def test_a_transaction_after_a_committed_write_is_judged_on_its_own(probe):
    client = probe.test_client()
    assert client.get("/probe/write-commit-then-read").status_code == 200
    assert probe.ends == ["COMMIT", "COMMIT"]  # the view's commit; then the read's
    assert client.get("/probe/exists").json == {"exists": True}  # committed, for this connection


def test_a_get_that_left_a_change_pending_ends_with_rollback(probe, world):
    client = probe.test_client()
    assert client.get("/probe/dirty").status_code == 200
    ended = list(probe.ends)
    with probe.app_context():
        name = db.session.scalar(sa.select(Tenant.name_en).where(Tenant.code == CITY))
        if name == CHANGED:  # the teardown committed it: put the shared world back
            db.session.execute(
                sa.update(Tenant)
                .where(Tenant.code == CITY)
                .values(name_en=world.tenants[CITY].name_en)
            )
            db.session.commit()
    assert name != CHANGED
    assert ended == ["ROLLBACK"]


def test_a_get_that_failed_ends_with_rollback(probe):
    """The app's error handler turns the exception into a 500 answer (so the teardown is
    told of no error): the answer's status decides."""
    assert probe.test_client().get("/probe/fail").status_code == 500
    assert probe.ends == ["ROLLBACK"]


def test_a_get_answered_with_an_error_ends_with_rollback(probe):
    assert probe.test_client().get("/probe/read?then=404").status_code == 404
    assert probe.ends == ["ROLLBACK"]


@pytest.mark.postgres
def test_prepared_statements_survive_reads_and_not_rollbacks(probe, backend):
    """psycopg prepares a statement on its sixth run on a connection and forgets all of
    them at ROLLBACK: reads ended with COMMIT reach the threshold, POSTs never do."""
    if backend != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    client = probe.test_client()
    posts = [client.post("/probe/read", headers=BEARER).json for _ in range(8)]
    assert len({p["pid"] for p in posts}) == 1  # one pooled connection throughout
    assert [p["prepared"] for p in posts] == [0] * 8
    gets = [client.get("/probe/read").json for _ in range(8)]
    assert {g["pid"] for g in gets} == {posts[0]["pid"]}
    assert gets[0]["prepared"] == 0 and gets[-1]["prepared"] >= 1
