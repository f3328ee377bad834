"""The benchmarks run (small) as part of the suite, so they cannot rot; their real
figures come from ``make bench``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("script", "args"),
    [("import_xlsx.py", ["--rows", "3000"]), ("ratings.py", ["--scale", "city", "--years", "1"])],
)
def test_benchmark_runs_and_reports_a_ratio(script, args):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "x baseline" in result.stdout
