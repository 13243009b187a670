"""`chores-tracker serve`: how many worker processes it starts when not told, and who decides."""

from __future__ import annotations

import os
from typing import Any

import click
import pytest
import typer
import uvicorn
from click.testing import CliRunner

from chores_tracker import cli


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    # `main()` adds the `db` group to the same app; until then `serve` is the only command.
    command = typer.main.get_command(cli.app)
    arguments = ["serve", *args] if isinstance(command, click.Group) else list(args)
    return CliRunner().invoke(command, arguments, env=env, catch_exceptions=False)


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

    def serve(*args: str, env: dict[str, str] | None = None) -> int:
        result = invoke(*args, env=env)
        assert result.exit_code == 0, result.output
        assert len(calls) == 1
        return calls.pop()

    return serve


def test_by_default_one_worker_per_usable_core(started, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2})
    assert started() == 3


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
