"""Storing snapshots and scheduling their rebuild."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.dashboards.builders import Chart
from app.dashboards.models import DashboardSnapshot
from workers.queue import after_commit


def etag_of(options: dict) -> str:
    canonical = json.dumps(options, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def store(session: Session, charts: Iterable[Chart]) -> dict:
    """Upsert the current tenant's snapshots: a changed chart gets a new ETag and version,
    an unchanged one only a new ``built_at``; charts no longer built are removed."""
    now = clock.now()
    existing = {s.name: s for s in session.scalars(sa.select(DashboardSnapshot))}
    changed = unchanged = 0
    built = set()
    for chart in charts:
        built.add(chart.name)
        etag = etag_of(chart.options)
        snapshot = existing.get(chart.name)
        if snapshot is None:
            session.add(
                DashboardSnapshot(
                    name=chart.name,
                    title_zh=chart.title_zh,
                    title_en=chart.title_en,
                    organ_id=chart.organ_id,
                    options=chart.options,
                    etag=etag,
                    version=1,
                    built_at=now,
                    changed_at=now,
                )
            )
            changed += 1
        elif snapshot.etag != etag:
            snapshot.options, snapshot.etag = chart.options, etag
            snapshot.title_zh, snapshot.title_en = chart.title_zh, chart.title_en
            snapshot.version += 1
            snapshot.built_at = snapshot.changed_at = now
            changed += 1
        else:
            snapshot.built_at = now
            unchanged += 1
    removed = [s for name, s in existing.items() if name not in built]
    for snapshot in removed:
        session.delete(snapshot)
    session.flush()
    return {"changed": changed, "unchanged": unchanged, "removed": len(removed)}


def schedule(session: Session, tenant_ids: Iterable[int]) -> None:
    """Rebuild these tenants' dashboards once the current transaction commits."""
    for tenant_id in sorted(set(tenant_ids)):
        after_commit(session, "dashboards", "app.dashboards.jobs.rebuild_tenant", tenant_id)
