"""Tenant scoping in one place.

Every query on a tenant-owned table is narrowed to the current tenant by a session
event; a query on such a table with no tenant context raises, and so does one written
in Core (on ``Model.__table__``) inside a tenant's scope, which the ORM's filter cannot
reach. New rows take the
current tenant and may not name another. On PostgreSQL the same context is handed to
row-level-security policies through ``set_config(..., true)`` per transaction, so a
forgotten filter (or raw SQL) still cannot see foreign rows.

The context lives in a ``ContextVar`` so the domain code needs no Flask: a request sets
it from the URL, a job or CLI command sets it explicitly.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, with_loader_criteria
from sqlalchemy.sql import visitors


class TenantScopeError(RuntimeError):
    """A tenant-owned table was touched without a tenant context, or across tenants."""


@dataclass(frozen=True)
class Scope:
    tenant_id: int | None
    system: bool = False


_scope: ContextVar[Scope | None] = ContextVar("tenant_scope", default=None)


def current_scope() -> Scope | None:
    return _scope.get()


def current_tenant_id() -> int | None:
    scope = _scope.get()
    return scope.tenant_id if scope else None


@contextmanager
def tenant_scope(tenant_id: int) -> Iterator[Scope]:
    """Run the block as tenant ``tenant_id``: every query sees only its rows."""
    token = _scope.set(Scope(tenant_id=tenant_id))
    try:
        yield _scope.get()
    finally:
        _scope.reset(token)


@contextmanager
def system_scope() -> Iterator[Scope]:
    """Run the block across tenants: provisioning, seeding, cross-tenant jobs, and the
    two look-ups that precede knowing the tenant (login by username, token by hash)."""
    token = _scope.set(Scope(tenant_id=None, system=True))
    try:
        yield _scope.get()
    finally:
        _scope.reset(token)


def enter_tenant(tenant_id: int):
    """Set the scope for the rest of a request; returns the token for ``leave``."""
    return _scope.set(Scope(tenant_id=tenant_id))


def leave(token) -> None:
    _scope.reset(token)


class TenantOwned:
    """Mixin for every table whose rows belong to one tenant."""

    __tenant_owned__ = True

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("tenants.id", ondelete="RESTRICT"), index=True)


def is_tenant_owned(cls_or_obj) -> bool:
    cls = cls_or_obj if isinstance(cls_or_obj, type) else type(cls_or_obj)
    return getattr(cls, "__tenant_owned__", False)


def _require_scope(what: str) -> Scope:
    scope = _scope.get()
    if scope is None:
        raise TenantScopeError(f"{what} on a tenant-owned table with no tenant context")
    return scope


def _scope_statement(state) -> None:
    _apply_rls(state.session)
    if state.is_column_load or not (state.is_select or state.is_update or state.is_delete):
        return
    if not _touches_tenant_tables(state):
        return
    scope = _require_scope("query")
    if scope.system:
        return
    if state.statement._propagate_attrs.get("compile_state_plugin") != "orm":
        _refuse_core(state)
    state.statement = _scoped(state.statement, scope.tenant_id)


def _refuse_core(state) -> None:
    """Raise if a statement that is not ORM-enabled names a tenant-owned table in Core
    (``Model.__table__`` or its columns): the ORM's filter attaches to the models, so such
    a statement would read every tenant's rows (on PostgreSQL row-level security would
    still stop it; on SQLite nothing would). A statement whose model attributes sit inside
    an EXISTS or a CTE is not ORM-enabled at the top, yet filtered: it passes."""
    owned = _tenant_tables(state.session)
    core_columns, plain_tables, modelled = set(), set(), set()
    for element in visitors.iterate(state.statement):
        is_column = isinstance(element, sa.Column)
        if not (is_column or isinstance(element, sa.Table)):
            continue
        table = element.table.name if is_column else element.name
        if table not in owned:
            continue
        if "parententity" in element._annotations:
            modelled.add(table)
        else:
            (core_columns if is_column else plain_tables).add(table)
    core = core_columns | (plain_tables - modelled)
    if core:
        raise TenantScopeError(
            f"a Core statement on tenant-owned {', '.join(sorted(core))} cannot be narrowed "
            "to the tenant: select the model's attributes instead of Model.__table__"
        )


# The scoped form of a statement, per tenant, for statements built once and run many times:
# the same object each time, so SQLAlchemy computes its cache key once (the key, with the
# tenant's id among its parameters, is memoized on the statement) instead of walking the
# whole statement on every execution. Keyed weakly: a statement built per request, and its
# scoped forms, go when it does.
_SCOPED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_SCOPED_PER_STATEMENT_MAX = 1_000


def _scoped(statement, tid: int):
    forms = _SCOPED.get(statement)
    if forms is None:
        forms = _SCOPED[statement] = {}
    scoped = forms.get(tid)
    if scoped is None:
        if len(forms) >= _SCOPED_PER_STATEMENT_MAX:
            forms.clear()
        scoped = forms[tid] = statement.options(_tenant_criteria(tid))
    return scoped


_CRITERIA: dict[int, object] = {}
_CRITERIA_MAX = 10_000


def _tenant_criteria(tid: int):
    """The filter option for tenant ``tid``, built once per tenant (an option is immutable;
    building it analyses the lambda, which costs more than the query's own compiling)."""
    option = _CRITERIA.get(tid)
    if option is None:
        if len(_CRITERIA) >= _CRITERIA_MAX:
            _CRITERIA.clear()
        option = _CRITERIA[tid] = with_loader_criteria(
            TenantOwned, lambda cls: cls.tenant_id == tid, include_aliases=True
        )
    return option


# Whether a statement object reads a tenant-owned table, for statements built once and run
# many times (a statement is immutable; ``.where()`` and friends make new ones).
_TOUCHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _touches_tenant_tables(state) -> bool:
    """Whether the statement reads a tenant-owned table anywhere: as an entity, or inside
    a subquery, CTE or EXISTS (which ``all_mappers`` does not list)."""
    statement = state.statement
    known = _TOUCHES.get(statement)
    if known is None:
        known = _TOUCHES[statement] = _reads_tenant_tables(state)
    return known


def _reads_tenant_tables(state) -> bool:
    if any(is_tenant_owned(m.class_) for m in state.all_mappers):
        return True
    owned = _tenant_tables(state.session)
    return any(
        isinstance(element, sa.Table) and element.name in owned
        for element in visitors.iterate(state.statement)
    )


def _tenant_tables(session: Session) -> frozenset[str]:
    registry = session.info.get(TABLES_KEY)
    if registry is None:
        from app.db import Base

        registry = frozenset(
            m.local_table.name for m in Base.registry.mappers if is_tenant_owned(m.class_)
        )
        session.info[TABLES_KEY] = registry
    return registry


TABLES_KEY = "judsup_tenant_tables"


def _stamp_new_rows(session: Session, _ctx, _instances) -> None:
    _apply_rls(session)
    for obj in list(session.new) + list(session.dirty):
        if not is_tenant_owned(obj):
            continue
        scope = _require_scope("write")
        if scope.system:
            if obj.tenant_id is None and not getattr(obj, "__tenant_optional__", False):
                raise TenantScopeError(f"{type(obj).__name__} written with no tenant_id")
            continue
        if obj.tenant_id is None:
            obj.tenant_id = scope.tenant_id
        elif obj.tenant_id != scope.tenant_id:
            raise TenantScopeError(
                f"{type(obj).__name__} of tenant {obj.tenant_id} written in tenant "
                f"{scope.tenant_id}'s context"
            )


def _new_transaction(_session: Session, _transaction, connection) -> None:
    if _outside_any_transaction(connection):
        # The database has no transaction open on this connection (the driver begins one
        # with the first statement), so nothing ``is_local`` survives: the policies see
        # an unset context, i.e. no rows. Only a scope that differs needs a round trip.
        connection.info[RLS_KEY] = UNSET
    else:
        connection.info.pop(RLS_KEY, None)  # joined an open transaction: trust nothing
    _apply_rls(_session, connection)


RLS_KEY = "judsup_rls_applied"
UNSET = (None, False)


def _outside_any_transaction(connection) -> bool:
    """Whether the driver reports no transaction open on the connection (psycopg 3);
    False when it cannot tell, which costs a ``set_config`` and is always safe."""
    if connection.dialect.name != "postgresql":
        return False
    try:
        return connection.connection.dbapi_connection.info.transaction_status == _IDLE
    except AttributeError:
        return False


_IDLE = 0  # libpq's PQTRANS_IDLE, as psycopg (3 and 2) reports it


def scope_columns(tenant_id_column) -> tuple:
    """Columns that hand tenant ``tenant_id_column`` to PostgreSQL in the statement that
    reads it (``set_config(..., true)`` in the select list, evaluated for the row it
    returns). Only for a statement on a table without row-level security, so the change
    cannot affect what the statement itself reads; call ``note_tenant_applied`` once the
    row came back."""
    return (
        sa.func.set_config("app.tenant_id", sa.cast(tenant_id_column, sa.Text), True),
        sa.func.set_config("app.system", "off", True),
    )


def note_tenant_applied(session: Session, tenant_id: int) -> None:
    """Remember that ``scope_columns`` set tenant ``tenant_id`` on the session's
    connection, so the tenant scope entered next needs no round trip of its own."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().info[RLS_KEY] = (tenant_id, False)


def _apply_rls(session: Session, connection=None) -> None:
    """Hand the scope to PostgreSQL for this transaction (``is_local = true``), once per
    change of scope: the policies read ``app.tenant_id`` and ``app.system``.

    What was applied is remembered on the connection, not the session: sessions that
    share one connection (tests' savepoints) must not trust each other's memory.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    if connection is None:
        if not session.in_transaction():
            return  # after_begin will apply it
        connection = session.connection()
    scope = _scope.get()
    wanted = (scope.tenant_id, scope.system) if scope else (None, False)
    if connection.info.get(RLS_KEY) == wanted:
        return
    connection.info[RLS_KEY] = wanted
    connection.execute(
        sa.text("SELECT set_config('app.tenant_id', :t, true), set_config('app.system', :s, true)"),
        {"t": "" if wanted[0] is None else str(wanted[0]), "s": "on" if wanted[1] else "off"},
    )


_LISTENERS = (
    ("do_orm_execute", _scope_statement),
    ("before_flush", _stamp_new_rows),
    ("after_begin", _new_transaction),
)


def install() -> None:
    """Attach the scoping events to every SQLAlchemy session (idempotent)."""
    for name, fn in _LISTENERS:
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)
