"""Third-party and social supervision: evaluators' reports beside their assessment uploads
(第三方监督), procuratorial recommendations and whether they were adopted (法律监督), and the
public's comments received by the congress, stored masked (社会监督)."""

from __future__ import annotations

import calendar
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.auth.models import User
from app.coordination import recommendation_states as rec_states
from app.coordination.common import invalid, organ_here, organ_users, tell
from app.coordination.masking import mask_name, mask_personal_data
from app.coordination.models import EvaluatorReport, ProcuratorialRecommendation, PublicComment
from app.datamart.models import ImportBatch, StoredFile
from app.errors import ApiError

REPLY_MONTHS = 2  # 人民检察院检察建议工作规定: the recipient replies in writing within two months


# --- evaluators' reports -----------------------------------------------------------------


def add_report(
    session: Session,
    user: User,
    *,
    title: str,
    period: str,
    summary: str = "",
    organ_id: int | None = None,
    batch_id: int | None = None,
    stored: StoredFile | None = None,
    file_name: str = "",
) -> EvaluatorReport:
    """Keep an evaluator's report: a summary, the file, or both. The assessment upload it
    explains must be an assessment batch of this congress — the evaluator's own, when an
    evaluator files the report."""
    if not summary.strip() and stored is None:
        raise ApiError(
            422,
            "invalid",
            "请上传报告文件或填写报告摘要",
            "Attach the report file or give its summary",
            fields={"summary": ["summary or file required"]},
        )
    organ = organ_here(session, organ_id) if organ_id is not None else None
    report = EvaluatorReport(
        title=title.strip(),
        period=period,
        summary=summary.strip(),
        organ_id=organ.id if organ else None,
        batch_id=_assessment_batch(session, user, batch_id),
        file_id=stored.id if stored else None,
        file_name=file_name if stored else "",
        uploaded_by=user.username,
        uploaded_by_user_id=user.id,
        uploaded_at=clock.now(),
    )
    session.add(report)
    session.flush()
    return report


def _assessment_batch(session: Session, user: User, batch_id: int | None) -> int | None:
    if batch_id is None:
        return None
    stmt = sa.select(ImportBatch.id).where(
        ImportBatch.id == batch_id, ImportBatch.kind == "assessment"
    )
    if user.role == "evaluator":
        stmt = stmt.where(ImportBatch.submitted_by_user_id == user.id)
    if session.scalar(stmt) is None:
        raise ApiError(
            422,
            "unknown_batch",
            "该批次不是本级的第三方评估数据上传",
            "Not an assessment upload of this congress",
            fields={"batch_id": ["unknown assessment batch"]},
        )
    return batch_id


# --- procuratorial recommendations -------------------------------------------------------


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def record_recommendation(
    session: Session,
    user: User,
    *,
    number: str,
    title: str,
    issuer_organ_id: int,
    issued_on: date,
    text: str = "",
    recipient_organ_id: int | None = None,
    recipient_name: str = "",
    reply_due: date | None = None,
) -> ProcuratorialRecommendation:
    """Record a recommendation issued by one of this congress's procuratorates (an organ
    user records only its own procuratorate's) to one of its organs or to a body named in
    words. The reply is due two months after issue unless said otherwise."""
    issuer = organ_here(session, issuer_organ_id, "issuer_organ_id")
    if issuer.family != "procuratorate":
        raise _invalid_field(
            "issuer_organ_id", "检察建议须由检察院提出", "Only a procuratorate issues them"
        )
    if user.role == "organ" and user.organ_id != issuer.id:
        raise _invalid_field(
            "issuer_organ_id",
            "机关用户只能登记本院提出的检察建议",
            "An organ user records only its own procuratorate's recommendations",
        )
    recipient = _recipient(session, issuer.id, recipient_organ_id, recipient_name)
    if session.scalar(
        sa.select(ProcuratorialRecommendation.id).where(
            ProcuratorialRecommendation.number == number.strip()
        )
    ):
        raise invalid("duplicate_number", "该文号的检察建议已登记", f"{number} is recorded", 409)
    item = ProcuratorialRecommendation(
        number=number.strip(),
        title=title.strip(),
        text=text.strip(),
        issuer_organ_id=issuer.id,
        recipient_organ_id=recipient,
        recipient_name="" if recipient else recipient_name.strip(),
        issued_on=issued_on,
        reply_due=reply_due or months_after(issued_on, REPLY_MONTHS),
        recorded_by=user.username,
        recorded_by_user_id=user.id,
        recorded_at=clock.now(),
    )
    session.add(item)
    session.flush()
    if recipient is not None:
        _tell_recipient(session, item)
    return item


def _recipient(session, issuer_id: int, organ_id: int | None, name: str) -> int | None:
    if organ_id is None and not name.strip():
        raise _invalid_field(
            "recipient_organ_id",
            "请选择被建议的机关,或填写被建议单位名称",
            "Name the recipient: an organ, or a body in words",
        )
    if organ_id is None:
        return None
    recipient = organ_here(session, organ_id, "recipient_organ_id")
    if recipient.id == issuer_id:
        raise _invalid_field(
            "recipient_organ_id", "检察院不能向本院提出检察建议", "Not to the issuer itself"
        )
    return recipient.id


def _invalid_field(field: str, zh: str, en: str) -> ApiError:
    return ApiError(422, "invalid", zh, en, fields={field: [en]})


def _tell_recipient(session: Session, item: ProcuratorialRecommendation) -> None:
    tell(
        session,
        organ_users(session, item.recipient_organ_id),
        item.tenant_id,
        "recommendation_received",
        f"recommendation-{item.id}-received",
        (
            f"{item.issuer.name_zh}检察建议 {item.number} 已登记,请于 "
            f"{item.reply_due:%Y-%m-%d} 前书面回复是否采纳",
            f"Recommendation {item.number} is recorded: reply by {item.reply_due:%Y-%m-%d}",
        ),
        f"recommendations/{item.id}",
    )


def reply_to(
    session: Session, item: ProcuratorialRecommendation, user: User, outcome: str, text: str
) -> ProcuratorialRecommendation:
    """Record the reply: adopted, partly adopted or not adopted (the last two say why).
    An organ user records it for its own organ only: the recipient or the issuer."""
    own = (item.issuer_organ_id, item.recipient_organ_id)
    if user.role == "organ" and user.organ_id not in own:
        raise invalid("not_found", "未找到该检察建议", "No such recommendation", 404)
    action = rec_states.OUTCOMES.get(outcome)
    if action is None:
        raise invalid("unknown_outcome", "未知的采纳情况", f"Unknown outcome {outcome!r}")
    item.status = rec_states.transition(item.status, action, role=user.role, comment=text)
    item.reply, item.replied_on, item.replied_by = text.strip(), clock.today(), user.username
    session.flush()
    return item


def adoption_rate(session: Session) -> dict:
    """This congress's recommendations by status, and the share adopted (fully or in part)
    of those replied to."""
    counts = dict(
        session.execute(
            sa.select(ProcuratorialRecommendation.status, sa.func.count()).group_by(
                ProcuratorialRecommendation.status
            )
        ).all()
    )
    replied = sum(counts.get(s, 0) for s in rec_states.TERMINAL_STATUSES)
    adopted = counts.get(rec_states.ADOPTED, 0) + counts.get(rec_states.PARTLY_ADOPTED, 0)
    return {
        "by_status": {s: counts.get(s, 0) for s in rec_states.STATUSES},
        "replied": replied,
        "adopted_share": round(adopted / replied * 100, 1) if replied else None,
    }


# --- public comments ---------------------------------------------------------------------


def record_comment(
    session: Session,
    user: User,
    *,
    channel: str,
    received_on: date,
    title: str,
    text: str,
    organ_id: int | None = None,
    sender: str = "",
    persons: list[str] | None = None,
) -> PublicComment:
    """Keep a comment from the public, masked before it is stored: the sender's name and
    the listed persons' names (张三 → 张某) and every phone number, ID number and e-mail
    address in the title and text. Nothing unmasked is kept."""
    if received_on > clock.today():
        raise _invalid_field("received_on", "收到日期不能晚于今天", "Received in the future")
    names = [p.strip() for p in [sender, *(persons or [])] if p and p.strip()]
    organ = organ_here(session, organ_id) if organ_id is not None else None
    comment = PublicComment(
        channel=channel,
        received_on=received_on,
        organ_id=organ.id if organ else None,
        title=mask_personal_data(title.strip(), names),
        text=mask_personal_data(text.strip(), names),
        sender=mask_name(sender),
        masked_names=len(set(names)),
        recorded_by=user.username,
        recorded_by_user_id=user.id,
        recorded_at=clock.now(),
    )
    session.add(comment)
    session.flush()
    return comment
