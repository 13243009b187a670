#!/usr/bin/env python3
"""Connection-pool load benchmark: many more clients than database connections.

    python bench/pool_load.py                     # from the repository root, in the project's venv

For PostgreSQL and MariaDB/MySQL in turn: creates a fresh database, migrates it with
`chores-tracker db upgrade`, starts `chores-tracker serve` as production runs it (one worker, the
default pool of 5 + 10 connections), seeds one family through the API, then drives `wrk` at 32, 64,
128 and 256 connections against two GET endpoints and prints requests per second, p50/p99 latency
and the answers that were not 2xx. Drops the databases at the end. Loopback only; needs `wrk`.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from harness import (
    REPO,
    create_database,
    drop_database,
    free_port,
    migrate,
    production_env,
    start_server,
    stop_server,
    wait_ready,
)

sys.path.insert(0, str(REPO / "backend"))

PASSWORD = "bench-password-1234"
KIDS = 3
CHORES_PER_KID = 10
CYCLES = 5  # each chore is completed and approved this many times: the ledger the summary adds up

# Counts the answers by status in each wrk thread and prints them, with the latency percentiles.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do totals[status] = (totals[status] or 0) + n end
  end
  for status, n in pairs(totals) do io.write(string.format("STATUS %d %d\\n", status, n)) end
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
end
"""

ENDPOINTS = (
    ("GET /reports/allowance-summary (parent)", "/api/v1/reports/allowance-summary", "parent"),
    ("GET /chores/available (child)", "/api/v1/chores/available", "child"),
)


# ----------------------------------------------------------------------------- the databases


# ----------------------------------------------------------------------------- the server


def server_counters(base: str) -> tuple[float, int]:
    """The server's CPU seconds so far and the requests it has answered (the scrapes aside)."""
    scrape = httpx.get(f"{base}/metrics", timeout=10).text
    cpu = float(re.search(r"^process_cpu_seconds_total (\S+)$", scrape, re.MULTILINE).group(1))
    answered = sum(
        float(n)
        for route, n in re.findall(
            r'^chores_tracker_http_requests_total\{[^}]*route="([^"]*)"[^}]*\} (\S+)$', scrape, re.MULTILINE
        )
        if route != "/metrics"
    )
    return cpu, int(answered)


def drain(base: str, timeout: float = 120) -> tuple[float, int]:
    """Wait until the server has answered every request of the last run; its counters then.

    When wrk stops, the requests still waiting for their turn are answered all the same (their
    clients are gone); measured during that, the next run would show the last one's backlog.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            scrape = httpx.get(f"{base}/metrics", timeout=10).text
        except httpx.HTTPError:  # a server out of threads cannot even answer this
            continue
        # This scrape is a request in progress itself.
        if float(re.search(r"^chores_tracker_http_requests_in_progress (\S+)$", scrape, re.MULTILINE).group(1)) <= 1:
            return server_counters(base)
        time.sleep(0.2)
    raise SystemExit("the server did not finish the last run's requests in time")


def seed(base: str) -> dict[str, str]:
    """One family made through the API: a parent, three children, chores done and approved, adjustments."""
    with httpx.Client(base_url=f"{base}/api/v1", timeout=30) as api:

        def ok(response: httpx.Response) -> dict:
            if response.status_code >= 300:
                raise SystemExit(f"seeding failed: {response.request.method} {response.request.url}: {response.text}")
            return response.json()

        def login(username: str) -> dict[str, str]:
            token = ok(api.post("/users/login", data={"username": username, "password": PASSWORD}))["access_token"]
            return {"Authorization": f"Bearer {token}"}

        ok(api.post("/users/register", data={"username": "bench-parent", "password": PASSWORD, "is_parent": "true"}))
        parent = login("bench-parent")
        ok(api.post("/families/create", json={"name": "The Benchmarks"}, headers=parent))
        kids = []
        for n in range(1, KIDS + 1):
            kid = ok(
                api.post(
                    "/users/",
                    json={"username": f"bench-kid{n}", "password": PASSWORD, "is_parent": False},
                    headers=parent,
                )
            )
            kids.append((kid["id"], login(f"bench-kid{n}")))
        for kid_id, kid in kids:
            for n in range(CHORES_PER_KID):
                chore = ok(
                    api.post(
                        "/chores",
                        headers=parent,
                        json={
                            "title": f"Job {n}",
                            "reward": "1.50",
                            "assignment_mode": "single",
                            "assignee_ids": [kid_id],
                            "is_recurring": True,
                            "cooldown_days": 0,
                        },
                    )
                )
                for _ in range(CYCLES):
                    done = ok(api.post(f"/chores/{chore['id']}/complete", headers=kid))
                    ok(api.post(f"/assignments/{done['assignment']['id']}/approve", headers=parent, json={}))
            ok(
                api.post(
                    "/adjustments/", headers=parent, json={"child_id": kid_id, "amount": "2.00", "reason": "bonus"}
                )
            )
        return {"parent": parent["Authorization"], "child": kids[0][1]["Authorization"]}


# ----------------------------------------------------------------------------- the load


@dataclass
class Run:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int] = field(default_factory=dict)
    socket_errors: int = 0
    # Server CPU per answered request, from drained to drained: a figure a busy machine blurs less.
    cpu_ms: float = float("nan")

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def not_2xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300) + self.socket_errors


def wrk(
    url: str, authorization: str, connections: int, seconds: float, script: Path, headers: tuple[str, ...] = ()
) -> Run:
    command = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(connections),
        "-d",
        f"{seconds:g}s",
        "--timeout",
        "60s",
        "-s",
        str(script),
        "-H",
        f"Authorization: {authorization}",
        *(arg for header in headers for arg in ("-H", header)),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 120).stdout
    statuses = {int(s): int(n) for s, n in re.findall(r"^STATUS (\d+) (\d+)$", output, re.MULTILINE)}
    requests, micros, p50, p99, *errors = (
        int(v) for v in re.search(r"^RESULT (.*)$", output, re.MULTILINE).group(1).split()
    )
    return Run(requests, micros / 1e6, p50 / 1000, p99 / 1000, statuses, sum(errors))


def measure(
    base: str,
    url: str,
    authorization: str,
    connections: int,
    seconds: float,
    script: Path,
    headers: tuple[str, ...] = (),
) -> Run:
    cpu_before, answered_before = drain(base)
    run = wrk(url, authorization, connections, seconds, script, headers)
    cpu_after, answered_after = drain(base)
    run.cpu_ms = (cpu_after - cpu_before) * 1000 / max(1, answered_after - answered_before)
    return run


def row(name: str, connections: int, runs: list[Run], baseline: float) -> str:
    """One table row; `baseline` is the median req/s at the fewest connections, the ratio's denominator."""
    statuses: dict[int, int] = {}
    for run in runs:
        for status, n in run.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    seen = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items())) + (
        f", socket errors: {sum(r.socket_errors for r in runs)}" if any(r.socket_errors for r in runs) else ""
    )

    def median(of: Callable[[Run], float]) -> float:
        return statistics.median(of(run) for run in runs)

    rate = median(lambda r: r.rate)
    return (
        f"| `{name}` | {connections} | {rate:.1f} | {rate / baseline:.2f} | {median(lambda r: r.p50_ms):.0f} "
        f"| {median(lambda r: r.p99_ms):.0f} | {sum(r.not_2xx for r in runs)} | {median(lambda r: r.cpu_ms):.1f} | {seen} |"
    )


def bench_backend(label: str, server_url: str, args: argparse.Namespace, script: Path) -> None:
    database_url = create_database(server_url)
    server = None
    log = Path(tempfile.mkstemp(prefix="ct-bench-server-", suffix=".log")[1])
    try:
        env = production_env(database_url, LOG_LEVEL="ERROR")
        migrate(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(env, port, log)
        wait_ready(base, server, log)
        tokens = seed(base)
        print(
            f"\n{label}: chores-tracker serve (1 worker, ENVIRONMENT=production, pool 5 + 10), "
            f"{args.seconds:g} s per run, median of {args.repeat}",
            flush=True,
        )
        fewest = min(args.connections)
        print(
            f"| endpoint | connections | req/s | vs {fewest} | p50 ms | p99 ms | non-2xx | server CPU ms/request | answers |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for name, path, who in ENDPOINTS:
            wrk(base + path, tokens[who], 32, 2, script)  # warm-up
            runs: dict[int, list[Run]] = {connections: [] for connections in args.connections}
            for repeat in range(args.repeat):
                # Up, then down: a machine whose load drifts during the run favours no level.
                for connections in args.connections if repeat % 2 == 0 else args.connections[::-1]:
                    runs[connections].append(measure(base, base + path, tokens[who], connections, args.seconds, script))
            baseline = statistics.median(run.rate for run in runs[fewest])
            for connections, measured in runs.items():
                print(row(name, connections, measured, baseline), flush=True)
    finally:
        if server is not None:
            stop_server(server)
        drop_database(database_url)
        print(f"(server log: {log})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server URL ('' to skip); a fresh database is created there and dropped afterwards",
    )
    parser.add_argument(
        "--mysql",
        default=os.environ.get("BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
        help="a MariaDB/MySQL server URL ('' to skip); likewise",
    )
    parser.add_argument(
        "--connections",
        type=lambda v: [int(n) for n in v.split(",")],
        default=[32, 64, 128, 256],
        help="comma-separated wrk connection counts (default 32,64,128,256)",
    )
    parser.add_argument("--seconds", type=float, default=10, help="duration of each run (default 10)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per figure; the table shows their median (default 1)"
    )
    args = parser.parse_args()

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    try:
        for label, server_url in (("PostgreSQL", args.postgres), ("MariaDB/MySQL", args.mysql)):
            if server_url:
                bench_backend(label, server_url, args, Path(script.name))
    finally:
        os.unlink(script.name)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
