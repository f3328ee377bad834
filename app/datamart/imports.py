"""Imports: an upload becomes a batch; a job validates it row by row and loads it
all-or-nothing as new revisions. A rejected batch keeps its errors and no data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from app import clock
from app.audit.recorder import record
from app.auth.models import User
from app.datamart.files import FileRejected, Limits, iter_rows
from app.datamart.models import ImportBatch, IndicatorValue
from app.datamart.periods import is_late, month_of
from app.datamart.storage import path_of, save_upload
from app.datamart.validation import (
    ImportContext,
    OrganRef,
    RowError,
    ValidRow,
    validate_rows,
)
from app.indicators.service import spec_of, version_named
from tenants.models import Organ, Tenant
from workers.queue import after_commit

MAX_STORED_ERRORS = 1000
PROGRESS_EVERY = 2000
CHUNK = 5000
SOURCES = {"values": "organ", "assessment": "third_party"}
# Downstream work after values change (rating, roll-ups, dashboards): job paths the
# later parts of the product register; each takes the batch id.
AFTER_LOAD: list[tuple[str, str]] = [("ratings", "app.ratings.jobs.rate_batch")]
STALE_RUN = timedelta(minutes=30)


def submit(
    session: Session, *, kind: str, stream, filename: str, user: User, organ_id: int | None
) -> ImportBatch:
    """Keep the file and open a batch for it (the same bytes already loaded for the
    same organ and kind make a ``duplicate`` batch that loads nothing)."""
    stored = save_upload(session, stream, filename, user.username, check=precheck)
    prior = session.scalar(
        sa.select(ImportBatch)
        .where(
            ImportBatch.file_id == stored.id,
            ImportBatch.kind == kind,
            ImportBatch.organ_id.is_(None)
            if organ_id is None
            else ImportBatch.organ_id == organ_id,
            ImportBatch.status == "succeeded",
        )
        .limit(1)
    )
    batch = ImportBatch(
        kind=kind,
        file_id=stored.id,
        organ_id=organ_id,
        submitted_by=user.username,
        submitted_by_user_id=user.id,
        status="duplicate" if prior else "queued",
        duplicate_of_id=prior.id if prior else None,
    )
    session.add(batch)
    session.flush()
    if prior is None:
        after_commit(
            session,
            "imports",
            "app.datamart.jobs.import_batch",
            batch.id,
            job_id=f"import-batch-{batch.id}",
        )
    return batch


def precheck(fp, detected_type: str) -> None:
    """Refuse at once, before any batch exists, what can be judged cheaply: a zip bomb or a
    DOCTYPE (the container's directory), a header that is too wide or lacks columns, an
    unreadable file. Row errors wait for the job."""
    rows = iter_rows(fp, detected_type, _limits())
    try:
        next(rows, None)
    finally:
        rows.close()  # before the caller closes the file the reader is wrapped around


def visible_batches(user: User):
    """The batches ``user`` may see: an organ's own organ's, an evaluator's own uploads,
    all of them for the congress."""
    stmt = sa.select(ImportBatch)
    if user.role == "organ":
        return stmt.where(ImportBatch.organ_id == user.organ_id)
    if user.role == "evaluator":
        return stmt.where(ImportBatch.submitted_by_user_id == user.id)
    return stmt


def claim(session: Session, batch_id: int) -> ImportBatch | None:
    """Take the batch for this run: a queued one, or one whose run died (still
    ``running`` long after it started). None if another run has it or it is done."""
    now = clock.now()
    taken = session.execute(
        sa.update(ImportBatch)
        .where(ImportBatch.id == batch_id)
        .where(
            sa.or_(
                ImportBatch.status == "queued",
                sa.and_(ImportBatch.status == "running", ImportBatch.started_at < now - STALE_RUN),
            )
        )
        .values(status="running", started_at=now, progress=0)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    if not taken:
        return None
    return session.scalar(sa.select(ImportBatch).where(ImportBatch.id == batch_id))


def context_for(session: Session, batch: ImportBatch, user: User | None) -> ImportContext:
    tenant = session.get(Tenant, batch.tenant_id)
    organs = tuple(
        OrganRef(o.id, o.name_zh, o.kind, o.family)
        for o in session.scalars(sa.select(Organ).where(Organ.active).order_by(Organ.id))
    )
    if user is not None and user.role == "organ":
        allowed = frozenset({user.organ_id})
    elif batch.organ_id is not None:
        allowed = frozenset({batch.organ_id})
    else:
        allowed = frozenset(o.id for o in organs)
    specs = {row.code: spec_of(row) for row in version_named(None, session).indicators}
    return ImportContext(
        level=tenant.level,
        organs=organs,
        allowed_organ_ids=allowed,
        specs=specs,
        sources=frozenset({SOURCES[batch.kind]}),
        current_period=month_of(clock.now()),
    )


def run(session: Session, batch_id: int) -> ImportBatch | None:
    """Validate and load one batch (call in its tenant's scope). Safe to run twice."""
    batch = claim(session, batch_id)
    if batch is None:
        return None
    user = session.get(User, batch.submitted_by_user_id) if batch.submitted_by_user_id else None
    ctx = context_for(session, batch, user)
    try:
        valid, errors, total = _validate(session, batch, ctx)
    except FileRejected as err:
        valid, errors, total = [], [_file_error(err)], 0
    batch.rows_total = total
    if errors:
        return _reject(session, batch, errors)
    _load(session, batch, valid)
    return batch


def _validate(session, batch, ctx) -> tuple[list[ValidRow], list[RowError], int]:
    counter = {"rows": 0}
    with open(path_of(batch.file), "rb") as fp:
        estimate = max(_estimate_rows(fp, batch.file.detected_type), 1)
        rows = iter_rows(fp, batch.file.detected_type, _limits())
        valid, errors = validate_rows(_counted(rows, counter, session, batch, estimate), ctx)
    if counter["rows"] == 0:
        errors.append(
            RowError(0, "", "empty_file", "文件中没有数据行", "the file has no data rows")
        )
    return valid, errors, counter["rows"]


def _counted(rows, counter, session, batch, estimate):
    """Pass the rows through, committing the progress bar's figure now and then (the
    validation writes nothing else, so the commit publishes only the progress)."""
    for item in rows:
        counter["rows"] += 1
        if counter["rows"] % PROGRESS_EVERY == 0:
            batch.progress = min(80, 80 * counter["rows"] // estimate)
            session.commit()
        yield item


def _estimate_rows(fp, kind: str) -> int:
    """Rows to expect, for the progress bar only: newlines in a CSV; the sheet's declared
    dimension in an XLSX (cheap: read-only mode reads it from the sheet's head)."""
    if kind == "csv":
        count = sum(chunk.count(b"\n") for chunk in iter(lambda: fp.read(1 << 20), b""))
        fp.seek(0)
        return count
    return 0


def _limits() -> Limits:
    return Limits(max_bytes=current_app.config["MAX_CONTENT_LENGTH"])


def _file_error(err: FileRejected) -> RowError:
    return RowError(0, "", err.code, err.message_zh, err.message_en)


def _reject(session: Session, batch: ImportBatch, errors: list[RowError]) -> ImportBatch:
    batch.status = "rejected"
    batch.errors = [error_dict(e) for e in errors[:MAX_STORED_ERRORS]]
    batch.errors_total = len(errors)
    batch.rows_ok = 0
    batch.progress = 100
    batch.finished_at = clock.now()
    record(session, "import.rejected", "import_batches", batch.id, errors=len(errors))
    session.commit()
    return batch


def error_dict(error: RowError) -> dict:
    return {
        "row": error.row,
        "column": error.column,
        "code": error.code,
        "message_zh": error.message_zh,
        "message_en": error.message_en,
    }


def _load(session: Session, batch: ImportBatch, rows: list[ValidRow]) -> None:
    """Insert the rows as new revisions, all in one transaction: the revisions they
    replace stop being current, and nothing is visible until the commit."""
    previous = _current_revisions(session, rows)
    stale = [vid for vid, _ in previous.values()]
    for start in range(0, len(stale), CHUNK):
        session.execute(
            sa.update(IndicatorValue)
            .where(IndicatorValue.id.in_(stale[start : start + CHUNK]))
            .values(is_current=False)
            .execution_options(synchronize_session=False)
        )
    batch.progress = 90
    now = clock.now()
    grace = current_app.config["SUBMISSION_GRACE_DAYS"]
    source = SOURCES[batch.kind]
    values = [_value_row(batch, r, previous, now, grace, source) for r in rows]
    for start in range(0, len(values), CHUNK):
        session.execute(sa.insert(IndicatorValue), values[start : start + CHUNK])
    batch.status, batch.rows_ok, batch.progress = "succeeded", len(rows), 100
    batch.finished_at = now
    record(
        session,
        "import.loaded",
        "import_batches",
        batch.id,
        rows=len(rows),
        revised=len(previous),
        late=sum(v["is_late"] for v in values),
    )
    for queue, func in AFTER_LOAD:
        after_commit(session, queue, func, batch.id, job_id=f"{func.rsplit('.', 1)[-1]}-{batch.id}")
    session.commit()


def _value_row(batch, row: ValidRow, previous, now, grace, source) -> dict:
    key = (row.organ_id, row.indicator, row.period)
    return {
        "tenant_id": batch.tenant_id,
        "organ_id": row.organ_id,
        "indicator_code": row.indicator,
        "period": row.period,
        "revision": previous[key][1] + 1 if key in previous else 1,
        "is_current": True,
        "value": row.value,
        "numerator": row.numerator,
        "denominator": row.denominator,
        "source": source,
        "submitted_by": batch.submitted_by,
        "submitted_at": now,
        "is_late": is_late(row.period, now, grace),
        "batch_id": batch.id,
        "note": row.note[:200],
    }


def _current_revisions(session: Session, rows: Iterable[ValidRow]) -> dict:
    """(organ, indicator, period) → (id, revision) of the current values these rows
    replace, read set-wise: one query per organ, filtered to the batch's periods."""
    wanted: dict[int, set] = {}
    for r in rows:
        wanted.setdefault(r.organ_id, set()).add((r.indicator, r.period))
    found = {}
    for organ_id, keys in wanted.items():
        periods = {p for _, p in keys}
        for vid, code, period, revision in session.execute(
            sa.select(
                IndicatorValue.id,
                IndicatorValue.indicator_code,
                IndicatorValue.period,
                IndicatorValue.revision,
            ).where(
                IndicatorValue.is_current,
                IndicatorValue.organ_id == organ_id,
                IndicatorValue.period.in_(periods),
            )
        ):
            if (code, period) in keys:
                found[(organ_id, code, period)] = (vid, revision)
    return found


def fail(session: Session, batch_id: int) -> None:
    """Mark a batch whose run crashed (a bug, not bad input): nothing was loaded."""
    session.execute(
        sa.update(ImportBatch)
        .where(ImportBatch.id == batch_id, ImportBatch.status == "running")
        .values(status="failed", finished_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    session.commit()
