"""One Alembic head, always; upgrade and downgrade work; the models match the migrations."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.dbcli import alembic_config
from app.models import Base
from tests.support import services
from tests.support.databases import drop_postgres, fresh_postgres, fresh_sqlite


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config(url="sqlite://"))
    assert len(script.get_heads()) == 1


@pytest.fixture
def scratch_url(backend, tmp_path):
    if backend == "sqlite":
        yield fresh_sqlite(tmp_path)
        return
    name = f"judsup_migrations_{os.getpid()}"
    owner, _ = fresh_postgres(services.pg_url(), name)
    yield owner
    drop_postgres(services.pg_url(), name)


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(scratch_url):
    conf = alembic_config(url=scratch_url)
    command.upgrade(conf, "head")
    assert _tables(scratch_url) == set(Base.metadata.tables)
    command.downgrade(conf, "base")
    assert _tables(scratch_url) == set()
    command.upgrade(conf, "head")
    assert _tables(scratch_url) == set(Base.metadata.tables)


def test_models_match_migrations(scratch_url):
    command.upgrade(alembic_config(url=scratch_url), "head")
    engine = sa.create_engine(scratch_url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    assert diff == []
