"""What serving `/health` must not import (issue 12, start-up): the heavy libraries wait for their first use.

Each check runs a fresh interpreter, since this test process has imported everything already. No
timing: a list of modules either is or is not loaded.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

# Loaded at first use only: notifications (apprise), encrypted channels and signed links
# (cryptography, PyJWT), passwords (argon2), calendar feeds (icalendar), the in-memory rate limit
# store (limits), the schema's revisions (Alembic's runtime), PostgreSQL's and MariaDB's drivers
# on SQLite, and MQTT (paho).
DEFERRED = (
    "apprise",
    "cryptography",
    "jwt",
    "argon2",
    "icalendar",
    "limits",
    "alembic",
    "psycopg",
    "pymysql",
    "MySQLdb",
    "paho",
    "babel",
)

SERVE_HEALTH = """
import asyncio, json, sys
from chores_tracker.app import create_app

app = create_app()
sent = []

async def main():
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/health", "raw_path": b"/health", "root_path": "", "query_string": b"", "headers": [],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000)}
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        sent.append(message)
    await app(scope, receive, send)

asyncio.run(main())
status = next(m["status"] for m in sent if m["type"] == "http.response.start")
print(json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""


def run_python(code: str, tmp_path: Path, **env: str) -> dict[str, object]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "MQTT_", "TEST_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **keep,
            "ENVIRONMENT": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
            "LOG_FORMAT": "json",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answer: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def loaded(modules: object, names: tuple[str, ...]) -> list[str]:
    assert isinstance(modules, list)
    return sorted({m for m in modules for name in names if m == name or m.startswith(name + ".")})


def test_serving_health_imports_none_of_the_heavy_libraries(tmp_path):
    answer = run_python(SERVE_HEALTH, tmp_path)
    assert answer["status"] == 200
    assert loaded(answer["modules"], DEFERRED) == []


def test_the_deferred_libraries_are_still_there_at_first_use(tmp_path):
    """The guard above must not pass because a name is misspelt: each one is importable here and
    is what the code imports at first use."""
    code = (
        "import json, sys\n"
        "from chores_tracker.settings import get_settings\n"
        "from chores_tracker.identity import security\n"
        "from chores_tracker.ratelimit.service import LOGIN, RateLimiter\n"
        "from chores_tracker.notifications import channels\n"
        "settings = get_settings()\n"
        "assert security.verify_password('pw', security.hash_password('pw', settings), settings)\n"
        "claims = security.decode_access_token(security.create_access_token(7, 1, 'sid', settings), settings)\n"
        "assert claims is not None and claims.user_id == 7\n"
        "assert channels.decrypt(settings, channels.encrypt(settings, 'json://x')) == 'json://x'\n"
        "RateLimiter.from_settings(settings).hit(LOGIN, 'address:1')\n"
        "print(json.dumps({'modules': sorted(sys.modules)}))\n"
    )
    answer = run_python(code, tmp_path)
    for name in ("argon2", "jwt", "cryptography", "limits"):
        assert name in answer["modules"], name


def test_a_redis_store_is_still_made_and_checked_at_start_up(tmp_path):
    """Only the in-memory store waits for its first use: a Redis URL the limiter cannot use still stops start-up."""
    code = "from chores_tracker.app import create_app\ncreate_app()\n"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "TEST_"))},
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
            "REDIS_URL": "async+memory://",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "REDIS_URL cannot be used for rate limits" in result.stderr


def test_the_migration_job_at_head_loads_neither_alembic_nor_the_orm(tmp_path):
    """At head there is nothing to do, and it should cost little: no Alembic runtime, no ORM, no models."""
    database = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade = subprocess.run(
        [sys.executable, "-m", "chores_tracker", "db", "upgrade"],
        env={**os.environ, "DATABASE_URL": database},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert upgrade.returncode == 0, upgrade.stderr[-2000:]
    code = (
        "import json, runpy, sys\n"
        "sys.argv = ['chores-tracker', 'db', 'migrate']\n"
        "try:\n"
        "    runpy.run_module('chores_tracker', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    status = exit.code\n"
        "print(json.dumps({'status': status, 'modules': sorted(sys.modules)}))\n"
    )
    answer = run_python(code, tmp_path, DATABASE_URL=database)
    assert answer["status"] in (0, None)
    assert loaded(answer["modules"], ("alembic", "sqlalchemy.orm", "chores_tracker.db.models", "apprise", "jwt")) == []
