"""An unexpected failure answers 500 like any other answer (with its request id and the usual
headers) and is logged once, with that id and without secrets; it never reaches the server."""

from __future__ import annotations

import io
import json
import sys

import pytest
from fastapi import FastAPI

from chores_tracker.observability.logs import configure_logging
from chores_tracker.settings import Settings
from tests.operations.conftest import client_from

DB_URL_IN_THE_ERROR = "postgresql://app:hunter2-in-a-traceback@db:5432/chores"


@pytest.fixture
def log_stream() -> io.StringIO:
    stream = io.StringIO()
    yield stream
    configure_logging(Settings(_env_file=None, environment="test"), stream=sys.stderr)


@pytest.fixture
def broken_app(make_sqlite_app, log_stream: io.StringIO) -> FastAPI:
    app = make_sqlite_app(log_format="json")
    configure_logging(app.state.settings, stream=log_stream)

    def fail() -> None:
        raise RuntimeError(f"cannot connect to {DB_URL_IN_THE_ERROR}")

    app.add_api_route("/api/v1/test-failure", fail)
    app.add_api_route("/test-failure-page", fail, include_in_schema=False)
    return app


@pytest.mark.parametrize(
    "path, content_type",
    [("/api/v1/test-failure", "application/json"), ("/test-failure-page", "text/html")],
)
def test_an_unhandled_error_answers_500_with_its_request_id_and_is_logged_once(
    broken_app: FastAPI, log_stream: io.StringIO, path: str, content_type: str
):
    # The test client re-raises whatever the app lets escape to the server: here, nothing may.
    response = client_from(broken_app).get(path, headers={"X-Request-ID": "req-500-1"})

    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "req-500-1"
    assert response.headers["content-type"].startswith(content_type)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "hunter2" not in response.text and "Traceback" not in response.text
    if content_type == "application/json":
        assert response.json() == {"detail": "internal error", "code": "internal_error"}

    entries = [json.loads(line) for line in log_stream.getvalue().splitlines() if line.strip()]
    errors = [entry for entry in entries if entry["level"] in ("ERROR", "CRITICAL")]
    assert len(errors) == 1, errors
    assert errors[0]["request_id"] == "req-500-1"
    assert "RuntimeError: cannot connect to postgresql://app:***@db:5432/chores" in errors[0]["exception"]
    assert "hunter2" not in log_stream.getvalue()
    access = [entry for entry in entries if entry["logger"] == "chores_tracker.access"]
    assert [(entry["status"], entry["request_id"]) for entry in access] == [(500, "req-500-1")]


def test_a_500_made_by_the_app_without_a_caller_id_gets_one(broken_app: FastAPI):
    response = client_from(broken_app).get("/api/v1/test-failure")
    assert response.status_code == 500
    assert len(response.headers["X-Request-ID"]) == 32


def test_a_500_reaches_browsers_of_allowed_origins(make_sqlite_app):
    app = make_sqlite_app(backend_cors_origins=["https://app.example"])
    app.add_api_route("/api/v1/test-failure", lambda: 1 / 0)
    response = client_from(app).get("/api/v1/test-failure", headers={"Origin": "https://app.example"})
    assert response.status_code == 500
    assert response.headers["access-control-allow-origin"] == "https://app.example"
    assert "X-Request-ID" in response.headers["access-control-expose-headers"]
