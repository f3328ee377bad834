"""The table-driven state machine every workflow of the product is an instance of (plain
Python, no Flask): response tickets (:mod:`app.tickets.states`), supervision matters and
their opinions (:mod:`app.matters.states`, :mod:`app.matters.opinion_states`), key
concerns, deputies' opinions and procuratorial recommendations
(:mod:`app.coordination.concern_states` and its siblings).

A machine is its statuses, its actions, the table ``(status, action) -> new status`` and
who may take each action. :meth:`Machine.transition` checks, in this order, that the action
and status are known, that the role may take the action, that the table allows it from
the status and that a comment is there where one is required; the first broken rule is
reported as a :class:`TransitionError` with a stable code, bilingual messages and the HTTP
status a view should answer it with. A workflow's own rules (a matter's opinions, an
escalation's deadline, an opinion's author) are small functions its module checks around
:meth:`Machine.transition`; what no table can know (that an organ user belongs to the
item's organ) the caller checks first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The user roles of app.auth.models.ROLES, plus "system": the sweepers and the rating
# engine, which act on their own and never through a person's login.
SYSTEM = "system"
ROLES = ("admin", "staff", "deputy", "viewer", "organ", "evaluator", SYSTEM)
STAFF = frozenset({"staff", "admin"})

# Every refusal's code, and the HTTP status a view should answer it with.
UNKNOWN_ACTION = "unknown_action"
UNKNOWN_STATUS = "unknown_status"
ROLE_NOT_ALLOWED = "role_not_allowed"
NOT_ALLOWED_FROM_STATUS = "not_allowed_from_status"
COMMENT_REQUIRED = "comment_required"
TEXT_REQUIRED = "text_required"
NO_OPINIONS = "no_opinions"
FEEDBACK_INCOMPLETE = "feedback_incomplete"
OPINIONS_OPEN = "opinions_open"
ESCALATION_NOT_DUE = "escalation_not_due"
ALREADY_ESCALATED = "already_escalated"
NOT_THE_AUTHOR = "not_the_author"
HTTP_STATUS = {
    UNKNOWN_ACTION: 400,
    UNKNOWN_STATUS: 409,
    ROLE_NOT_ALLOWED: 403,
    NOT_ALLOWED_FROM_STATUS: 409,
    COMMENT_REQUIRED: 422,
    TEXT_REQUIRED: 422,
    NO_OPINIONS: 409,
    FEEDBACK_INCOMPLETE: 409,
    OPINIONS_OPEN: 409,
    ESCALATION_NOT_DUE: 409,
    ALREADY_ESCALATED: 409,
    NOT_THE_AUTHOR: 403,
}


def http_statuses(*codes: str) -> dict[str, int]:
    """The part of :data:`HTTP_STATUS` a workflow can answer with (its own codes)."""
    return {code: HTTP_STATUS[code] for code in codes}


class TransitionError(ValueError):
    """A refused action: ``code`` is stable for callers, the messages are for people."""

    def __init__(self, code: str, message_zh: str, message_en: str):
        self.code, self.message_zh, self.message_en = code, message_zh, message_en
        self.http_status = HTTP_STATUS[code]
        super().__init__(f"{code}: {message_zh} / {message_en}")


# How the machine words its refusals: (zh, en) ``str.format`` templates over ``noun`` (the
# item), ``action`` and ``status`` (their labels; the unknown code itself, in the first two)
# and ``role``. A machine may word any of them its own way (:attr:`Machine.wording`).
WORDING: dict[str, tuple[str, str]] = {
    UNKNOWN_ACTION: ("未知的{noun}操作：{action!r}", "Unknown {noun} action: {action!r}"),
    UNKNOWN_STATUS: ("未知的{noun}状态：{status!r}", "Unknown {noun} status: {status!r}"),
    ROLE_NOT_ALLOWED: ("角色 {role!r} 无权执行“{action}”", "The role {role!r} may not {action}"),
    NOT_ALLOWED_FROM_STATUS: (
        "{noun}当前状态为“{status}”，不能“{action}”",
        "A {noun} that is {status} cannot be given the action: {action}",
    ),
    COMMENT_REQUIRED: ("“{action}”须填写说明或理由", "To {action}, give a comment or reason"),
}


@dataclass(frozen=True)
class Machine:
    """``noun`` names the item in messages, (zh, en); labels are (zh, en) per code. The
    actions are ``who_may``'s keys, in its order; the statuses ``status_labels``'s."""

    noun: tuple[str, str]
    status_labels: dict[str, tuple[str, str]]
    action_labels: dict[str, tuple[str, str]]
    transitions: dict[tuple[str, str], str]
    who_may: dict[str, frozenset[str]]
    comment_required: frozenset[str] = frozenset()
    wording: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(self.status_labels)

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(self.who_may)

    def roles_for(self, action: str) -> frozenset[str]:
        """The roles allowed to take ``action`` (at all; the status is checked separately)."""
        self._check_action(action)
        return self.who_may[action]

    def allowed_actions(self, status: str, role: str) -> tuple[str, ...]:
        """Actions ``role`` may try on an item in ``status`` (for showing buttons); the
        comment and the workflow's own conditions are still checked on the move."""
        self._check_status(status)
        return tuple(
            a for a in self.actions if (status, a) in self.transitions and role in self.who_may[a]
        )

    def transition(self, status: str, action: str, *, role: str, comment: str | None = None):
        """The status after ``role`` takes ``action`` on an item in ``status``."""
        self._check_action(action)
        self._check_status(status)
        if role not in self.who_may[action]:
            zh, en = self.action_labels[action]
            raise self._refuse(ROLE_NOT_ALLOWED, {"role": role, "action": zh}, {"action": en})
        target = self.transitions.get((status, action))
        if target is None:
            status_zh, status_en = self.status_labels[status]
            action_zh, action_en = self.action_labels[action]
            raise self._refuse(
                NOT_ALLOWED_FROM_STATUS,
                {"status": status_zh, "action": action_zh},
                {"status": status_en, "action": action_en},
            )
        if action in self.comment_required and not (comment or "").strip():
            zh, en = self.action_labels[action]
            raise self._refuse(COMMENT_REQUIRED, {"action": zh}, {"action": en})
        return target

    def _check_action(self, action: str) -> None:
        if action not in self.who_may:
            raise self._refuse(UNKNOWN_ACTION, {"action": action})

    def _check_status(self, status: str) -> None:
        if status not in self.status_labels:
            raise self._refuse(UNKNOWN_STATUS, {"status": status})

    def _refuse(self, code: str, values: dict, en_values: dict | None = None) -> TransitionError:
        """The refusal ``code`` in this machine's words; ``en_values`` overrides ``values``
        (the same in both languages unless given) in the English message."""
        zh, en = self.wording.get(code, WORDING[code])
        return TransitionError(
            code,
            zh.format(noun=self.noun[0], **values),
            en.format(noun=self.noun[1], **{**values, **(en_values or {})}),
        )


def check_escalation(
    overdue: bool, escalated: bool, *, already: tuple[str, str], not_due: tuple[str, str]
) -> None:
    """An escalation (逾期督办) needs the item escalated not yet (in this round: ``already``,
    (zh, en), says so otherwise) and its deadline passed (``not_due`` says so otherwise)."""
    if escalated:
        raise TransitionError(ALREADY_ESCALATED, *already)
    if not overdue:
        raise TransitionError(ESCALATION_NOT_DUE, *not_due)
