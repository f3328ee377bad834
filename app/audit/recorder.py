"""Every ORM write is audited by one session event, so no view can forget to.

Bulk loads that bypass the ORM (imports, seeding) call ``record`` once per batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.db import utcnow
from tenants.scoping import TenantScopeError, current_scope

SECRET_FIELDS = ("password_hash", "key_hash", "token_hash")


@dataclass(frozen=True)
class Actor:
    label: str
    user_id: int | None = None
    tenant_id: int | None = None
    address: str = ""


SYSTEM = Actor("system")
_actor: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)


def current_actor() -> Actor:
    return _actor.get() or SYSTEM


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


def set_actor(actor: Actor):
    return _actor.set(actor)


def reset_actor(token) -> None:
    _actor.reset(token)


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str | int | float | bool | list | dict) or value is None:
        return value
    return str(value)


def _changes(obj, only_modified: bool) -> dict:
    state = sa.inspect(obj)
    out = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if only_modified and not hist.has_changes():
            continue
        value = hist.added[0] if hist.added else getattr(obj, attr.key, None)
        out[attr.key] = "***" if attr.key in SECRET_FIELDS else _plain(value)
    return out


def _tenant_of(obj) -> int | None:
    """The tenant an audit row belongs to: the one the change was made in, else the
    object's own, else the actor's."""
    scope = current_scope()
    if scope and scope.tenant_id is not None:
        return scope.tenant_id
    if obj is not None and getattr(obj, "__tablename__", "") == "tenants":
        return obj.id
    return getattr(obj, "tenant_id", None) or current_actor().tenant_id


def _row(obj, action: str, detail: dict) -> dict:
    actor = current_actor()
    # Pending rows have no identity yet in after_flush, but their keys are assigned.
    pk = sa.inspect(obj).mapper.primary_key_from_instance(obj)
    return {
        "tenant_id": _tenant_of(obj),
        "actor_user_id": actor.user_id,
        "actor": actor.label,
        "action": f"{obj.__tablename__}.{action}",
        "object_type": obj.__tablename__,
        "object_id": ",".join(str(k) for k in pk if k is not None),
        "detail": detail,
        "address": actor.address,
        "created_at": utcnow(),
    }


def _audited(obj) -> bool:
    return getattr(type(obj), "__audited__", True)


def _audit_flush(session: Session, _ctx) -> None:
    rows = [_row(o, "insert", _changes(o, False)) for o in session.new if _audited(o)]
    rows += [
        _row(o, "update", _changes(o, True))
        for o in session.dirty
        if _audited(o) and session.is_modified(o, include_collections=False)
    ]
    rows += [_row(o, "delete", {}) for o in session.deleted if _audited(o)]
    if rows and current_scope() is None:
        # The audit row belongs to a tenant; with no scope it could not be written on
        # PostgreSQL (row-level security), so no backend accepts the write.
        raise TenantScopeError("a write with no tenant or system scope cannot be audited")
    if rows:
        session.connection().execute(sa.insert(AuditEvent.__table__), rows)


def record(session: Session, action: str, object_type: str, object_id: str = "", **detail) -> None:
    """Audit a write the ORM did not see (a bulk load), in the current tenant."""
    actor = current_actor()
    session.add(
        AuditEvent(
            tenant_id=_tenant_of(None),
            actor_user_id=actor.user_id,
            actor=actor.label,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail={k: _plain(v) for k, v in detail.items()},
            address=actor.address,
        )
    )


def install() -> None:
    """Attach the audit event to every SQLAlchemy session (idempotent)."""
    if not event.contains(Session, "after_flush", _audit_flush):
        event.listen(Session, "after_flush", _audit_flush)
