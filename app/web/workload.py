"""工作日历 and 亮榜晒绩 pages: what falls due this week and this month across every kind
of item (and what is overdue); everything one organ owes the congress; the organs ranked
by how they answer; and, for a parent congress, its children ranked the same way.

An organ user sees its own organ only: the calendar narrows to it, another organ's list
answers 404 (like another tenant's)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, g, render_template
from flask_login import current_user

from app import clock
from app.auth.access import ANCESTORS_READ, allow, is_own_organ_user, own_organ_only
from app.db import db
from app.i18n import select_locale
from app.matters import responsiveness
from app.web import bp, tenant_bp
from app.workload import due_items
from app.workload import sources as _sources  # registers the tickets', opinions', matters'
from app.workload.calendar import OWED_HORIZON, calendar_window, group, month_of, week_of
from tenants.models import Organ

READERS = ("admin", "staff", "deputy", "viewer", "organ")
CONGRESS_READERS = ("admin", "staff", "deputy", "viewer")


@bp.app_context_processor
def workload_labels():
    english = select_locale() == "en"
    return {
        "due_kind": lambda item: item.kind_label[1 if english else 0],
        "due_status": lambda item: _sources.status_label(item.kind, item.status, english),
    }


def _organ(organ_id: int) -> Organ:
    organ = db.session.scalar(
        own_organ_only(sa.select(Organ), Organ.id).where(Organ.id == organ_id)
    )
    if organ is None:
        abort(404)
    return organ


@tenant_bp.get("/calendar")
@allow(*READERS, ancestors=ANCESTORS_READ)
def calendar_page():
    """Overdue, this week, this month: tickets, opinions, concerns, matters and whatever
    else registered a source (an organ user: its own organ's)."""
    today = clock.today()
    start, end = calendar_window(today)
    organ_id = current_user.organ_id if is_own_organ_user() else None
    items = due_items(db.session, g.tenant.id, organ_id=organ_id, start=start, end=end)
    return render_template(
        "workload/calendar.html",
        groups=group(items, today),
        today=today,
        week=week_of(today),
        month=month_of(today),
        organ=db.session.get(Organ, organ_id) if organ_id else None,
    )


@tenant_bp.get("/organs/<int:organ_id>/owed")
@allow(*READERS, ancestors=ANCESTORS_READ)
def organ_owed_page(organ_id: int):
    """Everything the organ owes the congress, overdue first, with its figures."""
    organ = _organ(organ_id)
    today = clock.today()
    items = due_items(
        db.session, g.tenant.id, organ_id=organ.id, start=today, end=today + OWED_HORIZON
    )
    (row,) = responsiveness.organ_rows(db.session, [organ], today) or [None]
    return render_template(
        "workload/owed.html",
        organ=organ,
        groups=group(items, today),
        total=len(items),
        today=today,
        figures=row,
    )


@tenant_bp.get("/responsiveness")
@allow(*READERS, ancestors=ANCESTORS_READ)
def responsiveness_page():
    """亮榜晒绩: the organs ranked by answering on time, being accepted at the first
    review, and answering quickly."""
    today = clock.today()
    organs = db.session.scalars(own_organ_only(sa.select(Organ), Organ.id).order_by(Organ.id))
    return render_template(
        "workload/responsiveness.html",
        rows=responsiveness.organ_rows(db.session, organs, today),
        today=today,
        has_children=bool(g.tenant.children),
    )


@tenant_bp.get("/federation/responsiveness")
@allow(*CONGRESS_READERS, ancestors=ANCESTORS_READ)
def federation_responsiveness_page():
    """The parent's view: each child congress's figures over its whole subtree."""
    today = clock.today()
    rows = responsiveness.children_figures(db.session, g.tenant.id, today)
    if not rows:
        abort(404)  # a congress with no children has no federation pages
    return render_template(
        "workload/federation_responsiveness.html", rows=rows, today=today, tenant=g.tenant
    )
