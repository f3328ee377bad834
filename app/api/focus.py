"""Supervision topics (监督议题) and focus issues (焦点问题).

Topics are the congress's own data: its users read them, administrators and staff add
and change them. Focus issues collide the congress's ratings and documents with them;
since the evidence cites petitions and deputies' motions (the data mart's material),
they are read by the same users as the data mart — the congress's own, never an
ancestor, never an organ.
"""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_login import current_user

from app import clock
from app.analysis.collision import TAG_LABELS, Evidence, Tag, TopicFinding
from app.api import tenant_bp
from app.api.schemas import parse
from app.auth.access import allow
from app.auth.models import CONGRESS_ROLES
from app.datamart.documents import CATEGORIES, mask_persons, reveals_names
from app.datamart.periods import MONTH
from app.db import db
from app.errors import ApiError
from app.focus import topics as service
from app.focus.models import Topic
from app.focus.schemas import PeriodQuerySchema, TopicInSchema, TopicSchema, TopicUpdateSchema
from app.focus.service import FocusReport, focus_report, latest_rated_month

READERS = CONGRESS_ROLES
EDITORS = ("admin", "staff")
INQUIRY = ("inquiry", "询问", "inquiry (询问)")
REFUSALS = {
    409: ("conflict", "议题代码已存在", "The congress has a topic with this code"),
    422: ("invalid", "数据校验未通过", "Validation failed"),
}


# --- topics ---------------------------------------------------------------------------------


@tenant_bp.get("/topics")
@allow(*READERS)
def topics():
    """The congress's topics in their order, inactive ones included."""
    rows = service.tenant_topics(db.session)
    db.session.commit()  # the shipped topics, if this was the congress's first use
    return jsonify(topics=TopicSchema(many=True).dump(rows))


@tenant_bp.post("/topics")
@allow(*EDITORS)
def create_topic():
    """A new topic: ``code``, ``name_zh``, ``name_en``, ``keywords`` (at least one),
    ``indicators`` (dictionary codes, at least one), ``active``."""
    fields = parse(TopicInSchema(), request.get_json(silent=True))
    service.tenant_topics(db.session)  # the shipped ones first, so they keep their place
    created = _checked(service.create_topic, db.session, fields)
    db.session.commit()
    location = url_for("tenant_api.topic", topic_id=created.id)
    return jsonify(TopicSchema().dump(created)), 201, {"Location": location}


@tenant_bp.get("/topics/<int:topic_id>")
@allow(*READERS)
def topic(topic_id: int):
    """One topic: its keywords and indicators, whether it is active, who changed it last."""
    return jsonify(TopicSchema().dump(db.get_or_404(Topic, topic_id)))


@tenant_bp.put("/topics/<int:topic_id>")
@allow(*EDITORS)
def update_topic(topic_id: int):
    """Change any of ``name_zh``, ``name_en``, ``keywords``, ``indicators``, ``active``."""
    fields = parse(TopicUpdateSchema(), request.get_json(silent=True))
    found = db.get_or_404(Topic, topic_id)
    _checked(service.update_topic, found, fields)
    db.session.commit()
    return jsonify(TopicSchema().dump(found))


def _checked(change, target, fields: dict) -> Topic:
    """Apply ``change`` with the dictionary's codes; its refusals answer 422 (or 409)."""
    try:
        return change(target, fields, service.known_indicators(db.session), current_user.username)
    except service.TopicInvalid as err:
        db.session.rollback()
        raise ApiError(err.status, *REFUSALS[err.status], fields=err.fields) from err


# --- focus issues ---------------------------------------------------------------------------


@tenant_bp.get("/focus-issues")
@allow(*READERS)
def focus_issues():
    """Data collision as of ``period`` (a month; default the latest rated one): every
    active topic with its tags — 难点 difficulty, 热点 hot point, 弱点 weak point — and
    the evidence of each tag with a link to the lab sheet or document behind it; focus
    issues (all three tags) first."""
    query = parse(PeriodQuerySchema(), request.args.to_dict())
    report = focus_report(db.session, query.get("period") or default_month())
    db.session.commit()  # the shipped topics, if this was the congress's first use
    return jsonify(report_json(report, current_user.role))


def default_month() -> str:
    return latest_rated_month(db.session) or clock.last_complete_month()


def report_json(report: FocusReport, role: str | None) -> dict:
    """The collision as ``role`` may read it: petitions' persons masked unless the role
    handles petitions, as in the data mart."""
    findings = [_finding(report, f, role) for f in report.findings]
    return {
        "period": report.as_of,
        "rules": vars(report.rules) | {"document_kinds": list(report.rules.document_kinds)},
        "focus_issues": [f["topic"]["code"] for f in findings if f["is_focus"]],
        "findings": findings,
    }


def _finding(report: FocusReport, finding: TopicFinding, role: str | None) -> dict:
    row = report.topics[finding.topic.code]
    return {
        "topic": {
            "id": row.id,
            "code": row.code,
            "name_zh": row.name_zh,
            "name_en": row.name_en,
            "indicators": list(row.indicators),
        },
        "is_focus": finding.is_focus,
        "kinds": list(finding.kinds),
        "missing": [k for k in TAG_LABELS if k not in finding.kinds],
        "suggested_form": _suggestion(finding),
        "tags": [_tag(report, tag, role) for tag in finding.tags],
    }


def _suggestion(finding: TopicFinding) -> dict | None:
    """A focus issue is a candidate for inquiry (询问); people decide."""
    if not finding.is_focus:
        return None
    code, zh, en = INQUIRY
    return {"code": code, "name_zh": zh, "name_en": en}


def _tag(report: FocusReport, tag: Tag, role: str | None) -> dict:
    return {
        "kind": tag.kind,
        "label_zh": tag.label_zh,
        "label_en": tag.label_en,
        "reason_zh": tag.reason_zh,
        "reason_en": tag.reason_en,
        "evidence": [_evidence(report, tag.kind, item, role) for item in tag.evidence],
    }


def _evidence(report: FocusReport, kind: str, item: Evidence, role: str | None) -> dict:
    if kind == "hot":
        return _document_evidence(report, item, role)
    organ = report.organs.get(item.organ)
    period = item.period if MONTH.match(item.period) else None
    return {
        "what_zh": item.what_zh,
        "what_en": item.what_en,
        "period": item.period,
        "indicator": item.indicator,
        "organ": _organ(organ),
        "rating_id": item.targets[0] if item.targets else None,
        "url": url_for(
            "web_tenant.lab_sheet_page", organ_id=item.organ, period=period, _anchor=item.indicator
        ),
    }


def _document_evidence(report: FocusReport, item: Evidence, role: str | None) -> dict:
    document = report.documents[item.targets[0]]
    what_zh, what_en, title = item.what_zh, item.what_en, document.title
    masked = not reveals_names(document.category, role)
    if masked:
        what_zh, what_en, title = (
            mask_persons(t, document.persons) for t in (what_zh, what_en, title)
        )
    return {
        "what_zh": what_zh,
        "what_en": what_en,
        "period": item.period,
        "document_id": document.id,
        "category": document.category,
        "category_zh": CATEGORIES[document.category][0],
        "category_en": CATEGORIES[document.category][1],
        "title": title,
        "date": document.date.isoformat(),
        "masked": masked,
        "url": url_for("web_tenant.document_page", document_id=document.id),
    }


def _organ(organ) -> dict | None:
    if organ is None:
        return None
    return {"id": organ.id, "name_zh": organ.name_zh, "name_en": organ.name_en}
