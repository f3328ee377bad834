"""Reading stored snapshots, for the API and the pages alike (never building them)."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa

from app.auth.access import own_organ_only
from app.dashboards.models import DashboardSnapshot

READERS = ("admin", "staff", "deputy", "viewer", "organ")


def visible():
    """Snapshots the caller may see in the current tenant: all of them for congress users;
    an organ user only its own organ's charts (another organ's answer 404)."""
    stmt = own_organ_only(sa.select(DashboardSnapshot), DashboardSnapshot.organ_id)
    return stmt.order_by(DashboardSnapshot.organ_id.is_not(None), DashboardSnapshot.name)


def named(session, name: str) -> DashboardSnapshot | None:
    return session.scalar(visible().where(DashboardSnapshot.name == name))


def served(session, name: str) -> sa.Row | None:
    """What the API serves of one chart, with the options as the stored JSON text (sent
    as they are, neither decoded nor encoded again); same visibility as ``named``."""
    stmt = own_organ_only(_served(), DashboardSnapshot.organ_id)
    return session.execute(stmt, {"name": name}).first()


@cache
def _served() -> sa.Select:
    d = DashboardSnapshot
    return sa.select(
        d.name,
        d.title_zh,
        d.title_en,
        d.organ_id,
        d.version,
        d.etag,
        d.built_at,
        d.changed_at,
        sa.cast(d.options, sa.Text).label("options_json"),
    ).where(d.name == sa.bindparam("name"))
