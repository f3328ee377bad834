"""The supervision matter's state machine (监督事项), as plain Python::

    proposed ──approve──▶ approved ──start──▶ in_progress ──issue_opinions──▶ opinions_issued
                                                                                    │
       closed ◀──close── evaluated ◀──evaluate (comment)── organ_feedback ◀──receive_feedback

    proposed | approved | in_progress ──cancel (comment)──▶ cancelled

Approval is the standing committee's decision (its chairpersons' meeting adopts the
supervision plan); the system records it, and only a congress **admin** may enter it. Staff
run the matter from there. Organs, deputies, viewers and evaluators take no action on a
matter: an organ answers the opinions issued to it (:mod:`app.matters.opinion_states`).

Three moves depend on the matter's opinions, which this module cannot see; the caller
counts them: ``issue_opinions`` needs at least one opinion issued under the matter,
``receive_feedback`` needs every one of them to have its result report (none waiting on the
organ), and ``evaluate`` needs every one of them closed (evaluated satisfied or basically
satisfied). ``evaluate`` and ``cancel`` need a comment: the congress's appraisal, the reason.

The whole rule set is :data:`TRANSITIONS` and :data:`WHO_MAY` (:data:`MACHINE`, an
:class:`app.statemachine.Machine`); the opinions' conditions are checked around it.
"""

from __future__ import annotations

from app.statemachine import (
    ALREADY_ESCALATED,
    COMMENT_REQUIRED,
    ESCALATION_NOT_DUE,
    FEEDBACK_INCOMPLETE,
    NO_OPINIONS,
    NOT_ALLOWED_FROM_STATUS,
    OPINIONS_OPEN,
    ROLE_NOT_ALLOWED,
    STAFF,
    TEXT_REQUIRED,
    UNKNOWN_ACTION,
    UNKNOWN_STATUS,
    Machine,
    TransitionError,
    http_statuses,
)
from app.statemachine import ROLES as ROLES
from app.statemachine import SYSTEM as SYSTEM

PROPOSED, APPROVED, IN_PROGRESS, OPINIONS_ISSUED, ORGAN_FEEDBACK, EVALUATED, CLOSED, CANCELLED = (
    "proposed",
    "approved",
    "in_progress",
    "opinions_issued",
    "organ_feedback",
    "evaluated",
    "closed",
    "cancelled",
)
STATUSES = (
    PROPOSED,
    APPROVED,
    IN_PROGRESS,
    OPINIONS_ISSUED,
    ORGAN_FEEDBACK,
    EVALUATED,
    CLOSED,
    CANCELLED,
)
TERMINAL_STATUSES = frozenset({CLOSED, CANCELLED})
# Statuses in which opinions may be issued under the matter.
ISSUING_STATUSES = frozenset({IN_PROGRESS, OPINIONS_ISSUED})

APPROVE, START, ISSUE_OPINIONS, RECEIVE_FEEDBACK, EVALUATE, CLOSE, CANCEL = (
    "approve",
    "start",
    "issue_opinions",
    "receive_feedback",
    "evaluate",
    "close",
    "cancel",
)
ACTIONS = (APPROVE, START, ISSUE_OPINIONS, RECEIVE_FEEDBACK, EVALUATE, CLOSE, CANCEL)
PROPOSE = "propose"  # the event that opens a matter's history; not a transition

STATUS_LABELS = {
    PROPOSED: ("已立项待批准", "proposed"),
    APPROVED: ("已批准", "approved"),
    IN_PROGRESS: ("实施中", "in progress"),
    OPINIONS_ISSUED: ("已交办意见", "opinions issued"),
    ORGAN_FEEDBACK: ("机关已反馈", "organs' feedback received"),
    EVALUATED: ("已评价", "evaluated"),
    CLOSED: ("已办结", "closed"),
    CANCELLED: ("已撤销", "cancelled"),
}
ACTION_LABELS = {
    PROPOSE: ("提出监督事项", "propose the matter"),
    APPROVE: ("批准", "approve"),
    START: ("开始实施", "start"),
    ISSUE_OPINIONS: ("交办监督意见", "issue opinions"),
    RECEIVE_FEEDBACK: ("确认机关反馈", "record the organs' feedback"),
    EVALUATE: ("评价", "evaluate"),
    CLOSE: ("办结", "close"),
    CANCEL: ("撤销", "cancel"),
}

TRANSITIONS: dict[tuple[str, str], str] = {
    (PROPOSED, APPROVE): APPROVED,
    (APPROVED, START): IN_PROGRESS,
    (IN_PROGRESS, ISSUE_OPINIONS): OPINIONS_ISSUED,
    (OPINIONS_ISSUED, RECEIVE_FEEDBACK): ORGAN_FEEDBACK,
    (ORGAN_FEEDBACK, EVALUATE): EVALUATED,
    (EVALUATED, CLOSE): CLOSED,
    (PROPOSED, CANCEL): CANCELLED,
    (APPROVED, CANCEL): CANCELLED,
    (IN_PROGRESS, CANCEL): CANCELLED,
}

WHO_MAY: dict[str, frozenset[str]] = {
    APPROVE: frozenset({"admin"}),
    START: STAFF,
    ISSUE_OPINIONS: STAFF,
    RECEIVE_FEEDBACK: STAFF,
    EVALUATE: STAFF,
    CLOSE: STAFF,
    CANCEL: frozenset({"admin"}),
}
COMMENT_ACTIONS = frozenset({EVALUATE, CANCEL})

# The codes of the refusals of this machine and the opinions', and the HTTP status of each.
HTTP_STATUS = http_statuses(
    UNKNOWN_ACTION,
    UNKNOWN_STATUS,
    ROLE_NOT_ALLOWED,
    NOT_ALLOWED_FROM_STATUS,
    COMMENT_REQUIRED,
    TEXT_REQUIRED,
    NO_OPINIONS,
    FEEDBACK_INCOMPLETE,
    OPINIONS_OPEN,
    ESCALATION_NOT_DUE,
    ALREADY_ESCALATED,
)

MACHINE = Machine(
    noun=("监督事项", "matter"),
    status_labels=STATUS_LABELS,
    action_labels=ACTION_LABELS,
    transitions=TRANSITIONS,
    who_may=WHO_MAY,
    comment_required=COMMENT_ACTIONS,
    wording={
        UNKNOWN_ACTION: (
            "未知的监督事项操作：{action!r}",
            "Unknown action on a supervision matter: {action!r}",
        ),
        UNKNOWN_STATUS: (
            "未知的监督事项状态：{status!r}",
            "Unknown status of a supervision matter: {status!r}",
        ),
        COMMENT_REQUIRED: ("“{action}”须填写意见或理由", "To {action} a matter, give a comment"),
    },
)
who_may = MACHINE.roles_for
allowed_actions = MACHINE.allowed_actions


def is_open(status: str) -> bool:
    return status not in TERMINAL_STATUSES


def transition(
    status: str,
    action: str,
    *,
    role: str,
    comment: str | None = None,
    opinions: int = 0,
    awaiting_organ: int = 0,
    open_opinions: int = 0,
) -> str:
    """The status after ``role`` takes ``action`` on a matter in ``status``.

    Checked in this order, the first broken rule reported: the action and status are known;
    the role may take the action; the table allows it from this status; a comment is given
    where one is needed (:data:`MACHINE`); the matter's opinions allow it (``opinions``:
    issued under the matter; ``awaiting_organ``: of those, still without a result report;
    ``open_opinions``: not yet closed by a satisfied or basically satisfied evaluation).
    """
    target = MACHINE.transition(status, action, role=role, comment=comment)
    _check_opinions(action, opinions, awaiting_organ, open_opinions)
    return target


def _check_opinions(action: str, opinions: int, awaiting_organ: int, open_opinions: int) -> None:
    if action == ISSUE_OPINIONS and opinions < 1:
        raise TransitionError(
            NO_OPINIONS,
            "该监督事项尚未交办任何监督意见",
            "No opinion has been issued under this matter yet",
        )
    if action == RECEIVE_FEEDBACK and awaiting_organ:
        raise TransitionError(
            FEEDBACK_INCOMPLETE,
            f"尚有 {awaiting_organ} 件监督意见未报送办理结果",
            f"{awaiting_organ} opinion(s) still await the organ's result report",
        )
    if action == EVALUATE and open_opinions:
        raise TransitionError(
            OPINIONS_OPEN,
            f"尚有 {open_opinions} 件监督意见未经满意或基本满意评价办结",
            f"{open_opinions} opinion(s) are not yet closed by a satisfied evaluation",
        )
