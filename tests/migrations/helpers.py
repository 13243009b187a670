"""Helpers for the migration tests: real processes, temporary script locations, polling."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "backend"
MIGRATE_ENTRYPOINT = ROOT / "migrate-entrypoint.sh"
DOCKER_ENTRYPOINT = ROOT / "docker-entrypoint.sh"
VERSIONS = BACKEND / "alembic" / "versions"

# Settings a developer's shell might carry that would change what the processes under test do.
_SCRUBBED = (
    "DATABASE_URL",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "ENVIRONMENT",
    "JOB_NAME",
    "MIGRATION_JOB_NAME",
    "PUSHGATEWAY_URL",
    "MIGRATION_METRICS_TEXTFILE",
    "DB_WAIT_TIMEOUT_SECONDS",
    "MIGRATION_LOCK_TIMEOUT_SECONDS",
    "MIGRATION_DDL_LOCK_TIMEOUT_SECONDS",
    "READINESS_CACHE_SECONDS",
    "CHORES_TRACKER_ALEMBIC_INI",
    "RUN_MIGRATIONS",
)

T = TypeVar("T")


def poll_until(condition: Callable[[], T], timeout: float, what: str, interval: float = 0.05) -> T:
    """Poll `condition` until it returns something truthy; fail naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def process_env(database_url: str | sa.URL | None, **settings: Any) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _SCRUBBED}
    env.update(
        PYTHONPATH=str(BACKEND),
        PYTHON=sys.executable,
        ENVIRONMENT="test",
        LOG_FORMAT="json",
        DB_WAIT_TIMEOUT_SECONDS="20",
        MIGRATION_LOCK_TIMEOUT_SECONDS="60",
    )
    if database_url is not None:
        env["DATABASE_URL"] = (
            database_url.render_as_string(hide_password=False) if isinstance(database_url, sa.URL) else database_url
        )
    env.update({key: str(value) for key, value in settings.items()})
    return env


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def log(self) -> list[dict[str, Any]]:
        return json_lines(self.stderr)

    def events(self, name: str) -> list[dict[str, Any]]:
        return [entry for entry in self.log if entry.get("event") == name]

    @property
    def summary(self) -> dict[str, Any]:
        summaries = self.events("migration_summary")
        assert len(summaries) == 1, f"expected one summary line, got {len(summaries)}:\n{self.stderr}"
        return summaries[0]

    def describe(self) -> str:
        return f"exit {self.returncode} after {self.seconds:.1f}s\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line must be one JSON object (LOG_FORMAT=json)."""
    entries = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            raise AssertionError(f"not a JSON log line: {line!r}") from None
        assert isinstance(entry, dict), line
        entries.append(entry)
    return entries


def run(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 90) -> Run:
    started = time.monotonic()
    completed = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return Run(completed.returncode, completed.stdout, completed.stderr, time.monotonic() - started)


def migrate_entrypoint(env: dict[str, str], cwd: Path, timeout: float = 90) -> Run:
    return run(["sh", str(MIGRATE_ENTRYPOINT)], env, cwd, timeout)


def cli(*args: str, env: dict[str, str], cwd: Path, timeout: float = 60) -> Run:
    return run([sys.executable, "-m", "chores_tracker", "db", *args], env, cwd, timeout)


class Background:
    """A process whose output goes to files the test can read while it runs."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path, name: str) -> None:
        self.stdout_path = cwd / f"{name}.out"
        self.stderr_path = cwd / f"{name}.err"
        self._stdout = self.stdout_path.open("w")
        self._stderr = self.stderr_path.open("w")
        self.started = time.monotonic()
        self.process = subprocess.Popen(args, env=env, cwd=cwd, stdout=self._stdout, stderr=self._stderr, text=True)

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def wait(self, timeout: float = 90) -> Run:
        returncode = self.process.wait(timeout=timeout)
        self._stdout.close()
        self._stderr.close()
        return Run(
            returncode, self.stdout_path.read_text(), self.stderr_path.read_text(), time.monotonic() - self.started
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._stdout.close()
        self._stderr.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- temporary script locations --------------------------------------------------------------------


@dataclass
class Scripts:
    """A copy of the real migration environment, plus revisions a test adds."""

    root: Path

    @property
    def ini(self) -> Path:
        return self.root / "alembic.ini"

    @property
    def versions(self) -> Path:
        return self.root / "alembic" / "versions"

    def add_revision(
        self,
        revision: str,
        down_revision: str | None,
        upgrade: str,
        downgrade: str = "pass",
        contract: bool = False,
        message: str = "test revision",
    ) -> Path:
        slug = message.replace(" ", "_")
        path = self.versions / f"2099-01-01_{revision}_{slug}.py"

        def body(code: str) -> str:
            return textwrap.indent(textwrap.dedent(code).strip(), "    ")

        path.write_text(
            f'"""{message}\n\nRevision ID: {revision}\nRevises: {down_revision or ""}\n"""\n'
            "from __future__ import annotations\n\n"
            "import sqlalchemy as sa\n"
            "from alembic import op\n\n"
            f"revision = {revision!r}\n"
            f"down_revision = {down_revision!r}\n"
            "branch_labels = None\n"
            "depends_on = None\n\n"
            f"CONTRACT = {contract!r}\n\n\n"
            f"def upgrade() -> None:\n{body(upgrade)}\n\n\n"
            f"def downgrade() -> None:\n{body(downgrade)}\n"
        )
        return path


def copy_scripts(destination: Path, with_real_versions: bool = True) -> Scripts:
    scripts = Scripts(destination)
    scripts.versions.mkdir(parents=True)
    shutil.copy(BACKEND / "alembic.ini", scripts.ini)
    for name in ("env.py", "script.py.mako"):
        shutil.copy(BACKEND / "alembic" / name, scripts.root / "alembic" / name)
    if with_real_versions:
        for path in VERSIONS.glob("*.py"):
            shutil.copy(path, scripts.versions / path.name)
    return scripts


def code_head() -> str:
    from chores_tracker.migrations.revisions import load_code_revisions

    heads = load_code_revisions().heads
    assert len(heads) == 1, heads
    return heads[0]


def version_rows(engine: sa.Engine) -> list[str]:
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(sa.text("SELECT version_num FROM alembic_version"))]


def table_names(engine: sa.Engine) -> set[str]:
    with engine.connect() as connection:
        return set(sa.inspect(connection).get_table_names())
