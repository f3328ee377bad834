"""Migration 0010 widens the check on a supervision matter's origin (on SQLite by copying
the table): the matters already there survive it, the new kinds are accepted, unknown ones
still refused, and a downgrade keeps the matters (their new-kind origins become "none")."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from alembic import command

from app.dbcli import alembic_config
from tests.support import services
from tests.support.databases import drop_postgres, fresh_postgres, fresh_sqlite

NOW = "2026-12-01 08:00:00+00:00"


@pytest.fixture
def scratch_url(backend, tmp_path):
    if backend == "sqlite":
        yield fresh_sqlite(tmp_path)
        return
    name = f"judsup_coord_migration_{os.getpid()}"
    owner, _ = fresh_postgres(services.pg_url(), name)
    yield owner
    drop_postgres(services.pg_url(), name)


def _run(engine, sql: str, **params):
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT set_config('app.system', 'on', true)"))
        return conn.execute(sa.text(sql), params)


def _matter(engine, origin: str) -> None:
    _run(
        engine,
        "INSERT INTO supervision_matters (title, subject, form, status, summary, origin_kind, "
        "origin_ref, origin_title, created_by, created_at, tenant_id) VALUES (:title, "
        "'standing_committee', 'inquiry', 'proposed', '', :origin, '1', 'o', 'staff', :now, 1)",
        title=f"from {origin}",
        origin=origin,
        now=NOW,
    )


def test_matters_survive_and_the_new_origins_are_accepted(scratch_url):
    conf = alembic_config(url=scratch_url)
    command.upgrade(conf, "0009")
    engine = sa.create_engine(scratch_url)
    try:
        _run(
            engine,
            "INSERT INTO tenants (id, code, name_zh, name_en, level, path, depth, is_demo, "
            "raw_readable_by_ancestors, created_at) VALUES (1, '330106', '西湖区', '', "
            "'district', '/330106/', 2, false, false, :now)",
            now=NOW,
        )
        _matter(engine, "ticket")
        _run(
            engine,
            "INSERT INTO supervision_matter_events (matter_id, action, to_status, actor, "
            "comment, at, tenant_id) VALUES (1, 'propose', 'proposed', 'staff', '', :now, 1)",
            now=NOW,
        )
        command.upgrade(conf, "0010")
        assert _run(engine, "SELECT title FROM supervision_matters").scalars().all() == [
            "from ticket"
        ]
        assert _run(engine, "SELECT count(*) FROM supervision_matter_events").scalar() == 1
        for origin in ("evaluator_report", "recommendation", "public_comment"):
            _matter(engine, origin)
        with pytest.raises(sa.exc.IntegrityError):
            _matter(engine, "rumour")

        command.downgrade(conf, "0009")
        kinds = _run(engine, "SELECT origin_kind FROM supervision_matters ORDER BY id")
        assert kinds.scalars().all() == ["ticket", "none", "none", "none"]
        with pytest.raises(sa.exc.IntegrityError):
            _matter(engine, "public_comment")
    finally:
        engine.dispose()
