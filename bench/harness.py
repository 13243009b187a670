"""What every benchmark here does around its measurements: a fresh database on a server, the
project's own server started as production runs it, waited for, and stopped. Loopback only."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """The server's environment as production sets it, on the given database: the caller's DB_*
    settings left out (each bench states its pool), a random secret, metrics readable on loopback (the
    benches read the requests in progress from them), and room for the seed's few log-ins from one address."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DB_")},
        "PYTHONPATH": str(REPO / "backend"),
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "METRICS_PUBLIC": "true",
        "RATE_LIMIT_LOGIN_PER_MINUTE": "1000",
        **extra,
    }


def migrate(env: dict[str, str]) -> None:
    """`chores-tracker db upgrade`, as the migration Job runs it, before the server starts."""
    subprocess.run(
        [sys.executable, "-m", "chores_tracker", "db", "upgrade"],
        env=env,
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def create_database(server_url: str) -> str:
    """A new, empty database on a PostgreSQL or MySQL/MariaDB server; returns its URL."""
    url = make_url(server_url)
    backend = url.get_backend_name()
    url = url.set(drivername="postgresql+psycopg" if backend == "postgresql" else "mysql+pymysql")
    name = f"ct_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if backend == "postgresql":
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        else:
            connection.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(database_url: str) -> None:
    url = make_url(database_url)
    postgres = url.get_backend_name() == "postgresql"
    admin = sa.create_engine(url.set(database="postgres" if postgres else None), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if postgres:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        else:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{url.database}`"))
    admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], port: int, log: Path, workers: int = 1) -> subprocess.Popen[bytes]:
    """`chores-tracker serve`, its standard error in `log` (a pipe nobody reads would stall it)."""
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "chores_tracker", "serve"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        start_new_session=True,
    )


def stop_server(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def wait_ready(base: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/api/v1/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit("the server did not become ready in time")
