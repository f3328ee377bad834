"""Organ portraits (画像): dimension scores, overall score, and what needs attention."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from app.analysis.portrait import FORMULA_EN, FORMULA_ZH
from app.api import tenant_bp
from app.api.schemas import parse
from app.auth.access import ANCESTORS_READ, allow, is_own_organ_user
from app.db import db
from app.errors import ApiError
from app.focus.schemas import PeriodQuerySchema
from app.portraits.service import OrganPortrait, organ_portrait
from tenants.models import Organ
from tenants.resolution import current_tenant

READERS = ("admin", "staff", "deputy", "viewer", "organ")


def visible_organ(organ_id: int) -> Organ:
    """The organ, if the caller may see it: an organ user only its own (else 404)."""
    if is_own_organ_user() and organ_id != current_user.organ_id:
        raise ApiError(404, "not_found", "未找到该机关", "No such organ")
    return db.get_or_404(Organ, organ_id)


@tenant_bp.get("/portraits/<int:organ_id>")
@allow(*READERS, ancestors=ANCESTORS_READ)
def portrait(organ_id: int):
    """The organ's portrait as of ``period`` (a month; default its latest): a 0–100
    score per dimension and overall, the weakest dimensions, the indicators and topics
    that need attention, and the formula in words."""
    query = parse(PeriodQuerySchema(), request.args.to_dict())
    organ = visible_organ(organ_id)
    drawn = organ_portrait(db.session, current_tenant, organ, query.get("period"))
    db.session.commit()  # a congress's first topics may have been seeded meanwhile
    return jsonify(portrait_json(drawn))


def portrait_json(drawn: OrganPortrait) -> dict:
    organ = drawn.organ
    english = {d.name_zh: d.name_en for d in drawn.portrait.dimensions}
    return {
        "organ": {
            "id": organ.id,
            "kind": organ.kind,
            "name_zh": organ.name_zh,
            "name_en": organ.name_en,
        },
        "period": drawn.period,
        **drawn.portrait.as_dict(),
        "weakest_en": [english[name] for name in drawn.portrait.weakest],
        "periods": drawn.periods,
        "formula_zh": FORMULA_ZH,
        "formula_en": FORMULA_EN,
    }
