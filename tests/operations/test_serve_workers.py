"""`chores-tracker serve`: how many worker processes it starts when not told, and who decides."""

from __future__ import annotations

import os
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from chores_tracker import cli
from chores_tracker.settings import get_settings


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli.app, ["serve", *args], env=env, catch_exceptions=False)


@pytest.fixture
def started(monkeypatch):
    """Run `serve ...` in process with uvicorn replaced; returns the worker count it would start."""
    calls: list[int] = []

    def run(_app: str, *, workers: int, reload: bool, **_options: Any) -> None:
        calls.append(workers)

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setattr(cli, "_serve_until_stopped", lambda _server: calls.append(1))
    monkeypatch.setattr("chores_tracker.observability.logs.configure_logging", lambda _settings: None)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 48)

    def serve(*args: str, env: dict[str, str] | None = None) -> int:
        get_settings.cache_clear()  # each invocation reads its own environment
        result = invoke(*args, env=env)
        assert result.exit_code == 0, result.output
        assert len(calls) == 1
        return calls.pop()

    yield serve
    get_settings.cache_clear()


def test_in_production_one_worker_per_usable_core_by_default(started, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2})
    assert started() == 3


def test_elsewhere_one_process_by_default(started, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2})
    assert started(env={"ENVIRONMENT": "development"}) == 1
    assert started(env={"ENVIRONMENT": "development", "WEB_CONCURRENCY": "2"}) == 2


def test_web_concurrency_wins_over_the_core_count_and_the_option_over_both(started, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2})
    assert started(env={"WEB_CONCURRENCY": "5"}) == 5
    assert started("--workers", "2", env={"WEB_CONCURRENCY": "5"}) == 2
    assert started("--workers", "1") == 1


def test_reload_serves_one_process_unless_told_otherwise(started, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    assert started("--reload") == 1


def test_a_bad_web_concurrency_is_a_usage_error_naming_it(started):
    result = invoke(env={"WEB_CONCURRENCY": "0"})
    assert result.exit_code == 2
    assert "WEB_CONCURRENCY" in result.output
