"""焦点问题 (the data collision's result, with the evidence of every tag a click away) and
监督议题 (the congress's topics, which administrators and staff edit here)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from app.analysis.collision import TAG_KINDS, TAG_LABELS
from app.analysis.periods import shift_month
from app.api.focus import EDITORS, READERS, default_month, report_json
from app.auth.access import allow
from app.datamart.documents import split_list
from app.datamart.periods import MONTH, recent_months
from app.db import db
from app.focus import topics as service
from app.focus.models import Topic
from app.focus.schemas import TopicInSchema, TopicUpdateSchema
from app.focus.service import focus_report
from app.web import tenant_bp

FORM_FIELDS = ("code", "name_zh", "name_en", "keywords", "indicators")


@tenant_bp.get("/focus-issues")
@allow(*READERS)
def focus_issues_page():
    """Every active topic with its tags and clickable evidence, focus issues first."""
    latest = default_month()
    period = request.args.get("period") or latest
    if not MONTH.match(period):
        period = latest
    report = report_json(focus_report(db.session, period), current_user.role)
    db.session.commit()  # the shipped topics, if this was the congress's first use
    months = recent_months(shift_month(latest, 1), 12)
    if period not in months:
        months = [period, *months]
    return render_template(
        "focus/focus_issues.html",
        report=report,
        months=months,
        tag_kinds=TAG_KINDS,
        tag_labels=TAG_LABELS,
        editor=current_user.role in EDITORS,
    )


@tenant_bp.get("/topics")
@allow(*READERS)
def topics_page():
    return _topics_page()


@tenant_bp.post("/topics")
@allow(*EDITORS)
def add_topic_form():
    raw = _form(with_code=True)
    try:
        fields = TopicInSchema().load(raw)
        service.tenant_topics(db.session)
        created = service.create_topic(
            db.session, fields, service.known_indicators(db.session), current_user.username
        )
    except (ValidationError, service.TopicInvalid) as err:
        db.session.rollback()
        return _topics_page(new=raw, errors={"new": _messages(err)}, status=_status(err))
    db.session.commit()
    flash(_("已添加议题 %(name)s", name=created.name_zh), "info")
    return redirect(url_for("web_tenant.topics_page", _anchor=f"topic-{created.id}"))


@tenant_bp.post("/topics/<int:topic_id>")
@allow(*EDITORS)
def edit_topic_form(topic_id: int):
    topic = db.get_or_404(Topic, topic_id)
    raw = _form(with_code=False)
    raw["active"] = request.form.get("active") == "on"
    try:
        fields = TopicUpdateSchema().load(raw)
        service.update_topic(
            topic, fields, service.known_indicators(db.session), current_user.username
        )
    except (ValidationError, service.TopicInvalid) as err:
        db.session.rollback()
        return _topics_page(errors={topic_id: _messages(err)}, status=_status(err))
    db.session.commit()
    flash(_("已保存议题 %(name)s", name=topic.name_zh), "info")
    return redirect(url_for("web_tenant.topics_page", _anchor=f"topic-{topic.id}"))


def _form(with_code: bool) -> dict:
    form = request.form
    raw = {key: form.get(key, "").strip() for key in FORM_FIELDS if with_code or key != "code"}
    raw["keywords"] = split_list(raw["keywords"])
    raw["indicators"] = split_list(raw["indicators"].replace(" ", ","))
    return raw


def _messages(err: Exception) -> list[str]:
    """Each refused field's messages ("中文 / English" where this app wrote them)."""
    found = err.fields if isinstance(err, service.TopicInvalid) else err.messages
    return [f"{field}: {message}" for field, items in found.items() for message in _flat(items)]


def _flat(items) -> list[str]:
    if isinstance(items, dict):
        return [m for value in items.values() for m in _flat(value)]
    if isinstance(items, list):
        return [m for value in items for m in _flat(value)]
    return [str(items)]


def _status(err: Exception) -> int:
    return err.status if isinstance(err, service.TopicInvalid) else 422


def _topics_page(new: dict | None = None, errors: dict | None = None, status: int = 200):
    rows = service.tenant_topics(db.session)
    known = sorted(service.known_indicators(db.session))
    page = render_template(
        "focus/topics.html",
        topics=rows,
        known=known,
        new=new or {},
        errors=errors or {},
        editor=current_user.role in EDITORS,
    )
    db.session.commit()  # the shipped topics, if this was the congress's first use
    return page, status
