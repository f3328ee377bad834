"""The handling of a supervision opinion (监督意见办理), as plain Python::

    issued ──submit_plan──▶ plan_submitted ──submit_result──▶ result_submitted
    result_submitted ──evaluate_satisfied──▶ satisfied                       (closed)
    result_submitted ──evaluate_basically_satisfied──▶ basically_satisfied   (closed)
    result_submitted ──evaluate_not_satisfied (comment)──▶ rehandling
    rehandling ──submit_result──▶ result_submitted       (the plan stands: a new result)
    rehandling ──submit_plan──▶ plan_submitted           (or first a revised plan)

    issued | plan_submitted | rehandling ──escalate──▶ the same status   (overdue; once a round)

The organ first submits its handling plan (办理方案), later its result report (办理结果).
Staff evaluate the result. "Not satisfied" sends the opinion back to the organ for another
round (重新办理): its plan stands, so the organ may go straight to a new result report, or
first submit a revised plan. A new round has a new deadline; each round may be escalated
once when the organ lets its deadline pass.

The whole rule set is :data:`TRANSITIONS` and :data:`WHO_MAY` (:data:`MACHINE`, an
:class:`app.statemachine.Machine`). What this module cannot know is left to the caller: that
an organ user belongs to the opinion's organ, whether the deadline has passed (``overdue``)
and whether this round was escalated (``escalated``).
"""

from __future__ import annotations

from app.statemachine import (
    COMMENT_REQUIRED,
    NOT_ALLOWED_FROM_STATUS,
    STAFF,
    SYSTEM,
    TEXT_REQUIRED,
    UNKNOWN_ACTION,
    UNKNOWN_STATUS,
    Machine,
    TransitionError,
    check_escalation,
)
from app.statemachine import ROLES as ROLES

ISSUED, PLAN_SUBMITTED, RESULT_SUBMITTED, REHANDLING, SATISFIED, BASICALLY_SATISFIED = (
    "issued",
    "plan_submitted",
    "result_submitted",
    "rehandling",
    "satisfied",
    "basically_satisfied",
)
STATUSES = (ISSUED, PLAN_SUBMITTED, RESULT_SUBMITTED, REHANDLING, SATISFIED, BASICALLY_SATISFIED)
TERMINAL_STATUSES = frozenset({SATISFIED, BASICALLY_SATISFIED})
OPEN_STATUSES = frozenset(STATUSES) - TERMINAL_STATUSES
# Waiting on the organ (its deadline runs): everything open but a result awaiting review.
AWAITING_ORGAN = frozenset({ISSUED, PLAN_SUBMITTED, REHANDLING})

SUBMIT_PLAN, SUBMIT_RESULT, ESCALATE = "submit_plan", "submit_result", "escalate"
EVALUATE_SATISFIED = "evaluate_satisfied"
EVALUATE_BASICALLY_SATISFIED = "evaluate_basically_satisfied"
EVALUATE_NOT_SATISFIED = "evaluate_not_satisfied"
ACTIONS = (
    SUBMIT_PLAN,
    SUBMIT_RESULT,
    EVALUATE_SATISFIED,
    EVALUATE_BASICALLY_SATISFIED,
    EVALUATE_NOT_SATISFIED,
    ESCALATE,
)
ISSUE = "issue"  # the event that opens an opinion's history; not a transition
# The evaluation grade of the API, and the action it is.
EVALUATIONS = {
    "satisfied": EVALUATE_SATISFIED,
    "basically_satisfied": EVALUATE_BASICALLY_SATISFIED,
    "not_satisfied": EVALUATE_NOT_SATISFIED,
}

STATUS_LABELS = {
    ISSUED: ("已交办", "issued"),
    PLAN_SUBMITTED: ("已报送办理方案", "plan submitted"),
    RESULT_SUBMITTED: ("已报送办理结果", "result submitted"),
    REHANDLING: ("不满意·重新办理", "not satisfied: being handled again"),
    SATISFIED: ("满意·办结", "satisfied (closed)"),
    BASICALLY_SATISFIED: ("基本满意·办结", "basically satisfied (closed)"),
}
ACTION_LABELS = {
    ISSUE: ("交办监督意见", "issue the opinion"),
    SUBMIT_PLAN: ("报送办理方案", "submit the handling plan"),
    SUBMIT_RESULT: ("报送办理结果", "submit the result report"),
    EVALUATE_SATISFIED: ("评价为满意", "evaluate as satisfied"),
    EVALUATE_BASICALLY_SATISFIED: ("评价为基本满意", "evaluate as basically satisfied"),
    EVALUATE_NOT_SATISFIED: ("评价为不满意", "evaluate as not satisfied"),
    ESCALATE: ("逾期督办", "escalate as overdue"),
}

TRANSITIONS: dict[tuple[str, str], str] = {
    (ISSUED, SUBMIT_PLAN): PLAN_SUBMITTED,
    (REHANDLING, SUBMIT_PLAN): PLAN_SUBMITTED,
    (PLAN_SUBMITTED, SUBMIT_RESULT): RESULT_SUBMITTED,
    (REHANDLING, SUBMIT_RESULT): RESULT_SUBMITTED,
    (RESULT_SUBMITTED, EVALUATE_SATISFIED): SATISFIED,
    (RESULT_SUBMITTED, EVALUATE_BASICALLY_SATISFIED): BASICALLY_SATISFIED,
    (RESULT_SUBMITTED, EVALUATE_NOT_SATISFIED): REHANDLING,
    # Escalation waits on the organ only: a result awaiting review is the congress's move.
    (ISSUED, ESCALATE): ISSUED,
    (PLAN_SUBMITTED, ESCALATE): PLAN_SUBMITTED,
    (REHANDLING, ESCALATE): REHANDLING,
}

# Only the organ handles; only staff judge, so an organ never evaluates its own result.
WHO_MAY: dict[str, frozenset[str]] = {
    SUBMIT_PLAN: frozenset({"organ"}),
    SUBMIT_RESULT: frozenset({"organ"}),
    EVALUATE_SATISFIED: STAFF,
    EVALUATE_BASICALLY_SATISFIED: STAFF,
    EVALUATE_NOT_SATISFIED: STAFF,
    ESCALATE: frozenset({SYSTEM}),
}
TEXT_ACTIONS = frozenset({SUBMIT_PLAN, SUBMIT_RESULT})

MACHINE = Machine(
    noun=("监督意见", "opinion"),
    status_labels=STATUS_LABELS,
    action_labels=ACTION_LABELS,
    transitions=TRANSITIONS,
    who_may=WHO_MAY,
    # The organ must learn what to do better.
    comment_required=frozenset({EVALUATE_NOT_SATISFIED}),
    wording={
        UNKNOWN_ACTION: (
            "未知的监督意见办理操作：{action!r}",
            "Unknown action on a supervision opinion: {action!r}",
        ),
        UNKNOWN_STATUS: (
            "未知的监督意见状态：{status!r}",
            "Unknown status of a supervision opinion: {status!r}",
        ),
        NOT_ALLOWED_FROM_STATUS: (
            "{noun}当前状态为“{status}”，不能“{action}”",
            "An {noun} that is {status} cannot be given the action: {action}",
        ),
        COMMENT_REQUIRED: (
            "评价为不满意时须说明理由和重新办理的要求",
            "A 'not satisfied' evaluation needs a comment saying what to handle again",
        ),
    },
)
who_may = MACHINE.roles_for
allowed_actions = MACHINE.allowed_actions


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def transition(
    status: str,
    action: str,
    *,
    role: str,
    text: str | None = None,
    overdue: bool = False,
    escalated: bool = False,
) -> str:
    """The status after ``role`` takes ``action`` on an opinion in ``status``.

    Checked in this order, the first broken rule reported: the action and status are known;
    the role may take the action; the table allows it from this status; a plan or result
    has a non-blank text, and "not satisfied" a non-blank comment (``text``: the organ must
    learn what to do better); an escalation needs the deadline passed and the round not
    escalated before. Escalation keeps the status.
    """
    target = MACHINE.transition(status, action, role=role, comment=text)
    if action in TEXT_ACTIONS and not (text or "").strip():
        zh, en = ACTION_LABELS[action]
        raise TransitionError(TEXT_REQUIRED, f"“{zh}”须填写内容", f"To {en}, write its text")
    if action == ESCALATE:
        check_escalation(
            overdue,
            escalated,
            already=(
                "本轮办理已逾期督办，不再重复督办",
                "This round of handling has already been escalated; it is escalated only once",
            ),
            not_due=(
                "监督意见尚未逾期，不能督办",
                "The opinion is not overdue yet, so it cannot be escalated",
            ),
        )
    return target
