"""The response ticket's state machine (反馈工单), as plain Python.

A yellow or red value opens a ticket its organ must answer by a deadline::

    open ──answer──▶ answered ──accept──▶ accepted       (closed: staff accepted the answer)
                      │    ▲
     return (comment) │    │ answer
                      ▼    │
                     returned

    open | answered | returned ──resolve_by_data──▶ resolved   (closed: the value is green)
    open | returned ──escalate──▶ the same status               (overdue; at most once)

The whole rule set is the :data:`TRANSITIONS` table and :data:`WHO_MAY` (:data:`MACHINE`,
an :class:`app.statemachine.Machine`); the escalation's conditions are checked around it.
What this module cannot know is left to the caller: that an organ user belongs to the
ticket's organ, whether the deadline has passed (``overdue``), and whether the ticket was
escalated before (``escalated``).
"""

from __future__ import annotations

from app.statemachine import (
    ALREADY_ESCALATED,
    COMMENT_REQUIRED,
    ESCALATION_NOT_DUE,
    NOT_ALLOWED_FROM_STATUS,
    ROLE_NOT_ALLOWED,
    STAFF,
    SYSTEM,
    UNKNOWN_ACTION,
    UNKNOWN_STATUS,
    Machine,
    check_escalation,
    http_statuses,
)
from app.statemachine import ROLES as ROLES
from app.statemachine import TransitionError as TransitionError

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
    ACCEPT: STAFF,
    RETURN: STAFF,
    RESOLVE_BY_DATA: frozenset({SYSTEM}),
    ESCALATE: frozenset({SYSTEM}),
}

# The codes of this machine's refusals, and the HTTP status a view should answer each with.
HTTP_STATUS = http_statuses(
    UNKNOWN_ACTION,
    UNKNOWN_STATUS,
    ROLE_NOT_ALLOWED,
    NOT_ALLOWED_FROM_STATUS,
    COMMENT_REQUIRED,
    ESCALATION_NOT_DUE,
    ALREADY_ESCALATED,
)

MACHINE = Machine(
    noun=("工单", "ticket"),
    status_labels=STATUS_LABELS,
    action_labels=ACTION_LABELS,
    transitions=TRANSITIONS,
    who_may=WHO_MAY,
    # The organ must learn what to fix.
    comment_required=frozenset({RETURN}),
    wording={
        COMMENT_REQUIRED: (
            "退回时须填写退回意见，说明需要补充或更正的内容",
            "Returning an answer needs a comment saying what to add or correct",
        ),
    },
)
# The roles allowed to take an action (at all; the status is checked separately).
who_may = MACHINE.roles_for
# Actions a role may try on a ticket in a status (for showing buttons); the comment and
# escalation conditions are still checked by :func:`transition`.
allowed_actions = MACHINE.allowed_actions


def is_open(status: str) -> bool:
    """Still waiting for the organ or for staff (not accepted, not resolved)."""
    return status in OPEN_STATUSES


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
    target = MACHINE.transition(status, action, role=role, comment=comment)
    if action == ESCALATE:
        check_escalation(
            overdue,
            escalated,
            already=(
                "该工单已升级督办，不再重复升级",
                "This ticket has already been escalated; it is escalated only once",
            ),
            not_due=(
                "工单尚未逾期，不能升级督办",
                "The ticket is not overdue yet, so it cannot be escalated",
            ),
        )
    return target
