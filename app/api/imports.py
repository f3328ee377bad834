"""Imports of indicator values: organs submit their own, evaluators the third-party
assessments, congress staff either on an organ's behalf."""

from __future__ import annotations

from flask import Response, jsonify, request, url_for
from flask_login import current_user

from app import clock
from app.api import tenant_bp
from app.api.schemas import ImportSchema, TemplateQuerySchema, parse, required_file
from app.auth.access import allow
from app.datamart import imports
from app.datamart.files import FileRejected, write_xlsx
from app.datamart.models import ImportBatch
from app.datamart.periods import month_of, recent_months
from app.datamart.templates import template_for
from app.db import db
from app.errors import ApiError
from tenants.models import Organ

# Which roles may submit which kind (staff and admin submit on an organ's behalf).
KINDS = {"values": ("organ", "staff", "admin"), "assessment": ("evaluator", "staff", "admin")}


def _organ_for_upload(kind: str) -> int | None:
    """The organ the upload is for: an organ user's own; for others the one named, if any.
    Naming an organ the caller cannot see answers 404, as for one that does not exist."""
    named = request.form.get("organ", type=int) or request.args.get("organ", type=int)
    if current_user.role == "organ":
        if named not in (None, current_user.organ_id):
            raise ApiError(404, "not_found", "未找到该机关", "No such organ")
        return current_user.organ_id
    if named is not None:
        db.get_or_404(Organ, named)
    return named


def _default_kind() -> str:
    return "assessment" if current_user.role == "evaluator" else "values"


def _default_period(kind: str) -> str:
    """Last month for organs' figures, last year for the yearly assessments."""
    now = clock.now()
    return str(now.year - 1) if kind == "assessment" else recent_months(month_of(now), 1)[0]


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ApiError(
            422,
            "bad_kind",
            "kind 必须是 values 或 assessment",
            "kind must be 'values' or 'assessment'",
        )
    if current_user.role not in KINDS[kind]:
        raise ApiError(
            403,
            "kind_not_allowed",
            "您的角色不能提交此类数据(机关报送本机关数据,第三方评估机构上传评估数据)",
            "Your role cannot submit this kind of data (organs submit their own "
            "figures, evaluators the third-party assessments)",
        )


@tenant_bp.post("/imports")
@allow("admin", "staff", "organ", "evaluator")
def start_import():
    """Start an import (multipart ``file``, ``kind`` values|assessment, optional ``organ``);
    202 with the batch and its status URL."""
    kind = request.form.get("kind") or _default_kind()
    _check_kind(kind)
    organ_id = _organ_for_upload(kind)
    upload = required_file()
    try:
        batch = imports.submit(
            db.session,
            kind=kind,
            stream=upload.stream,
            filename=upload.filename,
            user=current_user,
            organ_id=organ_id,
        )
    except FileRejected as err:
        raise ApiError(err.status, err.code, err.message_zh, err.message_en) from err
    db.session.commit()
    db.session.refresh(batch)
    # Inline (no Redis) the batch has run by now: a rejected one answers 422 with its
    # errors; otherwise 202, the import accepted (and maybe done), or 200 for a duplicate.
    status = {"duplicate": 200, "rejected": 422}.get(batch.status, 202)
    return jsonify(_batch_json(batch)), status, {"Location": _status_url(batch)}


def _status_url(batch: ImportBatch) -> str:
    return url_for("tenant_api.import_status", batch_id=batch.id)


def _batch(batch_id: int) -> ImportBatch:
    batch = db.session.scalar(
        imports.visible_batches(current_user).where(ImportBatch.id == batch_id)
    )
    if batch is None:
        raise ApiError(404, "not_found", "未找到该导入批次", "No such import")
    return batch


def _batch_json(batch: ImportBatch, with_errors: bool = True) -> dict:
    data = ImportSchema().dump(batch)
    data["status_url"] = _status_url(batch)
    if not with_errors:
        data.pop("errors")
    return data


@tenant_bp.get("/imports")
@allow("admin", "staff", "deputy", "viewer", "organ", "evaluator")
def list_imports():
    """Import batches visible to the caller, newest first."""
    rows = db.session.scalars(
        imports.visible_batches(current_user).order_by(ImportBatch.id.desc()).limit(200)
    )
    return jsonify(imports=[_batch_json(b, with_errors=False) for b in rows])


@tenant_bp.get("/imports/<int:batch_id>")
@allow("admin", "staff", "deputy", "viewer", "organ", "evaluator")
def import_status(batch_id: int):
    """Status, progress, rows_total, rows_ok and every rejected row's error."""
    return jsonify(_batch_json(_batch(batch_id)))


@tenant_bp.get("/imports/<int:batch_id>/errors.xlsx")
@allow("admin", "staff", "deputy", "viewer", "organ", "evaluator")
def import_errors(batch_id: int):
    """The batch's errors as a workbook (cells neutralised against formula injection)."""
    batch = _batch(batch_id)
    header = ["行 row", "列 column", "代码 code", "说明", "message"]
    rows = [
        [e["row"], e["column"], e["code"], e["message_zh"], e["message_en"]] for e in batch.errors
    ]
    body = write_xlsx({"错误 errors": (header, rows)})
    return _download(body, f"import-{batch.id}-errors.xlsx")


def _download(body: bytes, name: str) -> Response:
    return Response(
        body, mimetype=XLSX_MIME, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@tenant_bp.get("/templates/values.xlsx")
@allow("admin", "staff", "organ", "evaluator")
def values_template():
    """A workbook to fill in: the right indicator rows for ``period`` (default: the last
    month, or last year for assessments) and ``organ`` (an organ user's own; staff may
    leave it out for every organ at once)."""
    query = parse(TemplateQuerySchema(), request.args.to_dict())
    kind = query.get("kind") or _default_kind()
    _check_kind(kind)
    organ_id = _organ_for_upload(kind)
    period = query.get("period") or _default_period(kind)
    body, name = template_for(db.session, kind=kind, period=period, organ_id=organ_id)
    return _download(body, name)
