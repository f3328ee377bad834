"""Opening supervision matters and moving them through their states; every move leaves an
event. The origin, target organs and documents must be this tenant's own (a foreign id is
refused exactly like a missing one)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.analysis.topics import DEFAULT_TOPICS
from app.auth.models import User
from app.coordination.models import EvaluatorReport, ProcuratorialRecommendation, PublicComment
from app.datamart.documents import MASKED_CATEGORIES, Document, mask_persons
from app.errors import ApiError
from app.matters import opinion_states, states
from app.matters.models import Matter, MatterDocument, MatterEvent, MatterOrgan, Opinion
from app.matters.vocabulary import FORMS_BY_SUBJECT, ORIGINS, form_allowed
from app.tickets.models import Ticket
from federation.models import CommonProblem, JointTask
from tenants.models import Organ

# Origins named by the id of one of this tenant's rows; the others by a free reference.
ORIGIN_ROWS = {
    "ticket": Ticket,
    "common_problem": CommonProblem,
    "joint_task": JointTask,
    "document": Document,
    "evaluator_report": EvaluatorReport,
    "recommendation": ProcuratorialRecommendation,
    "public_comment": PublicComment,
}
# Rows that name themselves as an origin (a public comment's title is stored masked).
SELF_TITLED = ("evaluator_report", "recommendation", "public_comment")


def _invalid(code: str, zh: str, en: str, status: int = 422) -> ApiError:
    return ApiError(status, code, zh, en)


def open_matter(
    session: Session,
    user: User,
    *,
    title: str,
    subject: str,
    form: str,
    summary: str = "",
    origin: dict | None = None,
    targets: list[int] | None = None,
    documents: list[int] | None = None,
    planned_start: date | None = None,
    planned_end: date | None = None,
) -> Matter:
    """Propose a matter (status ``proposed``) in the current tenant."""
    if not form_allowed(subject, form):
        raise _invalid(
            "form_not_for_subject",
            "该监督主体不采用此监督形式",
            f"The subject {subject!r} does not use the form {form!r}; "
            f"it uses {', '.join(FORMS_BY_SUBJECT.get(subject, ()))}",
        )
    if planned_start and planned_end and planned_end < planned_start:
        raise _invalid("bad_schedule", "计划结束日期早于开始日期", "The plan ends before it starts")
    kind, ref, origin_title = _origin(session, origin or {})
    matter = Matter(
        title=title.strip(),
        subject=subject,
        form=form,
        summary=summary,
        origin_kind=kind,
        origin_ref=ref,
        origin_title=origin_title,
        planned_start=planned_start,
        planned_end=planned_end,
        created_by=user.username,
        created_by_user_id=user.id,
        created_at=clock.now(),
    )
    matter.targets = [MatterOrgan(organ_id=i) for i in _organs(session, targets or [])]
    matter.documents = [MatterDocument(document_id=i) for i in _documents(session, documents or [])]
    session.add(matter)
    session.flush()
    _event(session, matter, states.PROPOSE, None, states.PROPOSED, user, summary)
    return matter


def _origin(session: Session, origin: dict) -> tuple[str, str | None, str]:
    """(kind, reference, title snapshot) of a matter's origin, checked."""
    kind = origin.get("kind") or "none"
    ref = (str(origin.get("ref")) if origin.get("ref") is not None else "").strip() or None
    title = (origin.get("title") or "").strip()
    if kind not in ORIGINS:
        raise _invalid("unknown_origin_kind", "未知的来源类型", f"Unknown origin kind {kind!r}")
    if kind == "none":
        return kind, None, ""
    if ref is None:
        raise _invalid("origin_ref_required", "请注明来源编号", "Name the origin (its reference)")
    if kind in ORIGIN_ROWS:
        return kind, ref, title or _row_title(session, kind, ref)
    if kind == "focus_issue":
        title = title or _topic_name(session, ref)
    if not title:
        raise _invalid("origin_title_required", "请填写来源标题", "Give the origin's title")
    return kind, ref, title


def describe_origin(session: Session, origin: dict) -> tuple[str, str | None, str]:
    """(kind, reference, title) of an origin, checked as when a matter is opened: for
    filling in the form that opens one."""
    return _origin(session, origin)


def origin_organs(session: Session, kind: str, ref: str, family_of: dict[str, str]) -> list[int]:
    """The organs a matter from this origin would likely target: a ticket's or a
    document's organ; otherwise this congress's organs of the families whose indicators
    the origin names (``family_of``: indicator code -> organ family)."""
    from federation.campaigns import campaign_of
    from tenants.models import organ_family

    row = _row(session, kind, ref)
    if kind in ("ticket", "document", "evaluator_report", "public_comment"):
        return [row.organ_id] if row is not None and row.organ_id else []
    if kind == "recommendation":
        return [row.recipient_organ_id] if row is not None and row.recipient_organ_id else []
    if kind == "focus_issue":
        from app.focus.models import Topic

        topic = session.scalar(sa.select(Topic).where(Topic.code == ref))
        shipped = {t.code: t.indicators for t in DEFAULT_TOPICS}
        codes = topic.indicators if topic else shipped.get(ref, ())
    elif kind == "common_problem" and row is not None:
        codes = [row.indicator_code]
    elif kind == "joint_task" and row is not None:
        codes = campaign_of(session, row).indicators
    else:
        codes = []
    families = {family_of[c] for c in codes if c in family_of}
    organs = session.scalars(sa.select(Organ).where(Organ.active).order_by(Organ.id)).all()
    return [o.id for o in organs if organ_family(o.kind) in families]


def _row(session: Session, kind: str, ref: str):
    model = ORIGIN_ROWS.get(kind)
    if model is None or not ref.isdigit():
        return None
    return session.scalar(sa.select(model).where(model.id == int(ref)))


def _topic_name(session: Session, code: str) -> str:
    """A focus issue is named by its topic's code: the congress's own topic, else the
    shipped one of that code."""
    from app.focus.models import Topic

    name = session.scalar(sa.select(Topic.name_zh).where(Topic.code == code))
    return name or {t.code: t.name_zh for t in DEFAULT_TOPICS}.get(code, "")


def _row_title(session: Session, kind: str, ref: str) -> str:
    row = _row(session, kind, ref)
    if row is None:  # another tenant's row is as missing as a missing one
        raise _invalid("no_such_origin", "来源不存在", f"No such {kind} in this congress: {ref}")
    if kind == "ticket":
        colour = "红色" if row.colour == "red" else "黄色"
        return f"{row.organ.name_zh} {row.indicator_code} {row.period} {colour}预警"
    if kind == "common_problem":
        return f"{row.indicator_code} {row.period} 共性问题"
    if kind in SELF_TITLED:
        return row.origin_title
    if kind == "joint_task":
        from federation.campaigns import campaign_of

        return campaign_of(session, row).title
    if row.category in MASKED_CATEGORIES:
        return mask_persons(row.title, row.persons)
    return row.title


def _organs(session: Session, ids: list[int]) -> list[int]:
    wanted = list(dict.fromkeys(ids))
    found = set(session.scalars(sa.select(Organ.id).where(Organ.id.in_(wanted))))
    missing = [i for i in wanted if i not in found]
    if missing:
        raise _invalid(
            "unknown_organs",
            "监督对象不是本级的司法机关",
            f"Not organs of this congress: {missing}",
        )
    return wanted


def _documents(session: Session, ids: list[int]) -> list[int]:
    wanted = list(dict.fromkeys(ids))
    found = set(session.scalars(sa.select(Document.id).where(Document.id.in_(wanted))))
    missing = [i for i in wanted if i not in found]
    if missing:
        raise _invalid(
            "unknown_documents",
            "文件不在本级数据集市中",
            f"Not documents of this congress: {missing}",
        )
    return wanted


def opinion_counts(session: Session, matter: Matter) -> dict[str, int]:
    """What the matter's state machine needs to know of its opinions."""
    rows = session.scalars(sa.select(Opinion.status).where(Opinion.matter_id == matter.id)).all()
    return {
        "opinions": len(rows),
        "awaiting_organ": sum(s in opinion_states.AWAITING_ORGAN for s in rows),
        "open_opinions": sum(s in opinion_states.OPEN_STATUSES for s in rows),
    }


def act(session: Session, matter: Matter, action: str, user: User, comment: str = "") -> Matter:
    """Take ``action`` on the matter as ``user``, through the state machine, into history."""
    new = states.transition(
        matter.status,
        action,
        role=user.role,
        comment=comment or None,
        **opinion_counts(session, matter),
    )
    _event(session, matter, action, matter.status, new, user, comment)
    matter.status = new
    if new in states.TERMINAL_STATUSES:
        matter.closed_at = clock.now()
    session.flush()
    return matter


def _event(session, matter, action, old, new, user: User, comment: str) -> None:
    matter.events.append(
        MatterEvent(
            tenant_id=matter.tenant_id,
            action=action,
            from_status=old,
            to_status=new,
            actor=user.username,
            actor_user_id=user.id,
            comment=comment or "",
            at=clock.now(),
        )
    )
