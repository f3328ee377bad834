"""A deputy's opinion online (代表意见网上交办), as plain Python::

    submitted ──assign──▶ assigned ──answer──▶ answered
    answered ──rate_satisfied──▶ satisfied                           (closed)
    answered ──rate_basically_satisfied──▶ basically_satisfied       (closed)
    answered ──rate_not_satisfied (comment)──▶ rehandling            (not_satisfied, closed,
                                                                      in the last round)
    rehandling ──answer──▶ answered
    submitted ──decline (comment)──▶ declined                        (closed)
    submitted ──withdraw (comment)──▶ withdrawn                      (closed)
    assigned | rehandling ──escalate──▶ the same status    (overdue; the sweep, once a round)

A deputy raises an opinion or suggestion on an organ's work from any page (a chart, a
ticket, a lab sheet). Staff assign it to an organ with a deadline in working days (交办), or
decline it with a reason (不予交办: not a matter for the judicial organs); the deputy may
withdraw it while it waits for staff. The assigned organ answers in writing; the deputy who
raised it rates the answer. "Not satisfied" sends it back to the organ once (重新办理, a new
deadline); in the last round (:data:`MAX_ROUNDS`) "not satisfied" is final and closes it
as ``not_satisfied``.

Who may do each (:data:`MACHINE`'s ``who_may``): staff and admins assign and decline; the
organ answers (the caller checks it is the assigned organ); the deputy withdraws and rates
(the caller says whether the user is the author: another deputy may not). A deputy cannot
assign; an organ cannot rate; viewers and evaluators act on nothing. An opinion whose organ
lets the deadline pass is escalated by the periodic sweep (``system``), once per round.
"""

from __future__ import annotations

from app.statemachine import NOT_THE_AUTHOR, STAFF, SYSTEM, Machine, TransitionError

SUBMITTED, ASSIGNED, ANSWERED, REHANDLING = "submitted", "assigned", "answered", "rehandling"
SATISFIED, BASICALLY_SATISFIED, NOT_SATISFIED = (
    "satisfied",
    "basically_satisfied",
    "not_satisfied",
)
DECLINED, WITHDRAWN = "declined", "withdrawn"
STATUSES = (
    SUBMITTED,
    ASSIGNED,
    ANSWERED,
    REHANDLING,
    SATISFIED,
    BASICALLY_SATISFIED,
    NOT_SATISFIED,
    DECLINED,
    WITHDRAWN,
)
TERMINAL_STATUSES = frozenset({SATISFIED, BASICALLY_SATISFIED, NOT_SATISFIED, DECLINED, WITHDRAWN})
OPEN_STATUSES = frozenset(STATUSES) - TERMINAL_STATUSES
# The organ's move: its deadline runs.
AWAITING_ORGAN = frozenset({ASSIGNED, REHANDLING})
# Statuses an organ ever sees: once assigned to it.
ORGAN_VISIBLE = frozenset(
    {ASSIGNED, ANSWERED, REHANDLING, SATISFIED, BASICALLY_SATISFIED, NOT_SATISFIED}
)
MAX_ROUNDS = 2

ASSIGN, DECLINE, WITHDRAW, ANSWER = "assign", "decline", "withdraw", "answer"
ESCALATE = "escalate"
RATE_SATISFIED = "rate_satisfied"
RATE_BASICALLY_SATISFIED = "rate_basically_satisfied"
RATE_NOT_SATISFIED = "rate_not_satisfied"
RAISE = "raise"  # the event that opens an opinion's history; not a transition
# The rating of the API, and the action it is.
RATINGS = {
    "satisfied": RATE_SATISFIED,
    "basically_satisfied": RATE_BASICALLY_SATISFIED,
    "not_satisfied": RATE_NOT_SATISFIED,
}
AUTHOR_ACTIONS = frozenset({WITHDRAW, RATE_SATISFIED, RATE_BASICALLY_SATISFIED, RATE_NOT_SATISFIED})

STATUS_LABELS = {
    SUBMITTED: ("待交办", "awaiting assignment"),
    ASSIGNED: ("已交办·待答复", "assigned: awaiting the answer"),
    ANSWERED: ("已答复·待评价", "answered: awaiting the rating"),
    REHANDLING: ("不满意·重新办理", "not satisfied: being handled again"),
    SATISFIED: ("满意·办结", "satisfied (closed)"),
    BASICALLY_SATISFIED: ("基本满意·办结", "basically satisfied (closed)"),
    NOT_SATISFIED: ("不满意·办结", "not satisfied (closed)"),
    DECLINED: ("不予交办", "declined"),
    WITHDRAWN: ("已撤回", "withdrawn"),
}
ACTION_LABELS = {
    RAISE: ("提出意见", "raise the opinion"),
    ASSIGN: ("交办", "assign to an organ"),
    DECLINE: ("不予交办", "decline"),
    WITHDRAW: ("撤回", "withdraw"),
    ANSWER: ("答复", "answer"),
    RATE_SATISFIED: ("评价为满意", "rate as satisfied"),
    RATE_BASICALLY_SATISFIED: ("评价为基本满意", "rate as basically satisfied"),
    RATE_NOT_SATISFIED: ("评价为不满意", "rate as not satisfied"),
    ESCALATE: ("逾期督办", "escalate as overdue"),
}
DEPUTY = frozenset({"deputy"})

MACHINE = Machine(
    noun=("代表意见", "deputy's opinion"),
    status_labels=STATUS_LABELS,
    action_labels=ACTION_LABELS,
    transitions={
        (SUBMITTED, ASSIGN): ASSIGNED,
        (SUBMITTED, DECLINE): DECLINED,
        (SUBMITTED, WITHDRAW): WITHDRAWN,
        (ASSIGNED, ANSWER): ANSWERED,
        (REHANDLING, ANSWER): ANSWERED,
        (ANSWERED, RATE_SATISFIED): SATISFIED,
        (ANSWERED, RATE_BASICALLY_SATISFIED): BASICALLY_SATISFIED,
        (ANSWERED, RATE_NOT_SATISFIED): REHANDLING,
        (ASSIGNED, ESCALATE): ASSIGNED,
        (REHANDLING, ESCALATE): REHANDLING,
    },
    who_may={
        ASSIGN: STAFF,
        DECLINE: STAFF,
        WITHDRAW: DEPUTY,
        ANSWER: frozenset({"organ"}),
        RATE_SATISFIED: DEPUTY,
        RATE_BASICALLY_SATISFIED: DEPUTY,
        RATE_NOT_SATISFIED: DEPUTY,
        ESCALATE: frozenset({SYSTEM}),
    },
    comment_required=frozenset({DECLINE, WITHDRAW, ANSWER, RATE_NOT_SATISFIED}),
)
ACTIONS = MACHINE.actions


def transition(
    status: str,
    action: str,
    *,
    role: str,
    comment: str | None = None,
    is_author: bool = False,
    round: int = 1,
) -> str:
    """The status after ``role`` takes ``action`` on an opinion in ``status``.

    Beyond the table: a withdrawal or a rating must come from the deputy who raised the
    opinion (``is_author``); "not satisfied" in round :data:`MAX_ROUNDS` closes the
    opinion as ``not_satisfied`` instead of sending it back to the organ.
    """
    target = MACHINE.transition(status, action, role=role, comment=comment)
    if action in AUTHOR_ACTIONS and not is_author:
        raise _not_the_author(action)
    if target == REHANDLING and round >= MAX_ROUNDS:
        return NOT_SATISFIED
    return target


def allowed_actions(status: str, role: str, *, is_author: bool = False) -> tuple[str, ...]:
    """Actions the user may try (for showing buttons): the author's only to the author."""
    found = MACHINE.allowed_actions(status, role)
    return tuple(a for a in found if is_author or a not in AUTHOR_ACTIONS)


def _not_the_author(action: str) -> TransitionError:
    """Only the deputy who raised an opinion may withdraw or rate it."""
    noun_zh, noun_en = MACHINE.noun
    action_zh, action_en = ACTION_LABELS[action]
    return TransitionError(
        NOT_THE_AUTHOR,
        f"只有提出该{noun_zh}的代表本人可以“{action_zh}”",
        f"Only the deputy who raised this {noun_en} may {action_en}",
    )


__all__ = ["TransitionError", "allowed_actions", "transition"]
