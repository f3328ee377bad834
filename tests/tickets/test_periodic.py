"""The periodic sweep is scheduled once per slot, whoever asks, and reschedules itself."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry

from app.tickets.jobs import next_slot, schedule_next, slot_id


def test_next_slot():
    at = datetime(2026, 11, 22, 7, 14, 30, tzinfo=UTC)
    assert next_slot(at, 60) == datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    assert next_slot(at, 15) == datetime(2026, 11, 22, 7, 15, tzinfo=UTC)
    assert next_slot(datetime(2026, 11, 22, 7, 15, tzinfo=UTC), 15) == datetime(
        2026, 11, 22, 7, 30, tzinfo=UTC
    )


@pytest.mark.redis
def test_scheduled_once_per_slot(redis_url):
    queue = Queue(f"sweep-test-{uuid.uuid4().hex[:8]}", connection=Redis.from_url(redis_url))
    now = datetime(2031, 1, 1, 7, 14, tzinfo=UTC)  # a slot no other test uses
    first = schedule_next(queue, now, 60)
    second = schedule_next(queue, now, 60)
    try:
        assert first == slot_id(datetime(2031, 1, 1, 8, 0, tzinfo=UTC)) and second is None
        assert ScheduledJobRegistry(queue=queue).get_job_ids() == [first]
    finally:
        queue.connection.delete(f"rq:job:{first}")
        ScheduledJobRegistry(queue=queue).remove(first)
