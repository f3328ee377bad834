"""The handling of a supervision opinion: every allowed and every forbidden move, every
role, texts and comments, escalation once a round."""

from __future__ import annotations

import re
from itertools import product

import pytest

from app.matters.opinion_states import (
    ACTIONS,
    AWAITING_ORGAN,
    BASICALLY_SATISFIED,
    ESCALATE,
    EVALUATE_BASICALLY_SATISFIED,
    EVALUATE_NOT_SATISFIED,
    EVALUATE_SATISFIED,
    EVALUATIONS,
    ISSUED,
    OPEN_STATUSES,
    PLAN_SUBMITTED,
    REHANDLING,
    RESULT_SUBMITTED,
    ROLES,
    SATISFIED,
    STATUSES,
    SUBMIT_PLAN,
    SUBMIT_RESULT,
    TERMINAL_STATUSES,
    TRANSITIONS,
    allowed_actions,
    is_open,
    transition,
    who_may,
)
from app.matters.states import (
    ALREADY_ESCALATED,
    COMMENT_REQUIRED,
    ESCALATION_NOT_DUE,
    HTTP_STATUS,
    NOT_ALLOWED_FROM_STATUS,
    ROLE_NOT_ALLOWED,
    TEXT_REQUIRED,
    UNKNOWN_ACTION,
    UNKNOWN_STATUS,
    TransitionError,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
FORBIDDEN = [pair for pair in product(STATUSES, ACTIONS) if pair not in TRANSITIONS]
FROM = {action: next(s for s in STATUSES if (s, action) in TRANSITIONS) for action in ACTIONS}
OK = {"text": "已制定整改方案并落实", "overdue": True}


def _refused(code: str, *args, **kwargs) -> TransitionError:
    with pytest.raises(TransitionError) as caught:
        transition(*args, **kwargs)
    error = caught.value
    assert error.code == code
    assert CJK.search(error.message_zh), error.message_zh
    assert error.message_en.isascii(), error.message_en
    assert error.http_status == HTTP_STATUS[code]
    return error


def test_the_table():
    assert STATUSES == (
        "issued",
        "plan_submitted",
        "result_submitted",
        "rehandling",
        "satisfied",
        "basically_satisfied",
    )
    assert TRANSITIONS == {
        (ISSUED, SUBMIT_PLAN): PLAN_SUBMITTED,
        (REHANDLING, SUBMIT_PLAN): PLAN_SUBMITTED,
        (PLAN_SUBMITTED, SUBMIT_RESULT): RESULT_SUBMITTED,
        (REHANDLING, SUBMIT_RESULT): RESULT_SUBMITTED,
        (RESULT_SUBMITTED, EVALUATE_SATISFIED): SATISFIED,
        (RESULT_SUBMITTED, EVALUATE_BASICALLY_SATISFIED): BASICALLY_SATISFIED,
        (RESULT_SUBMITTED, EVALUATE_NOT_SATISFIED): REHANDLING,
        (ISSUED, ESCALATE): ISSUED,
        (PLAN_SUBMITTED, ESCALATE): PLAN_SUBMITTED,
        (REHANDLING, ESCALATE): REHANDLING,
    }
    assert len(FORBIDDEN) == len(STATUSES) * len(ACTIONS) - len(TRANSITIONS) == 26
    assert EVALUATIONS == {
        "satisfied": EVALUATE_SATISFIED,
        "basically_satisfied": EVALUATE_BASICALLY_SATISFIED,
        "not_satisfied": EVALUATE_NOT_SATISFIED,
    }


def test_open_terminal_and_awaiting_the_organ():
    assert {SATISFIED, BASICALLY_SATISFIED} == TERMINAL_STATUSES
    assert set(STATUSES) == OPEN_STATUSES | TERMINAL_STATUSES
    assert not [pair for pair in TRANSITIONS if pair[0] in TERMINAL_STATUSES]
    assert {ISSUED, PLAN_SUBMITTED, REHANDLING} == AWAITING_ORGAN
    assert [s for s in STATUSES if is_open(s)] == [
        ISSUED,
        PLAN_SUBMITTED,
        RESULT_SUBMITTED,
        REHANDLING,
    ]


def test_a_round_that_is_not_satisfied_comes_back_to_the_organ():
    status = ISSUED
    for action, role, text in (
        (SUBMIT_PLAN, "organ", "方案"),
        (SUBMIT_RESULT, "organ", "结果"),
        (EVALUATE_NOT_SATISFIED, "staff", "整改不到位"),
        (SUBMIT_RESULT, "organ", "再次报告结果"),
        (EVALUATE_SATISFIED, "admin", None),
    ):
        status = transition(status, action, role=role, text=text)
    assert status == SATISFIED


def test_a_revised_plan_may_come_first_in_a_new_round():
    assert transition(REHANDLING, SUBMIT_PLAN, role="organ", text="修订方案") == PLAN_SUBMITTED


@pytest.mark.parametrize(("status", "action"), list(TRANSITIONS))
def test_allowed_transition(status, action):
    for role in who_may(action):
        assert transition(status, action, role=role, **OK) == TRANSITIONS[(status, action)]


@pytest.mark.parametrize(("status", "action"), FORBIDDEN)
def test_forbidden_transition(status, action):
    for role in who_may(action):
        _refused(NOT_ALLOWED_FROM_STATUS, status, action, role=role, **OK)


def test_no_result_before_a_plan():
    error = _refused(NOT_ALLOWED_FROM_STATUS, ISSUED, SUBMIT_RESULT, role="organ", text="结果")
    assert "已交办" in error.message_zh


def test_no_evaluation_before_the_result():
    for status in (ISSUED, PLAN_SUBMITTED, REHANDLING):
        _refused(NOT_ALLOWED_FROM_STATUS, status, EVALUATE_SATISFIED, role="staff")


# --- every role for every action -------------------------------------------------------------


def test_who_may():
    assert who_may(SUBMIT_PLAN) == who_may(SUBMIT_RESULT) == {"organ"}
    for action in EVALUATIONS.values():
        assert who_may(action) == {"staff", "admin"}
    assert who_may(ESCALATE) == {"system"}


@pytest.mark.parametrize(("role", "action"), list(product(ROLES, ACTIONS)))
def test_role_permission(role, action):
    status = FROM[action]
    if role in who_may(action):
        assert transition(status, action, role=role, **OK) in STATUSES
    else:
        _refused(ROLE_NOT_ALLOWED, status, action, role=role, **OK)


@pytest.mark.parametrize("action", list(EVALUATIONS.values()))
def test_a_deputy_cannot_evaluate(action):
    error = _refused(ROLE_NOT_ALLOWED, RESULT_SUBMITTED, action, role="deputy", text="不满意")
    assert "deputy" in error.message_en


@pytest.mark.parametrize("action", list(EVALUATIONS.values()))
def test_an_organ_cannot_evaluate_its_own_result(action):
    _refused(ROLE_NOT_ALLOWED, RESULT_SUBMITTED, action, role="organ", text="自评满意")


def test_staff_cannot_handle_for_the_organ():
    _refused(ROLE_NOT_ALLOWED, ISSUED, SUBMIT_PLAN, role="staff", text="代拟方案")
    _refused(ROLE_NOT_ALLOWED, PLAN_SUBMITTED, SUBMIT_RESULT, role="admin", text="代报结果")


@pytest.mark.parametrize("role", ["deputy", "viewer", "evaluator"])
def test_readers_may_do_nothing(role):
    assert not [action for action in ACTIONS if role in who_may(action)]
    for status in STATUSES:
        assert allowed_actions(status, role) == ()


def test_allowed_actions():
    assert allowed_actions(ISSUED, "organ") == (SUBMIT_PLAN,)
    assert allowed_actions(REHANDLING, "organ") == (SUBMIT_PLAN, SUBMIT_RESULT)
    assert allowed_actions(RESULT_SUBMITTED, "organ") == ()
    assert allowed_actions(RESULT_SUBMITTED, "staff") == tuple(EVALUATIONS.values())
    assert allowed_actions(PLAN_SUBMITTED, "system") == (ESCALATE,)
    assert allowed_actions(SATISFIED, "admin") == ()


# --- texts and comments ----------------------------------------------------------------------


@pytest.mark.parametrize("action", [SUBMIT_PLAN, SUBMIT_RESULT])
@pytest.mark.parametrize("text", [None, "", "  \t"])
def test_plan_and_result_need_a_text(action, text):
    _refused(TEXT_REQUIRED, FROM[action], action, role="organ", text=text)


@pytest.mark.parametrize("text", [None, "", " "])
def test_not_satisfied_needs_a_comment(text):
    _refused(COMMENT_REQUIRED, RESULT_SUBMITTED, EVALUATE_NOT_SATISFIED, role="staff", text=text)


def test_satisfied_needs_no_comment():
    assert transition(RESULT_SUBMITTED, EVALUATE_SATISFIED, role="staff") == SATISFIED
    assert (
        transition(RESULT_SUBMITTED, EVALUATE_BASICALLY_SATISFIED, role="staff")
        == BASICALLY_SATISFIED
    )


# --- escalation ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", sorted(AWAITING_ORGAN))
def test_escalation_keeps_the_status_and_needs_the_deadline_passed(status):
    assert transition(status, ESCALATE, role="system", overdue=True) == status
    _refused(ESCALATION_NOT_DUE, status, ESCALATE, role="system", overdue=False)
    _refused(ALREADY_ESCALATED, status, ESCALATE, role="system", overdue=True, escalated=True)


def test_no_escalation_while_the_congress_evaluates():
    _refused(NOT_ALLOWED_FROM_STATUS, RESULT_SUBMITTED, ESCALATE, role="system", overdue=True)


def test_people_cannot_escalate():
    for role in ("admin", "staff", "organ"):
        _refused(ROLE_NOT_ALLOWED, ISSUED, ESCALATE, role=role, overdue=True)


# --- unknown inputs --------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["", "evaluate", "issue", "satisfied", "reopen"])
def test_unknown_action(action):
    _refused(UNKNOWN_ACTION, RESULT_SUBMITTED, action, role="staff")


@pytest.mark.parametrize("status", ["", "closed", "not_satisfied", "ISSUED"])
def test_unknown_status(status):
    _refused(UNKNOWN_STATUS, status, SUBMIT_PLAN, role="organ", text="方案")
    with pytest.raises(TransitionError):
        allowed_actions(status, "organ")
