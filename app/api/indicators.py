"""The unified indicator dictionary: read by all, published by province admins only."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user, login_required
from sqlalchemy import select

from app.api import bp
from app.api.schemas import IndicatorSchema
from app.db import db
from app.errors import ApiError
from app.indicators.dictionary import DictionaryError, load_dictionary_text
from app.indicators.models import DictionaryVersion
from app.indicators.service import VersionConflict, install_version, serialisable, version_named


@bp.get("/indicators")
@login_required
def indicators():
    """The dictionary in force, or ``?version=N`` for an older one."""
    number = request.args.get("version", type=int)
    version = version_named(number)
    if version is None:
        raise ApiError(404, "no_such_version", "没有该版本的指标体系", "No such dictionary version")
    rows = [serialisable(row) for row in version.indicators]
    return jsonify(
        version=version.version,
        published_on=version.published_on,
        indicators=IndicatorSchema(many=True).dump(rows),
    )


@bp.get("/indicators/versions")
@login_required
def versions():
    rows = db.session.scalars(select(DictionaryVersion).order_by(DictionaryVersion.version))
    return jsonify(
        versions=[
            {
                "version": v.version,
                "published_on": v.published_on,
                "published_by": v.published_by,
                "is_current": v.is_current,
                "sha256": v.source_sha256,
            }
            for v in rows
        ]
    )


@bp.post("/indicators/versions")
@login_required
def publish():
    """Publish a new dictionary version (a TOML file); only a province-level admin may."""
    if current_user.role != "admin" or current_user.tenant.level != "province":
        raise ApiError(
            403,
            "province_admin_only",
            "只有省级人大管理员可以发布指标体系新版本",
            "Only a province-level congress admin may publish a dictionary version",
        )
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(
            400,
            "file_required",
            "请上传指标体系文件(file)",
            "Upload the dictionary as the multipart field 'file'",
        )
    source = upload.read()
    try:
        dictionary = load_dictionary_text(source.decode("utf-8"))
        version = install_version(db.session, dictionary, source, current_user.username)
    except (UnicodeDecodeError, DictionaryError) as err:
        raise ApiError(
            422, "invalid_dictionary", f"指标体系文件无效:{err}", f"Invalid dictionary file: {err}"
        ) from err
    except VersionConflict as err:
        raise ApiError(409, "version_conflict", str(err), str(err)) from err
    db.session.commit()
    return jsonify(version=version.version, indicators=len(version.indicators)), 201
