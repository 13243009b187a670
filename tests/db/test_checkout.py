"""What a checkout costs: a connection back in the pool moments ago is handed out as it is; one that
sat idle is pinged first and replaced if it died; a read session on PostgreSQL opens no transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from chores_tracker.db import engine as engine_module
from chores_tracker.db.engine import make_engine, read_outside_a_transaction
from tests.support.databases import TestDatabase

BACKEND_ID = {"postgresql": "SELECT pg_backend_pid()", "mysql": "SELECT CONNECTION_ID()"}
KILL = {"postgresql": "SELECT pg_terminate_backend({})", "mysql": "KILL {}"}


@pytest.fixture(params=["postgresql", "mysql"])
def server_database(request, database_factory) -> TestDatabase:
    return database_factory(request.param)


def _pings_counted(engine: sa.Engine) -> list[int]:
    pings: list[int] = []
    ping = engine.dialect.do_ping

    def counting(dbapi_connection: object) -> bool:
        pings.append(1)
        return ping(dbapi_connection)

    engine.dialect.do_ping = counting  # type: ignore[method-assign]
    return pings


def _backend_id(engine: sa.Engine, backend: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text(BACKEND_ID[backend])).scalar_one())


def test_a_connection_returned_moments_ago_is_handed_out_without_a_ping(server_database: TestDatabase, monkeypatch):
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    engine = make_engine(server_database.url, pool_size=1, max_overflow=0)
    try:
        pings = _pings_counted(engine)
        first = _backend_id(engine, server_database.backend)
        assert [_backend_id(engine, server_database.backend) for _ in range(5)] == [first] * 5
        assert pings == []
    finally:
        engine.dispose()


def test_a_connection_that_died_while_idle_is_replaced_before_use(server_database: TestDatabase, monkeypatch):
    # Idle for "a second" at once: every checkout of a used connection is pinged.
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    engine = make_engine(server_database.url, pool_size=1, max_overflow=0)
    try:
        pings = _pings_counted(engine)
        victim = _backend_id(engine, server_database.backend)
        assert pings == []  # a new connection was just shown to work
        with server_database.engine.connect() as other:
            other.execute(sa.text(KILL[server_database.backend].format(victim)))
            other.commit()

        # The pooled connection is dead; the ping finds it out, and the statement runs on a new one.
        assert _backend_id(engine, server_database.backend) != victim
        assert pings
    finally:
        engine.dispose()


def test_a_read_session_on_postgresql_opens_no_transaction(database_factory):
    database = database_factory("postgresql")
    engine = make_engine(database.url, pool_size=1, max_overflow=0)
    try:
        with Session(engine) as session:
            read_outside_a_transaction(session)
            assert session.execute(sa.text("SELECT 1")).scalar_one() == 1
            dbapi = session.connection().connection.dbapi_connection
            # No BEGIN was sent, so closing the session has no ROLLBACK to send either.
            assert dbapi.info.transaction_status.name == "IDLE"  # type: ignore[union-attr]

        # Back in the pool, the connection is the app's usual one again: the next session's
        # statements run in a transaction.
        with Session(engine) as session:
            session.execute(sa.text("SELECT 1"))
            dbapi = session.connection().connection.dbapi_connection
            assert dbapi.info.transaction_status.name == "INTRANS"  # type: ignore[union-attr]
    finally:
        engine.dispose()
