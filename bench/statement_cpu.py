#!/usr/bin/env python3
"""Three costs of a request measured side by side in one run, as ratios: a conditional UPDATE run as
the ORM's statement (of mapped attributes) against the same UPDATE as the Core statement the app
runs; matching an approval's route with the assignments router where the app includes it against
where it was (eleventh); and matching requests for late routes (a late router's, a page's) with
the API's routers passed over outside their prefix (`http.ApiRouter`) against every route of every
router tried, as FastAPI does by itself.

    python bench/statement_cpu.py             # from the repository root, in the project's venv
    python bench/statement_cpu.py --rounds 9 --executions 2000

The UPDATE is the completion's claim (`chores.lifecycle._CLAIM`), executed in a session of the app's
own factory (so with its event listeners, as a request runs it) on a fresh PostgreSQL database,
matching no row; the ORM twin is built here as the claim was before it became Core. The two run in
alternating rounds, and the table shows each side's median CPU per execution and the ratio. The
route matches are timed the same way: on the app's route table and on a copy with the assignments
router moved back; with `ApiRouter.matches` and with `APIRouter.matches` in its place (each side
sets its own before every call, so both pay the same for the switch). Drops the database at the end.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from harness import create_database, drop_database, migrate, production_env  # noqa: E402


def _rounds(sides: dict[str, Callable[[], object]], rounds: int, count: int) -> dict[str, float]:
    """Median CPU microseconds per call of each side, the sides taking turns round after round."""
    for call in sides.values():  # warm: compiled statements, prepared statements, the pool
        for _ in range(200):
            call()
    taken: dict[str, list[float]] = {name: [] for name in sides}
    for n in range(rounds):
        order = list(sides.items()) if n % 2 == 0 else list(reversed(sides.items()))
        for name, call in order:
            started = time.process_time()
            for _ in range(count):
                call()
            taken[name].append((time.process_time() - started) / count * 1e6)
    return {name: statistics.median(values) for name, values in taken.items()}


def _print(title: str, medians: dict[str, float]) -> None:
    baseline = next(iter(medians.values()))
    print(f"\n{title}")
    print("| side | CPU µs per call (median) | against the first |")
    print("|---|---:|---:|")
    for name, value in medians.items():
        print(f"| {name} | {value:.1f} | {value / baseline:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rounds", type=int, default=7, help="rounds per side; the table shows medians (default 7)")
    parser.add_argument("--executions", type=int, default=2000, help="calls per round (default 2000)")
    args = parser.parse_args()

    database_url = create_database(args.postgres)
    try:
        migrate(production_env(database_url))
        from fastapi import APIRouter
        from sqlalchemy import bindparam, update
        from starlette.routing import Match

        from chores_tracker import clock
        from chores_tracker.app import create_app
        from chores_tracker.chores import lifecycle
        from chores_tracker.chores.models import COMPLETED, Assignment
        from chores_tracker.chores.queries import available_now
        from chores_tracker.chores.routes import assignments_router
        from chores_tracker.db.base import UTCDateTime
        from chores_tracker.http import ApiRouter
        from chores_tracker.settings import Settings

        app = create_app(Settings(database_url=database_url))
        logging.disable(logging.INFO)

        now = bindparam("now", type_=UTCDateTime())
        orm_claim = (
            update(Assignment)
            .where(
                Assignment.id == bindparam("slot_id"),
                available_now(now),
                Assignment.assignee_id == bindparam("child_id"),
            )
            .values(
                state=COMPLETED,
                assignee_id=bindparam("child_id"),
                completed_at=now,
                approved_at=None,
                approval_reward_cents=None,
                rejection_reason=None,
                available_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        params = {"slot_id": -1, "child_id": -1, "now": clock.now()}  # no such row: the statement, not the write
        session = app.state.session_factory()
        try:
            statements = _rounds(
                {
                    "the claim as the ORM's UPDATE (before)": lambda: session.execute(orm_claim, params),
                    "the claim as Core, as the app runs it": lambda: session.execute(lifecycle._CLAIM[False], params),
                },
                args.rounds,
                args.executions,
            )
        finally:
            session.rollback()
            session.close()

        routes = list(app.router.routes)
        moved = [route for route in routes if getattr(route, "original_router", None) is not assignments_router]
        included = [index for index, route in enumerate(routes) if getattr(route, "original_router", None) is not None]
        assignments = routes[next(i for i in included if routes[i].original_router is assignments_router)]
        moved.insert(included[10], assignments)  # eleventh of the API's routers, where it was
        scope = {
            "type": "http",
            "path": "/api/v1/assignments/12/approve",
            "method": "POST",
            "root_path": "",
            "headers": [],
            "query_string": b"",
            "app": app,
        }

        def matcher(table: list[object], scope: dict[str, object] = scope) -> Callable[[], object]:
            def match() -> object:
                for route in table:
                    if route.matches(scope)[0] == Match.FULL:  # type: ignore[attr-defined]
                        return route
                raise SystemExit(f"no route matched {scope['method']} {scope['path']}")

            return match

        matching = _rounds(
            {"assignments router eleventh (before)": matcher(moved), "as the app includes it": matcher(routes)},
            args.rounds,
            args.executions,
        )

        passing_over = ApiRouter.matches

        def with_matches(matches: Callable[..., object], match: Callable[[], object]) -> Callable[[], object]:
            def call() -> object:
                ApiRouter.matches = matches  # type: ignore[method-assign]
                try:
                    return match()
                finally:
                    ApiRouter.matches = passing_over  # type: ignore[method-assign]

            return call

        late: dict[str, dict[str, float]] = {}
        for method, path in (("POST", "/api/v1/notifications/read-all"), ("GET", "/chores")):
            late_match = matcher(routes, {**scope, "method": method, "path": path})
            late[f"{method} {path}"] = _rounds(
                {
                    "every route of every router tried (before)": with_matches(APIRouter.matches, late_match),
                    "routers passed over outside their prefix": with_matches(passing_over, late_match),
                },
                args.rounds,
                args.executions,
            )
    finally:
        drop_database(database_url)
    print(f"PostgreSQL, {args.rounds} alternating rounds of {args.executions} calls per side, medians")
    _print("A conditional UPDATE in a session of the app's factory", statements)
    _print("Matching POST /api/v1/assignments/{id}/approve against the app's routes", matching)
    for request, medians in late.items():
        _print(f"Matching {request} against the app's routes", medians)


if __name__ == "__main__":
    main()
