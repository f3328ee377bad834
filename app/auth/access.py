"""Who may use a tenant route: one decorator, declared on every tenant view.

In its own tenant a user needs one of the route's roles (else 403). From an ancestor
tenant, congress users may read where the route allows ancestors (roll-ups, ratings,
the tenant itself), and raw submissions only where the tree grants it. Anyone else —
a sibling, a stranger, an ancestor on a route not open to it — gets 404, exactly as
for an object that does not exist.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, g
from flask_login import current_user

from app.auth.models import CONGRESS_ROLES, ROLES

ALL_ROLES = tuple(ROLES)
ANCESTORS_NEVER, ANCESTORS_READ, ANCESTORS_IF_GRANTED = "never", "read", "if_granted"


def may_enter(roles: tuple[str, ...], ancestors: str) -> int | None:
    """None if the current user may use the route here, else the status to answer."""
    tenant = g.tenant
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return 404 if g.get("foreign_user") else 401
    if user.tenant_id == tenant.id:
        return None if user.role in roles else 403
    if user.role not in CONGRESS_ROLES or ancestors == ANCESTORS_NEVER:
        return 404
    if ancestors == ANCESTORS_IF_GRANTED and not tenant.raw_readable_by_ancestors:
        return 404
    return None


def allow(*roles: str, ancestors: str = ANCESTORS_NEVER):
    """Declare the roles (in the tenant itself) and the ancestors' access of a view."""
    unknown = set(roles) - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            status = may_enter(roles, ancestors)
            if status is not None:
                abort(status)
            return view(*args, **kwargs)

        guarded.access = {"roles": roles, "ancestors": ancestors}
        return guarded

    return decorate


def is_own_organ_user() -> bool:
    """An organ user in its own tenant: it sees its own organ's rows and no one else's."""
    return current_user.role == "organ" and current_user.tenant_id == g.tenant.id


def own_organ_only(stmt, column):
    """Narrow ``stmt`` to the caller's organ when the caller is an organ user here (another
    organ's rows then answer 404, like another tenant's)."""
    return stmt.where(column == current_user.organ_id) if is_own_organ_user() else stmt


def acting_from_ancestor() -> bool:
    return current_user.is_authenticated and current_user.tenant_id != g.tenant.id
