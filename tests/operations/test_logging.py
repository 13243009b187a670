"""Logs: one JSON object per line in production, readable text in development, a request id on
every line of a request, and never a password, a token or the database password."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest

from chores_tracker.app import create_app
from chores_tracker.observability.logs import configure_logging, mask_secrets
from chores_tracker.settings import Settings
from tests.operations.conftest import client_from
from tests.support.api import PASSWORD, Api
from tests.support.databases import TestDatabase, clear_all_tables

DB_PASSWORD = "Db-Pa55word-never-logged"
METRICS_TOKEN = "metrics-token-never-logged"
CHILD_NEW_PASSWORD = "child-new-password-77"
WRONG_PASSWORD = "a-wrong-password-99"


@pytest.fixture
def log_stream() -> io.StringIO:
    stream = io.StringIO()
    yield stream
    # Later tests log to standard error again, where pytest captures it.
    configure_logging(Settings(_env_file=None, environment="test"), stream=sys.stderr)


def json_lines(text: str) -> list[dict]:
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines, "nothing was logged"
    return [json.loads(line) for line in lines]  # fails on any line that is not one JSON object


def access_lines(entries: list[dict]) -> list[dict]:
    return [entry for entry in entries if entry["logger"] == "chores_tracker.access"]


@pytest.fixture
def postgres_with_a_password(database_factory) -> TestDatabase:
    # The shared server trusts local connections, so any password in the URL is accepted:
    # exactly what is needed to prove it never reaches a log line.
    return database_factory("postgresql")


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_whole_scenario_logs_no_password_token_or_database_password(
    postgres_with_a_password: TestDatabase, log_stream: io.StringIO, log_format: str
):
    database = postgres_with_a_password
    clear_all_tables(database.engine)
    url = database.url.set(password=DB_PASSWORD).render_as_string(hide_password=False)
    settings = database.settings(database_url=url, log_format=log_format, metrics_token=METRICS_TOKEN)
    configure_logging(settings, stream=log_stream)
    app = create_app(settings)
    try:
        client = client_from(app)
        api = Api(client)
        parent = api.parent()
        child = api.child(parent)
        assert (
            api.post(f"/users/children/{child.id}/reset-password", parent, json=CHILD_NEW_PASSWORD).status_code == 200
        )
        assert api.login(parent.username, WRONG_PASSWORD).status_code == 401
        assert api.login(child.username, CHILD_NEW_PASSWORD).status_code == 200
        # Tokens in the places a careless log line would pick them up: header and query string.
        assert client.get(f"/api/v1/users/me?access_token={parent.token}", headers=parent.headers).status_code == 200
        assert client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).status_code == 200
        assert client.get("/api/v1/health/ready").status_code == 200
    finally:
        app.state.engine.dispose()

    output = log_stream.getvalue()
    for secret in (PASSWORD, CHILD_NEW_PASSWORD, WRONG_PASSWORD, parent.token, child.token, DB_PASSWORD, METRICS_TOKEN,
                   settings.secret_key):  # fmt: skip
        assert secret not in output
    # ...and the log is not silent: the requests, the refusal and the start-up line are all there.
    assert "POST /api/v1/users/children/{child_id}/reset-password 200" in output
    assert "login refused" in output
    assert "app created" in output
    assert database.url.database in output  # the database is named, only its password is hidden


def test_production_logs_one_json_object_per_line_with_request_fields(make_sqlite_app, log_stream: io.StringIO):
    app = make_sqlite_app(log_format="json")
    configure_logging(app.state.settings, stream=log_stream)
    api = Api(client_from(app, address="127.0.0.9"))
    parent = api.parent()
    response = api.client.get("/api/v1/users/me", headers={**parent.headers, "X-Request-ID": "req-from-the-balancer-1"})
    assert response.headers["X-Request-ID"] == "req-from-the-balancer-1"

    entries = json_lines(log_stream.getvalue())
    for entry in entries:
        assert {"time", "level", "logger", "message"} <= entry.keys()
        assert entry["time"].endswith("Z")
    me = [entry for entry in access_lines(entries) if entry["route"] == "/api/v1/users/me"]
    assert me == [
        {
            "time": me[0]["time"],
            "level": "INFO",
            "logger": "chores_tracker.access",
            "message": "GET /api/v1/users/me 200",
            "request_id": "req-from-the-balancer-1",
            "user_id": parent.id,
            "method": "GET",
            "route": "/api/v1/users/me",
            "path": "/api/v1/users/me",
            "status": 200,
            "duration_ms": me[0]["duration_ms"],
            "client": "127.0.0.9",
        }
    ]
    assert isinstance(me[0]["duration_ms"], float)


def test_every_line_of_a_request_carries_its_id(make_sqlite_app, log_stream: io.StringIO):
    app = make_sqlite_app(log_format="json")
    configure_logging(app.state.settings, stream=log_stream)
    api = Api(client_from(app))
    api.register("someone")
    response = api.login("someone", WRONG_PASSWORD)
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32  # made here, since the caller sent none

    entries = [entry for entry in json_lines(log_stream.getvalue()) if entry.get("request_id") == request_id]
    assert [entry["message"] for entry in entries] == ["login refused", "POST /api/v1/users/login 401"]


def test_a_request_id_that_could_forge_log_lines_is_replaced(make_sqlite_app):
    client = client_from(make_sqlite_app())
    response = client.get("/health", headers={"X-Request-ID": 'abc"\n{"level": "ERROR"}'})
    assert response.headers["X-Request-ID"] != 'abc"\n{"level": "ERROR"}'
    assert len(response.headers["X-Request-ID"]) == 32


def test_development_logs_are_readable_text(make_sqlite_app, log_stream: io.StringIO):
    app = make_sqlite_app(log_format="text")
    configure_logging(app.state.settings, stream=log_stream)
    response = client_from(app).get("/health", headers={"X-Request-ID": "dev-request-1"})
    assert response.status_code == 200
    line = next(line for line in log_stream.getvalue().splitlines() if "GET /health 200" in line)
    assert " INFO " in line
    assert "[dev-request-1]" in line
    assert "duration_ms=" in line
    assert "route=" not in line  # already in the message
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_log_format_auto_means_json_in_production_only():
    base = {"_env_file": None, "secret_key": "x" * 40}
    assert Settings(**base, environment="production").json_logs
    assert not Settings(**base, environment="development").json_logs
    assert Settings(**base, environment="development", log_format="json").json_logs
    assert not Settings(**base, environment="production", log_format="text").json_logs


def test_uvicorn_access_log_is_replaced_by_ours(log_stream: io.StringIO):
    configure_logging(Settings(_env_file=None, environment="test"), stream=log_stream)
    logging.getLogger("uvicorn.access").info('127.0.0.1:1 - "GET /health HTTP/1.1" 200')
    logging.getLogger("uvicorn.error").info("Application startup complete.")
    output = log_stream.getvalue()
    assert "GET /health HTTP/1.1" not in output
    assert "Application startup complete." in output


@pytest.mark.parametrize(
    "line, secret",
    [
        ("connecting to postgresql://app:hunter2-db@db:5432/chores", "hunter2-db"),
        ("connect failed for mysql+pymysql://root:s3cr3t-pw@mysql/app?charset=utf8mb4", "s3cr3t-pw"),
        ("headers: {'authorization': 'Bearer abc.def.ghi-token'}", "abc.def.ghi-token"),
        ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl leaked", "eyJhbGciOiJIUzI1NiJ9"),
        ("form: username=alice&password=open-sesame-1&grant_type=", "open-sesame-1"),
        ('{"username": "bob", "password": "pw-in-json-1"}', "pw-in-json-1"),
        ("settings secret_key='k3y-material-here'", "k3y-material-here"),
    ],
)
def test_secrets_in_any_log_line_are_masked(line: str, secret: str):
    masked = mask_secrets(line)
    assert secret not in masked
    assert "***" in masked


def test_fields_named_like_secrets_are_masked_whatever_their_value(make_sqlite_app, log_stream: io.StringIO):
    configure_logging(make_sqlite_app(log_format="json").state.settings, stream=log_stream)
    logging.getLogger("chores_tracker.somewhere").info(
        "careless",
        extra={"password": "plain1", "form": {"new_password": "plain2", "username": "kim"}, "access_token": "t"},
    )
    entry = json_lines(log_stream.getvalue())[-1]
    assert entry["password"] == "***"
    assert entry["form"] == {"new_password": "***", "username": "kim"}
    assert entry["access_token"] == "***"


def test_masking_keeps_what_is_not_secret():
    line = "GET /api/v1/users/me 200 user=alice database=postgresql://app:***@db:5432/chores"
    assert mask_secrets(line) == line


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:p%40ss%2Fword@db:5432/chores",
        "postgresql+psycopg://app:pa/ss?#word@db/chores?sslmode=require",
        "mysql://root@127.0.0.1:3306/test",
        "mariadb://app:@db/chores",
        "sqlite:////data/chores.db",
        "redis://:secret-redis@cache:6379/0",
        "rediss://user:p:w@cache",
        "postgresql://db/chores?password=not-in-the-credentials",
    ],
)
def test_the_password_registered_for_masking_is_the_one_sqlalchemy_reads(url):
    """`serve` registers the URLs' passwords before anything imports SQLAlchemy (db.urls.url_password)."""
    from sqlalchemy.engine import make_url

    from chores_tracker.db.urls import url_password

    assert url_password(url) == make_url(url).password
