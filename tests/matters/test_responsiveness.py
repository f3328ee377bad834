"""The responsiveness figures' rules, on plain items."""

from __future__ import annotations

from datetime import date, timedelta

from app.matters.responsiveness import Item, figures, ranked

TODAY = date(2026, 11, 20)
OPENED = date(2026, 11, 1)
DEADLINE = date(2026, 11, 10)


def _item(kind="tickets", organ=1, **changes) -> Item:
    return Item(kind, organ, changes.pop("opened_on", OPENED), DEADLINE, **changes)


def _of(*items, today=TODAY) -> dict:
    return figures(items, today)[1].as_dict()


def test_nothing_counts_yet():
    row = _of(_item(), today=DEADLINE)  # open, the deadline is today: not yet due
    assert row["items"] == 1 and row["due"] == 0
    assert row["on_time_share"] is None
    assert row["accepted_first_share"] is None
    assert row["average_days_to_answer"] is None


def test_on_time_late_and_missed():
    row = _of(
        _item(answered_on=DEADLINE),  # on the day: on time
        _item(answered_on=DEADLINE + timedelta(days=1)),  # a day late
        _item(),  # never answered, deadline passed: late
        _item(closed_on=DEADLINE - timedelta(days=2)),  # resolved by the data before: not due
        _item(closed_on=DEADLINE + timedelta(days=2)),  # resolved after the deadline: late
    )
    assert (row["items"], row["due"], row["on_time"]) == (5, 4, 1)
    assert row["on_time_share"] == 0.25


def test_accepted_at_first_review():
    row = _of(
        _item(answered_on=OPENED, first_review_accepted=True),
        _item(answered_on=OPENED, first_review_accepted=False),
        _item(answered_on=OPENED, first_review_accepted=False),
        _item(answered_on=OPENED),  # not reviewed yet
    )
    assert (row["reviewed"], row["accepted_first"]) == (3, 1)
    assert row["accepted_first_share"] == 0.3333


def test_average_days_to_answer():
    row = _of(
        _item(answered_on=OPENED + timedelta(days=3)),
        _item(answered_on=OPENED + timedelta(days=4)),
        _item(answered_on=OPENED),
        _item(),
    )
    assert row["answered"] == 3 and row["average_days_to_answer"] == 2.33


def test_per_organ_and_per_kind():
    found = figures(
        [
            _item("tickets", 1, answered_on=OPENED),
            _item("opinions", 1, answered_on=DEADLINE + timedelta(days=5)),
            _item("opinions", 2),
        ],
        TODAY,
    )
    one = found[1].as_dict()
    assert one["on_time_share"] == 0.5
    assert one["tickets"]["on_time_share"] == 1.0
    assert one["opinions"]["on_time_share"] == 0.0
    assert one["opinions"]["average_days_to_answer"] == 14.0
    two = found[2].as_dict()
    assert (two["due"], two["on_time_share"], two["tickets"]["items"]) == (1, 0.0, 0)


# --- the ranking ------------------------------------------------------------------------------


def _row(name, on_time, accepted, days) -> dict:
    return {
        "name": name,
        "on_time_share": on_time,
        "accepted_first_share": accepted,
        "average_days_to_answer": days,
    }


def test_the_ranking_best_first_ties_share_a_rank():
    rows = [
        _row("nothing due", None, None, None),
        _row("late", 0.5, 1.0, 3.0),
        _row("on time, slow", 1.0, 1.0, 9.0),
        _row("on time, quick", 1.0, 1.0, 2.0),
        _row("on time, returned", 1.0, 0.0, 1.0),
        _row("late twin", 0.5, 1.0, 3.0),
    ]
    ranked_rows = ranked(rows)
    assert [(r["rank"], r["name"]) for r in ranked_rows] == [
        (1, "on time, quick"),
        (2, "on time, slow"),
        (3, "on time, returned"),
        (4, "late"),
        (4, "late twin"),
        (6, "nothing due"),
    ]
