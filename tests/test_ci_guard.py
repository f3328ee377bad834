"""Under CI=true a missing PostgreSQL or Redis fails the run; it is never a silent skip."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

DEAD = {
    "TEST_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/test",
    "REDIS_URL": "redis://127.0.0.1:1/0",
}


@pytest.mark.parametrize("missing", sorted(DEAD))
def test_ci_fails_without_a_service(missing):
    env = {**os.environ, "CI": "true", missing: DEAD[missing]}
    env.pop("TEST_DB", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_ops.py::test_healthz",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "CI=true requires" in result.stdout + result.stderr
