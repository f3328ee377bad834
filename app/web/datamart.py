"""数据集市: the documents of the eight categories, with filters and keyword search, each
document's page, and for congress staff the form to add one and the workbook import.

Every document reaches a template through ``present`` (as for the API), so a petition's
persons are masked on every page for readers who may not see names.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from app.api.documents import (
    EDITORS,
    READERS,
    add_document,
    attach_file,
    find_documents,
    import_workbook,
)
from app.auth.access import allow
from app.datamart.document_import import FIELD_ERRORS
from app.datamart.document_schemas import DocumentInSchema, DocumentQuerySchema, present
from app.datamart.documents import CATEGORIES, Document, split_list
from app.db import db
from app.errors import ApiError
from app.web import tenant_bp
from tenants.models import Organ

FILTERS = ("category", "organ", "tag", "q", "date_from", "date_to")
FORM_FIELDS = ("category", "title", "date", "source", "organ", "tags", "body", "persons")


@tenant_bp.get("/datamart")
@allow(*READERS)
def datamart():
    return _index()


@tenant_bp.post("/datamart")
@allow(*EDITORS)
def add_document_form():
    raw = _form_fields()
    try:
        fields = DocumentInSchema().load(raw)
    except ValidationError as err:
        return _index(form=raw, form_errors=_field_errors(err.messages), status=422)
    created = add_document(fields)
    db.session.commit()
    flash(_("已添加文档"), "info")
    return redirect(url_for("web_tenant.document_page", document_id=created.id))


@tenant_bp.post("/datamart/import")
@allow(*EDITORS)
def import_form():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("请选择要上传的文件"), "error")
        return redirect(url_for("web_tenant.datamart"))
    try:
        _batch, created = import_workbook(upload)
    except ApiError as err:
        return _index(
            import_problem=(err.zh, err.en),
            import_errors=err.extra.get("errors", []),
            status=err.status,
        )
    db.session.commit()
    flash(_("已导入 %(n)s 条文档", n=len(created)), "info")
    return redirect(url_for("web_tenant.datamart"))


@tenant_bp.get("/datamart/<int:document_id>")
@allow(*READERS)
def document_page(document_id: int):
    document = present(db.get_or_404(Document, document_id), current_user.role)
    return render_template(
        "datamart/document.html", document=document, editor=current_user.role in EDITORS
    )


@tenant_bp.post("/datamart/<int:document_id>/attachments")
@allow(*EDITORS)
def attachment_form(document_id: int):
    owner = db.get_or_404(Document, document_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("请选择要上传的文件"), "error")
        return redirect(url_for("web_tenant.document_page", document_id=owner.id))
    try:
        attach_file(owner, upload)
    except ApiError as err:
        flash(f"{err.zh} / {err.en}", "error")
        return redirect(url_for("web_tenant.document_page", document_id=owner.id))
    db.session.commit()
    flash(_("已上传附件"), "info")
    return redirect(url_for("web_tenant.document_page", document_id=owner.id))


def _index(status: int = 200, **extra):
    filters, problem = _filters()
    found = find_documents(filters)
    organs = db.session.scalars(select(Organ).order_by(Organ.id)).all()
    page = render_template(
        "datamart/index.html",
        documents=found["documents"],
        total=found["total"],
        filters=filters,
        filter_problem=problem,
        categories=CATEGORIES,
        organs=organs,
        editor=current_user.role in EDITORS,
        form=extra.pop("form", {}),
        form_errors=extra.pop("form_errors", {}),
        **extra,
    )
    return page, status


def _filters() -> tuple[dict, bool]:
    """The filters from the query string; bad ones are dropped (and reported)."""
    wanted = {k: v for k in FILTERS if (v := request.args.get(k, "").strip())}
    wanted["offset"] = request.args.get("offset", "0")
    try:
        return DocumentQuerySchema().load(wanted), False
    except ValidationError:
        return DocumentQuerySchema().load({}), True


def _form_fields() -> dict:
    form = request.form
    raw = {key: form.get(key, "").strip() for key in FORM_FIELDS}
    raw["tags"], raw["persons"] = split_list(raw["tags"]), split_list(raw["persons"])
    raw["organ"] = form.get("organ", type=int)
    return raw


def _field_errors(messages: dict) -> dict[str, tuple[str, str]]:
    """Field -> (Chinese, English) message, for the form."""
    return {field: FIELD_ERRORS[field][1:] for field in messages if field in FIELD_ERRORS}
