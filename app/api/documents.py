"""The data mart's documents: list and search, read, add, import a workbook, attachments.

Documents are a tenant's raw material: its own congress users read them (petitions with
the persons' names masked except for administrators and staff); ancestors never do.
"""

from __future__ import annotations

import mimetypes
import re

import sqlalchemy as sa
from flask import jsonify, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app import clock
from app.api import tenant_bp
from app.api.schemas import parse, required_file
from app.auth.access import allow
from app.auth.models import CONGRESS_ROLES
from app.datamart import document_import
from app.datamart.document_schemas import DocumentInSchema, DocumentQuerySchema, present
from app.datamart.documents import (
    Document,
    DocumentAttachment,
    new_document,
    reveals_names,
    select_documents,
)
from app.datamart.files import FileRejected, check_size
from app.datamart.models import ImportBatch
from app.datamart.storage import path_of, save_upload
from app.db import db
from app.errors import ApiError
from tenants.models import Organ

READERS = CONGRESS_ROLES
EDITORS = ("admin", "staff")


@tenant_bp.get("/documents")
@allow(*READERS)
def documents():
    """Documents, newest first: ``category``, ``organ``, ``tag``, ``q`` (keywords, all
    of which must occur), ``date_from``, ``date_to``, ``limit``, ``offset``."""
    filters = parse(DocumentQuerySchema(), request.args.to_dict())
    found = find_documents(filters)
    return jsonify(total=found["total"], documents=found["documents"])


@tenant_bp.get("/documents/<int:document_id>")
@allow(*READERS)
def document(document_id: int):
    return jsonify(present(db.get_or_404(Document, document_id), current_user.role))


@tenant_bp.post("/documents")
@allow(*EDITORS)
def create_document():
    fields = parse(DocumentInSchema(), request.get_json(silent=True))
    created = add_document(fields)
    db.session.commit()
    location = url_for("tenant_api.document", document_id=created.id)
    return jsonify(present(created, current_user.role)), 201, {"Location": location}


@tenant_bp.post("/documents/import")
@allow(*EDITORS)
def import_documents():
    """An XLSX of documents (multipart ``file``), loaded all-or-nothing: any bad row is a
    422 listing every row's errors, and nothing is stored."""
    batch, created = import_workbook(required_file())
    db.session.commit()
    return jsonify(imported=len(created), batch=batch.id, documents=[d.id for d in created]), 201


@tenant_bp.post("/documents/<int:document_id>/attachments")
@allow(*EDITORS)
def add_attachment(document_id: int):
    owner = db.get_or_404(Document, document_id)
    attach_file(owner, required_file())
    db.session.commit()
    return jsonify(present(owner, current_user.role)), 201


@tenant_bp.get("/documents/<int:document_id>/attachments/<int:attachment_id>")
@allow(*READERS)
def attachment(document_id: int, attachment_id: int):
    """The file as uploaded, under its original name. A petition's attachments name their
    persons and cannot be masked: only readers who may see names download them."""
    found = db.session.scalar(
        sa.select(DocumentAttachment).where(
            DocumentAttachment.id == attachment_id, DocumentAttachment.document_id == document_id
        )
    )
    if found is None:
        raise ApiError(404, "not_found", "未找到该附件", "No such attachment")
    if not reveals_names(found.document.category, current_user.role):
        raise ApiError(
            403,
            "names_protected",
            "信访材料含当事人姓名,仅人大管理员和工作人员可下载",
            "Petition files name private persons; only congress administrators "
            "and staff may download them",
        )
    mimetype = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    response = send_file(
        path_of(found.file),
        mimetype=mimetype,
        as_attachment=True,
        download_name=found.name,
        max_age=0,
    )
    # The type comes from the uploader's file name: a browser must not second-guess it.
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- shared with the pages -----------------------------------------------------------------


def find_documents(filters: dict) -> dict:
    """One page of documents as the current user may read them, and how many match."""
    stmt = select_documents(filters, db.session.get_bind().dialect.name)
    # Counted on the entity itself, not on a subquery: the tenant scope must apply to it.
    total = db.session.scalar(stmt.with_only_columns(sa.func.count(Document.id)).order_by(None))
    page = (
        stmt.limit(filters["limit"])
        .offset(filters["offset"])
        .options(
            selectinload(Document.attachments).joinedload(DocumentAttachment.file),
            joinedload(Document.organ),
        )
    )
    rows = db.session.scalars(page)
    return {"total": total, "documents": [present(d, current_user.role) for d in rows]}


def add_document(fields: dict) -> Document:
    """Add a validated document; an organ named that this tenant lacks is a 422."""
    organ = None
    if fields.get("organ") is not None:
        organ = db.session.scalar(sa.select(Organ).where(Organ.id == fields["organ"]))
        if organ is None:
            raise ApiError(
                422,
                "invalid",
                "数据校验未通过",
                "Validation failed",
                fields={"organ": ["Unknown organ."]},
            )
    created = new_document(fields, organ, current_user.username)
    db.session.add(created)
    db.session.flush()
    return created


def import_workbook(upload) -> tuple[ImportBatch, list[Document]]:
    """Check every row of the workbook, then keep the file, its batch and its documents;
    ApiError (and nothing kept) for an unreadable file, any bad row or a repeated file."""
    try:
        rows = document_import.read_rows(upload.stream)
    except FileRejected as err:
        raise ApiError(err.status, err.code, err.message_zh, err.message_en) from err
    organs = db.session.scalars(sa.select(Organ)).all()
    valid, errors = document_import.check_rows(rows, organs_by_name(organs))
    if errors:
        raise ApiError(
            422,
            "rows_invalid",
            "有数据行未通过校验,整批未导入",
            "Some rows are invalid; nothing was imported",
            errors=errors,
        )
    batch = _record_batch(upload, len(valid))
    by_id = {organ.id: organ for organ in organs}
    created = [
        new_document(fields, by_id.get(fields["organ"]), current_user.username) for fields in valid
    ]
    db.session.add_all(created)
    db.session.flush()  # once for the batch: ids for the answer, one audit insert
    return batch, created


def attach_file(owner: Document, upload) -> DocumentAttachment:
    """Keep an uploaded file (any type, not empty, within the size limit) on the document."""
    try:
        check_size(upload.stream)
    except FileRejected as err:
        raise ApiError(err.status, err.code, err.message_zh, err.message_en) from err
    stored = save_upload(
        db.session, upload.stream, upload.filename, current_user.username, check_type=False
    )
    attachment = DocumentAttachment(document=owner, file=stored, name=safe_name(upload.filename))
    db.session.add(attachment)
    return attachment


def organs_by_name(organs: list[Organ]) -> dict[str, int]:
    """The organs by Chinese and English name, for the import's 机关 column."""
    names = {o.name_en: o.id for o in organs if o.name_en}
    return {**names, **{o.name_zh: o.id for o in organs}}


def safe_name(filename: str) -> str:
    """The uploader's name for the file, for display and download only: no directories,
    no control characters."""
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "attachment"


def _record_batch(upload, rows: int) -> ImportBatch:
    """Keep the workbook and a succeeded batch for it; the same file twice is a 409."""
    upload.stream.seek(0)
    stored = save_upload(db.session, upload.stream, upload.filename, current_user.username)
    prior = db.session.scalar(
        sa.select(ImportBatch.id).where(
            ImportBatch.file_id == stored.id,
            ImportBatch.kind == "documents",
            ImportBatch.status == "succeeded",
        )
    )
    if prior is not None:
        raise ApiError(
            409,
            "already_imported",
            f"该文件已于批次 #{prior} 导入",
            f"This file was already imported as batch #{prior}",
        )
    now = clock.now()
    batch = ImportBatch(
        kind="documents",
        status="succeeded",
        file_id=stored.id,
        submitted_by=current_user.username,
        submitted_by_user_id=current_user.id,
        rows_total=rows,
        rows_ok=rows,
        progress=100,
        started_at=now,
        finished_at=now,
    )
    db.session.add(batch)
    db.session.flush()
    return batch
