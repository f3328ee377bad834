"""The federation benchmark runs (small) as part of the suite, so it cannot rot; its real
figures (province scale) come from ``make bench``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench
ROOT = Path(__file__).resolve().parents[2]


def test_federation_benchmark_runs_and_reports_its_ratios():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "federation.py"), "--scale", "city", "--years", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "(a) SQL GROUP BY over the tree (baseline)" in out
    assert "x baseline; goal within 3x" in out
    assert "rollup_batch" in out and "goal < 1 s" in out
    assert "stored roll-ups equal to the baseline's sums" in out
