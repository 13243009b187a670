#!/usr/bin/env python3
"""The bare reference for bench/reads.py: the same framework, server and driver as the project
(FastAPI, uvicorn, psycopg through a SQLAlchemy pool), one query per request returning bytes stored
in a table, no authentication, no middleware. What the stack itself costs for an answer of that size.

    python bench/reference_app.py --database-url postgresql+psycopg://... --port 8001

`GET /ref/{name}` answers the body stored under `name` in `bench_reference_body`; reads.py fills
that table with the project's own answers captured after seeding, so both send the same bytes.
`POST /ref/{name}` does the same in a statement that also writes a row (PostgreSQL), and commits:
the bare cost of a write answering those bytes, the reference of the complete-then-approve cycle.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI, HTTPException, Response

TABLE = "bench_reference_body"


def create_app(database_url: str, pool_size: int) -> FastAPI:
    # As the project's server is given (reads.py passes its DB_POOL_SIZE): as many requests at once
    # use the database, each in a worker thread, and the others wait for a thread without one,
    # as the project's admission makes them wait (chores_tracker.admission).
    engine = sa.create_engine(database_url, pool_size=pool_size, max_overflow=0, pool_pre_ping=False)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = pool_size
        yield

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan)
    query = sa.text(f"SELECT body FROM {TABLE} WHERE name = :name")  # noqa: S608 (a constant table name)

    # A plain `def`, as the project's routes are: FastAPI runs it in its thread pool.
    @app.get("/ref/{name}")
    def stored(name: str) -> Response:
        with engine.connect() as connection:
            body = connection.execute(query, {"name": name}).scalar_one_or_none()
        if body is None:
            raise HTTPException(404)
        return Response(content=bytes(body), media_type="application/json")

    # One statement: a row written, the stored body read, one commit.
    write = sa.text(
        f"WITH hit AS (INSERT INTO {TABLE}_hit (name) VALUES (:name)) "  # noqa: S608 (constant table names)
        f"SELECT body FROM {TABLE} WHERE name = :name"
    )

    @app.post("/ref/{name}")
    def stored_after_write(name: str) -> Response:
        with engine.begin() as connection:
            body = connection.execute(write, {"name": name}).scalar_one_or_none()
        if body is None:
            raise HTTPException(404)
        return Response(content=bytes(body), media_type="application/json")

    @app.get("/ready")
    def ready() -> dict[str, bool]:
        return {"ready": True}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a SQLAlchemy URL (postgresql+psycopg://...)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pool-size", type=int, required=True, help="connections, and requests served at once")
    args = parser.parse_args()
    uvicorn.run(
        create_app(args.database_url, args.pool_size), host=args.host, port=args.port, log_config=None, access_log=False
    )


if __name__ == "__main__":
    main()
