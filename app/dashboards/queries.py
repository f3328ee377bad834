"""Reading stored snapshots, for the API and the pages alike (never building them)."""

from __future__ import annotations

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
