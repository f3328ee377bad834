"""PostgreSQL row-level security: the second net under the ORM's tenant filter.

Migrations call ``enable`` for every tenant-owned table they create. The policy lets a
row through only when its ``tenant_id`` equals ``app.tenant_id`` set for the current
transaction, or when the transaction is in system scope; an unset context sees nothing.
``FORCE`` makes the table's owner obey it too, and the app connects as a role that owns
nothing and is no superuser (checked at start in production).
"""

from __future__ import annotations

POLICY = "tenant_isolation"

_PREDICATE = (
    "(current_setting('app.system', true) = 'on' OR "
    "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::integer)"
)


def enable_statements(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {POLICY} ON {table} USING {_PREDICATE} WITH CHECK {_PREDICATE}",
    ]


def disable_statements(table: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {POLICY} ON {table}",
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]


def app_role_statements(role: str) -> list[str]:
    """Create the app's runtime role if missing (without login: the operator gives it a
    password) and grant it rows, never DDL."""
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') "
        f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]


def enable(op, table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in enable_statements(table):
            op.execute(statement)


def disable(op, table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in disable_statements(table):
            op.execute(statement)


def grant_app_role(op, role: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        if not role.replace("_", "").isalnum():
            raise ValueError(f"bad role name {role!r}")
        for statement in app_role_statements(role):
            op.execute(statement)
