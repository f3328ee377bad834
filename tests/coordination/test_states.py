"""The coordination state machines, as plain Python: every allowed transition, every
forbidden one, and who may take each step (a deputy cannot assign, an organ cannot rate)."""

from __future__ import annotations

import itertools

import pytest

from app.coordination import concern_states as concern
from app.coordination import deputy_states as deputy
from app.coordination import recommendation_states as rec
from app.statemachine import (
    COMMENT_REQUIRED,
    NOT_ALLOWED_FROM_STATUS,
    NOT_THE_AUTHOR,
    ROLE_NOT_ALLOWED,
    ROLES,
    UNKNOWN_ACTION,
    UNKNOWN_STATUS,
    TransitionError,
)

TEXT = "说明"


def _refused(code: str, fn, *args, **kwargs) -> TransitionError:
    with pytest.raises(TransitionError) as caught:
        fn(*args, **kwargs)
    assert caught.value.code == code
    assert caught.value.message_zh and caught.value.message_en
    return caught.value


# --- key concerns ------------------------------------------------------------------------


CONCERN_ALLOWED = {
    (concern.OPEN, concern.RESPOND, "organ"): concern.RESPONDED,
    (concern.FOLLOW_UP, concern.RESPOND, "organ"): concern.RESPONDED,
    (concern.RESPONDED, concern.CLOSE, "staff"): concern.CLOSED,
    (concern.RESPONDED, concern.CLOSE, "admin"): concern.CLOSED,
    (concern.RESPONDED, concern.FOLLOW_UP_ACTION, "staff"): concern.FOLLOW_UP,
    (concern.OPEN, concern.WITHDRAW, "staff"): concern.WITHDRAWN,
    (concern.FOLLOW_UP, concern.WITHDRAW, "admin"): concern.WITHDRAWN,
    (concern.OPEN, concern.ESCALATE, "system"): concern.OPEN,
    (concern.FOLLOW_UP, concern.ESCALATE, "system"): concern.FOLLOW_UP,
}


@pytest.mark.parametrize(("status", "action", "role"), list(CONCERN_ALLOWED))
def test_concern_allowed(status, action, role):
    assert (
        concern.transition(status, action, role=role, comment=TEXT)
        == CONCERN_ALLOWED[(status, action, role)]
    )


def test_every_other_concern_move_is_refused():
    """The whole product of statuses × actions × roles: what the table does not allow is
    refused, by role first (403) and then by status (409)."""
    allowed = {(s, a) for s, a, _ in CONCERN_ALLOWED}
    for status, action, role in itertools.product(concern.STATUSES, concern.ACTIONS, ROLES):
        permitted_role = role in concern.MACHINE.who_may[action]
        if permitted_role and (status, action) in allowed:
            continue
        code = ROLE_NOT_ALLOWED if not permitted_role else NOT_ALLOWED_FROM_STATUS
        _refused(code, concern.transition, status, action, role=role, comment=TEXT)


def test_concern_roles():
    assert concern.MACHINE.who_may[concern.RESPOND] == {"organ"}
    for action in (concern.CLOSE, concern.FOLLOW_UP_ACTION, concern.WITHDRAW):
        assert concern.MACHINE.who_may[action] == {"staff", "admin"}
    # deputies and viewers read; they act on nothing
    for role in ("deputy", "viewer", "evaluator"):
        assert all(concern.allowed_actions(s, role) == () for s in concern.STATUSES)
    assert concern.allowed_actions(concern.RESPONDED, "staff") == (
        concern.CLOSE,
        concern.FOLLOW_UP_ACTION,
    )
    assert concern.allowed_actions(concern.OPEN, "organ") == (concern.RESPOND,)


@pytest.mark.parametrize(
    ("status", "action", "role"),
    [
        (concern.OPEN, concern.RESPOND, "organ"),
        (concern.RESPONDED, concern.FOLLOW_UP_ACTION, "staff"),
        (concern.OPEN, concern.WITHDRAW, "staff"),
    ],
)
@pytest.mark.parametrize("comment", [None, "", "   "])
def test_concern_text_required(status, action, role, comment):
    _refused(COMMENT_REQUIRED, concern.transition, status, action, role=role, comment=comment)


def test_concern_close_needs_no_comment_and_unknowns_are_refused():
    assert concern.transition(concern.RESPONDED, concern.CLOSE, role="staff") == concern.CLOSED
    _refused(UNKNOWN_ACTION, concern.transition, concern.OPEN, "approve", role="staff")
    _refused(UNKNOWN_STATUS, concern.transition, "lost", concern.CLOSE, role="staff")


def test_terminal_concerns_go_nowhere():
    for status in concern.TERMINAL_STATUSES:
        for role in ROLES:
            assert concern.allowed_actions(status, role) == ()


# --- deputies' opinions ------------------------------------------------------------------


DEPUTY_ALLOWED = {
    (deputy.SUBMITTED, deputy.ASSIGN, "staff"): deputy.ASSIGNED,
    (deputy.SUBMITTED, deputy.ASSIGN, "admin"): deputy.ASSIGNED,
    (deputy.SUBMITTED, deputy.DECLINE, "staff"): deputy.DECLINED,
    (deputy.SUBMITTED, deputy.WITHDRAW, "deputy"): deputy.WITHDRAWN,
    (deputy.ASSIGNED, deputy.ANSWER, "organ"): deputy.ANSWERED,
    (deputy.REHANDLING, deputy.ANSWER, "organ"): deputy.ANSWERED,
    (deputy.ANSWERED, deputy.RATE_SATISFIED, "deputy"): deputy.SATISFIED,
    (deputy.ANSWERED, deputy.RATE_BASICALLY_SATISFIED, "deputy"): deputy.BASICALLY_SATISFIED,
    (deputy.ANSWERED, deputy.RATE_NOT_SATISFIED, "deputy"): deputy.REHANDLING,
    (deputy.ASSIGNED, deputy.ESCALATE, "system"): deputy.ASSIGNED,
    (deputy.REHANDLING, deputy.ESCALATE, "system"): deputy.REHANDLING,
}


@pytest.mark.parametrize(("status", "action", "role"), list(DEPUTY_ALLOWED))
def test_deputy_opinion_allowed(status, action, role):
    new = deputy.transition(status, action, role=role, comment=TEXT, is_author=True)
    assert new == DEPUTY_ALLOWED[(status, action, role)]


def test_every_other_deputy_opinion_move_is_refused():
    allowed = {(s, a) for s, a, _ in DEPUTY_ALLOWED}
    for status, action, role in itertools.product(deputy.STATUSES, deputy.ACTIONS, ROLES):
        permitted_role = role in deputy.MACHINE.who_may[action]
        if permitted_role and (status, action) in allowed:
            continue
        code = ROLE_NOT_ALLOWED if not permitted_role else NOT_ALLOWED_FROM_STATUS
        _refused(code, deputy.transition, status, action, role=role, comment=TEXT, is_author=True)


def test_a_deputy_cannot_assign_and_an_organ_cannot_rate():
    for role in ("deputy", "organ", "viewer", "evaluator"):
        _refused(ROLE_NOT_ALLOWED, deputy.transition, deputy.SUBMITTED, deputy.ASSIGN, role=role)
        _refused(ROLE_NOT_ALLOWED, deputy.transition, deputy.SUBMITTED, deputy.DECLINE, role=role)
    for role in ("organ", "staff", "admin", "viewer"):
        for action in deputy.RATINGS.values():
            _refused(
                ROLE_NOT_ALLOWED,
                deputy.transition,
                deputy.ANSWERED,
                action,
                role=role,
                comment=TEXT,
                is_author=True,
            )
    for role in ("deputy", "staff", "admin"):
        _refused(
            ROLE_NOT_ALLOWED,
            deputy.transition,
            deputy.ASSIGNED,
            deputy.ANSWER,
            role=role,
            comment=TEXT,
        )


def test_only_the_author_withdraws_or_rates():
    for action in (deputy.RATE_SATISFIED, deputy.RATE_NOT_SATISFIED):
        _refused(
            NOT_THE_AUTHOR,
            deputy.transition,
            deputy.ANSWERED,
            action,
            role="deputy",
            comment=TEXT,
            is_author=False,
        )
    _refused(
        NOT_THE_AUTHOR,
        deputy.transition,
        deputy.SUBMITTED,
        deputy.WITHDRAW,
        role="deputy",
        comment=TEXT,
        is_author=False,
    )
    assert deputy.allowed_actions(deputy.ANSWERED, "deputy", is_author=False) == ()
    assert set(deputy.allowed_actions(deputy.ANSWERED, "deputy", is_author=True)) == set(
        deputy.RATINGS.values()
    )
    assert deputy.allowed_actions(deputy.SUBMITTED, "deputy", is_author=True) == (deputy.WITHDRAW,)


def test_not_satisfied_sends_back_once_then_closes():
    kwargs = {"role": "deputy", "comment": "答复不具体", "is_author": True}
    assert deputy.transition(deputy.ANSWERED, deputy.RATE_NOT_SATISFIED, round=1, **kwargs) == (
        deputy.REHANDLING
    )
    assert deputy.transition(
        deputy.ANSWERED, deputy.RATE_NOT_SATISFIED, round=deputy.MAX_ROUNDS, **kwargs
    ) == (deputy.NOT_SATISFIED)
    # "not satisfied" must say why; satisfied need not
    _refused(
        COMMENT_REQUIRED,
        deputy.transition,
        deputy.ANSWERED,
        deputy.RATE_NOT_SATISFIED,
        role="deputy",
        is_author=True,
    )
    assert (
        deputy.transition(deputy.ANSWERED, deputy.RATE_SATISFIED, role="deputy", is_author=True)
        == deputy.SATISFIED
    )


@pytest.mark.parametrize(
    ("status", "action", "role"),
    [
        (deputy.SUBMITTED, deputy.DECLINE, "staff"),
        (deputy.SUBMITTED, deputy.WITHDRAW, "deputy"),
        (deputy.ASSIGNED, deputy.ANSWER, "organ"),
    ],
)
def test_deputy_opinion_text_required(status, action, role):
    _refused(COMMENT_REQUIRED, deputy.transition, status, action, role=role, is_author=True)


def test_an_organ_sees_only_what_was_assigned():
    assert deputy.SUBMITTED not in deputy.ORGAN_VISIBLE
    assert deputy.DECLINED not in deputy.ORGAN_VISIBLE
    assert deputy.WITHDRAWN not in deputy.ORGAN_VISIBLE
    assert {deputy.ASSIGNED, deputy.REHANDLING} == deputy.AWAITING_ORGAN
    assert deputy.AWAITING_ORGAN <= deputy.ORGAN_VISIBLE


# --- procuratorial recommendations -------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ("adopted", rec.ADOPTED),
        ("partly_adopted", rec.PARTLY_ADOPTED),
        ("not_adopted", rec.NOT_ADOPTED),
    ],
)
@pytest.mark.parametrize("role", ["organ", "staff", "admin"])
def test_recommendation_replies(outcome, status, role):
    assert rec.transition(rec.PENDING, rec.OUTCOMES[outcome], role=role, comment=TEXT) == status
    # once replied, no second reply
    for action in rec.ACTIONS:
        _refused(NOT_ALLOWED_FROM_STATUS, rec.transition, status, action, role=role, comment=TEXT)


def test_recommendation_roles_and_reasons():
    for role in ("deputy", "viewer", "evaluator"):
        _refused(ROLE_NOT_ALLOWED, rec.transition, rec.PENDING, rec.ADOPT, role=role)
    assert rec.transition(rec.PENDING, rec.ADOPT, role="organ") == rec.ADOPTED
    for action in (rec.ADOPT_PARTLY, rec.REJECT):
        _refused(COMMENT_REQUIRED, rec.transition, rec.PENDING, action, role="organ")
