"""The main reads find their rows through indexes, not by scanning the big tables (PostgreSQL).

Each statement the three main reads (and the caller's lookup, and a 304) send is explained again
with sequential scans priced out of reach (enable_seqscan off): on a table with no usable index the
planner must still scan, and the plan says so. A small test family would otherwise be scanned
anyway, since scanning a few pages is what the planner rightly prefers; this way the plan shows
whether an index exists for each condition, whatever the table's size.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from tests.support.api import Api
from tests.support.databases import clear_all_tables
from tests.support.family import approve, chore, complete, family

# The tables that grow with the families and their history.
BIG = ("chores", "chore_assignments", "chore_completions", "ledger_entries", "activities", "users", "auth_sessions")


@pytest.fixture
def pg_app(database_factory) -> Iterator:
    from chores_tracker.app import create_app

    database = database_factory("postgresql")
    clear_all_tables(database.engine)
    application = create_app(database.settings())
    yield application
    application.state.engine.dispose()


def sent_by(app, api: Api, path: str, who, params: dict, headers: dict | None = None):
    """The answer to one GET, and the SELECTs it sent with their parameters."""
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(app.state.engine, "before_cursor_execute", record)
    try:
        answer = api.client.get(f"/api/v1{path}", params=params, headers={**who.headers, **(headers or {})})
    finally:
        event.remove(app.state.engine, "before_cursor_execute", record)
    return answer, seen


def scans(app, statement: str, parameters: object) -> list[str]:
    raw = app.state.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(f"EXPLAIN {statement}", parameters)
        plan = [row[0] for row in cursor.fetchall()]
        raw.rollback()
    finally:
        raw.close()
    return [line.strip() for line in plan if "Seq Scan" in line and any(f" on {table} " in f"{line} " for table in BIG)]


def test_the_main_reads_use_indexes_not_sequential_scans(pg_app):
    api = Api(TestClient(pg_app))
    home = family(api, kids=2)
    kid = home.kids[0]
    for n in range(3):
        made = chore(api, home.parent, title=f"Chore {n}", assignee_ids=[kid.id], is_recurring=True, cooldown_days=0)
        approve(api, home.parent, complete(api, kid, made["id"])["id"])
        complete(api, kid, made["id"])
    reads = [
        ("/chores/available", kid, {}),
        ("/chores/pending-approval", home.parent, {}),
        ("/reports/allowance-summary", home.parent, {}),
        ("/reports/allowance-summary", home.parent, {"date_from": "2026-01-01", "date_to": "2030-01-01"}),
    ]
    found: dict[str, list[str]] = {}
    for path, who, params in reads:
        pg_app.state.token_cache.forget(who.token)  # the caller's lookup read in full, then remembered
        full, sent = sent_by(pg_app, api, path, who, params)
        assert full.status_code == 200
        revalidated, sent_again = sent_by(pg_app, api, path, who, params, {"If-None-Match": full.headers["etag"]})
        assert revalidated.status_code == 304
        sent += sent_again
        for statement, parameters in sent:
            if found_scans := scans(pg_app, statement, parameters):
                found[f"{path} {params}: {statement[:120]}"] = found_scans
    assert found == {}
