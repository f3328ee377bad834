"""The supervision matter's state machine: every allowed and every forbidden move, every
role, and the conditions on the matter's opinions."""

from __future__ import annotations

import re
from itertools import product

import pytest

from app.matters.states import (
    ACTIONS,
    APPROVE,
    APPROVED,
    CANCEL,
    CANCELLED,
    CLOSE,
    CLOSED,
    COMMENT_REQUIRED,
    EVALUATE,
    EVALUATED,
    FEEDBACK_INCOMPLETE,
    HTTP_STATUS,
    IN_PROGRESS,
    ISSUE_OPINIONS,
    NO_OPINIONS,
    NOT_ALLOWED_FROM_STATUS,
    OPINIONS_ISSUED,
    OPINIONS_OPEN,
    ORGAN_FEEDBACK,
    PROPOSED,
    RECEIVE_FEEDBACK,
    ROLE_NOT_ALLOWED,
    ROLES,
    START,
    STATUSES,
    TERMINAL_STATUSES,
    TRANSITIONS,
    UNKNOWN_ACTION,
    UNKNOWN_STATUS,
    TransitionError,
    allowed_actions,
    is_open,
    transition,
    who_may,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
FORBIDDEN = [pair for pair in product(STATUSES, ACTIONS) if pair not in TRANSITIONS]
FROM = {action: next(s for s in STATUSES if (s, action) in TRANSITIONS) for action in ACTIONS}
# Opinions that satisfy every condition: one issued, answered and closed.
SETTLED = {"opinions": 1, "awaiting_organ": 0, "open_opinions": 0}


def _ok(action: str) -> dict:
    return {"comment": "审议通过", **SETTLED}


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
        "proposed",
        "approved",
        "in_progress",
        "opinions_issued",
        "organ_feedback",
        "evaluated",
        "closed",
        "cancelled",
    )
    assert TRANSITIONS == {
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
    assert len(FORBIDDEN) == len(STATUSES) * len(ACTIONS) - len(TRANSITIONS) == 47


def test_terminal_statuses_have_no_way_out():
    assert {CLOSED, CANCELLED} == TERMINAL_STATUSES
    assert not [pair for pair in TRANSITIONS if pair[0] in TERMINAL_STATUSES]
    assert [s for s in STATUSES if not is_open(s)] == [CLOSED, CANCELLED]


def test_the_main_line_runs_from_proposed_to_closed():
    status = PROPOSED
    for action, role in (
        (APPROVE, "admin"),
        (START, "staff"),
        (ISSUE_OPINIONS, "staff"),
        (RECEIVE_FEEDBACK, "staff"),
        (EVALUATE, "admin"),
        (CLOSE, "staff"),
    ):
        status = transition(status, action, role=role, **_ok(action))
    assert status == CLOSED


@pytest.mark.parametrize(("status", "action"), list(TRANSITIONS))
def test_allowed_transition(status, action):
    for role in who_may(action):
        assert transition(status, action, role=role, **_ok(action)) == TRANSITIONS[(status, action)]


@pytest.mark.parametrize(("status", "action"), FORBIDDEN)
def test_forbidden_transition(status, action):
    for role in who_may(action):
        _refused(NOT_ALLOWED_FROM_STATUS, status, action, role=role, **_ok(action))


def test_a_closed_matter_cannot_be_cancelled():
    error = _refused(NOT_ALLOWED_FROM_STATUS, CLOSED, CANCEL, role="admin", comment="撤销")
    assert "已办结" in error.message_zh


# --- every role for every action -------------------------------------------------------------


def test_who_may():
    assert who_may(APPROVE) == who_may(CANCEL) == {"admin"}
    for action in (START, ISSUE_OPINIONS, RECEIVE_FEEDBACK, EVALUATE, CLOSE):
        assert who_may(action) == {"staff", "admin"}
    with pytest.raises(TransitionError) as caught:
        who_may("delete")
    assert caught.value.code == UNKNOWN_ACTION


@pytest.mark.parametrize(("role", "action"), list(product(ROLES, ACTIONS)))
def test_role_permission(role, action):
    status = FROM[action]
    if role in who_may(action):
        assert transition(status, action, role=role, **_ok(action)) in STATUSES
    else:
        _refused(ROLE_NOT_ALLOWED, status, action, role=role, **_ok(action))


def test_approval_is_the_admins_record_of_the_committees_decision():
    assert transition(PROPOSED, APPROVE, role="admin") == APPROVED
    _refused(ROLE_NOT_ALLOWED, PROPOSED, APPROVE, role="staff")


def test_an_organ_cannot_approve_or_move_a_matter():
    assert not [action for action in ACTIONS if "organ" in who_may(action)]
    error = _refused(ROLE_NOT_ALLOWED, PROPOSED, APPROVE, role="organ")
    assert "批准" in error.message_zh


@pytest.mark.parametrize("role", ["deputy", "viewer", "evaluator", "organ", "system"])
def test_readers_and_organs_may_do_nothing(role):
    assert not [action for action in ACTIONS if role in who_may(action)]
    for status in STATUSES:
        assert allowed_actions(status, role) == ()


def test_allowed_actions():
    assert allowed_actions(PROPOSED, "admin") == (APPROVE, CANCEL)
    assert allowed_actions(PROPOSED, "staff") == ()
    assert allowed_actions(IN_PROGRESS, "staff") == (ISSUE_OPINIONS,)
    assert allowed_actions(IN_PROGRESS, "admin") == (ISSUE_OPINIONS, CANCEL)
    assert allowed_actions(EVALUATED, "staff") == (CLOSE,)
    assert allowed_actions(CLOSED, "admin") == ()


# --- comments and the matter's opinions -----------------------------------------------------


@pytest.mark.parametrize("action", [EVALUATE, CANCEL])
@pytest.mark.parametrize("comment", [None, "", "  \n"])
def test_evaluation_and_cancellation_need_a_comment(action, comment):
    _refused(COMMENT_REQUIRED, FROM[action], action, role="admin", comment=comment, **SETTLED)


def test_issuing_needs_an_opinion():
    _refused(NO_OPINIONS, IN_PROGRESS, ISSUE_OPINIONS, role="staff", opinions=0)
    assert transition(IN_PROGRESS, ISSUE_OPINIONS, role="staff", opinions=2) == OPINIONS_ISSUED


def test_feedback_needs_every_result_report():
    error = _refused(
        FEEDBACK_INCOMPLETE, OPINIONS_ISSUED, RECEIVE_FEEDBACK, role="staff", awaiting_organ=2
    )
    assert "2" in error.message_zh and "2 opinion" in error.message_en
    # Results awaiting evaluation are feedback received.
    assert (
        transition(OPINIONS_ISSUED, RECEIVE_FEEDBACK, role="staff", opinions=2, open_opinions=2)
        == ORGAN_FEEDBACK
    )


def test_evaluation_needs_every_opinion_closed():
    _refused(OPINIONS_OPEN, ORGAN_FEEDBACK, EVALUATE, role="staff", comment="好", open_opinions=1)
    assert transition(ORGAN_FEEDBACK, EVALUATE, role="staff", comment="好") == EVALUATED


def test_the_status_is_checked_before_the_opinions():
    _refused(NOT_ALLOWED_FROM_STATUS, APPROVED, ISSUE_OPINIONS, role="staff", opinions=0)


# --- unknown inputs --------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["", "delete", "Approve", "propose", "reopen"])
def test_unknown_action(action):
    _refused(UNKNOWN_ACTION, PROPOSED, action, role="admin")


@pytest.mark.parametrize("status", ["", "open", "PROPOSED"])
def test_unknown_status(status):
    _refused(UNKNOWN_STATUS, status, APPROVE, role="admin")
    with pytest.raises(TransitionError):
        allowed_actions(status, "admin")
