"""Benchmark: the dashboards under load, against a bare Flask JSON endpoint of the same app
in the same run.

    python bench/dashboard_load.py [--years 5] [--duration 15] [--rounds 3]
                                   [--connections 4] [--workers 2] [--chart heat] [--short]

Seeds the Hangzhou demo (city scale, rated, dashboards built by the jobs' own function)
into a fresh database (PostgreSQL when it answers), serves ``wsgi:app`` with gunicorn
(``--workers`` sync workers, the same server for every measurement) on loopback, and
drives it with wrk (Debian's ``wrk``), one target after the other:

* the bare endpoint: ``GET /healthz``, JSON, no session, no database;
* the dashboard API ``GET /api/v1/t/<code>/dashboards/<chart>`` with a bearer token, for
  the district 330106 (西湖区) and the city 330100 (杭州市), and the same with the ETag
  a client already holds (``If-None-Match``: 304);
* the dashboard page ``GET /t/<code>/dashboard`` with a logged-in session cookie.

The targets are taken in turn, ``--rounds`` times, so a change in the machine's load falls
on all of them alike. For each: requests per second and p95 latency (wrk's own histogram;
the median of the rounds'), side by side, and each throughput as a fraction of the bare
endpoint's; and where the CPU went, per request: the app server (gunicorn and its workers),
PostgreSQL's processes, and the whole machine busy (wrk and the kernel included), read from
/proc around each run. Goals: the dashboard API at
least 30% of the bare endpoint's throughput; the page's p95 under 100 ms. The last line is
the same figures as JSON. ``--short`` (the test suite's run): one year, two seconds each.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

from _setup import ROOT, BenchDatabase

DISTRICT, CITY = "330106", "330100"
PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-pass-2024")
API_SHARE_GOAL = 0.30
PAGE_P95_GOAL_MS = 100.0

LUA = """
wrk.method = "GET"
{headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d bad_status=%d errors=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Target:
    key: str
    label: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200
    kind: str = "bare"  # bare | api | page


@dataclass
class Measured:
    key: str
    label: str
    kind: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    bad_status: int
    errors: int
    app_cpu_us: float | None = None
    db_cpu_us: float | None = None
    busy_cpu_us: float | None = None
    share_of_bare: float | None = None


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(database_url: str, store: str, port: int, workers: int) -> subprocess.Popen:
    """gunicorn serving the production entry point (``wsgi:app``) on this database."""
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-dashboard-load",
        "FILE_STORE_DIR": store,
        "DEMO_PASSWORD": PASSWORD,
    }
    env.pop("REDIS_URL", None)  # jobs inline, throttle in memory: nothing else to measure
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- logging in through the API -----------------------------------------------------------------


class Client:
    """A cookie-keeping HTTP client for setting up: log in, make a token, read an ETag."""

    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def call(self, method: str, path: str, body: dict | None = None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def login(self, username: str) -> str:
        """Log in; returns the CSRF token for cookie-authenticated writes."""
        status, _, body = self.call(
            "POST", "/api/v1/auth/login", {"username": username, "password": PASSWORD}
        )
        if status != 200:
            raise SystemExit(f"login {username}: {status} {body[:200]!r}")
        return json.loads(body)["csrf_token"]

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def token(self, csrf: str) -> str:
        status, _, body = self.call(
            "POST", "/api/v1/auth/tokens", {"name": "bench"}, {"X-CSRFToken": csrf}
        )
        if status != 201:
            raise SystemExit(f"token: {status} {body[:200]!r}")
        return json.loads(body)["secret"]


def targets(base: str, chart: str) -> list[Target]:
    found = [Target("bare", "bare JSON  GET /healthz", "/healthz")]
    for code, who in ((DISTRICT, "district"), (CITY, "city")):
        api = Client(base)
        bearer = {"Authorization": f"Bearer {api.token(api.login(f'{code}-staff'))}"}
        path = f"/api/v1/t/{code}/dashboards/{chart}"
        status, headers, _ = Client(base).call("GET", path, headers=bearer)
        if status != 200:
            raise SystemExit(f"{path}: {status}")
        found.append(
            Target(f"api-{code}", f"dashboard API  {code} {who}, {chart}", path, bearer, kind="api")
        )
        found.append(
            Target(
                f"api-304-{code}",
                f"dashboard API  {code} {who}, If-None-Match: 304",
                path,
                {**bearer, "If-None-Match": headers["ETag"]},
                expect=304,
                kind="api-304",
            )
        )
        page = Client(base)
        page.login(f"{code}-staff")
        found.append(
            Target(
                f"page-{code}",
                f"dashboard page {code} {who}",
                f"/t/{code}/dashboard",
                {"Cookie": page.cookie_header()},
                kind="page",
            )
        )
    return found


def check(base: str, target: Target) -> None:
    """One request before the load: the target answers as it should (not a redirect to the
    login page, not a 404), so wrk measures the real thing."""
    request = urllib.request.Request(base + target.path, headers=target.headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as err:
        status, body = err.code, b""
    if status != target.expect:
        raise SystemExit(f"{target.label}: answered {status}, expected {target.expect}")
    if target.kind == "page" and b'data-testid="chart"' not in body:
        raise SystemExit(f"{target.label}: the page shows no chart")
    if target.kind == "api" and b'"options"' not in body:
        raise SystemExit(f"{target.label}: no options in the answer")


# --- where the CPU went ------------------------------------------------------------------------


def cpu_seconds(server_pid: int) -> dict[str, float] | None:
    """CPU seconds used so far by the app server (gunicorn and its workers) and by
    PostgreSQL's processes, and the machine's busy seconds over all cores (None without
    Linux's /proc)."""
    proc = Path("/proc")
    if not (proc / "stat").exists():
        return None
    tick = os.sysconf("SC_CLK_TCK")
    used = {"app": 0.0, "db": 0.0}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        if int(entry.name) == server_pid or int(fields[1]) == server_pid:
            used["app"] += seconds
        elif name.startswith("postgres"):
            used["db"] += seconds
    jiffies = [int(x) for x in (proc / "stat").read_text().split("\n", 1)[0].split()[1:8]]
    used["busy"] = (sum(jiffies) - jiffies[3] - jiffies[4]) / tick  # all but idle and iowait
    return used


# --- wrk ----------------------------------------------------------------------------------------


def run_wrk(base: str, target: Target, seconds: float, connections: int, threads: int) -> dict:
    headers = "\n".join(
        f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in target.headers.items()
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.format(headers=headers))
    try:
        result = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                base + target.path,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.unlink(script.name)
    line = next((x for x in result.stdout.splitlines() if x.startswith("RESULT ")), None)
    if result.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed on {target.label}: {result.stdout}{result.stderr}")
    return {k: int(v) for k, v in (pair.split("=") for pair in line.split()[1:])}


def measure(base: str, found: list[Target], args, server_pid: int) -> list[Measured]:
    """Every target, ``args.rounds`` times in turn (so a change in the machine's load
    falls on all of them alike): throughput over all rounds, latencies the median of the
    rounds' percentiles, CPU per request over all rounds."""
    for target in found:
        check(base, target)
        run_wrk(base, target, args.warmup, args.connections, 1)  # every worker warm
    runs: dict[str, list[dict]] = {t.key: [] for t in found}
    for _ in range(args.rounds):
        for target in found:
            before = cpu_seconds(server_pid)
            raw = run_wrk(base, target, args.duration / args.rounds, args.connections, 1)
            after = cpu_seconds(server_pid)
            if before and after:
                raw["cpu"] = {k: after[k] - before[k] for k in after}
            runs[target.key].append(raw)
    return [_combined(target, runs[target.key]) for target in found]


def _combined(target: Target, raws: list[dict]) -> Measured:
    requests = sum(r["requests"] for r in raws)
    seconds = sum(r["duration_us"] for r in raws) / 1e6
    cpu = None
    if requests and all("cpu" in r for r in raws):
        cpu = {k: sum(r["cpu"][k] for r in raws) / requests * 1e6 for k in ("app", "db", "busy")}
    return Measured(
        target.key,
        target.label,
        target.kind,
        requests,
        seconds,
        requests / seconds if seconds else 0.0,
        *(statistics.median(r[f"p{q}_us"] for r in raws) / 1000 for q in (50, 95, 99)),
        sum(r["bad_status"] for r in raws),
        sum(r["errors"] for r in raws),
        *((cpu["app"], cpu["db"], cpu["busy"]) if cpu else (None, None, None)),
    )


# --- the report ---------------------------------------------------------------------------------


def report(results: list[Measured], args, backend: str) -> bool:
    bare = results[0].rps
    for row in results:
        row.share_of_bare = row.rps / bare if bare else None
    print(
        f"\nwrk: {args.connections} connections, {args.duration:g} s per target; gunicorn: "
        f"{args.workers} sync workers; {backend}; {os.cpu_count()} CPUs shared by all; "
        f"load average {args.load[0]:.1f} before, {args.load[1]:.1f} after\n"
    )
    print(
        f"{'target':<48} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'x bare':>7} "
        f"{'app us':>7} {'db us':>6} {'all us':>7}  bad"
    )
    for row in results:
        cpu = " ".join(
            f"{'-' if v is None else round(v):>{w}}"
            for v, w in ((row.app_cpu_us, 7), (row.db_cpu_us, 6), (row.busy_cpu_us, 7))
        )
        print(
            f"{row.label:<48} {row.rps:>9.1f} {row.p50_ms:>8.1f} {row.p95_ms:>8.1f} "
            f"{row.share_of_bare:>7.2f} {cpu}  {row.bad_status + row.errors}"
        )
    print(
        "(us: CPU microseconds per request of the app server, of PostgreSQL, and of the "
        "whole machine busy)"
    )
    print()
    met = True
    for row in results:
        if row.kind == "api":
            ok = row.share_of_bare >= API_SHARE_GOAL
            print(
                f"goal {row.key}: {row.share_of_bare:.0%} of the bare endpoint's throughput "
                f"(goal >= {API_SHARE_GOAL:.0%}): {'met' if ok else 'MISSED'}"
            )
        elif row.kind == "page":
            ok = row.p95_ms < PAGE_P95_GOAL_MS
            print(
                f"goal {row.key}: p95 {row.p95_ms:.1f} ms (goal < {PAGE_P95_GOAL_MS:g} ms): "
                f"{'met' if ok else 'MISSED'}"
            )
        else:
            ok = True
        met = met and ok and not (row.bad_status or row.errors)
    print("json: " + json.dumps({"backend": backend, "results": [asdict(r) for r in results]}))
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per target")
    parser.add_argument("--rounds", type=int, default=3, help="targets taken in turn")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before each")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--chart", default="heat", help="the tenant chart the API serves")
    parser.add_argument("--short", action="store_true", help="one year, two seconds each")
    args = parser.parse_args()
    if args.short:
        args.years, args.duration, args.warmup, args.rounds = 1, 2.0, 1.0, 1
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is required: apt-get install wrk (make system-deps)")
    with BenchDatabase("dashload") as bench:
        started = time.perf_counter()
        print(bench.seed("--scale", "city", "--years", str(args.years)))
        bench.analyze()
        print(f"seeded, rated and dashboards built in {time.perf_counter() - started:.1f}s")
        bench.app.extensions["judsup.db"].engine.dispose()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = serve(bench.url, bench.tmp.name, port, args.workers)
        try:
            wait_until_up(base, server)
            load_before = os.getloadavg()[0]
            results = measure(base, targets(base, args.chart), args, server.pid)
            args.load = (load_before, os.getloadavg()[0])
        finally:
            stop(server)
        report(results, args, bench.backend)
    return 0


if __name__ == "__main__":
    sys.exit(main())
