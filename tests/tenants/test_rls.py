"""The PostgreSQL net: row-level security holds even for raw SQL without the ORM scope."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.models import Base

pytestmark = pytest.mark.postgres

# Tables the shared world leaves empty (or single-tenant): their foreign-row check is
# done by the tests of their own area.
EMPTY_IN_WORLD = {
    "api_tokens",
    "login_sessions",
    "audit_events",
    "common_problems",  # tests/federation/test_campaigns.py
    "joint_task_actions",
}
TENANT_TABLES = sorted(t.name for t in Base.metadata.tables.values() if "tenant_id" in t.c)


@pytest.fixture(autouse=True)
def _only_postgres(backend):
    if backend != "postgresql":
        pytest.skip("row-level security exists only on PostgreSQL")


def _set(conn, tenant_id="", system="off"):
    conn.execute(
        sa.text("SELECT set_config('app.tenant_id', :t, true), set_config('app.system', :s, true)"),
        {"t": str(tenant_id), "s": system},
    )


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_raw_sql_sees_only_the_current_tenant(tx, world, table):
    own = world.tenant_id("330106")
    _set(tx, own)
    tenants = {r[0] for r in tx.execute(sa.text(f"SELECT DISTINCT tenant_id FROM {table}"))}
    assert tenants <= {own}
    _set(tx, system="on")
    everyone = {r[0] for r in tx.execute(sa.text(f"SELECT DISTINCT tenant_id FROM {table}"))}
    if table not in EMPTY_IN_WORLD:
        assert len(everyone) > 1  # the filter above had foreign rows to hide


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_unset_context_denies(tx, table):
    _set(tx)
    assert tx.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one() == 0


def test_raw_insert_for_another_tenant_is_refused(tx, world):
    _set(tx, world.tenant_id("330106"))
    with pytest.raises(sa.exc.ProgrammingError, match="row-level security"), tx.begin_nested():
        tx.execute(
            sa.text(
                "INSERT INTO organs (tenant_id, kind, name_zh, name_en, active, "
                "created_at) VALUES (:t, 'court', 'x', '', true, now())"
            ),
            {"t": world.tenant_id("330105")},
        )


def test_raw_update_cannot_touch_foreign_rows(tx, world):
    _set(tx, world.tenant_id("330106"))
    changed = tx.execute(
        sa.text("UPDATE organs SET active = false WHERE tenant_id = :t"),
        {"t": world.tenant_id("330105")},
    ).rowcount
    assert changed == 0


def test_policies_are_forced_on_every_tenant_table(database):
    engine = sa.create_engine(database["owner"])
    with engine.connect() as conn:
        rows = dict(
            conn.execute(
                sa.text(
                    "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class "
                    "WHERE relname = ANY(:names)"
                ),
                {"names": TENANT_TABLES},
            ).all()
        )
    engine.dispose()
    assert rows == {name: True for name in TENANT_TABLES}


def test_the_app_connects_as_a_role_that_cannot_bypass(tx):
    role = tx.execute(
        sa.text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    ).one()
    assert role == (False, False)
