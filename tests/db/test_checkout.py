"""What a checkout costs: a connection back in the pool moments ago is handed out as it is; one that
sat idle is pinged first and replaced if it died; a read session on PostgreSQL opens no transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator

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


def _backend_id(engine: sa.Engine, backend: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text(BACKEND_ID[backend])).scalar_one())


@pytest.fixture
def pool_of_one(server_database: TestDatabase, monkeypatch) -> Iterator[Callable[[float], tuple[sa.Engine, list[int]]]]:
    """An app engine with one connection, pinging after `idle_seconds` idle, and the pings it makes."""
    engines: list[sa.Engine] = []

    def make(idle_seconds: float) -> tuple[sa.Engine, list[int]]:
        monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", idle_seconds)
        engine = make_engine(server_database.url, pool_size=1, max_overflow=0)
        engines.append(engine)
        pings: list[int] = []
        ping = engine.dialect.do_ping

        def counting(dbapi_connection: object) -> bool:
            pings.append(1)
            return ping(dbapi_connection)

        engine.dialect.do_ping = counting  # type: ignore[method-assign]
        return engine, pings

    yield make
    for engine in engines:
        engine.dispose()


def test_a_connection_returned_moments_ago_is_handed_out_without_a_ping(server_database: TestDatabase, pool_of_one):
    engine, pings = pool_of_one(3600.0)
    first = _backend_id(engine, server_database.backend)
    assert [_backend_id(engine, server_database.backend) for _ in range(5)] == [first] * 5
    assert pings == []


def test_a_connection_that_died_while_idle_is_replaced_before_use(server_database: TestDatabase, pool_of_one):
    # Idle for "a second" at once: every checkout of a used connection is pinged.
    engine, pings = pool_of_one(0.0)
    victim = _backend_id(engine, server_database.backend)
    assert pings == []  # a new connection was just shown to work
    with server_database.engine.connect() as other:
        other.execute(sa.text(KILL[server_database.backend].format(victim)))
        other.commit()

    # The pooled connection is dead; the ping finds it out, and the statement runs on a new one.
    assert _backend_id(engine, server_database.backend) != victim
    assert pings


def test_a_connection_that_died_while_in_use_fails_once_and_the_pool_then_replaces_it(
    server_database: TestDatabase, pool_of_one
):
    # Returned moments ago, it is handed out without a ping: the statement on it fails (the app
    # answers 503), and that disconnect invalidates the pool, so the next statement gets a new one.
    engine, pings = pool_of_one(3600.0)
    victim = _backend_id(engine, server_database.backend)
    with server_database.engine.connect() as other:
        other.execute(sa.text(KILL[server_database.backend].format(victim)))
        other.commit()

    with pytest.raises(sa.exc.DBAPIError) as failed:
        _backend_id(engine, server_database.backend)
    assert failed.value.connection_invalidated
    assert _backend_id(engine, server_database.backend) != victim
    assert pings == []


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
