"""A key concern's state machine (重点关注回应), as plain Python::

    open ──respond──▶ responded ──close──▶ closed
                        │    ▲
     follow_up (comment)│    │ respond
                        ▼    │
                      follow_up

    open | follow_up ──withdraw (comment)──▶ withdrawn
    open | follow_up ──escalate──▶ the same status      (overdue; the sweep, once a deadline)

Staff flag an item for an organ's attention (a surge in an indicator, an internet hot
topic, anything else) with a deadline; the organ responds in writing; staff either close
the concern or ask a follow-up question (追问, with a new deadline), which the organ
answers the same way. Staff may withdraw a concern the organ has not answered yet (the
reason is kept). Deputies and viewers read concerns and responses; they act on none. A
concern whose deadline passes unanswered is escalated by the periodic sweep (``system``),
once per deadline: a follow-up question sets a new one.

The caller checks what the table cannot: that an organ user belongs to the concern's organ.
"""

from __future__ import annotations

from app.statemachine import STAFF, SYSTEM, Machine, TransitionError

OPEN, RESPONDED, FOLLOW_UP, CLOSED, WITHDRAWN = (
    "open",
    "responded",
    "follow_up",
    "closed",
    "withdrawn",
)
STATUSES = (OPEN, RESPONDED, FOLLOW_UP, CLOSED, WITHDRAWN)
TERMINAL_STATUSES = frozenset({CLOSED, WITHDRAWN})
OPEN_STATUSES = frozenset(STATUSES) - TERMINAL_STATUSES
# The organ's move: its deadline runs.
AWAITING_ORGAN = frozenset({OPEN, FOLLOW_UP})

RESPOND, CLOSE, FOLLOW_UP_ACTION, WITHDRAW = "respond", "close", "follow_up", "withdraw"
ESCALATE = "escalate"
FLAG = "flag"  # the event that opens a concern's history; not a transition

STATUS_LABELS = {
    OPEN: ("待回应", "awaiting response"),
    RESPONDED: ("已回应", "responded"),
    FOLLOW_UP: ("追问·待再次回应", "follow-up question: awaiting response"),
    CLOSED: ("已办结", "closed"),
    WITHDRAWN: ("已撤销", "withdrawn"),
}
ACTION_LABELS = {
    FLAG: ("列为重点关注", "flag for attention"),
    RESPOND: ("书面回应", "respond in writing"),
    CLOSE: ("办结", "close"),
    FOLLOW_UP_ACTION: ("追问", "ask a follow-up question"),
    WITHDRAW: ("撤销", "withdraw"),
    ESCALATE: ("逾期督办", "escalate as overdue"),
}

MACHINE = Machine(
    noun=("重点关注事项", "key concern"),
    status_labels=STATUS_LABELS,
    action_labels=ACTION_LABELS,
    transitions={
        (OPEN, RESPOND): RESPONDED,
        (FOLLOW_UP, RESPOND): RESPONDED,
        (RESPONDED, CLOSE): CLOSED,
        (RESPONDED, FOLLOW_UP_ACTION): FOLLOW_UP,
        (OPEN, WITHDRAW): WITHDRAWN,
        (FOLLOW_UP, WITHDRAW): WITHDRAWN,
        (OPEN, ESCALATE): OPEN,
        (FOLLOW_UP, ESCALATE): FOLLOW_UP,
    },
    who_may={
        RESPOND: frozenset({"organ"}),
        CLOSE: STAFF,
        FOLLOW_UP_ACTION: STAFF,
        WITHDRAW: STAFF,
        ESCALATE: frozenset({SYSTEM}),
    },
    comment_required=frozenset({RESPOND, FOLLOW_UP_ACTION, WITHDRAW}),
)
ACTIONS = MACHINE.actions


def transition(status: str, action: str, *, role: str, comment: str | None = None) -> str:
    """The status after ``role`` takes ``action`` on a concern in ``status``; a response,
    a follow-up question and a withdrawal need their text."""
    return MACHINE.transition(status, action, role=role, comment=comment)


def allowed_actions(status: str, role: str) -> tuple[str, ...]:
    return MACHINE.allowed_actions(status, role)


__all__ = ["TransitionError", "allowed_actions", "transition"]
