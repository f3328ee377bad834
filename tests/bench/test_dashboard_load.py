"""The dashboard load benchmark runs (short) as part of the suite, so it cannot rot; its
real figures come from ``make bench``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import services

pytestmark = pytest.mark.bench
ROOT = Path(__file__).resolve().parents[2]
KEYS = ("bare", "api-330106", "api-304-330106", "page-330106", "api-330100", "page-330100")


def test_dashboard_load_benchmark_runs_and_reports_its_figures():
    if shutil.which("wrk") is None:
        if services.in_ci():
            pytest.fail("CI=true requires wrk (make system-deps)")
        pytest.skip("wrk is not installed (make system-deps)")
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "dashboard_load.py"), "--short"],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "req/s" in out and "p95 ms" in out and "x bare" in out
    assert "(goal >= 30%)" in out and "(goal < 100 ms)" in out
    (line,) = [x for x in out.splitlines() if x.startswith("json: ")]
    report = json.loads(line[len("json: ") :])
    figures = {row["key"]: row for row in report["results"]}
    assert set(KEYS) <= set(figures)
    for key, row in figures.items():
        assert row["requests"] > 0 and row["rps"] > 0, key
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"], key
        assert row["bad_status"] == 0 and row["errors"] == 0, key  # every answer as expected
    assert figures["bare"]["share_of_bare"] == 1
    api = figures["api-330106"]
    assert api["share_of_bare"] == pytest.approx(api["rps"] / figures["bare"]["rps"])
    if Path("/proc/stat").exists():  # where the CPU went, per request
        for key, row in figures.items():
            assert 0 < row["app_cpu_us"] <= 1.1 * row["busy_cpu_us"], key  # ticks: coarse
        if report["backend"] == "postgresql":
            assert figures["api-330106"]["db_cpu_us"] > 0  # the API reads PostgreSQL
            assert figures["bare"]["db_cpu_us"] < figures["api-330106"]["db_cpu_us"]
