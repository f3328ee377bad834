"""The tenant comes from the URL, in one place.

Every tenant route lives on a blueprint made by ``tenant_blueprint``, whose prefix holds
``<code>``. The code is popped before the view runs (views never see it), resolved to a
tenant, and the tenant scope is entered for the rest of the request; ``url_for`` fills
the code back in from the current tenant.
"""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, current_app, g
from werkzeug.local import LocalProxy

from app.db import db
from tenants.models import Tenant
from tenants.scoping import enter_tenant, leave, note_tenant_applied, scope_columns

current_tenant: Tenant = LocalProxy(lambda: g.get("tenant"))  # type: ignore[assignment]


def tenant_by_code(code: str) -> Tenant | None:
    # Tenants are not tenant-owned rows (the tree is shared), so no scope is needed.
    return db.session.scalar(sa.select(Tenant).where(Tenant.code == code))


def _resolve(_endpoint: str | None, values: dict | None) -> None:
    code = (values or {}).pop("code", None)
    if code is None:
        return
    # The tree is shared (no scope needed, no row-level security on it), so the same
    # statement hands the tenant it finds to PostgreSQL: the scope entered below costs no
    # round trip of its own. The rest of the row (names, grants) is read fresh each time.
    on_postgres = db.session.get_bind().dialect.name == "postgresql"
    row = db.session.execute(_by_code(on_postgres), {"code": code}).first()
    if row is None:
        abort(404)
    tenant = row[0]
    note_tenant_applied(db.session, tenant.id)
    g.tenant = tenant
    g.tenant_scope_token = enter_tenant(tenant.id)


@cache
def _by_code(on_postgres: bool) -> sa.Select:
    """The tenant of a division code, with its scope handed over (built once)."""
    handover = scope_columns(Tenant.id) if on_postgres else ()
    return sa.select(Tenant, *handover).where(Tenant.code == sa.bindparam("code"))


def _fill_code(endpoint: str, values: dict) -> None:
    tenant = g.get("tenant")
    if (
        tenant is not None
        and "code" not in values
        and current_app.url_map.is_endpoint_expecting(endpoint, "code")
    ):
        values["code"] = tenant.code


def tenant_blueprint(name: str, import_name: str, url_prefix: str) -> Blueprint:
    """A blueprint whose every route is scoped to the tenant named in its URL."""
    bp = Blueprint(name, import_name, url_prefix=f"{url_prefix}/t/<code>")
    bp.url_value_preprocessor(_resolve)
    bp.url_defaults(_fill_code)
    bp.tenant_scoped = True
    return bp


def init_app(app: Flask) -> None:
    @app.teardown_request
    def _leave_tenant(_exc):
        token = g.pop("tenant_scope_token", None)
        if token is not None:
            leave(token)
