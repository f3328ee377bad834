"""体检化验单 (an organ's lab sheet), 待办工单 (the response tickets: the organ's inbox,
the congress's list, one ticket with its history, the answer and review forms) and the
user's notifications."""

from __future__ import annotations

from datetime import UTC, date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import clock
from app.api.portraits import portrait_json
from app.auth.access import ANCESTORS_READ, allow, is_own_organ_user
from app.calendar.workdays import CalendarGap, load_calendar, working_days_between
from app.datamart.periods import MONTH, month_of, recent_months
from app.db import db, utcnow
from app.i18n import select_locale
from app.indicators.service import current_indicators
from app.notifications.models import Notification
from app.portraits.service import organ_portrait
from app.ratings.engine import settings_for
from app.ratings.labsheet import lab_sheet
from app.ratings.models import COLOURS
from app.tickets import service as tickets
from app.tickets.models import Ticket
from app.tickets.states import (
    ACTION_LABELS,
    OPEN_STATUSES,
    STATUS_LABELS,
    STATUSES,
    TransitionError,
    allowed_actions,
)
from app.web import bp, tenant_bp
from app.web.opinions import open_opinions_of_my_organ
from tenants.models import Organ, Tenant
from tenants.resolution import current_tenant
from tenants.scoping import tenant_scope

READERS = ("admin", "staff", "deputy", "viewer", "organ")
REVIEWERS = ("staff", "admin")
AWAITING_ORGAN = ("open", "returned")
MAX_TEXT = 5000
CLOSED_SHOWN = 20
LISTED = 500
FILTERS = ("status", "colour", "organ", "period")
GROUPS = ("overdue", "due_soon", "pending", "closed")


# --- labels and filters shared by the pages -----------------------------------------------
@bp.app_context_processor
def supervision_labels():
    """Colour, verdict and ticket-status labels in the page's language, and the counts the
    navigation shows (open tickets of an organ user's organ, unread notifications)."""
    colours = {"green": _("绿"), "yellow": _("黄"), "red": _("红"), "grey": _("灰")}
    verdicts = {"normal": _("正常"), "reminder": _("提醒"), "warning": _("预警")}
    english = select_locale() == "en"

    def ticket_status(code: str) -> str:
        zh, en = STATUS_LABELS.get(code, (code, code))
        return en if english else zh

    def ticket_action(code: str) -> str:
        zh, en = ACTION_LABELS.get(code, (code, code))
        return en if english else zh

    return {
        "colour_label": lambda code: colours.get(code, _("未评级")),
        "verdict_label": lambda code: verdicts.get(code, _("未研判")),
        "ticket_status": ticket_status,
        "ticket_action": ticket_action,
        **_nav_counts(),
    }


def _nav_counts() -> dict:
    """Two cheap counts, each in the user's own tenant (whatever page they are on)."""
    counts = {"open_ticket_count": None, "unread_count": None}
    if not current_user.is_authenticated:
        return counts
    try:
        with tenant_scope(current_user.tenant_id):
            if current_user.role == "organ" and current_user.organ_id is not None:
                counts["open_ticket_count"] = db.session.scalar(
                    sa.select(sa.func.count(Ticket.id)).where(
                        Ticket.organ_id == current_user.organ_id,
                        # waiting on the organ: an answered ticket is the congress's move
                        Ticket.status.in_(("open", "returned")),
                    )
                )
            counts["unread_count"] = db.session.scalar(
                sa.select(sa.func.count(Notification.id)).where(
                    Notification.user_id == current_user.id, Notification.read_at.is_(None)
                )
            )
    except sa.exc.SQLAlchemyError:
        # An error page after a failed transaction still renders, without the badges.
        db.session.rollback()
    return counts


@bp.app_template_filter("reading")
def reading(value) -> str:
    """A measured value to two decimals at most: 83.33, 80857, 97.8."""
    if value is None or value == "":
        return ""
    number = round(float(value), 2)
    return str(int(number)) if number.is_integer() else f"{number:g}"


@bp.app_template_filter("beijing")
def beijing(moment) -> str:
    """A stored instant (UTC; naive from SQLite) as Beijing wall-clock time."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(clock.BEIJING).strftime("%Y-%m-%d %H:%M")


def _indicator_names() -> dict[str, tuple[str, str]]:
    _version, rows = current_indicators()
    return {row.code: (row.name_zh, row.name_en) for row in rows}


def _today() -> date:
    return clock.now().astimezone(clock.BEIJING).date()


# --- 体检化验单 ------------------------------------------------------------------------------
@tenant_bp.get("/organs/<int:organ_id>/lab-sheet")
@allow(*READERS, ancestors=ANCESTORS_READ)
def lab_sheet_page(organ_id: int):
    if is_own_organ_user() and organ_id != current_user.organ_id:
        abort(404)
    organ = db.session.scalar(sa.select(Organ).where(Organ.id == organ_id))
    if organ is None:
        abort(404)
    period = request.args.get("period") or None
    if period is not None and not MONTH.match(period):
        abort(404)
    sheet = lab_sheet(db.session, organ, current_tenant, period)
    months = recent_months(month_of(clock.now()), 12)
    if sheet["period"] and sheet["period"] not in months:
        months = [sheet["period"], *months]
    order = {"red": 0, "yellow": 1, "grey": 2}
    flagged = sorted(
        (r for r in sheet["rows"] if r["colour"] in order),
        key=lambda r: (order[r["colour"]], r["code"]),
    )
    portrait = None
    if sheet["period"]:
        portrait = portrait_json(organ_portrait(db.session, current_tenant, organ, sheet["period"]))
    page = render_template(
        "supervision/lab_sheet.html",
        organ=organ,
        sheet=sheet,
        months=months,
        flagged=flagged,
        tickets=_tickets_by_code(organ.id, sheet["period"]),
        portrait=portrait,
    )
    db.session.commit()  # the congress's shipped topics, if the portrait was their first use
    return page


def _tickets_by_code(organ_id: int, period: str | None) -> dict[str, int]:
    if period is None:
        return {}
    rows = db.session.execute(
        sa.select(Ticket.indicator_code, Ticket.id).where(
            Ticket.organ_id == organ_id, Ticket.period == period
        )
    ).all()
    return dict(rows)


# --- 工单 ----------------------------------------------------------------------------------
def _visible_tickets():
    stmt = sa.select(Ticket)
    if is_own_organ_user():
        stmt = stmt.where(Ticket.organ_id == current_user.organ_id)
    return stmt


def _days_left(today: date, deadline: date, calendar) -> int:
    """Working days from today to the deadline (negative once passed); calendar days
    where the holiday data ends."""
    try:
        return working_days_between(today, deadline, calendar)
    except CalendarGap:
        return (deadline - today).days


def _urgency(ticket: Ticket, today: date, soon: int, calendar) -> str:
    if ticket.status not in OPEN_STATUSES:
        return "closed"
    if ticket.status in AWAITING_ORGAN:
        if ticket.deadline < today:
            return "overdue"
        if _days_left(today, ticket.deadline, calendar) <= soon:
            return "due_soon"
    return "pending"


@tenant_bp.get("/tickets")
@allow(*READERS, ancestors=ANCESTORS_READ)
def tickets_page():
    """An organ's inbox, grouped by urgency; for the congress every ticket, filtered."""
    today, calendar = _today(), load_calendar()
    soon = settings_for(db.session, [current_tenant.id])[current_tenant.id].due_soon_days
    names = _indicator_names()
    if is_own_organ_user():
        return _organ_inbox(today, soon, calendar, names)
    filters = {key: request.args.get(key, "").strip() for key in FILTERS}
    stmt = _visible_tickets()
    if filters["status"] == "open":
        stmt = stmt.where(Ticket.status.in_(OPEN_STATUSES))
    elif filters["status"] in STATUSES:
        stmt = stmt.where(Ticket.status == filters["status"])
    if filters["colour"] in COLOURS:
        stmt = stmt.where(Ticket.colour == filters["colour"])
    if filters["organ"].isdigit():
        stmt = stmt.where(Ticket.organ_id == int(filters["organ"]))
    if filters["period"]:
        stmt = stmt.where(Ticket.period == filters["period"])
    rows = db.session.scalars(
        stmt.order_by(
            sa.case((Ticket.status.in_(OPEN_STATUSES), 0), else_=1),
            Ticket.deadline,
            Ticket.id,
        ).limit(LISTED + 1)
    ).all()
    organs = db.session.scalars(sa.select(Organ).order_by(Organ.id)).all()
    periods = db.session.scalars(
        sa.select(Ticket.period).distinct().order_by(Ticket.period.desc())
    ).all()
    return render_template(
        "supervision/tickets.html",
        tickets=[(t, _urgency(t, today, soon, calendar)) for t in rows[:LISTED]],
        truncated=len(rows) > LISTED,
        filters=filters,
        organs=organs,
        periods=periods,
        statuses=STATUSES,
        names=names,
    )


def _organ_inbox(today: date, soon: int, calendar, names):
    open_rows = db.session.scalars(
        _visible_tickets()
        .where(Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.deadline, Ticket.id)
    ).all()
    closed = db.session.scalars(
        _visible_tickets()
        .where(Ticket.status.not_in(OPEN_STATUSES))
        .order_by(Ticket.closed_at.desc(), Ticket.id.desc())
        .limit(CLOSED_SHOWN)
    ).all()
    groups: dict[str, list[tuple[Ticket, str]]] = {name: [] for name in GROUPS}
    for ticket in open_rows:
        urgency = _urgency(ticket, today, soon, calendar)
        groups[urgency].append((ticket, urgency))
    groups["closed"] = [(ticket, "closed") for ticket in closed]
    return render_template(
        "supervision/inbox.html",
        groups=groups,
        soon=soon,
        names=names,
        today=today,
        opinions=open_opinions_of_my_organ(),
    )


def _ticket(ticket_id: int) -> Ticket:
    ticket = db.session.scalar(_visible_tickets().where(Ticket.id == ticket_id))
    if ticket is None:
        abort(404)
    return ticket


@tenant_bp.get("/tickets/<int:ticket_id>")
@allow(*READERS, ancestors=ANCESTORS_READ)
def ticket_page(ticket_id: int):
    ticket = _ticket(ticket_id)
    today = _today()
    soon = settings_for(db.session, [current_tenant.id])[current_tenant.id].due_soon_days
    own = is_own_organ_user()
    reviewer = current_user.role in REVIEWERS and current_user.tenant_id == current_tenant.id
    actions = allowed_actions(ticket.status, current_user.role) if own or reviewer else ()
    return render_template(
        "supervision/ticket.html",
        ticket=ticket,
        name=_indicator_names().get(ticket.indicator_code, ("", "")),
        urgency=_urgency(ticket, today, soon, load_calendar()),
        may_answer="answer" in actions,
        may_review="accept" in actions or "return" in actions,
        max_text=MAX_TEXT,
    )


def _back(ticket_id: int):
    return redirect(url_for("web_tenant.ticket_page", ticket_id=ticket_id))


def _act(ticket: Ticket, action: str, text: str, done: str):
    try:
        tickets.act(db.session, ticket, action, current_user, text)
    except TransitionError as err:
        db.session.rollback()
        flash(err.message_en if select_locale() == "en" else err.message_zh, "error")
        return _back(ticket.id)
    db.session.commit()
    flash(done, "info")
    return _back(ticket.id)


@tenant_bp.post("/tickets/<int:ticket_id>/answer")
@allow("organ")
def answer_ticket(ticket_id: int):
    """The organ's answer (反馈说明) from the ticket page's form."""
    ticket = _ticket(ticket_id)
    text = (request.form.get("text") or "").strip()
    if not text:
        flash(_("请填写反馈说明"), "error")
        return _back(ticket.id)
    if len(text) > MAX_TEXT:
        flash(_("反馈说明不能超过 %(n)s 字", n=MAX_TEXT), "error")
        return _back(ticket.id)
    return _act(ticket, "answer", text, _("反馈说明已提交"))


@tenant_bp.post("/tickets/<int:ticket_id>/review")
@allow(*REVIEWERS)
def review_ticket(ticket_id: int):
    """Congress staff accept the answer, or return it with a comment."""
    ticket = _ticket(ticket_id)
    decision = request.form.get("decision", "")
    comment = (request.form.get("comment") or "").strip()
    if decision not in ("accept", "return"):
        flash(_("请选择认可或退回"), "error")
        return _back(ticket.id)
    if len(comment) > MAX_TEXT:
        flash(_("意见不能超过 %(n)s 字", n=MAX_TEXT), "error")
        return _back(ticket.id)
    done = _("已认可反馈,工单办结") if decision == "accept" else _("已退回,待机关重新反馈")
    return _act(ticket, decision, comment, done)


# --- 通知 ----------------------------------------------------------------------------------
@bp.get("/notifications")
@login_required
def notifications():
    """The user's notifications, newest first; seeing them marks them read."""
    rows = db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc())
        .limit(100)
    ).all()
    tenant_ids = {n.tenant_id for n in rows}
    codes = dict(
        db.session.execute(sa.select(Tenant.id, Tenant.code).where(Tenant.id.in_(tenant_ids))).all()
    )
    items = [
        {"note": n, "unread": n.read_at is None, "href": _link(n, codes.get(n.tenant_id))}
        for n in rows
    ]
    unread = [n.id for n in rows if n.read_at is None]
    if unread:
        db.session.execute(
            sa.update(Notification)
            .where(Notification.id.in_(unread), Notification.user_id == current_user.id)
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    return render_template("supervision/notifications.html", items=items, unread=len(unread))


def _link(note: Notification, code: str | None) -> str | None:
    """Links are stored absolute ("/t/330106/tickets/7") or tenant-relative ("tickets/7")."""
    if not note.link:
        return None
    if note.link.startswith("/"):
        return note.link
    return f"/t/{code}/{note.link}" if code else None
