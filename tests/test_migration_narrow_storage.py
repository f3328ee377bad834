"""Migration 0011 (narrow storage) carries stored ratings and roll-ups over: the rules'
inputs out of the stored findings (so that reading a rating renders what was stored), a
roll-up's parts compacted and its missing children as ids; and back on downgrade."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session

from app.dbcli import alembic_config
from app.indicators.dictionary import load_dictionary
from app.indicators.service import _row_of
from app.ratings import rules
from app.ratings.models import Rating
from federation.models import Rollup
from tenants.scoping import system_scope
from tests.support import services
from tests.support.databases import drop_postgres, fresh_postgres, fresh_sqlite

DICTIONARY = load_dictionary()
NOW = datetime(2026, 11, 20, tzinfo=UTC)
PEERS = [99.0, 99.2, 98.9, 99.1, 93.0]
HISTORY = [97.0, 96.0, 95.0, 93.0]  # oldest first, ending with the value
TEXTS = ("findings", "fired", "reason_zh", "reason_en")
PART = {
    "tenant_id": 3,
    "code": "330106",
    "name_zh": "西湖区",
    "name_en": "Xihu",
    "numerator": 93.0,
    "denominator": 100.0,
    "value": 93.0,
    "n_values": 1,
}


@pytest.fixture
def url(backend, tmp_path):
    if backend == "sqlite":
        yield fresh_sqlite(tmp_path)
        return
    name = f"judsup_narrow_{os.getpid()}"
    owner, _ = fresh_postgres(services.pg_url(), name)
    yield owner
    drop_postgres(services.pg_url(), name)


def _rated(value, peers, history):
    return rules.rate(DICTIONARY.by_code("CT02"), value, peers, history)


def _texts(result) -> dict:
    return {
        "findings": [f.as_dict() for f in result.findings],
        "fired": [f.as_dict() for f in result.fired],
        "reason_zh": result.reason_zh,
        "reason_en": result.reason_en,
    }


def _insert(conn, table: str, **row) -> None:
    t = sa.Table(table, sa.MetaData(), autoload_with=conn)
    conn.execute(t.insert().values(**row))


def _seed_0010(conn) -> None:
    """A dictionary, a city with two districts, a court, one value, its rating and the
    city's roll-up, as revision 0010 stored them."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT set_config('app.system', 'on', true)"))
    _insert(
        conn,
        "dictionary_versions",
        id=1,
        version=DICTIONARY.version,
        published_on="2026-01-01",
        published_at=NOW,
        published_by="test",
        note_zh="",
        note_en="",
        source_sha256="0" * 64,
        is_current=True,
    )
    for spec in DICTIONARY.indicators:
        _insert(conn, "indicators", version_id=1, **_row_of(spec))
    for tid, code, level, parent, path in (
        (1, "330000", "province", None, "/330000/"),
        (2, "330100", "city", 1, "/330000/330100/"),
        (3, "330106", "district", 2, "/330000/330100/330106/"),
        (4, "330105", "district", 2, "/330000/330100/330105/"),
    ):
        _insert(
            conn,
            "tenants",
            id=tid,
            code=code,
            name_zh={3: "西湖区"}.get(tid, code),
            name_en={3: "Xihu"}.get(tid, code),
            level=level,
            parent_id=parent,
            path=path,
            depth=path.count("/") - 2,
            is_demo=False,
            raw_readable_by_ancestors=False,
            created_at=NOW,
        )
    _insert(
        conn,
        "organs",
        id=10,
        tenant_id=3,
        kind="court",
        name_zh="西湖区法院",
        name_en="",
        active=True,
        created_at=NOW,
    )
    _insert(
        conn,
        "indicator_values",
        id=20,
        tenant_id=3,
        organ_id=10,
        indicator_code="CT02",
        period="2026-10",
        revision=1,
        is_current=True,
        value=93.0,
        numerator=93.0,
        denominator=100.0,
        source="organ",
        submitted_by="test",
        submitted_at=NOW,
        is_late=False,
        note="",
    )
    common = {
        "indicator_code": "CT02",
        "period": "2026-10",
        "dictionary_version": DICTIONARY.version,
    }
    _insert(
        conn,
        "ratings",
        id=30,
        tenant_id=3,
        organ_id=10,
        value_id=20,
        revision=1,
        value=93.0,
        colour="red",
        computed_at=NOW,
        **common,
        **_texts(_rated(93.0, PEERS, HISTORY)),
    )
    _insert(
        conn,
        "rollups",
        id=40,
        tenant_id=2,
        numerator=93.0,
        denominator=100.0,
        value=93.0,
        n_values=1,
        parts=[PART],
        reporting=["330106"],
        missing=["330105"],
        colour="red",
        computed_at=NOW,
        **common,
        **_texts(_rated(93.0, [93.0], [])),
    )


def test_ratings_and_rollups_are_carried_over_and_back(url):
    conf = alembic_config(url=url)
    command.upgrade(conf, "0010")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        _seed_0010(conn)

    command.upgrade(conf, "0011")
    with Session(engine) as session, system_scope():
        if engine.dialect.name == "postgresql":
            session.execute(sa.text("SELECT set_config('app.system', 'on', true)"))
        rating = session.get(Rating, 30)
        rollup = session.get(Rollup, 40)
        median, mad, n = rules.peer_stats(PEERS)
        assert (rating.median, rating.mad, rating.peers) == (median, mad, n)
        assert (rating.history_3, rating.history_2, rating.history_1) == tuple(HISTORY[:3])
        assert {k: getattr(rating, k) for k in TEXTS} == _texts(_rated(93.0, PEERS, HISTORY))
        assert rollup.parts == [[3], [1], [93.0], [100.0]] and rollup.missing == [4]
        assert rollup.reason_zh == _rated(93.0, [93.0], []).reason_zh

    command.downgrade(conf, "0010")
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT set_config('app.system', 'on', true)"))
        rating = conn.execute(sa.text("SELECT * FROM ratings")).mappings().one()
        rollup = conn.execute(sa.text("SELECT * FROM rollups")).mappings().one()

    def loaded(value):  # a JSON column's value, parsed or not by the driver
        return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value

    assert rating["value_id"] == 20
    assert {k: loaded(rating[k]) for k in TEXTS} == _texts(_rated(93.0, PEERS, HISTORY))
    assert loaded(rollup["parts"]) == [PART]
    assert loaded(rollup["reporting"]) == ["330106"] and loaded(rollup["missing"]) == ["330105"]
    assert rollup["reason_zh"] == _rated(93.0, [93.0], []).reason_zh
    engine.dispose()
