#!/usr/bin/env python3
"""The read paths against a bare reference, side by side in one run.

    python bench/reads.py --repeat 3              # from the repository root, in the project's venv; needs wrk
    python bench/reads.py --only-cycle --repeat 5 # the complete-then-approve cycle alone

Creates a fresh PostgreSQL database, migrates it, starts `chores-tracker serve` as production runs it
(one worker, ENVIRONMENT=production) and seeds one family through the API: a parent, 5 children,
50 chores, half of them done and waiting for review. Captures the project's answers to the three
reads and stores them in a table that `bench/reference_app.py` (the same framework, server and
driver; one query per request, no authentication) serves back, so both sides send the same bytes.
Then, for each read and for the complete-then-approve cycle, drives wrk (32 connections, 10 s)
against ours and the reference in turn, `--repeat` times, and prints one table: our req/s, p50, p99
and non-2xx answers, the reference's req/s and p99, the ratio ours/reference of the medians, and our
server's CPU per answered request (from its /metrics, drained before and after each run): a figure
that a busy machine blurs less than req/s.
Drops the database at the end. Loopback only. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlalchemy as sa
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
from pool_load import WRK_SCRIPT, Run, drain, measure, wrk

from chores_tracker.settings import Settings

PASSWORD = "bench-password-1234"
CHILDREN = 5
CHORES = 50
POOL_LIMIT = 30  # the even-numbered chores below this are pool chores: 15 of them
APPROVED = 3  # times each child's available chore was done and approved before: the ledger the summary adds up
DESCRIPTION = "Wipe the counters, load the dishwasher and sweep under the table before dinner."

# The cycle: each answer to a completion queues its assignment for approval; each approval frees its
# chore for the next completion. Both answers are parsed here, so it does not matter which connection
# of the thread sent which request. Counts statuses and prints percentiles as WRK_SCRIPT does.
_OWN_HOOKS = (
    "function init(args) statuses = {} end\n",
    "function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end\n",
)
if not all(hook in WRK_SCRIPT for hook in _OWN_HOOKS):
    raise SystemExit("pool_load.WRK_SCRIPT changed: CYCLE_SCRIPT must replace its init and response anew")
CYCLE_SCRIPT = (
    WRK_SCRIPT.replace(_OWN_HOOKS[0], "").replace(_OWN_HOOKS[1], "")
    + """
local counter = 0
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  statuses = {}
  free = {}
  waiting = {}
  local n = 0
  for chore in string.gmatch(os.getenv("CYCLE_CHORES"), "%d+") do
    if n % tonumber(os.getenv("CYCLE_THREADS")) == id then table.insert(free, chore) end
    n = n + 1
  end
end
function request()
  if #waiting > 0 then
    local headers = {["Authorization"] = os.getenv("CYCLE_PARENT"), ["Content-Type"] = "application/json"}
    return wrk.format("POST", "/api/v1/assignments/" .. table.remove(waiting) .. "/approve", headers, "{}")
  end
  -- None free (cannot happen with more chores than connections): chore 0, an answer 422 counts it.
  local chore = table.remove(free) or "0"
  return wrk.format("POST", "/api/v1/chores/" .. chore .. "/complete", {["Authorization"] = os.getenv("CYCLE_CHILD")})
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 300 then return end
  local assignment = string.match(body, '"assignment":(%b{})')
  -- Approved, a recurring chore without cooldown is available again: its assignment is not completed.
  if string.find(assignment, '"is_completed":true', 1, true) then
    table.insert(waiting, string.match(assignment, '"id":(%d+)'))
  else
    table.insert(free, string.match(assignment, '"chore_id":(%d+)'))
  end
end
"""
)

# The reference's half of the cycle: a completion's answer, then an approval's, each after a write.
REFERENCE_CYCLE_SCRIPT = (
    WRK_SCRIPT
    + """
local step = 0
function request()
  step = step + 1
  return wrk.format("POST", step % 2 == 1 and "/ref/complete" or "/ref/approve")
end
"""
)

# The floor of a change: the cheapest write of the API (the child's notifications marked read: one
# UPDATE, which marks nothing after the first), through all that any change takes: the caller read
# afresh, a transaction, the family's revision bumped, the answer. Against the reference's write.
FLOOR_PATH = "/api/v1/notifications/read-all"
FLOOR_SCRIPT = WRK_SCRIPT + '\nfunction request() return wrk.format("POST") end\n'

ENDPOINTS = (
    ("GET /chores/available (child)", "/api/v1/chores/available", "child", "available"),
    ("GET /chores/pending-approval (parent)", "/api/v1/chores/pending-approval", "parent", "pending"),
    ("GET /reports/allowance-summary (parent)", "/api/v1/reports/allowance-summary", "parent", "summary"),
)


@dataclass
class Family:
    parent: str
    child: str
    child_id: int


def seed(api: httpx.Client) -> Family:
    """5 children, 50 chores (recurring, without cooldown): 25 done and waiting for review (5 per
    child), 15 in the pool, 10 available (2 per child, each done and approved 3 times before)."""

    def ok(response: httpx.Response) -> dict:
        if response.status_code >= 300:
            raise SystemExit(f"seeding failed: {response.request.method} {response.request.url}: {response.text}")
        return response.json()

    def login(username: str) -> str:
        token = ok(api.post("/users/login", data={"username": username, "password": PASSWORD}))["access_token"]
        return f"Bearer {token}"

    ok(api.post("/users/register", data={"username": "bench-parent", "password": PASSWORD, "is_parent": "true"}))
    parent = login("bench-parent")
    ok(api.post("/families/create", json={"name": "The Benchmarks"}, headers={"Authorization": parent}))
    kids = []
    for n in range(1, CHILDREN + 1):
        kid = ok(
            api.post(
                "/users/",
                json={"username": f"bench-kid{n}", "password": PASSWORD, "is_parent": False},
                headers={"Authorization": parent},
            )
        )
        kids.append((kid["id"], login(f"bench-kid{n}")))
    for n in range(CHORES):
        kid_id, kid = kids[n % CHILDREN]
        # Odd: a child's own, done and waiting; even below POOL_LIMIT: the family's pool, which every
        # child sees; the other even ones: a child's own, available, with approved work behind them.
        pool = n % 2 == 0 and n < POOL_LIMIT
        chore = ok(
            api.post(
                "/chores",
                headers={"Authorization": parent},
                json={
                    "title": f"Chore number {n + 1}",
                    "description": DESCRIPTION,
                    "reward": "1.50",
                    "assignment_mode": "unassigned" if pool else "single",
                    "assignee_ids": [] if pool else [kid_id],
                    "is_recurring": True,
                    "cooldown_days": 0,
                },
            )
        )
        if n % 2 == 1:
            ok(api.post(f"/chores/{chore['id']}/complete", headers={"Authorization": kid}))
        elif not pool:
            for _ in range(APPROVED):
                done = ok(api.post(f"/chores/{chore['id']}/complete", headers={"Authorization": kid}))
                ok(
                    api.post(
                        f"/assignments/{done['assignment']['id']}/approve", headers={"Authorization": parent}, json={}
                    )
                )
    return Family(parent, kids[0][1], kids[0][0])


def cycle_chores(api: httpx.Client, family: Family, count: int) -> tuple[list[int], bytes, bytes]:
    """The cycle's own chores (made after the reads are measured, which they would change); with the
    answers to one completion and one approval, for the reference to send back."""
    ids = []
    for n in range(count):
        answer = api.post(
            "/chores",
            headers={"Authorization": family.parent},
            json={
                "title": f"Cycle chore {n + 1}",
                "description": DESCRIPTION,
                "reward": "0.25",
                "assignment_mode": "single",
                "assignee_ids": [family.child_id],
                "is_recurring": True,
                "cooldown_days": 0,
            },
        )
        answer.raise_for_status()
        ids.append(answer.json()["id"])
    completed = api.post(f"/chores/{ids[0]}/complete", headers={"Authorization": family.child})
    completed.raise_for_status()
    approved = api.post(
        f"/assignments/{completed.json()['assignment']['id']}/approve",
        headers={"Authorization": family.parent},
        json={},
    )
    approved.raise_for_status()
    return ids, completed.content, approved.content


def settle_cycle(base: str, family: Family, chores: list[int]) -> None:
    """Approves what the last run left waiting (wrk stops between a completion and its approval), so
    that every cycle chore is available again, as the script assumes at its start."""
    drain(base)
    with httpx.Client(base_url=f"{base}/api/v1", timeout=30) as api:
        pending = api.get("/chores/pending-approval", headers={"Authorization": family.parent})
        pending.raise_for_status()
        for item in pending.json():
            if item["chore"]["id"] in chores:
                approved = api.post(
                    f"/assignments/{item['assignment_id']}/approve", headers={"Authorization": family.parent}, json={}
                )
                approved.raise_for_status()


def store_bodies(database_url: str, bodies: dict[str, bytes]) -> None:
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE IF NOT EXISTS bench_reference_body (name text PRIMARY KEY, body bytea NOT NULL)")
        )
        connection.execute(sa.text("CREATE TABLE IF NOT EXISTS bench_reference_body_hit (name text NOT NULL)"))
        for name, body in bodies.items():
            connection.execute(
                sa.text(
                    "INSERT INTO bench_reference_body (name, body) VALUES (:name, :body) "
                    "ON CONFLICT (name) DO UPDATE SET body = excluded.body"
                ),
                {"name": name, "body": body},
            )
    engine.dispose()


def start_reference(database_url: str, port: int, log: Path, pool_size: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "bench" / "reference_app.py"),
            *("--database-url", database_url, "--port", str(port), "--pool-size", str(pool_size)),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the reference server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit("the reference server did not become ready in time")


def median(runs: list[Run], of: str) -> float:
    return statistics.median(float(getattr(run, of)) for run in runs)


def unexpected(runs: list[Run], expected: int) -> int:
    if expected == 200:
        return sum(run.not_2xx for run in runs)
    return sum(n for run in runs for status, n in run.statuses.items() if status != expected) + sum(
        run.socket_errors for run in runs
    )


def row(name: str, size: int, ours: list[Run], reference: list[Run], expected: int = 200) -> str:
    """`expected`: the status every answer of ours should have (304 for the revalidations); others count."""
    statuses: dict[int, int] = {}
    for run in ours:
        for status, n in run.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    answers = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
    reference_errors = sum(run.not_2xx for run in reference)
    return (
        f"| `{name}` | {size / 1000:.1f} KB | {median(ours, 'rate'):.1f} | {median(ours, 'p50_ms'):.0f} "
        f"| {median(ours, 'p99_ms'):.0f} | {unexpected(ours, expected)} ({answers}) "
        f"| {median(reference, 'rate'):.1f} | {median(reference, 'p99_ms'):.0f}"
        f"{f' ({reference_errors} non-2xx)' if reference_errors else ''} "
        f"| {median(ours, 'rate') / median(reference, 'rate'):.3f} | {median(ours, 'cpu_ms'):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server URL; a fresh database is created there and dropped afterwards",
    )
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--seconds", type=float, default=10, help="duration of each run (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the table shows medians (default 3)")
    parser.add_argument("--no-cycle", action="store_true", help="leave out the complete-then-approve cycle")
    parser.add_argument(
        "--no-conditional", action="store_true", help="leave out the reads revalidated with If-None-Match (304)"
    )
    parser.add_argument(
        "--only-cycle", action="store_true", help="measure the complete-then-approve cycle alone (no reads)"
    )
    parser.add_argument(
        "--db-pool-size", type=int, help="the server's DB_POOL_SIZE (default: the server's own default)"
    )
    args = parser.parse_args()
    if args.only_cycle and args.no_cycle:
        parser.error("--only-cycle and --no-cycle contradict each other")

    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    database_url = create_database(args.postgres)
    ours = reference = None
    logs = [Path(tempfile.mkstemp(prefix=f"ct-bench-{side}-", suffix=".log")[1]) for side in ("server", "reference")]
    scripts = []
    for text in (WRK_SCRIPT, CYCLE_SCRIPT, REFERENCE_CYCLE_SCRIPT, FLOOR_SCRIPT):
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(text)
        scripts.append(Path(script.name))
    reads_script, cycle_script, reference_cycle_script, floor_script = scripts
    try:
        # Both sides serve as many requests at once as our pool has connections: ours as configured.
        pool_size = args.db_pool_size or Settings.model_fields["db_pool_size"].default
        env = production_env(database_url, DB_POOL_SIZE=str(pool_size))
        migrate(env)
        port, reference_port = free_port(), free_port()
        base, reference_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{reference_port}"
        ours = start_server(env, port, logs[0])
        wait_ready(base, ours, logs[0])
        with httpx.Client(base_url=f"{base}/api/v1", timeout=30) as api:
            family = seed(api)
            tokens = {"parent": family.parent, "child": family.child}
            bodies = {}
            etags: dict[str, str] = {}
            for _, path, who, name in ENDPOINTS:
                answer = api.get(path.removeprefix("/api/v1"), headers={"Authorization": tokens[who]})
                answer.raise_for_status()
                bodies[name] = answer.content
                etags[name] = answer.headers.get("etag", "")
        store_bodies(database_url, bodies)
        reference = start_reference(database_url, reference_port, logs[1], pool_size)

        def measure_ours(
            url: str, authorization: str, script: Path, seconds: float, headers: tuple[str, ...] = ()
        ) -> Run:
            # Drained before and after: the last run's backlog answered first, and the server's CPU
            # per request counted over exactly this run's answers.
            return measure(base, url, authorization, args.connections, seconds, script, headers)

        def measure_reference(url: str, script: Path, seconds: float) -> Run:
            return wrk(url, "", args.connections, seconds, script)

        def compare(
            name: str, size: int, measure: tuple[Callable[[float], Run], Callable[[float], Run]], expected: int = 200
        ) -> str:
            ours_run, reference_run = measure
            ours_runs: list[Run] = []
            reference_runs: list[Run] = []
            ours_run(2)  # warm-up
            reference_run(2)
            for repeat in range(args.repeat):
                # Turn about: a machine whose load drifts during the run favours neither side.
                if repeat % 2 == 0:
                    ours_runs.append(ours_run(args.seconds))
                    reference_runs.append(reference_run(args.seconds))
                else:
                    reference_runs.append(reference_run(args.seconds))
                    ours_runs.append(ours_run(args.seconds))
            return row(name, size, ours_runs, reference_runs, expected)

        rows = []
        for name, path, who, stored in [] if args.only_cycle else ENDPOINTS:
            rows.append(
                compare(
                    name,
                    len(bodies[stored]),
                    (
                        lambda seconds, path=path, who=who: measure_ours(
                            base + path, tokens[who], reads_script, seconds
                        ),
                        lambda seconds, stored=stored: measure_reference(
                            f"{reference_base}/ref/{stored}", reads_script, seconds
                        ),
                    ),
                )
            )
            print(rows[-1], flush=True)
        if not (args.no_conditional or args.only_cycle):
            # The same reads by a client that kept the last answer: If-None-Match with its ETag, answered
            # 304 with no body. Against the reference's full answer: what a revalidating client costs us.
            for name, path, who, stored in ENDPOINTS:
                rows.append(
                    compare(
                        f"{name.split(' (')[0]} revalidated, 304 ({who})",
                        0,
                        (
                            lambda seconds, path=path, who=who, stored=stored: measure_ours(
                                base + path, tokens[who], reads_script, seconds, (f"If-None-Match: {etags[stored]}",)
                            ),
                            lambda seconds, stored=stored: measure_reference(
                                f"{reference_base}/ref/{stored}", reads_script, seconds
                            ),
                        ),
                        expected=304,
                    )
                )
                print(rows[-1], flush=True)
        if not args.no_cycle:
            with httpx.Client(timeout=30) as api:
                for _ in range(2):  # the first marks the seed's notifications; the rest answer {"marked":0}
                    floor = api.post(base + FLOOR_PATH, headers={"Authorization": family.child})
                    floor.raise_for_status()
            store_bodies(database_url, {"floor": floor.content})
            rows.append(
                compare(
                    f"floor of a change: POST {FLOOR_PATH.removeprefix('/api/v1')} (child)",
                    len(floor.content),
                    (
                        lambda seconds: measure_ours(base + FLOOR_PATH, family.child, floor_script, seconds),
                        lambda seconds: measure_reference(reference_base + "/ref/floor", floor_script, seconds),
                    ),
                )
            )
            print(rows[-1], flush=True)
            with httpx.Client(base_url=f"{base}/api/v1", timeout=30) as api:
                # Half as many again as the connections: every thread always has a chore free.
                chores, completed, approved = cycle_chores(api, family, args.connections * 3 // 2)
            store_bodies(database_url, {"complete": completed, "approve": approved})

            def cycle_ours(seconds: float) -> Run:
                settle_cycle(base, family, chores)
                return measure_ours(base + "/", family.child, cycle_script, seconds)

            os.environ.update(
                CYCLE_CHORES=",".join(map(str, chores)),
                CYCLE_THREADS="2",  # pool_load.wrk's -t 2: each thread cycles its own half of the chores
                CYCLE_PARENT=family.parent,
                CYCLE_CHILD=family.child,
            )
            rows.append(
                compare(
                    "complete + approve cycle (per request)",
                    (len(completed) + len(approved)) // 2,
                    (
                        cycle_ours,
                        lambda seconds: measure_reference(reference_base + "/", reference_cycle_script, seconds),
                    ),
                )
            )
            print(rows[-1], flush=True)
        print(
            f"\nPostgreSQL, chores-tracker serve (1 worker, ENVIRONMENT=production) vs bench/reference_app.py, "
            f"wrk {args.connections} connections x {args.seconds:g} s, median of {args.repeat}"
        )
        print(
            "| endpoint | answer | our req/s | p50 ms | p99 ms | our non-2xx (answers) "
            "| reference req/s | reference p99 ms | ours/reference | our server CPU ms/request |"
        )
        print("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|")
        print("\n".join(rows))
    finally:
        for server in (ours, reference):
            if server is not None:
                stop_server(server)
        drop_database(database_url)
        for script in scripts:
            script.unlink()
        print(f"(server logs: {logs[0]}, {logs[1]})")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
