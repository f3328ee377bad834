"""The response ticket's state machine (反馈工单), as plain Python.

A yellow or red value opens a ticket its organ must answer by a deadline::

    open ──answer──▶ answered ──accept──▶ accepted       (closed: staff accepted the answer)
                      │    ▲
     return (comment) │    │ answer
                      ▼    │
                     returned

    open | answered | returned ──resolve_by_data──▶ resolved   (closed: the value is green)
    open | returned ──escalate──▶ the same status               (overdue; at most once)

The whole rule set is the :data:`TRANSITIONS` table and :data:`WHO_MAY`; everything else
here only explains a refusal. What this module cannot know is left to the caller: that an
organ user belongs to the ticket's organ, whether the deadline has passed (``overdue``),
and whether the ticket was escalated before (``escalated``).
"""

from __future__ import annotations

OPEN, ANSWERED, RETURNED, ACCEPTED, RESOLVED = (
    "open",
    "answered",
    "returned",
    "accepted",
    "resolved",
)
STATUSES = (OPEN, ANSWERED, RETURNED, ACCEPTED, RESOLVED)
TERMINAL_STATUSES = frozenset({ACCEPTED, RESOLVED})
# Statuses in which the ticket still waits for someone: the organ, or staff.
OPEN_STATUSES = frozenset(STATUSES) - TERMINAL_STATUSES

ANSWER, ACCEPT, RETURN, RESOLVE_BY_DATA, ESCALATE = (
    "answer",
    "accept",
    "return",
    "resolve_by_data",
    "escalate",
)
ACTIONS = (ANSWER, ACCEPT, RETURN, RESOLVE_BY_DATA, ESCALATE)

# The user roles of app.auth.models.ROLES, plus "system": the sweeper and the rating
# engine, which act on their own and never through a person's login.
SYSTEM = "system"
ROLES = ("admin", "staff", "deputy", "viewer", "organ", "evaluator", SYSTEM)

STATUS_LABELS = {
    OPEN: ("待反馈", "awaiting answer"),
    ANSWERED: ("已反馈", "answered"),
    RETURNED: ("已退回", "returned"),
    ACCEPTED: ("已认可办结", "accepted"),
    RESOLVED: ("指标转绿办结", "resolved by data"),
}
ACTION_LABELS = {
    ANSWER: ("反馈说明", "answer"),
    ACCEPT: ("认可反馈", "accept the answer"),
    RETURN: ("退回重新反馈", "return for a new answer"),
    RESOLVE_BY_DATA: ("指标转绿自动办结", "resolve because the value is green again"),
    ESCALATE: ("逾期升级督办", "escalate as overdue"),
}

# (status, action) -> new status. A pair that is not here is not allowed.
TRANSITIONS: dict[tuple[str, str], str] = {
    (OPEN, ANSWER): ANSWERED,
    (RETURNED, ANSWER): ANSWERED,
    (ANSWERED, ACCEPT): ACCEPTED,
    (ANSWERED, RETURN): RETURNED,
    (OPEN, RESOLVE_BY_DATA): RESOLVED,
    (ANSWERED, RESOLVE_BY_DATA): RESOLVED,
    (RETURNED, RESOLVE_BY_DATA): RESOLVED,
    # Escalation waits on the organ only: once it has answered, the next move is staff's.
    (OPEN, ESCALATE): OPEN,
    (RETURNED, ESCALATE): RETURNED,
}

# Staff judge answers, so an organ can never accept (or return) its own answer; deputies,
# viewers and evaluators read tickets but act on none.
WHO_MAY: dict[str, frozenset[str]] = {
    ANSWER: frozenset({"organ"}),
    ACCEPT: frozenset({"staff", "admin"}),
    RETURN: frozenset({"staff", "admin"}),
    RESOLVE_BY_DATA: frozenset({SYSTEM}),
    ESCALATE: frozenset({SYSTEM}),
}

# Error codes, and the HTTP status a view should answer each with.
UNKNOWN_ACTION = "unknown_action"
UNKNOWN_STATUS = "unknown_status"
ROLE_NOT_ALLOWED = "role_not_allowed"
NOT_ALLOWED_FROM_STATUS = "not_allowed_from_status"
COMMENT_REQUIRED = "comment_required"
ESCALATION_NOT_DUE = "escalation_not_due"
ALREADY_ESCALATED = "already_escalated"
HTTP_STATUS = {
    UNKNOWN_ACTION: 400,
    UNKNOWN_STATUS: 409,
    ROLE_NOT_ALLOWED: 403,
    NOT_ALLOWED_FROM_STATUS: 409,
    COMMENT_REQUIRED: 422,
    ESCALATION_NOT_DUE: 409,
    ALREADY_ESCALATED: 409,
}


class TransitionError(ValueError):
    """A refused action: ``code`` is stable for callers, the messages are for people."""

    def __init__(self, code: str, message_zh: str, message_en: str):
        self.code, self.message_zh, self.message_en = code, message_zh, message_en
        self.http_status = HTTP_STATUS[code]
        super().__init__(f"{code}: {message_zh} / {message_en}")


def is_open(status: str) -> bool:
    """Still waiting for the organ or for staff (not accepted, not resolved)."""
    return status in OPEN_STATUSES


def who_may(action: str) -> frozenset[str]:
    """The roles allowed to take ``action`` (at all; the status is checked separately)."""
    _check_action(action)
    return WHO_MAY[action]


def allowed_actions(status: str, role: str) -> tuple[str, ...]:
    """Actions ``role`` may try on a ticket in ``status`` (for showing buttons); the
    comment and escalation conditions are still checked by :func:`transition`."""
    _check_status(status)
    return tuple(a for a in ACTIONS if (status, a) in TRANSITIONS and role in WHO_MAY[a])


def transition(
    status: str,
    action: str,
    *,
    role: str,
    comment: str | None = None,
    overdue: bool = False,
    escalated: bool = False,
) -> str:
    """The status after ``role`` takes ``action`` on a ticket in ``status``.

    Rules, checked in this order (the first broken one is reported):
    the action and status must be known; the role must be one that may take the action;
    the table must allow the action from this status; a return needs a non-blank comment
    (the organ must learn what to fix); an escalation needs the ticket overdue and not
    escalated before (a ticket is escalated at most once). Escalation keeps the status.
    """
    _check_action(action)
    _check_status(status)
    _check_role(action, role)
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise _not_from_status(status, action)
    if action == RETURN and not (comment or "").strip():
        raise TransitionError(
            COMMENT_REQUIRED,
            "退回时须填写退回意见，说明需要补充或更正的内容",
            "Returning an answer needs a comment saying what to add or correct",
        )
    if action == ESCALATE:
        _check_escalation(overdue, escalated)
    return target


def _check_action(action: str) -> None:
    if action not in ACTIONS:
        raise TransitionError(
            UNKNOWN_ACTION, f"未知的工单操作：{action!r}", f"Unknown ticket action: {action!r}"
        )


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise TransitionError(
            UNKNOWN_STATUS, f"未知的工单状态：{status!r}", f"Unknown ticket status: {status!r}"
        )


def _check_role(action: str, role: str) -> None:
    if role not in WHO_MAY[action]:
        zh, en = ACTION_LABELS[action]
        raise TransitionError(
            ROLE_NOT_ALLOWED,
            f"角色 {role!r} 无权执行“{zh}”",
            f"The role {role!r} may not {en}",
        )


def _not_from_status(status: str, action: str) -> TransitionError:
    status_zh, status_en = STATUS_LABELS[status]
    action_zh, action_en = ACTION_LABELS[action]
    return TransitionError(
        NOT_ALLOWED_FROM_STATUS,
        f"工单当前状态为“{status_zh}”，不能“{action_zh}”",
        f"A ticket that is {status_en} cannot be given the action: {action_en}",
    )


def _check_escalation(overdue: bool, escalated: bool) -> None:
    if escalated:
        raise TransitionError(
            ALREADY_ESCALATED,
            "该工单已升级督办，不再重复升级",
            "This ticket has already been escalated; it is escalated only once",
        )
    if not overdue:
        raise TransitionError(
            ESCALATION_NOT_DUE,
            "工单尚未逾期，不能升级督办",
            "The ticket is not overdue yet, so it cannot be escalated",
        )
