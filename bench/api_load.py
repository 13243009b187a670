#!/usr/bin/env python3
"""Load benchmark of the JSON API against the server as production runs it.

    python bench/api_load.py                      # from the repository root, in the project's venv

Creates a fresh PostgreSQL database, migrates it with `chores-tracker db upgrade`, seeds one
family (2 parents, 5 children, 200 chores, 10,000 approved completions with their ledger and
activity rows), starts `chores-tracker serve` (uvicorn workers, ENVIRONMENT=production, a random
SECRET_KEY), then drives each scenario with N concurrent clients for D seconds and prints
requests per second and p50/p99 latency. Drops the database at the end. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa
from harness import REPO, create_database, drop_database, free_port, start_server, stop_server, wait_ready
from sqlalchemy.engine import make_url

sys.path.insert(0, str(REPO / "backend"))

PASSWORD = "bench-password-1234"
CHILDREN = 5
CHORES = 200
HISTORY = 10_000
CYCLE_CHORES = 64  # recurring, no cooldown: the complete-then-approve scenario's own chores
PENDING_CHORES = 40  # done and waiting: what the approval queue shows


# ----------------------------------------------------------------------------- the database


def run_cli(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "chores_tracker", *args], env=env, check=True, cwd=REPO)


def seed(database_url: str, secret_key: str) -> dict:
    """One family, written in bulk (the history of months, not made through the API)."""
    from chores_tracker.db.models import Activity, Assignment, Chore, Completion, Family, LedgerEntry, User
    from chores_tracker.identity.security import hash_password
    from chores_tracker.settings import Settings

    settings = Settings(_env_file=None, environment="production", secret_key=secret_key, database_url=database_url)
    hashed = hash_password(PASSWORD, settings)
    engine = sa.create_engine(make_url(database_url))
    rng = random.Random(7)  # noqa: S311 (seeded for the same data set every run, not for secrets)
    now = datetime.now(UTC).replace(microsecond=0)
    with engine.begin() as db:
        family_id = db.execute(
            sa.insert(Family.__table__)
            .values(name="The Benchmarks", invite_code="BENCH234", created_at=now, updated_at=now)
            .returning(Family.__table__.c.id)
        ).scalar_one()

        def user(name: str, is_parent: bool, parent_id: int | None) -> int:
            return db.execute(
                sa.insert(User.__table__)
                .values(
                    username=name,
                    hashed_password=hashed,
                    is_parent=is_parent,
                    is_active=True,
                    parent_id=parent_id,
                    family_id=family_id,
                    family_joined_at=now,
                    token_version=0,
                    created_at=now,
                    updated_at=now,
                )
                .returning(User.__table__.c.id)
            ).scalar_one()

        mum = user("bench-mum", True, None)
        dad = user("bench-dad", True, None)
        kids = [user(f"bench-kid{n}", False, mum) for n in range(1, CHILDREN + 1)]

        chores: list[dict] = []
        slots: list[dict] = []

        def add_chore(
            title: str,
            mode: str,
            assignees: list[int | None],
            *,
            recurring: bool,
            cooldown: int | None,
            reward: int | None = None,
            low: int | None = None,
            high: int | None = None,
        ) -> int:
            chore_id = len(chores) + 1
            chores.append(
                dict(
                    id=chore_id,
                    family_id=family_id,
                    creator_id=mum,
                    title=title,
                    description=None,
                    reward_cents=reward,
                    is_range_reward=reward is None,
                    min_reward_cents=low,
                    max_reward_cents=high,
                    is_recurring=recurring,
                    cooldown_days=cooldown,
                    assignment_mode=mode,
                    is_disabled=False,
                    deleted_at=None,
                    created_at=now - timedelta(days=200),
                    updated_at=now,
                )
            )
            for who in assignees:
                slots.append(
                    dict(
                        id=len(slots) + 1,
                        chore_id=chore_id,
                        assignee_id=who,
                        state="available",
                        completed_at=None,
                        approved_at=None,
                        approval_reward_cents=None,
                        rejection_reason=None,
                        available_at=None,
                    )
                )
            return chore_id

        cycle = [
            add_chore(f"Quick job {n}", "single", [kids[n % CHILDREN]], recurring=True, cooldown=0, reward=50)
            for n in range(CYCLE_CHORES)
        ]
        pending = [
            add_chore(f"Waiting job {n}", "single", [kids[n % CHILDREN]], recurring=False, cooldown=None, reward=200)
            for n in range(PENDING_CHORES)
        ]
        shared = [
            add_chore(f"Weekly job {n}", "multi_independent", list(kids), recurring=True, cooldown=7, low=100, high=500)
            for n in range(60)
        ]
        for n in range(20):
            add_chore(f"Anyone job {n}", "unassigned", [None], recurring=True, cooldown=1, reward=150)
        for n in range(CHORES - len(chores)):
            add_chore(f"Someday job {n}", "single", [kids[n % CHILDREN]], recurring=False, cooldown=None, reward=300)
        assert len(chores) == CHORES
        db.execute(sa.insert(Chore.__table__), chores)
        db.execute(sa.text("SELECT setval(pg_get_serial_sequence('chores', 'id'), :n)"), {"n": len(chores)})

        # Waiting for approval; and every weekly job recently approved for some children (cooling down).
        by_chore = {}
        for slot in slots:
            by_chore.setdefault(slot["chore_id"], []).append(slot)
        completions: list[dict] = []
        for chore_id in pending:
            slot = by_chore[chore_id][0]
            slot.update(state="completed", completed_at=now - timedelta(hours=3))
            completions.append(
                dict(
                    id=len(completions) + 1,
                    chore_id=chore_id,
                    assignment_id=slot["id"],
                    child_id=slot["assignee_id"],
                    family_id=family_id,
                    status="pending",
                    completed_at=slot["completed_at"],
                    reviewed_at=None,
                    reviewer_id=None,
                    reward_cents=None,
                    rejection_reason=None,
                )
            )
        for chore_id in shared:
            for slot in by_chore[chore_id][:2]:
                approved = now - timedelta(days=2)
                slot.update(
                    state="approved",
                    completed_at=approved - timedelta(hours=1),
                    approved_at=approved,
                    approval_reward_cents=300,
                    available_at=approved + timedelta(days=7),
                )
        db.execute(sa.insert(Assignment.__table__), slots)
        db.execute(sa.text("SELECT setval(pg_get_serial_sequence('chore_assignments', 'id'), :n)"), {"n": len(slots)})

        # The history: approved completions over half a year, each with its earning and two feed rows.
        history_slots = [s for s in slots if s["assignee_id"] is not None]
        ledger: list[dict] = []
        feed: list[dict] = []
        first_completion_id = len(completions) + 1
        for n in range(HISTORY):
            slot = rng.choice(history_slots)
            chore = chores[slot["chore_id"] - 1]
            done = now - timedelta(days=rng.uniform(1, 180))
            reward = chore["reward_cents"] if chore["reward_cents"] is not None else rng.randrange(100, 501)
            completion_id = first_completion_id + n
            completions.append(
                dict(
                    id=completion_id,
                    chore_id=chore["id"],
                    assignment_id=slot["id"],
                    child_id=slot["assignee_id"],
                    family_id=family_id,
                    status="approved",
                    completed_at=done,
                    reviewed_at=done + timedelta(hours=2),
                    reviewer_id=mum,
                    reward_cents=reward,
                    rejection_reason=None,
                )
            )
            ledger.append(
                dict(
                    family_id=family_id,
                    child_id=slot["assignee_id"],
                    kind="chore_earning",
                    amount_cents=reward,
                    author_id=mum,
                    created_at=done + timedelta(hours=2),
                    chore_id=chore["id"],
                    chore_title=chore["title"],
                    completion_id=completion_id,
                    note=None,
                )
            )
            feed.append(
                dict(
                    family_id=family_id,
                    user_id=slot["assignee_id"],
                    target_user_id=slot["assignee_id"],
                    activity_type="chore_completed",
                    description="history",
                    created_at=done,
                    chore_id=chore["id"],
                    chore_title=chore["title"],
                    amount_cents=None,
                    note=None,
                    ledger_entry_id=None,
                )
            )
            feed.append(
                dict(
                    family_id=family_id,
                    user_id=mum,
                    target_user_id=slot["assignee_id"],
                    activity_type="chore_approved",
                    description="history",
                    created_at=done + timedelta(hours=2),
                    chore_id=chore["id"],
                    chore_title=chore["title"],
                    amount_cents=reward,
                    note=None,
                    ledger_entry_id=None,
                )
            )
        for kid in kids:
            for week in range(26):
                ledger.append(
                    dict(
                        family_id=family_id,
                        child_id=kid,
                        kind="adjustment",
                        amount_cents=rng.choice([-100, 100, 250]),
                        author_id=dad,
                        created_at=now - timedelta(weeks=week, hours=5),
                        chore_id=None,
                        chore_title=None,
                        completion_id=None,
                        note="weekly",
                    )
                )
                ledger.append(
                    dict(
                        family_id=family_id,
                        child_id=kid,
                        kind="payout",
                        amount_cents=500,
                        author_id=mum,
                        created_at=now - timedelta(weeks=week, hours=4),
                        chore_id=None,
                        chore_title=None,
                        completion_id=None,
                        note="pocket money",
                    )
                )
        db.execute(sa.insert(Completion.__table__), completions)
        db.execute(
            sa.text("SELECT setval(pg_get_serial_sequence('chore_completions', 'id'), :n)"), {"n": len(completions)}
        )
        db.execute(sa.insert(LedgerEntry.__table__), ledger)
        # Rows written around the app: their running totals as `db verify-totals --fix` would write them.
        db.execute(
            sa.text(
                "INSERT INTO child_totals (child_id, earned_cents, earned_count, adjustments_cents, paid_out_cents) "
                "SELECT child_id, SUM(CASE WHEN kind = 'chore_earning' THEN amount_cents ELSE 0 END), "
                "SUM(CASE WHEN kind = 'chore_earning' THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN kind = 'adjustment' THEN amount_cents ELSE 0 END), "
                "SUM(CASE WHEN kind = 'payout' THEN amount_cents ELSE 0 END) FROM ledger_entries GROUP BY child_id"
            )
        )
        db.execute(sa.insert(Activity.__table__), feed)
        db.execute(sa.text("ANALYZE"))
    engine.dispose()
    return {
        "kids": [f"bench-kid{n}" for n in range(1, CHILDREN + 1)],
        "parents": ["bench-mum", "bench-dad"],
        "cycle_chores": cycle,
        "cycle_assignees": [kids[n % CHILDREN] for n in range(CYCLE_CHORES)],
        "kid_ids": kids,
    }


# ----------------------------------------------------------------------------- the server


def token(base: str, username: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/v1/users/login", data={"username": username, "password": PASSWORD}, timeout=30)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


# ----------------------------------------------------------------------------- the load


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self) -> str:
        ordered = sorted(self.latencies)
        count = len(ordered)

        def pick(q: float) -> float:
            return ordered[min(count - 1, int(q * count))] * 1000 if count else float("nan")

        errors = ", ".join(f"{code}: {n}" for code, n in sorted(self.errors.items())) or "none"
        return (
            f"{self.name:<44} {count:>8} {count / self.seconds:>9.1f} {pick(0.50):>8.1f} {pick(0.99):>8.1f}   {errors}"
        )


async def drive(name: str, clients: int, seconds: float, step) -> Result:
    """Runs `step(client_index, http)` in a loop on each client until time is up."""
    result = Result(name)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:
        stop = time.monotonic() + seconds

        async def one(index: int) -> None:
            while time.monotonic() < stop:
                for status, elapsed in await step(index, http):
                    if 200 <= status < 300:
                        result.latencies.append(elapsed)
                    else:
                        result.errors[status] = result.errors.get(status, 0) + 1

        started = time.monotonic()
        await asyncio.gather(*(one(i) for i in range(clients)))
        result.seconds = time.monotonic() - started
    return result


async def timed(
    http: httpx.AsyncClient, method: str, url: str, headers: dict, json: dict | None = None
) -> tuple[int, float]:
    started = time.perf_counter()
    response = await http.request(method, url, headers=headers, json=json)
    return response.status_code, time.perf_counter() - started


async def run_scenarios(base: str, seeded: dict, clients: int, seconds: float) -> list[Result]:
    api = f"{base}/api/v1"
    kid_headers = {kid_id: token(base, name) for kid_id, name in zip(seeded["kid_ids"], seeded["kids"], strict=True)}
    kid_tokens = list(kid_headers.values())
    parent = token(base, seeded["parents"][0])

    async def available(i: int, http: httpx.AsyncClient):
        return [await timed(http, "GET", f"{api}/chores/available", kid_tokens[i % len(kid_tokens)])]

    async def pending(i: int, http: httpx.AsyncClient):
        return [await timed(http, "GET", f"{api}/chores/pending-approval", parent)]

    async def cycle(i: int, http: httpx.AsyncClient):
        chore_id = seeded["cycle_chores"][i]
        child = kid_headers[seeded["cycle_assignees"][i]]
        started = time.perf_counter()
        done = await http.post(f"{api}/chores/{chore_id}/complete", headers=child)
        first = (done.status_code, time.perf_counter() - started)
        if done.status_code != 200:
            return [first]
        assignment_id = done.json()["assignment"]["id"]
        return [first, await timed(http, "POST", f"{api}/assignments/{assignment_id}/approve", parent, {})]

    async def summary(i: int, http: httpx.AsyncClient):
        return [await timed(http, "GET", f"{api}/reports/allowance-summary", parent)]

    results = []
    for name, step in (
        ("GET /chores/available (child)", available),
        ("GET /chores/pending-approval (parent)", pending),
        ("complete + approve cycle (per request)", cycle),
        ("GET /reports/allowance-summary (parent)", summary),
    ):
        await drive("warm-up", clients, min(2.0, seconds), step)
        result = await drive(name, clients, seconds, step)
        print(result.line(), flush=True)
        results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server URL; a fresh database is created there and dropped afterwards",
    )
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--seconds", type=float, default=20, help="duration of each scenario (default 20)")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="uvicorn workers (default: one per core)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    args = parser.parse_args()
    if args.clients > CYCLE_CHORES:
        raise SystemExit(f"at most {CYCLE_CHORES} clients (one recurring chore each for the cycle scenario)")

    secret_key = secrets.token_urlsafe(48)
    database_url = create_database(args.postgres)
    server = None
    log = Path(tempfile.mkstemp(prefix="ct-bench-server-", suffix=".log")[1])
    try:
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO / "backend"),
            "DATABASE_URL": database_url,
            "ENVIRONMENT": "production",
            "SECRET_KEY": secret_key,
            "LOG_LEVEL": "WARNING",
            "DB_POOL_SIZE": "10",
            "DB_MAX_OVERFLOW": "10",
        }
        run_cli(env, "db", "upgrade")
        started = time.monotonic()
        seeded = seed(database_url, secret_key)
        print(
            f"seeded {CHILDREN} children, {CHORES} chores, {HISTORY} completed chores in {time.monotonic() - started:.1f}s"
        )
        port = free_port()
        server = start_server(env, port, log, workers=args.workers)
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, server, log)
        print(
            f"server: chores-tracker serve --workers {args.workers} (ENVIRONMENT=production), "
            f"{args.clients} clients, {args.seconds:.0f}s per scenario, {os.cpu_count()} cores"
        )
        print(f"{'scenario':<44} {'requests':>8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}   errors")
        asyncio.run(run_scenarios(base, seeded, args.clients, args.seconds))
    finally:
        if server is not None:
            stop_server(server)
        if args.keep:
            print(f"database kept: {database_url}")
        else:
            drop_database(database_url)


if __name__ == "__main__":
    main()
