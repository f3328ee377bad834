"""监督事项 pages: the congress's supervision matters — the list with its filters, the form
that opens one (from a focus issue, a common problem, a ticket, a joint-supervision task, a
document or any other origin of the vocabulary), and a matter's page with its targets,
schedule, documents, opinions and history, the moves the user's role may make and the form
that issues an opinion to a target organ. The rules are the API's (:mod:`app.api.matters`):
staff run matters, only an admin approves or cancels, organs never read them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from app import clock
from app.api.matter_schemas import MatterCreateSchema, OpinionCreateSchema
from app.auth.access import ANCESTORS_READ, allow
from app.datamart.documents import MASKED_CATEGORIES, Document, mask_persons
from app.db import db
from app.errors import ApiError
from app.i18n import select_locale
from app.indicators.service import current_indicators
from app.matters import opinions, states
from app.matters import service as matters
from app.matters.models import Matter, Opinion
from app.matters.states import TransitionError
from app.matters.vocabulary import (
    FORMS,
    FORMS_BY_SUBJECT,
    OPINION_KINDS,
    ORIGINS,
    STANDING_COMMITTEE,
    SUBJECTS,
)
from app.web import bp, tenant_bp
from tenants.models import Organ

READERS = ("admin", "staff", "deputy", "viewer")
WRITERS = ("staff", "admin")
LISTED = 500
DOCUMENT_CHOICES = 200
# The form a matter opened from this kind of origin usually takes (people change it).
SUGGESTED_FORM = {
    "focus_issue": "inquiry",
    "common_problem": "special_report",
    "ticket": "inquiry",
    "joint_task": "law_enforcement_inspection",
    # a third party's findings are heard as a special report; a recommendation the organ
    # did not adopt, or what the public complains of, is first asked about
    "evaluator_report": "special_report",
    "recommendation": "inquiry",
    "public_comment": "inquiry",
}


def _pick(table: dict, code: str | None) -> str:
    zh, en = table.get(code, (code or "", code or ""))
    return en if select_locale() == "en" else zh


@bp.app_context_processor
def matter_labels():
    """Matter labels in the page's language, and whether the user may open a matter here
    (for the "发起监督事项" links on other pages)."""
    here = getattr(g, "tenant", None)
    may_open = bool(
        here is not None
        and current_user.is_authenticated
        and current_user.role in WRITERS
        and current_user.tenant_id == here.id
    )
    return {
        "matter_status": lambda code: _pick(states.STATUS_LABELS, code),
        "matter_action": lambda code: _pick(states.ACTION_LABELS, code),
        "matter_subject": lambda code: _pick(SUBJECTS, code),
        "matter_form": lambda code: _pick(FORMS, code),
        "matter_origin": lambda code: _pick(ORIGINS, code),
        "may_open_matter": may_open,
    }


def _here() -> bool:
    return current_user.tenant_id == g.tenant.id


# --- the list --------------------------------------------------------------------------------


@tenant_bp.get("/matters")
@allow(*READERS, ancestors=ANCESTORS_READ)
def matters_page():
    """The congress's matters, newest first, by status and subject."""
    known = {"status": states.STATUSES, "subject": SUBJECTS}
    filters = {
        k: v if (v := request.args.get(k, "")) in codes else "" for k, codes in known.items()
    }
    stmt = sa.select(Matter)
    if filters["status"]:
        stmt = stmt.where(Matter.status == filters["status"])
    if filters["subject"]:
        stmt = stmt.where(Matter.subject == filters["subject"])
    rows = db.session.scalars(stmt.order_by(Matter.id.desc()).limit(LISTED + 1)).all()
    return render_template(
        "matters/matters.html",
        matters=rows[:LISTED],
        truncated=len(rows) > LISTED,
        filters=filters,
        statuses=states.STATUSES,
        subjects=SUBJECTS,
        may_open=current_user.role in WRITERS and _here(),
    )


# --- opening a matter ------------------------------------------------------------------------


@tenant_bp.get("/matters/new")
@allow(*WRITERS)
def new_matter():
    """The form, filled in from its origin when it is opened from one
    (``?origin=<kind>&ref=<reference>``)."""
    return _form_page(_prefilled())


@tenant_bp.post("/matters")
@allow(*WRITERS)
def open_matter_form():
    raw = _form_fields()
    try:
        fields = MatterCreateSchema().load(raw)
        matter = matters.open_matter(db.session, current_user, **fields)
    except ValidationError as err:
        db.session.rollback()
        return _form_page(raw, errors=_messages(err.messages), status=422)
    except ApiError as err:
        db.session.rollback()
        return _form_page(raw, errors=[_error_text(err.zh, err.en)], status=err.status)
    db.session.commit()
    flash(_("已提出监督事项,待批准"), "info")
    return redirect(url_for("web_tenant.matter_page", matter_id=matter.id))


def _prefilled() -> dict:
    kind = request.args.get("origin", "none")
    ref = (request.args.get("ref") or "").strip()
    raw = {"subject": STANDING_COMMITTEE, "form": "", "targets": [], "documents": []}
    if kind not in ORIGINS or kind == "none" or not ref:
        return {**raw, "origin": {"kind": "none", "ref": "", "title": ""}}
    try:
        kind, ref, title = matters.describe_origin(db.session, {"kind": kind, "ref": ref})
    except ApiError as err:
        flash(_error_text(err.zh, err.en), "error")
        return {**raw, "origin": {"kind": "none", "ref": "", "title": ""}}
    form = request.args.get("form") or SUGGESTED_FORM.get(kind, "")
    form = form if form in FORMS_BY_SUBJECT[STANDING_COMMITTEE] else ""
    title_zh = f"关于{title}问题的{FORMS[form][0]}" if form else f"关于{title}问题的监督"
    return {
        **raw,
        "title": title_zh,
        "form": form,
        "origin": {"kind": kind, "ref": ref, "title": title},
        "targets": matters.origin_organs(db.session, kind, ref, _organ_kinds_of_indicators()),
    }


def _organ_kinds_of_indicators() -> dict[str, str]:
    _version, rows = current_indicators()
    return {row.code: row.organ_kind for row in rows}


def _form_fields() -> dict:
    form = request.form
    raw = {
        key: form.get(key, "").strip()
        for key in ("title", "subject", "form", "summary", "planned_start", "planned_end")
    }
    for key in ("planned_start", "planned_end"):
        raw[key] = raw[key] or None
    raw["origin"] = {
        "kind": form.get("origin_kind") or "none",
        "ref": form.get("origin_ref", "").strip() or None,
        "title": form.get("origin_title", "").strip(),
    }
    raw["targets"] = [int(v) for v in form.getlist("targets") if v.isdigit()]
    raw["documents"] = [int(v) for v in form.getlist("documents") if v.isdigit()]
    return raw


def _active_organs() -> list[Organ]:
    return db.session.scalars(sa.select(Organ).where(Organ.active).order_by(Organ.id)).all()


def _form_page(raw: dict, errors: list[str] | None = None, status: int = 200):
    organs = _active_organs()
    documents = db.session.scalars(
        sa.select(Document)
        .order_by(Document.date.desc(), Document.id.desc())
        .limit(DOCUMENT_CHOICES)
    ).all()
    page = render_template(
        "matters/new.html",
        raw=raw,
        errors=errors or [],
        organs=organs,
        documents=[(d.id, d.date, _document_title(d)) for d in documents],
        subjects=SUBJECTS,
        forms_by_subject=FORMS_BY_SUBJECT,
        origins=ORIGINS,
    )
    return page, status


def _document_title(document: Document) -> str:
    if document.category in MASKED_CATEGORIES:
        return mask_persons(document.title, document.persons)
    return document.title


def _messages(found, prefix: str = "") -> list[str]:
    """Each refused field's messages, flattened: ``field: message``."""
    if isinstance(found, dict):
        return [m for key, value in found.items() for m in _messages(value, f"{key}")]
    if isinstance(found, list):
        return [m for value in found for m in _messages(value, prefix)]
    return [f"{prefix}: {found}" if prefix else str(found)]


def _error_text(zh: str, en: str) -> str:
    return en if select_locale() == "en" else zh


# --- one matter ------------------------------------------------------------------------------


def _matter(matter_id: int) -> Matter:
    item = db.session.scalar(sa.select(Matter).where(Matter.id == matter_id))
    if item is None:
        abort(404)
    return item


@tenant_bp.get("/matters/<int:matter_id>")
@allow(*READERS, ancestors=ANCESTORS_READ)
def matter_page(matter_id: int):
    item = _matter(matter_id)
    acting = current_user.role in WRITERS and _here()
    actions = states.allowed_actions(item.status, current_user.role) if _here() else ()
    # Issuing the first opinion makes that move; the form below does it, not a button.
    actions = tuple(a for a in actions if a != states.ISSUE_OPINIONS)
    rows = db.session.scalars(
        sa.select(Opinion).where(Opinion.matter_id == item.id).order_by(Opinion.id)
    ).all()
    return render_template(
        "matters/matter.html",
        matter=item,
        opinions=rows,
        today=clock.today(),
        actions=actions,
        comment_actions=states.COMMENT_ACTIONS,
        origin_url=origin_url(item.origin_kind, item.origin_ref),
        documents=[(d.document, _document_title(d.document)) for d in item.documents],
        may_issue=acting and item.status in states.ISSUING_STATUSES,
        issue_organs=[t.organ for t in item.targets] or _active_organs(),
        opinion_kinds=OPINION_KINDS,
        default_days=opinions.DEFAULT_DEADLINE_DAYS,
    )


def origin_url(kind: str, ref: str | None) -> str | None:
    """The page of a matter's origin, where it has one in this congress."""
    if not ref:
        return None
    if kind == "focus_issue":
        return url_for("web_tenant.focus_issues_page", _anchor=f"topic-{ref}")
    if not ref.isdigit():
        return None
    pages = {
        "ticket": ("web_tenant.ticket_page", "ticket_id"),
        "joint_task": ("web_tenant.task_page", "task_id"),
        "document": ("web_tenant.document_page", "document_id"),
    }
    if kind in pages:
        endpoint, name = pages[kind]
        return url_for(endpoint, **{name: int(ref)})
    if kind == "common_problem":
        return url_for("web_tenant.common_problems_page")
    return None


def _back(matter_id: int):
    return redirect(url_for("web_tenant.matter_page", matter_id=matter_id))


@tenant_bp.post("/matters/<int:matter_id>/transitions")
@allow(*WRITERS)
def matter_transition_form(matter_id: int):
    item = _matter(matter_id)
    action = request.form.get("action", "")
    comment = (request.form.get("comment") or "").strip()
    try:
        matters.act(db.session, item, action, current_user, comment)
    except TransitionError as err:
        db.session.rollback()
        flash(_error_text(err.message_zh, err.message_en), "error")
        return _back(item.id)
    db.session.commit()
    flash(_("监督事项已更新为“%(s)s”", s=_pick(states.STATUS_LABELS, item.status)), "info")
    return _back(item.id)


@tenant_bp.post("/matters/<int:matter_id>/opinions")
@allow(*WRITERS)
def issue_opinion_form(matter_id: int):
    """Issue an opinion to one of the matter's target organs (or any organ of the
    congress when the matter names none)."""
    item = _matter(matter_id)
    form = request.form
    raw = {
        "organ_id": form.get("organ_id", ""),
        "matter_id": item.id,
        "kind": form.get("kind") or "deliberation",
        "title": form.get("title", "").strip(),
        "text": form.get("text", "").strip(),
        "problems": [
            line.strip() for line in form.get("problems", "").splitlines() if line.strip()
        ],
        "deadline_days": form.get("deadline_days") or opinions.DEFAULT_DEADLINE_DAYS,
    }
    try:
        fields = OpinionCreateSchema().load(raw)
        issued = opinions.issue(db.session, current_user, **fields)
    except ValidationError as err:
        db.session.rollback()
        flash("; ".join(_messages(err.messages)), "error")
        return _back(item.id)
    except ApiError as err:
        db.session.rollback()
        flash(_error_text(err.zh, err.en), "error")
        return _back(item.id)
    except TransitionError as err:
        db.session.rollback()
        flash(_error_text(err.message_zh, err.message_en), "error")
        return _back(item.id)
    db.session.commit()
    flash(_("已向%(organ)s交办监督意见", organ=issued.organ.name_zh), "info")
    return _back(item.id)
