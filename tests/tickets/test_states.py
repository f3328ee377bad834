"""The response ticket's state machine: every allowed and every forbidden move, every role."""

from __future__ import annotations

import re
from itertools import product

import pytest

from app.tickets.states import (
    ACCEPT,
    ACCEPTED,
    ACTIONS,
    ALREADY_ESCALATED,
    ANSWER,
    ANSWERED,
    COMMENT_REQUIRED,
    ESCALATE,
    ESCALATION_NOT_DUE,
    HTTP_STATUS,
    NOT_ALLOWED_FROM_STATUS,
    OPEN,
    OPEN_STATUSES,
    RESOLVE_BY_DATA,
    RESOLVED,
    RETURN,
    RETURNED,
    ROLE_NOT_ALLOWED,
    ROLES,
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
# A status from which each action is allowed, to test roles without tripping on status.
FROM = {action: next(s for s in STATUSES if (s, action) in TRANSITIONS) for action in ACTIONS}


def _ok_kwargs(action: str) -> dict:
    """Everything but role and status that makes ``action`` succeed."""
    return {"comment": "请补充说明" if action == RETURN else None, "overdue": True}


def _refused(code: str, *args, **kwargs) -> TransitionError:
    with pytest.raises(TransitionError) as caught:
        transition(*args, **kwargs)
    error = caught.value
    assert error.code == code
    assert CJK.search(error.message_zh), error.message_zh
    assert error.message_en.isascii(), error.message_en
    assert error.http_status == HTTP_STATUS[code]
    return error


# --- the table -----------------------------------------------------------------------------


def test_the_table():
    assert set(STATUSES) == {"open", "answered", "returned", "accepted", "resolved"}
    assert set(ACTIONS) == {"answer", "accept", "return", "resolve_by_data", "escalate"}
    assert TRANSITIONS == {
        (OPEN, ANSWER): ANSWERED,
        (RETURNED, ANSWER): ANSWERED,
        (ANSWERED, ACCEPT): ACCEPTED,
        (ANSWERED, RETURN): RETURNED,
        (OPEN, RESOLVE_BY_DATA): RESOLVED,
        (ANSWERED, RESOLVE_BY_DATA): RESOLVED,
        (RETURNED, RESOLVE_BY_DATA): RESOLVED,
        (OPEN, ESCALATE): OPEN,
        (RETURNED, ESCALATE): RETURNED,
    }
    assert len(FORBIDDEN) == len(STATUSES) * len(ACTIONS) - len(TRANSITIONS) == 16


def test_terminal_statuses_have_no_way_out():
    assert {ACCEPTED, RESOLVED} == TERMINAL_STATUSES
    assert not [pair for pair in TRANSITIONS if pair[0] in TERMINAL_STATUSES]


def test_open_statuses():
    assert {OPEN, ANSWERED, RETURNED} == OPEN_STATUSES
    assert set(STATUSES) == OPEN_STATUSES | TERMINAL_STATUSES
    assert [s for s in STATUSES if is_open(s)] == [OPEN, ANSWERED, RETURNED]
    assert not is_open("closed")


# --- every allowed and every forbidden (status, action) -------------------------------------


@pytest.mark.parametrize(("status", "action"), list(TRANSITIONS))
def test_allowed_transition(status, action):
    for role in who_may(action):
        assert (
            transition(status, action, role=role, **_ok_kwargs(action))
            == TRANSITIONS[(status, action)]
        )


@pytest.mark.parametrize(("status", "action"), FORBIDDEN)
def test_forbidden_transition(status, action):
    # A permitted role, a comment and an overdue ticket: only the status stands in the way.
    for role in who_may(action):
        _refused(NOT_ALLOWED_FROM_STATUS, status, action, role=role, **_ok_kwargs(action))


def test_answering_an_accepted_ticket_is_refused():
    error = _refused(NOT_ALLOWED_FROM_STATUS, ACCEPTED, ANSWER, role="organ")
    assert "已认可办结" in error.message_zh


def test_escalation_keeps_the_status():
    for status in (OPEN, RETURNED):
        assert transition(status, ESCALATE, role="system", overdue=True) == status


# --- every role for every action -----------------------------------------------------------


def test_who_may():
    assert who_may(ANSWER) == {"organ"}
    assert who_may(ACCEPT) == who_may(RETURN) == {"staff", "admin"}
    assert who_may(RESOLVE_BY_DATA) == who_may(ESCALATE) == {"system"}
    with pytest.raises(TransitionError) as caught:
        who_may("delete")
    assert caught.value.code == UNKNOWN_ACTION


@pytest.mark.parametrize(("role", "action"), list(product(ROLES, ACTIONS)))
def test_role_permission(role, action):
    status = FROM[action]
    if role in who_may(action):
        assert transition(status, action, role=role, **_ok_kwargs(action)) in STATUSES
    else:
        _refused(ROLE_NOT_ALLOWED, status, action, role=role, **_ok_kwargs(action))


@pytest.mark.parametrize("role", ["deputy", "viewer", "evaluator"])
def test_readers_may_do_nothing(role):
    assert not [action for action in ACTIONS if role in who_may(action)]
    for status in STATUSES:
        assert allowed_actions(status, role) == ()


def test_an_organ_cannot_accept_or_return_its_own_answer():
    _refused(ROLE_NOT_ALLOWED, ANSWERED, ACCEPT, role="organ")
    _refused(ROLE_NOT_ALLOWED, ANSWERED, RETURN, role="organ", comment="自己退回")


def test_people_cannot_act_as_the_system():
    for role in ("admin", "staff", "organ"):
        _refused(ROLE_NOT_ALLOWED, OPEN, RESOLVE_BY_DATA, role=role)
        _refused(ROLE_NOT_ALLOWED, OPEN, ESCALATE, role=role, overdue=True)


def test_unknown_role():
    _refused(ROLE_NOT_ALLOWED, OPEN, ANSWER, role="")
    _refused(ROLE_NOT_ALLOWED, OPEN, ANSWER, role="superuser")


def test_allowed_actions():
    assert allowed_actions(OPEN, "organ") == (ANSWER,)
    assert allowed_actions(ANSWERED, "organ") == ()
    assert allowed_actions(ANSWERED, "staff") == (ACCEPT, RETURN)
    assert allowed_actions(RETURNED, "system") == (RESOLVE_BY_DATA, ESCALATE)
    assert allowed_actions(ACCEPTED, "admin") == ()


# --- return needs a comment ----------------------------------------------------------------


@pytest.mark.parametrize("comment", [None, "", "   ", "\n\t"])
def test_return_without_a_comment(comment):
    _refused(COMMENT_REQUIRED, ANSWERED, RETURN, role="staff", comment=comment)


def test_return_with_a_comment():
    assert transition(ANSWERED, RETURN, role="admin", comment="数据口径说明不清") == RETURNED


def test_accept_needs_no_comment():
    assert transition(ANSWERED, ACCEPT, role="staff") == ACCEPTED


# --- escalation ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [OPEN, RETURNED])
def test_escalation_needs_an_overdue_ticket(status):
    _refused(ESCALATION_NOT_DUE, status, ESCALATE, role="system", overdue=False)


@pytest.mark.parametrize("status", [OPEN, RETURNED])
@pytest.mark.parametrize("overdue", [True, False])
def test_escalation_happens_once(status, overdue):
    _refused(ALREADY_ESCALATED, status, ESCALATE, role="system", overdue=overdue, escalated=True)


def test_no_escalation_once_answered():
    # The organ has done its part; the wait is now on staff.
    _refused(NOT_ALLOWED_FROM_STATUS, ANSWERED, ESCALATE, role="system", overdue=True)


# --- unknown inputs ------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["", "delete", "Answer", "reopen"])
def test_unknown_action(action):
    _refused(UNKNOWN_ACTION, OPEN, action, role="admin")


@pytest.mark.parametrize("status", ["", "closed", "OPEN"])
def test_unknown_status(status):
    _refused(UNKNOWN_STATUS, status, ANSWER, role="organ")
    with pytest.raises(TransitionError):
        allowed_actions(status, "organ")


def test_error_codes_are_distinct():
    codes = [
        UNKNOWN_ACTION,
        UNKNOWN_STATUS,
        ROLE_NOT_ALLOWED,
        NOT_ALLOWED_FROM_STATUS,
        COMMENT_REQUIRED,
        ESCALATION_NOT_DUE,
        ALREADY_ESCALATED,
    ]
    assert len(set(codes)) == len(codes) == len(HTTP_STATUS)
