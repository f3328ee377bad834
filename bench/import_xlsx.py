"""Benchmark: import a 100,000-value XLSX, against openpyxl alone reading the same file.

Both are measured in the same run on the same file: the baseline is openpyxl's read-only
mode iterating every row (``values_only``), the least any import must do; ours is the
whole import (store and hash the file, check the container, stream, validate every row,
load all-or-nothing as revisions). Prints the figures and the ratio (goal: under 3x).

    python bench/import_xlsx.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import io
import sys
import time

import openpyxl
import sqlalchemy as sa
from _setup import BenchDatabase

from app.auth.passwords import hash_password
from app.clock import last_complete_month
from app.datamart import imports
from app.datamart.files import iter_rows
from app.datamart.models import IndicatorValue
from app.datamart.periods import previous_period
from app.db import db
from app.indicators.service import install_bundled
from tenants.provisioning import add_organ, add_user, create_tenant
from tenants.scoping import system_scope, tenant_scope

MONTHLY_COURT = (
    "CT01",
    "CT02",
    "CT03",
    "CT04",
    "CT05",
    "CT06",
    "CT07",
    "CT08",
    "CT09",
    "CT10",
    "CT11",
    "CT12",
    "CT13",
    "CT14",
    "CT15",
    "CT16",
)
HEADER = ["期间", "机关", "指标代码", "指标名称", "分子", "分母", "数值", "单位", "说明"]


def plan(rows: int) -> tuple[int, int]:
    """(organs, months) giving at least ``rows`` values of the 16 monthly court indicators."""
    months = min(120, max(1, rows // (16 * 60) + 1))
    organs = -(-rows // (16 * months))
    return organs, months


def periods(months: int) -> list[str]:
    out, period = [], last_complete_month()
    for _ in range(months):
        out.append(period)
        period = previous_period(period)
    return out


def workbook(organ_names: list[str], months: list[str], rows: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("数据")
    sheet.append(HEADER)
    written = 0
    for organ in organ_names:
        for period in months:
            for code in MONTHLY_COURT:
                numerator = 4500 if code in ("CT03", "CT05") else 97
                sheet.append([period, organ, code, None, numerator, 100, None, None, None])
                written += 1
                if written == rows:
                    out = io.BytesIO()
                    book.save(out)
                    return out.getvalue()
    raise AssertionError("plan() made too few rows")


def provision(app, organs: int):
    with app.app_context(), system_scope():
        install_bundled(db.session)
        province = create_tenant(db.session, "330000", "浙江省", "province")
        city = create_tenant(db.session, "330100", "杭州市", "city", province)
        district = create_tenant(db.session, "330199", "基准区", "district", city)
        names = [f"基准区第{n}人民法院" for n in range(1, organs + 1)]
        for name in names:
            add_organ(db.session, district, "court", name)
        user = add_user(db.session, district, "bench-staff", "staff", hash_password("x"))
        db.session.commit()
        return district.id, user.id, names


def baseline(data: bytes) -> tuple[float, int]:
    started = time.perf_counter()
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return time.perf_counter() - started, count - 1


def parse_only(data: bytes) -> float:
    started = time.perf_counter()
    for _ in iter_rows(io.BytesIO(data), "xlsx"):
        pass
    return time.perf_counter() - started


def import_once(app, tenant_id: int, user_id: int, data: bytes) -> tuple[float, object]:
    from app.auth.models import User

    with app.app_context(), tenant_scope(tenant_id):
        user = db.session.get(User, user_id)
        started = time.perf_counter()
        batch = imports.submit(
            db.session,
            kind="values",
            stream=io.BytesIO(data),
            filename="bench.xlsx",
            user=user,
            organ_id=None,
        )
        db.session.commit()  # inline mode: the job runs right after this commit
        elapsed = time.perf_counter() - started
        db.session.refresh(batch)
        stored = db.session.scalar(sa.select(sa.func.count()).select_from(IndicatorValue))
        return elapsed, (batch.status, batch.rows_ok, stored, batch.errors[:2])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    organs, months = plan(args.rows)
    with BenchDatabase("import") as bench:
        tenant_id, user_id, names = provision(bench.app, organs)
        data = workbook(names, periods(months), args.rows)
        base, counted = baseline(data)
        parsed = parse_only(data)
        ours, (status, ok, stored, errors) = import_once(bench.app, tenant_id, user_id, data)
        print(
            f"backend={bench.backend} rows={counted} file={len(data) / 1e6:.1f} MB "
            f"organs={organs} months={months}"
        )
        print(f"openpyxl read-only iteration (baseline): {base:8.2f} s")
        print(
            f"our reader alone (iter_rows):           {parsed:8.2f} s  "
            f"({parsed / base:.2f}x baseline)"
        )
        print(
            f"full import (store, check, validate, load): {ours:6.2f} s  "
            f"({ours / base:.2f}x baseline; goal < 3x)  {counted / ours:,.0f} rows/s"
        )
        print(f"result: status={status} rows_ok={ok} values stored={stored}")
        if status != "succeeded" or stored != counted:
            print(f"FAILED: {errors}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
