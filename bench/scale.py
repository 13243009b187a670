#!/usr/bin/env python3
"""The main reads for one family alone and for one family among 10,000, side by side in one run.

    nice python bench/scale.py                           # from the repository root, in the project's venv; needs wrk
    nice python bench/scale.py --mysql ''                # PostgreSQL only
    nice python bench/scale.py --postgres '' --families 1000 --keep

For each database server (PostgreSQL and MariaDB/MySQL; an empty URL leaves one out): creates two
fresh databases and migrates both with `chores-tracker db upgrade`; seeds one family in the first and
`--families` families in the second, in bulk, with SQL that generates the rows in the database
(PostgreSQL's generate_series, MariaDB's sequence engine: INSERT ... SELECT, never through the API),
the measured family the same in both (the same ids, names and history, so the same answers); starts
`chores-tracker serve` on each as production runs it (ENVIRONMENT=production, one worker each), logs
in the family's parent and first child, and drives wrk (`--connections`, `--seconds`) at each main read
of each server in turn, alone then at scale then at scale then alone (`--repeat` runs each), so a
machine whose load drifts favours neither side. Prints one table: read, DB, p50/p99 alone, p50/p99 at
scale, the ratios (the target: within 2x) and the server's CPU per request on each side. Drops the
databases at the end (`--keep` keeps them). `--explain FILE` writes EXPLAIN ANALYZE of the statements
the three reads send, on the PostgreSQL database at scale. Loopback only. See bench/README.md.

Each family: 2 parents and 5 children; 50 chores (10 in the pool, 30 a child's own, 10 that every child
does: 90 assignments, 20 done and waiting for review); a year of history: 2 approved completions per
child per week (520 completions, each with its ledger earning and activity row), a payout per child
every 4 weeks and an adjustment every 13 (85 ledger rows and their activity rows); one log-in per member.
"""

# ruff: noqa: S608 (the statements are made of this file's constants and integers; values are bound)

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
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
from pool_load import WRK_SCRIPT, Run, measure

sys.path.insert(0, str(REPO / "backend"))

PASSWORD = "bench-password-1234"
DESCRIPTION = "Wipe the counters, load the dishwasher and sweep under the table before dinner."
MEMBERS = 7  # users per family: 1 mum, 2 dad, 3..7 the children
CHORES = 50
SLOTS = 90  # assignments per family: 10 pool, 30 single, 10 x 5 multi
COMPLETIONS = 620  # id stride per family: 520 approved history, then the waiting ones at 520 + assignment
LEDGER = 620  # id stride per family: 520 earnings (the completions' ids), payouts 530.., adjustments 600..
WEEKS = 52
CHUNK = 500  # families per INSERT ... SELECT round (one transaction each)

READS = (
    ("GET /chores/available (child)", "/api/v1/chores/available", "child"),
    ("GET /chores/pending-approval (parent)", "/api/v1/chores/pending-approval", "parent"),
    ("GET /reports/allowance-summary (parent)", "/api/v1/reports/allowance-summary", "parent"),
)
BIG_TABLES = (
    "families",
    "users",
    "auth_sessions",
    "chores",
    "chore_assignments",
    "chore_completions",
    "ledger_entries",
    "activities",
)


# ----------------------------------------------------------------------------- the seed, in SQL


class Sql:
    """What differs between PostgreSQL and MariaDB in the seed's statements."""

    def __init__(self, backend: str) -> None:
        self.postgres = backend == "postgresql"

    def series(self, lo: int, hi: int, alias: str) -> str:
        """The integers lo..hi as `alias.n`."""
        if self.postgres:
            return f"generate_series({lo}, {hi}) AS {alias}(n)"
        return f"(SELECT seq AS n FROM seq_{lo}_to_{hi}) AS {alias}"

    def ago(self, seconds: str) -> str:
        """:now minus an integer number of seconds (negative: the future)."""
        if self.postgres:
            return f"(CAST(:now AS timestamp) - ({seconds}) * INTERVAL '1 second')"
        return f"TIMESTAMPADD(SECOND, -({seconds}), :now)"

    def div(self, a: str, b: str) -> str:
        return f"(({a}) / ({b}))" if self.postgres else f"(({a}) DIV ({b}))"


DAY = 86400


def seed_statements(q: Sql, lo: int, hi: int) -> list[str]:
    """The INSERT ... SELECTs that make families lo..hi (their numbers are their ids)."""
    fam = q.series(lo, hi, "f")
    uid = "(f.n - 1) * 7"  # + member number
    long_ago = q.ago(str(400 * DAY))
    single_t = q.div("k.n - 10", "5")  # a child's single chores: 0..2 available, 3..4 waiting, 5 cooling down
    history = "w.n * 604800 + h.n * 259200 + 5 * 86400 + i.n * 3600"  # seconds ago a history completion was done
    return [
        f"""INSERT INTO families (id, name, invite_code, owner_id, created_at, updated_at)
        SELECT f.n, concat('Family ', f.n), concat('SC', f.n), {uid} + 1, {long_ago}, {long_ago} FROM {fam}""",
        f"""INSERT INTO users (id, username, hashed_password, is_parent, is_active, parent_id, family_id,
            family_joined_at, token_version, created_at, updated_at)
        SELECT {uid} + u.n,
            CASE u.n WHEN 1 THEN concat('f', f.n, '-mum') WHEN 2 THEN concat('f', f.n, '-dad')
                ELSE concat('f', f.n, '-kid', u.n - 2) END,
            :hashed, u.n <= 2, TRUE, CASE WHEN u.n > 2 THEN {uid} + 1 END, f.n, {long_ago}, 0, {long_ago}, {long_ago}
        FROM {fam} CROSS JOIN {q.series(1, MEMBERS, "u")}""",
        f"""INSERT INTO auth_sessions (id, user_id, created_at, expires_at)
        SELECT md5(concat('bench-session-', {uid} + u.n)), {uid} + u.n, {q.ago(str(2 * DAY))}, {q.ago(str(-28 * DAY))}
        FROM {fam} CROSS JOIN {q.series(1, MEMBERS, "u")}""",
        f"""INSERT INTO chores (id, family_id, creator_id, title, description, reward_cents, is_range_reward,
            is_recurring, cooldown_days, assignment_mode, is_disabled, auto_approve, created_at, updated_at)
        SELECT (f.n - 1) * {CHORES} + k.n + 1, f.n, {uid} + 1, concat('Chore ', k.n + 1), :description,
            CASE WHEN k.n < 10 THEN 100 + 10 * k.n WHEN k.n < 40 THEN 150 ELSE 200 END, FALSE, TRUE,
            CASE WHEN k.n < 10 THEN 0 WHEN k.n < 40 THEN 3 ELSE 7 END,
            CASE WHEN k.n < 10 THEN 'unassigned' WHEN k.n < 40 THEN 'single' ELSE 'multi_independent' END,
            FALSE, FALSE, {long_ago}, {long_ago}
        FROM {fam} CROSS JOIN {q.series(0, CHORES - 1, "k")}""",
        # The pool's slots: no assignee, available.
        f"""INSERT INTO chore_assignments (id, chore_id, assignee_id, state)
        SELECT (f.n - 1) * {SLOTS} + k.n + 1, (f.n - 1) * {CHORES} + k.n + 1, NULL, 'available'
        FROM {fam} CROSS JOIN {q.series(0, 9, "k")}""",
        # Each child's six own chores (k mod 5 is the child).
        f"""INSERT INTO chore_assignments (id, chore_id, assignee_id, state, completed_at, approved_at,
            approval_reward_cents, available_at)
        SELECT (f.n - 1) * {SLOTS} + k.n + 1, (f.n - 1) * {CHORES} + k.n + 1, {uid} + 3 + mod(k.n, 5),
            CASE WHEN {single_t} IN (3, 4) THEN 'completed' WHEN {single_t} IN (2, 5) THEN 'approved'
                ELSE 'available' END,
            CASE WHEN {single_t} IN (3, 4) THEN {q.ago("k.n * 3600")}
                WHEN {single_t} = 2 THEN {q.ago(str(4 * DAY + 3600))}
                WHEN {single_t} = 5 THEN {q.ago(str(DAY + 3600))} END,
            CASE WHEN {single_t} = 2 THEN {q.ago(str(4 * DAY))} WHEN {single_t} = 5 THEN {q.ago(str(DAY))} END,
            CASE WHEN {single_t} IN (2, 5) THEN 150 END,
            CASE WHEN {single_t} = 2 THEN {q.ago(str(DAY))} WHEN {single_t} = 5 THEN {q.ago(str(-2 * DAY))} END
        FROM {fam} CROSS JOIN {q.series(10, 39, "k")}""",
        # The chores every child does: one slot each, one of the five done and waiting.
        f"""INSERT INTO chore_assignments (id, chore_id, assignee_id, state, completed_at)
        SELECT (f.n - 1) * {SLOTS} + 40 + (k.n - 40) * 5 + c.n, (f.n - 1) * {CHORES} + k.n + 1, {uid} + 2 + c.n,
            CASE WHEN c.n = mod(k.n, 5) + 1 THEN 'completed' ELSE 'available' END,
            CASE WHEN c.n = mod(k.n, 5) + 1 THEN {q.ago("k.n * 600")} END
        FROM {fam} CROSS JOIN {q.series(40, 49, "k")} CROSS JOIN {q.series(1, 5, "c")}""",
        # The year of history: 2 approved completions per child per week, of the child's own chores.
        f"""INSERT INTO chore_completions (id, chore_id, assignment_id, child_id, family_id, status, completed_at,
            reviewed_at, reviewer_id, reward_cents)
        SELECT (f.n - 1) * {COMPLETIONS} + 1 + i.n * 104 + w.n * 2 + h.n,
            (f.n - 1) * {CHORES} + 11 + i.n + 5 * mod(w.n * 2 + h.n, 6),
            (f.n - 1) * {SLOTS} + 11 + i.n + 5 * mod(w.n * 2 + h.n, 6),
            {uid} + 3 + i.n, f.n, 'approved', {q.ago(history)}, {q.ago(f"{history} - 7200")}, {uid} + 1, 150
        FROM {fam} CROSS JOIN {q.series(0, 4, "i")} CROSS JOIN {q.series(0, WEEKS - 1, "w")}
            CROSS JOIN {q.series(0, 1, "h")}""",
        # The ones waiting for review, one per completed assignment.
        f"""INSERT INTO chore_completions (id, chore_id, assignment_id, child_id, family_id, status, completed_at)
        SELECT (c.family_id - 1) * {COMPLETIONS} + 520 + a.id - (c.family_id - 1) * {SLOTS}, c.id, a.id,
            a.assignee_id, c.family_id, 'pending', a.completed_at
        FROM chore_assignments a JOIN chores c ON c.id = a.chore_id
        WHERE a.state = 'completed' AND c.family_id BETWEEN {lo} AND {hi}""",
        f"""INSERT INTO ledger_entries (id, family_id, child_id, kind, amount_cents, author_id, created_at, chore_id,
            chore_title, completion_id)
        SELECT cc.id, cc.family_id, cc.child_id, 'chore_earning', cc.reward_cents, cc.reviewer_id, cc.reviewed_at,
            cc.chore_id, c.title, cc.id
        FROM chore_completions cc JOIN chores c ON c.id = cc.chore_id
        WHERE cc.status = 'approved' AND cc.family_id BETWEEN {lo} AND {hi}""",
        f"""INSERT INTO ledger_entries (id, family_id, child_id, kind, amount_cents, author_id, created_at, note)
        SELECT (f.n - 1) * {LEDGER} + 530 + i.n * 13 + m.n, f.n, {uid} + 3 + i.n, 'payout', 1000, {uid} + 1,
            {q.ago("m.n * 28 * 86400 + 3 * 86400 + 5 * 3600 + i.n * 60")}, 'pocket money'
        FROM {fam} CROSS JOIN {q.series(0, 4, "i")} CROSS JOIN {q.series(0, 12, "m")}""",
        f"""INSERT INTO ledger_entries (id, family_id, child_id, kind, amount_cents, author_id, created_at, note)
        SELECT (f.n - 1) * {LEDGER} + 600 + i.n * 4 + m.n, f.n, {uid} + 3 + i.n, 'adjustment',
            CASE WHEN mod(m.n, 2) = 0 THEN 200 ELSE -100 END, {uid} + 2,
            {q.ago("m.n * 91 * 86400 + 10 * 86400 + i.n * 60")}, 'bonus'
        FROM {fam} CROSS JOIN {q.series(0, 4, "i")} CROSS JOIN {q.series(0, 3, "m")}""",
        # The feed: every ledger row's, and every waiting completion's.
        f"""INSERT INTO activities (family_id, user_id, target_user_id, activity_type, description, created_at,
            chore_id, chore_title, amount_cents, note, ledger_entry_id)
        SELECT e.family_id, e.author_id, e.child_id,
            CASE e.kind WHEN 'chore_earning' THEN 'chore_approved' WHEN 'payout' THEN 'payout_recorded'
                ELSE 'adjustment_applied' END,
            'history', e.created_at, e.chore_id, e.chore_title, e.amount_cents, e.note, e.id
        FROM ledger_entries e WHERE e.family_id BETWEEN {lo} AND {hi}""",
        f"""INSERT INTO activities (family_id, user_id, target_user_id, activity_type, description, created_at,
            chore_id, chore_title)
        SELECT cc.family_id, cc.child_id, cc.child_id, 'chore_completed', 'history', cc.completed_at, cc.chore_id,
            c.title
        FROM chore_completions cc JOIN chores c ON c.id = cc.chore_id
        WHERE cc.status = 'pending' AND cc.family_id BETWEEN {lo} AND {hi}""",
    ]


def seed(database_url: str, first: int, count: int, now: datetime, hashed: str) -> dict[str, int]:
    """Families first..first+count-1, in rounds of CHUNK; the tables' row counts at the end."""
    engine = sa.create_engine(database_url)
    q = Sql(engine.dialect.name)
    params = {"now": now.replace(tzinfo=None), "hashed": hashed, "description": DESCRIPTION}
    with engine.connect() as db:
        totals = sa.inspect(db).has_table("child_totals")
    last = first + count - 1
    for lo in range(first, last + 1, CHUNK):
        hi = min(lo + CHUNK - 1, last)
        with engine.begin() as db:
            # Bulk loading: the rows are consistent by construction; the foreign keys are not checked row by row.
            if q.postgres:
                db.execute(sa.text("SET LOCAL session_replication_role = replica"))
            else:
                db.execute(sa.text("SET SESSION foreign_key_checks = 0, unique_checks = 0"))
            for statement in seed_statements(q, lo, hi):
                db.execute(sa.text(statement), params)
            if not q.postgres:
                db.execute(sa.text("SET SESSION foreign_key_checks = 1, unique_checks = 1"))
        print(f"  families {lo}..{hi} seeded", flush=True)
    with engine.begin() as db:
        if totals:  # the running totals (revision 0031), as that revision fills them from the ledger
            db.execute(
                sa.text(
                    "INSERT INTO child_totals (child_id, earned_cents, earned_count, adjustments_cents, "
                    "paid_out_cents) SELECT child_id, "
                    "COALESCE(SUM(CASE WHEN kind = 'chore_earning' THEN amount_cents ELSE 0 END), 0), "
                    "COALESCE(SUM(CASE WHEN kind = 'chore_earning' THEN 1 ELSE 0 END), 0), "
                    "COALESCE(SUM(CASE WHEN kind = 'adjustment' THEN amount_cents ELSE 0 END), 0), "
                    "COALESCE(SUM(CASE WHEN kind = 'payout' THEN amount_cents ELSE 0 END), 0) "
                    "FROM ledger_entries GROUP BY child_id"
                )
            )
        if q.postgres:
            for table in BIG_TABLES:
                if table != "auth_sessions":
                    db.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                        )
                    )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
        db.execute(sa.text("ANALYZE" if q.postgres else f"ANALYZE TABLE {', '.join(BIG_TABLES)}"))
        counts = {
            table: int(db.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in (*BIG_TABLES, *(("child_totals",) if totals else ()))
        }
    engine.dispose()
    return counts


# ----------------------------------------------------------------------------- the measurement


@dataclass
class Side:
    name: str
    database_url: str
    base: str = ""
    server: object = None
    tokens: dict[str, str] | None = None


def login(base: str, username: str) -> str:
    answer = httpx.post(f"{base}/api/v1/users/login", data={"username": username, "password": PASSWORD}, timeout=30)
    answer.raise_for_status()
    return f"Bearer {answer.json()['access_token']}"


def explain(database_url: str, family: int, out: Path, secret: str) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT the three reads send, in-process, at scale (PostgreSQL)."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from chores_tracker.app import create_app
    from chores_tracker.settings import Settings

    settings = Settings(_env_file=None, environment="production", secret_key=secret, database_url=database_url)
    app = create_app(settings)
    logging.getLogger("chores_tracker.access").setLevel(logging.WARNING)  # the in-process requests' lines
    lines: list[str] = []
    with TestClient(app) as client:
        tokens = {}
        for who, name in (("parent", "mum"), ("child", "kid1")):
            answer = client.post("/api/v1/users/login", data={"username": f"f{family}-{name}", "password": PASSWORD})
            answer.raise_for_status()
            tokens[who] = f"Bearer {answer.json()['access_token']}"
        for label, path, who in READS:
            seen: list[tuple[str, object]] = []

            def record(_conn, _cursor, statement, parameters, _context, _many, seen=seen) -> None:
                if statement.lstrip().upper().startswith("SELECT"):
                    seen.append((statement, parameters))

            app.state.token_cache.forget(tokens[who].removeprefix("Bearer "))
            event.listen(app.state.engine, "before_cursor_execute", record)
            try:
                client.get(path, headers={"Authorization": tokens[who]}).raise_for_status()
            finally:
                event.remove(app.state.engine, "before_cursor_execute", record)
            lines.append(f"## {label}\n")
            for statement, parameters in seen:
                raw = app.state.engine.raw_connection()
                try:
                    cursor = raw.cursor()
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                    raw.rollback()
                finally:
                    raw.close()
                lines.append(f"```sql\n{' '.join(statement.split())}\n```\n```\n{plan}\n```\n")
    app.state.engine.dispose()
    out.write_text("\n".join(lines))
    print(f"  plans written to {out}", flush=True)


def run_server(args: argparse.Namespace, backend: str, server_url: str, now: datetime, hashed: str) -> list[str]:
    label = "PostgreSQL" if backend == "postgresql" else "MariaDB"
    family = args.family or args.families // 2 + 1
    sides = [Side("alone", create_database(server_url)), Side("scale", create_database(server_url))]
    logs = [Path(tempfile.mkstemp(prefix=f"ct-scale-{side.name}-", suffix=".log")[1]) for side in sides]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    rows = []
    try:
        for side, log in zip(sides, logs, strict=True):
            env = production_env(side.database_url)
            migrate(env)
            started = time.monotonic()
            first, count = (family, 1) if side.name == "alone" else (1, args.families)
            print(f"{label} {side.name}: seeding {count} families", flush=True)
            counts = seed(side.database_url, first, count, now, hashed)
            print(
                f"{label} {side.name}: {count} families seeded in {time.monotonic() - started:.1f} s: "
                + ", ".join(f"{table} {n:,}" for table, n in counts.items()),
                flush=True,
            )
            port = free_port()
            side.base = f"http://127.0.0.1:{port}"
            side.server = start_server(env, port, log)
            wait_ready(side.base, side.server, log)
            side.tokens = {"parent": login(side.base, f"f{family}-mum"), "child": login(side.base, f"f{family}-kid1")}
        sizes = {}
        for name, path, who in READS:
            bodies = []
            for side in sides:
                answer = httpx.get(side.base + path, headers={"Authorization": side.tokens[who]}, timeout=30)
                answer.raise_for_status()
                bodies.append(answer.content)
            if bodies[0] != bodies[1]:
                print(f"  note: {name} differs between the two ({len(bodies[0])} and {len(bodies[1])} bytes)")
            sizes[name] = len(bodies[0])
        if args.explain and backend == "postgresql":
            explain(sides[1].database_url, family, Path(args.explain), production_env("")["SECRET_KEY"])
        for name, path, who in READS:
            runs: dict[str, list[Run]] = {"alone": [], "scale": []}
            for side in sides:  # warm-up
                measure(side.base, side.base + path, side.tokens[who], args.connections, 2, Path(script.name))
            for repeat in range(args.repeat):
                for side in sides if repeat % 2 == 0 else reversed(sides):
                    runs[side.name].append(
                        measure(
                            side.base,
                            side.base + path,
                            side.tokens[who],
                            args.connections,
                            args.seconds,
                            Path(script.name),
                        )
                    )
            rows.append(row(name, label, sizes[name], runs["alone"], runs["scale"]))
            print(rows[-1], flush=True)
    finally:
        for side in sides:
            if side.server is not None:
                stop_server(side.server)
            if args.keep:
                print(f"kept: {side.database_url}")
            else:
                drop_database(side.database_url)
        Path(script.name).unlink()
        print(f"(server logs: {', '.join(map(str, logs))})")
    return rows


def median(runs: list[Run], of: str) -> float:
    return statistics.median(float(getattr(run, of)) for run in runs)


def row(name: str, label: str, size: int, alone: list[Run], scale: list[Run]) -> str:
    errors = sum(run.not_2xx for run in alone + scale)
    p50a, p99a, p50s, p99s = (median(runs, of) for runs in (alone, scale) for of in ("p50_ms", "p99_ms"))
    return (
        f"| `{name}` | {label} | {size / 1000:.1f} KB | {p50a:.1f} / {p99a:.1f} | {p50s:.1f} / {p99s:.1f} "
        f"| {p50s / p50a:.2f} / {p99s / p99a:.2f} | {median(alone, 'rate'):.0f} / {median(scale, 'rate'):.0f} "
        f"| {median(alone, 'cpu_ms'):.1f} / {median(scale, 'cpu_ms'):.1f} | {errors} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server URL ('' leaves PostgreSQL out)",
    )
    parser.add_argument(
        "--mysql",
        default=os.environ.get("BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
        help="a MariaDB/MySQL server URL ('' leaves it out); MariaDB's sequence engine makes the rows",
    )
    parser.add_argument("--families", type=int, default=10_000, help="families in the database at scale")
    parser.add_argument("--family", type=int, default=0, help="the measured family's number (default: the middle)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--seconds", type=float, default=10, help="duration of each run (default 10)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per side and read; medians shown (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--explain", metavar="FILE", help="write the reads' plans at scale (PostgreSQL) to FILE")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per /metrics scrape

    from chores_tracker.identity.security import hash_password
    from chores_tracker.settings import Settings

    hashed = hash_password(PASSWORD, Settings(_env_file=None))
    now = datetime.now(UTC).replace(microsecond=0)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    rows = []
    for backend, url in (("postgresql", args.postgres), ("mysql", args.mysql)):
        if url:
            rows += run_server(args, backend, url, now, hashed)
    print(
        f"\n{args.families:,} families at scale, the measured family alone in the other database; chores-tracker "
        f"serve (1 worker each, ENVIRONMENT=production); wrk {args.connections} connections x {args.seconds:g} s, "
        f"median of {args.repeat} per side"
    )
    print(
        "| read | DB | answer | p50 / p99 ms alone | p50 / p99 ms at scale | ratio p50 / p99 | req/s alone / at scale "
        "| server CPU ms/request alone / at scale | non-2xx |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
