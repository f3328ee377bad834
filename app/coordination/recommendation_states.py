"""A procuratorial recommendation's adoption (检察建议, legal supervision), as plain Python::

    pending ──adopt──▶ adopted
    pending ──adopt_partly (comment)──▶ partly_adopted
    pending ──reject (comment)──▶ not_adopted

A procuratorate issues a recommendation to a unit (an organ of this congress, or another
body named in words); the reply says whether it was adopted. The reply is recorded by the
receiving organ, by the issuing procuratorate (which tracks its recommendations'
adoption, the PR07 indicator), or by staff on their behalf; the caller checks that an organ
user is one of the two. A partial adoption or a refusal must say why.
"""

from __future__ import annotations

from app.statemachine import STAFF, Machine, TransitionError

PENDING, ADOPTED, PARTLY_ADOPTED, NOT_ADOPTED = (
    "pending",
    "adopted",
    "partly_adopted",
    "not_adopted",
)
STATUSES = (PENDING, ADOPTED, PARTLY_ADOPTED, NOT_ADOPTED)
TERMINAL_STATUSES = frozenset({ADOPTED, PARTLY_ADOPTED, NOT_ADOPTED})

ADOPT, ADOPT_PARTLY, REJECT = "adopt", "adopt_partly", "reject"
RECORD = "record"  # the recommendation being recorded; not a transition
# The outcome of the API, and the action it is.
OUTCOMES = {ADOPTED: ADOPT, PARTLY_ADOPTED: ADOPT_PARTLY, NOT_ADOPTED: REJECT}

STATUS_LABELS = {
    PENDING: ("待回复", "awaiting the reply"),
    ADOPTED: ("已采纳", "adopted"),
    PARTLY_ADOPTED: ("部分采纳", "partly adopted"),
    NOT_ADOPTED: ("未采纳", "not adopted"),
}
ACTION_LABELS = {
    RECORD: ("登记检察建议", "record the recommendation"),
    ADOPT: ("回复:采纳", "reply: adopted"),
    ADOPT_PARTLY: ("回复:部分采纳", "reply: partly adopted"),
    REJECT: ("回复:不采纳", "reply: not adopted"),
}
REPLIERS = STAFF | {"organ"}

MACHINE = Machine(
    noun=("检察建议", "procuratorial recommendation"),
    status_labels=STATUS_LABELS,
    action_labels=ACTION_LABELS,
    transitions={
        (PENDING, ADOPT): ADOPTED,
        (PENDING, ADOPT_PARTLY): PARTLY_ADOPTED,
        (PENDING, REJECT): NOT_ADOPTED,
    },
    who_may={ADOPT: REPLIERS, ADOPT_PARTLY: REPLIERS, REJECT: REPLIERS},
    comment_required=frozenset({ADOPT_PARTLY, REJECT}),
)
ACTIONS = MACHINE.actions


def transition(status: str, action: str, *, role: str, comment: str | None = None) -> str:
    return MACHINE.transition(status, action, role=role, comment=comment)


__all__ = ["TransitionError", "transition"]
