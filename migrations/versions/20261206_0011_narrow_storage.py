"""Narrower storage for ratings and roll-ups (issues 4 and 5, speed).

Ratings and roll-ups keep the inputs of the rules (the peer group's median, MAD and size,
the trend's earlier values) instead of their findings and reasons as JSON and text, which
are rendered from the inputs when read (``app.ratings.models.Explained``). A rating
loses ``value_id`` (its organ, indicator, period and revision name the value) and checks
its tenant and organ with one foreign key to ``organs (tenant_id, id)``; a roll-up keeps
its children's parts as arrays of their ids, counts, Σnumerators and Σdenominators and
its missing children as ids (names are looked up when read; ``reporting`` is the parts'
ids). The
indexes on ``tenant_id`` alone go (the unique keys lead with it), and the unique keys,
reordered to (tenant, period, ...), replace the (tenant, period, colour) index of
ratings and the (tenant, period) index of roll-ups.

Upgrade carries the inputs over from the stored findings; downgrade renders the findings
and reasons again from the inputs.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 18:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

INPUTS = ("median", "mad", "peers", "history_3", "history_2", "history_1")
TEXTS = ("findings", "fired", "reason_zh", "reason_en")
CHUNK = 5000


def _input_columns() -> list[sa.Column]:
    return [
        sa.Column(name, sa.Integer() if name == "peers" else sa.Double(), nullable=True)
        for name in INPUTS
    ]


def _system_scope() -> None:
    """Row-level security is forced on these tables, for their owner too."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT set_config('app.system', 'on', true)")


def upgrade() -> None:
    _system_scope()
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_index("ix_ratings_tenant_id")
        batch_op.drop_index("ix_ratings_tenant_period_colour")
        batch_op.drop_constraint(
            "uq_ratings_tenant_id_organ_id_indicator_code_period", type_="unique"
        )
        batch_op.create_unique_constraint(
            "uq_ratings_tenant_id_period_organ_id_indicator_code",
            ["tenant_id", "period", "organ_id", "indicator_code"],
        )
        batch_op.drop_constraint("fk_ratings_value_id_indicator_values", type_="foreignkey")
        batch_op.drop_constraint("fk_ratings_organ_id_organs", type_="foreignkey")
        batch_op.drop_constraint("fk_ratings_tenant_id_tenants", type_="foreignkey")
        for column in _input_columns():
            batch_op.add_column(column)
    with op.batch_alter_table("rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_rollups_tenant_id")
        batch_op.drop_index("ix_rollups_tenant_period")
        batch_op.drop_constraint("uq_rollups_tenant_id_indicator_code_period", type_="unique")
        batch_op.create_unique_constraint(
            "uq_rollups_tenant_id_period_indicator_code", ["tenant_id", "period", "indicator_code"]
        )
        for column in _input_columns():
            batch_op.add_column(column)
    _carry_inputs_over("ratings")
    _carry_inputs_over("rollups")
    _compact_parts()
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        for name in ("value_id", *TEXTS):
            batch_op.drop_column(name)
    with op.batch_alter_table("rollups", schema=None) as batch_op:
        for name in ("reporting", *TEXTS):
            batch_op.drop_column(name)
    with op.batch_alter_table("organs", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_organs_tenant_id_id", ["tenant_id", "id"])
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_ratings_tenant_id_organs",
            "organs",
            ["tenant_id", "organ_id"],
            ["tenant_id", "id"],
            ondelete="RESTRICT",
        )


def _rows(sql: str, **params):
    """The rows of a query, in chunks of ids (the tables can be large)."""
    conn, last = op.get_bind(), 0
    while True:
        rows = conn.execute(sa.text(sql), {**params, "after": last, "n": CHUNK}).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def _json(value):
    import json

    return json.loads(value) if isinstance(value, str) else value


def _carry_inputs_over(table: str) -> None:
    """The peer rule's median, MAD and n and the trend rule's values, from the findings."""
    update = sa.text(
        f"UPDATE {table} SET {', '.join(f'{n} = :{n}' for n in INPUTS)} WHERE id = :id"
    )
    batch = []
    for row_id, findings in _rows(
        f"SELECT id, findings FROM {table} WHERE id > :after ORDER BY id LIMIT :n"
    ):
        inputs = dict.fromkeys(INPUTS)
        for finding in _json(findings) or []:
            given = finding.get("inputs") or {}
            if finding.get("rule") == "peers":
                inputs.update(median=given["median"], mad=given["mad"], peers=given["n"])
            elif finding.get("rule") == "trend":
                h3, h2, h1 = given["values"][-4:-1]
                inputs.update(history_3=h3, history_2=h2, history_1=h1)
        batch.append({"id": row_id, **inputs})
        if len(batch) >= CHUNK:
            op.get_bind().execute(update, batch)
            batch = []
    if batch:
        op.get_bind().execute(update, batch)


def _tenants() -> dict:
    return {
        row.id: row
        for row in op.get_bind().execute(sa.text("SELECT id, code, name_zh, name_en FROM tenants"))
    }


def _compact_parts() -> None:
    """Parts as arrays of the children's ids, counts, Σnumerators and Σdenominators
    (none for a count); missing children as ids."""
    import json

    ids = {t.code: t.id for t in _tenants().values()}
    update = sa.text("UPDATE rollups SET parts = :parts, missing = :missing WHERE id = :id")
    batch = []
    for row_id, parts, missing in _rows(
        "SELECT id, parts, missing FROM rollups WHERE id > :after ORDER BY id LIMIT :n"
    ):
        wide = _json(parts) or []
        dens = [p["denominator"] for p in wide]
        compact = [
            [p["tenant_id"] for p in wide],
            [p["n_values"] for p in wide],
            [p["numerator"] for p in wide],
            None if all(d is None for d in dens) else dens,
        ]
        gone = [ids[code] for code in _json(missing) or [] if code in ids]
        batch.append({"id": row_id, "parts": json.dumps(compact), "missing": json.dumps(gone)})
        if len(batch) >= CHUNK:
            op.get_bind().execute(update, batch)
            batch = []
    if batch:
        op.get_bind().execute(update, batch)


# --- downgrade ---------------------------------------------------------------------------


def downgrade() -> None:
    _system_scope()
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_constraint("fk_ratings_tenant_id_organs", type_="foreignkey")
    with op.batch_alter_table("organs", schema=None) as batch_op:
        batch_op.drop_constraint("uq_organs_tenant_id_id", type_="unique")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("value_id", sa.Integer(), nullable=True))
        for column in _text_columns():
            batch_op.add_column(column)
    with op.batch_alter_table("rollups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reporting", sa.JSON(), nullable=False, server_default="[]"))
        for column in _text_columns():
            batch_op.add_column(column)
    op.execute(
        "UPDATE ratings SET value_id = (SELECT v.id FROM indicator_values v "
        "WHERE v.organ_id = ratings.organ_id AND v.indicator_code = ratings.indicator_code "
        "AND v.period = ratings.period AND v.revision = ratings.revision)"
    )
    _render_texts("ratings", "")
    _render_texts("rollups", ", parts, missing")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        for name in INPUTS:
            batch_op.drop_column(name)
        for name in TEXTS:
            batch_op.alter_column(name, server_default=None)
        batch_op.create_foreign_key(
            "fk_ratings_tenant_id_tenants", "tenants", ["tenant_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.create_foreign_key("fk_ratings_organ_id_organs", "organs", ["organ_id"], ["id"])
        batch_op.create_foreign_key(
            "fk_ratings_value_id_indicator_values", "indicator_values", ["value_id"], ["id"]
        )
        batch_op.create_index("ix_ratings_tenant_id", ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_ratings_tenant_period_colour", ["tenant_id", "period", "colour"], unique=False
        )
        batch_op.drop_constraint(
            "uq_ratings_tenant_id_period_organ_id_indicator_code", type_="unique"
        )
        batch_op.create_unique_constraint(
            "uq_ratings_tenant_id_organ_id_indicator_code_period",
            ["tenant_id", "organ_id", "indicator_code", "period"],
        )
    with op.batch_alter_table("rollups", schema=None) as batch_op:
        for name in INPUTS:
            batch_op.drop_column(name)
        for name in ("reporting", *TEXTS):
            batch_op.alter_column(name, server_default=None)
        batch_op.create_index("ix_rollups_tenant_id", ["tenant_id"], unique=False)
        batch_op.create_index("ix_rollups_tenant_period", ["tenant_id", "period"], unique=False)
        batch_op.drop_constraint("uq_rollups_tenant_id_period_indicator_code", type_="unique")
        batch_op.create_unique_constraint(
            "uq_rollups_tenant_id_indicator_code_period", ["tenant_id", "indicator_code", "period"]
        )


def _text_columns() -> list[sa.Column]:
    return [
        sa.Column("findings", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("fired", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("reason_zh", sa.Text(), nullable=False, server_default=""),
        sa.Column("reason_en", sa.Text(), nullable=False, server_default=""),
    ]


def _specs() -> dict:
    """(dictionary version, code) → spec, as the rules need it."""
    from app.indicators.service import spec_of

    rows = op.get_bind().execute(
        sa.text(
            "SELECT i.*, v.version AS dictionary_version FROM indicators i "
            "JOIN dictionary_versions v ON v.id = i.version_id"
        )
    )
    out = {}
    for row in rows:
        fields = dict(row._mapping)
        fields["levels"] = _json(fields["levels"])
        out[(fields["dictionary_version"], fields["code"])] = spec_of(_Attrs(fields))
    return out


class _Attrs:
    def __init__(self, fields: dict):
        self.__dict__.update(fields)


def _render_texts(table: str, extra: str) -> None:
    """The findings and reasons the rules give for the stored inputs (and, for roll-ups,
    parts with names and coverage by codes)."""
    import json

    from app.ratings.models import explain

    specs, tenants = _specs(), _tenants()
    columns = ", ".join(("id", "indicator_code", "dictionary_version", "value", *INPUTS))
    sets = ["findings = :findings", "fired = :fired", "reason_zh = :zh", "reason_en = :en"]
    if extra:
        sets += ["parts = :parts", "missing = :missing", "reporting = :reporting"]
    update = sa.text(f"UPDATE {table} SET {', '.join(sets)} WHERE id = :id")
    batch = []
    for row in _rows(
        f"SELECT {columns}{extra} FROM {table} WHERE id > :after ORDER BY id LIMIT :n"
    ):
        spec = specs.get((row.dictionary_version, row.indicator_code))
        texts = {"id": row.id, "findings": "[]", "fired": "[]", "zh": "", "en": ""}
        if spec is not None:
            result = explain(spec, row.value, *(getattr(row, name) for name in INPUTS))
            texts.update(
                findings=json.dumps([f.as_dict() for f in result.findings], ensure_ascii=False),
                fired=json.dumps([f.as_dict() for f in result.fired], ensure_ascii=False),
                zh=result.reason_zh,
                en=result.reason_en,
            )
        if extra:
            texts.update(_wide_parts(row, spec, tenants))
        batch.append(texts)
        if len(batch) >= CHUNK:
            op.get_bind().execute(update, batch)
            batch = []
    if batch:
        op.get_bind().execute(update, batch)


def _wide_parts(row, spec, tenants) -> dict:
    import json

    from federation.rollup import Parts, value_of

    parts = []
    ids, counts, nums, dens = _json(row.parts) or ([], [], [], None)
    for child, n, num, den in zip(ids, counts, nums, dens or [None] * len(ids), strict=True):
        node = tenants[child]
        sums = Parts(int(n), float(num), float(den or 0.0))
        parts.append(
            {
                "tenant_id": child,
                "code": node.code,
                "name_zh": node.name_zh,
                "name_en": node.name_en,
                "numerator": sums.num,
                "denominator": None if den is None else sums.den,
                "value": value_of(spec, sums) if spec else None,
                "n_values": sums.n,
            }
        )
    return {
        "parts": json.dumps(parts, ensure_ascii=False),
        "missing": json.dumps([tenants[t].code for t in _json(row.missing) or []]),
        "reporting": json.dumps([p["code"] for p in parts]),
    }
