"""Rating set-wise against the database: peers across sibling tenants, judgements,
tickets opened and resolved, idempotent runs."""

from __future__ import annotations

import sqlalchemy as sa

from app.datamart.models import IndicatorValue
from app.datamart.periods import previous_periods
from app.ratings import rules
from app.ratings.engine import Scope, judge, rate
from app.ratings.jobs import rate_and_follow
from app.ratings.models import Judgement, Rating
from app.tickets.models import Ticket, TicketEvent
from tenants.models import Tenant
from tenants.provisioning import add_organ, create_tenant
from tenants.scoping import system_scope

PERIOD = "2026-10"


def _district_courts(session, world, values: list[float]) -> list[int]:
    """Five more districts under Hangzhou, each court reporting CT02 = value."""
    city = session.get(Tenant, world.tenant_id("330100"))
    organs = []
    for n, value in enumerate(values):
        tenant = create_tenant(session, f"3301{70 + n}", f"测试{n}区", "district", city)
        organ = add_organ(session, tenant, "court", f"测试{n}区人民法院")
        session.add(
            IndicatorValue(
                tenant_id=tenant.id,
                organ_id=organ.id,
                indicator_code="CT02",
                period=PERIOD,
                numerator=value,
                denominator=100,
                value=value,
            )
        )
        organs.append(organ.id)
    session.flush()
    return organs


def _ratings(session, code="CT02"):
    return {
        r.organ_id: r
        for r in session.scalars(
            sa.select(Rating).where(Rating.indicator_code == code, Rating.period == PERIOD)
        )
    }


def test_bands_and_peers_across_siblings(session, world):
    with system_scope():
        organs = _district_courts(session, world, [99.0, 99.2, 98.9, 99.1, 99.0, 93.0])
        report = rate(session, Scope(codes=frozenset({"CT02"}), periods=frozenset({PERIOD})))
        ratings = _ratings(session)
    assert report.rated == 8 and report.colours["grey"] == 2  # two silent world courts
    outlier = ratings[organs[-1]]
    assert outlier.colour == "red"
    assert {f["rule"] for f in outlier.fired} == {"bands", "peers"}
    assert "95" in outlier.reason_zh and "MAD" in outlier.reason_zh
    assert ratings[organs[0]].colour == "green" and ratings[organs[0]].fired == []
    assert outlier.dictionary_version == 1 and outlier.revision == 1


def test_rating_twice_updates_in_place(session, world):
    with system_scope():
        _district_courts(session, world, [99.0, 99.2, 98.9, 99.1, 93.0])
        scope = Scope(codes=frozenset({"CT02"}), periods=frozenset({PERIOD}))
        rate(session, scope)
        first = {r.id for r in _ratings(session).values()}
        rate(session, scope)
        second = {r.id for r in _ratings(session).values()}
    assert first == second and len(first) == 7


def test_tickets_open_once_and_resolve_by_data(session, world):
    with system_scope():
        organs = _district_courts(session, world, [99.0, 99.2, 98.9, 99.1, 90.0])
        scope = Scope(codes=frozenset({"CT02"}), periods=frozenset({PERIOD}))
        first = rate_and_follow(session, scope, PERIOD)
        again = rate_and_follow(session, scope, PERIOD)
        tickets = session.scalars(sa.select(Ticket).where(Ticket.indicator_code == "CT02")).all()
        assert first["opened"] == 1 and again["opened"] == 0 and len(tickets) == 1
        ticket = tickets[0]
        assert ticket.organ_id == organs[-1] and ticket.colour == "red"
        assert ticket.status == "open" and ticket.deadline > ticket.opened_at.date()
        session.execute(
            sa.update(IndicatorValue)
            .where(IndicatorValue.organ_id == organs[-1])
            .values(value=99.5, numerator=99.5)
        )
        result = rate_and_follow(session, scope, PERIOD)
        session.refresh(ticket)
        events = session.scalars(
            sa.select(TicketEvent.action)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(TicketEvent.id)
        ).all()
    assert result["resolved"] == 1 and ticket.status == "resolved"
    assert events == ["open", "resolve_by_data"]


def test_old_periods_are_rated_but_open_no_ticket(session, world):
    with system_scope():
        _district_courts(session, world, [99.0, 99.2, 98.9, 99.1, 90.0])
        result = rate_and_follow(session, Scope(codes=frozenset({"CT02"})), "2026-11")
    assert result["n_red"] >= 1 and result["opened"] == 0


def test_judgement_from_ratings(session, world):
    with system_scope():
        organs = _district_courts(session, world, [99.0, 99.2, 98.9, 99.1, 90.0])
        tenant = session.scalar(
            sa.select(IndicatorValue.tenant_id).where(IndicatorValue.organ_id == organs[-1])
        )
        rate(session, Scope(codes=frozenset({"CT02"}), periods=frozenset({PERIOD})))
        judge(session, {(tenant, organs[-1], PERIOD)})
        verdict = session.scalar(sa.select(Judgement).where(Judgement.organ_id == organs[-1]))
    assert verdict.verdict == "warning" and verdict.reds == 1
    assert verdict.indicators == [{"code": "CT02", "colour": "red"}]


def test_a_sibling_that_reported_nothing_is_grey(session, world):
    with system_scope():
        organs = _district_courts(session, world, [99.0, 99.2, 98.9, 99.1, 99.0])
        report = rate(session, Scope(codes=frozenset({"CT02"}), periods=frozenset({PERIOD})))
        ratings = _ratings(session)
        silent = world.organ_id("330106", "court")
        judge(session, {(world.tenant_id("330106"), silent, PERIOD)})
        verdict = session.scalar(
            sa.select(Judgement).where(Judgement.organ_id == silent, Judgement.period == PERIOD)
        )
    assert ratings[silent].colour == "grey" and ratings[silent].revision is None
    assert ratings[silent].reason_zh == "未报送" and ratings[silent].median is None
    assert all(ratings[o].colour == "green" for o in organs)
    assert report.colours["grey"] == 2  # 西湖区 and 拱墅区 courts sent no CT02
    assert verdict.greys == 1


def test_a_rating_is_explained_from_its_stored_inputs(session, world, monkeypatch):
    """Findings and reasons are not stored: reading a rating renders exactly what the
    rules said when it was rated, from the stored peer statistics and history."""
    with system_scope():
        organs = _district_courts(session, world, [99.0, 99.2, 98.9, 99.1, 99.05, 93.0])
        for organ, earlier in ((organs[-1], (97.0, 96.0, 95.0)), (organs[0], (99.0, 98.0, 97.0))):
            _history(session, organ, earlier)
    said = {}
    original = rules.rate

    def spy(spec, value, *args, **kwargs):
        result = original(spec, value, *args, **kwargs)
        said[value] = result
        return result

    monkeypatch.setattr(rules, "rate", spy)
    with system_scope():
        rate(session, Scope(codes=frozenset({"CT02"}), periods=frozenset({PERIOD})))
        monkeypatch.setattr(rules, "rate", original)
        ratings = _ratings(session)
        assert len(ratings) == 8
        for stored in ratings.values():
            result = said[stored.value]
            assert stored.colour == result.colour
            assert stored.findings == [f.as_dict() for f in result.findings]
            assert stored.fired == [f.as_dict() for f in result.fired]
            assert (stored.reason_zh, stored.reason_en) == (result.reason_zh, result.reason_en)
    outlier = ratings[organs[-1]]
    assert [f["rule"] for f in outlier.findings] == ["bands", "peers", "trend"]
    assert (outlier.history_3, outlier.history_2, outlier.history_1) == (97.0, 96.0, 95.0)
    assert outlier.peers == 6 and outlier.median is not None and outlier.mad is not None
    steady = ratings[organs[1]]  # no history: the trend rule read none
    assert steady.history_1 is None and [f["rule"] for f in steady.findings] == ["bands", "peers"]


def _history(session, organ: int, values) -> None:
    """The organ's CT02 for the periods before PERIOD, oldest first."""
    tenant = session.scalar(
        sa.select(IndicatorValue.tenant_id).where(IndicatorValue.organ_id == organ)
    )
    for period, value in zip(previous_periods(PERIOD, len(values)), values, strict=True):
        session.add(
            IndicatorValue(
                tenant_id=tenant,
                organ_id=organ,
                indicator_code="CT02",
                period=period,
                numerator=value,
                denominator=100,
                value=value,
            )
        )
    session.flush()
