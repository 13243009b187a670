"""./scripts/run: pip only when what it installs from changed, then migrate, (demo), serve with the next step.

The script runs in a copy of the repository's few files it reads, with a .venv whose python and
chores-tracker only write down how they were called: what the script decides, without installing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from chores_tracker.cli import STARTUP_FAILURE, browser_url
from chores_tracker.migrations.exit_codes import ExitCode
from tests.deploy import artifacts as a
from tests.operations.serving import free_port, wait_for

RECORDER = """#!/bin/sh
echo "$(basename "$0") $*" >>"$CALLS"
"""


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy2(a.REPO / "scripts" / "run", tmp_path / "scripts" / "run")
    for name in ("constraints.txt", "pyproject.toml"):
        shutil.copy2(a.REPO / name, tmp_path / name)
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("python", "chores-tracker"):
        (bin_dir / tool).write_text(RECORDER)
        (bin_dir / tool).chmod(0o755)
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.2\n")
    return tmp_path


def run(checkout: Path, *arguments: str, **env: str) -> list[str]:
    calls = checkout / "calls.log"
    calls.unlink(missing_ok=True)
    environment = {"PATH": os.environ["PATH"], "CALLS": str(calls), **env}
    result = subprocess.run(
        [str(checkout / "scripts" / "run"), *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return calls.read_text().splitlines()


def pip_ran(calls: list[str]) -> bool:
    return any(call.startswith("python -m pip install") for call in calls)


def test_pip_runs_the_first_time_and_again_only_when_the_pins_the_project_or_python_change(checkout):
    assert pip_ran(run(checkout))
    assert not pip_ran(run(checkout))

    for changed, line in (
        ("constraints.txt", "\n# a new pin\n"),
        ("pyproject.toml", "\n# a new dependency\n"),
        (".venv/pyvenv.cfg", "version = 3.11.9\n"),
    ):
        with (checkout / changed).open("a") as file:
            file.write(line)
        assert pip_ran(run(checkout)), changed
        assert not pip_ran(run(checkout)), changed


def test_a_failed_install_is_tried_again_next_time(checkout):
    python = checkout / ".venv" / "bin" / "python"
    python.write_text(RECORDER + "exit 1\n")
    result = subprocess.run(
        [str(checkout / "scripts" / "run")],
        env={"PATH": os.environ["PATH"], "CALLS": str(checkout / "calls.log")},
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert result.returncode != 0
    python.write_text(RECORDER)
    assert pip_ran(run(checkout))


def test_it_serves_on_host_and_port_after_upgrading_with_the_next_step(checkout):
    calls = [call for call in run(checkout, HOST="0.0.0.0", PORT="8123") if not call.startswith("python")]  # noqa: S104
    assert calls == [
        "chores-tracker serve --host 0.0.0.0 --port 8123 --upgrade-first --next-step create a parent account (or log in)",
    ]


def test_demo_adds_the_demo_family_before_serving_and_accepts_one_already_there(checkout):
    calls = [call for call in run(checkout, "--demo") if not call.startswith("python")]
    assert calls == [
        "chores-tracker db upgrade",
        "chores-tracker demo --existing-ok",
        "chores-tracker serve --host 127.0.0.1 --port 8000 --next-step log in with one of the demo accounts above",
    ]


def test_an_unknown_argument_is_refused_before_anything_runs(checkout):
    result = subprocess.run(
        [str(checkout / "scripts" / "run"), "--dmeo"],
        env={"PATH": os.environ["PATH"], "CALLS": str(checkout / "calls.log")},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2 and "usage" in result.stderr
    assert not (checkout / "calls.log").exists()


def _serve(
    tmp_path: Path, port: int, log: Path, *options: str, upgrade: bool = True, **settings: str
) -> subprocess.Popen:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEST_"))},
        "PYTHONPATH": str(a.REPO / "backend"),
        "DATA_DIR": str(tmp_path / "data"),
        "ENVIRONMENT": "development",
        **settings,
    }
    command = [sys.executable, "-m", "chores_tracker"]
    if upgrade:
        subprocess.run([*command, "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True, timeout=120)
    with log.open("wb") as output:
        return subprocess.Popen(
            [*command, "serve", "--port", str(port), *options],
            env=env,
            cwd=tmp_path,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def test_once_it_serves_its_last_line_says_where_to_go_and_what_next(tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    process = _serve(tmp_path, port, log, "--next-step", "create a parent account")
    try:
        ready = wait_for(
            lambda: [line for line in log.read_text().splitlines() if "is ready" in line],
            timeout=60,
            what="the ready line",
        )
        assert ready[0].endswith(
            f"Chores Tracker is ready: open http://127.0.0.1:{port} and create a parent account. Ctrl+C stops it."
        )
        # Said once the socket listens: whoever follows it finds the server there.
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_when_the_port_is_taken_it_says_so_and_not_where_to_go(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        log = tmp_path / "serve.log"
        process = _serve(tmp_path, port, log, "--next-step", "create a parent account")
        assert process.wait(timeout=60) == STARTUP_FAILURE
    output = log.read_text()
    assert "address already in use" in output.lower() and "is ready" not in output


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000"),
        ("0.0.0.0", "http://127.0.0.1:8000"),  # noqa: S104 (every address: a browser here uses localhost)
        ("::", "http://127.0.0.1:8000"),
        ("::1", "http://[::1]:8000"),
        ("chores.local", "http://chores.local:8000"),
    ],
)
def test_the_address_it_tells_is_one_a_browser_on_this_machine_opens(host, url):
    assert browser_url(host, 8000) == url


def test_upgrade_first_migrates_a_new_database_before_the_app_serves_it(tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    process = _serve(tmp_path, port, log, "--upgrade-first", upgrade=False)
    try:
        # The full app is built after the server listens; "app started" once it serves.
        wait_for(lambda: "app started" in log.read_text(), timeout=60, what="the app")
        output = log.read_text()
        assert output.index("migration summary: outcome=success") < output.index("app created")
        ready = httpx.get(f"http://127.0.0.1:{port}/api/v1/health/ready", timeout=5)
        assert ready.status_code == 200, ready.text
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_upgrade_first_serves_nothing_when_the_upgrade_fails(tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    unreachable = f"postgresql://nobody@127.0.0.1:{free_port()}/none"
    process = _serve(
        tmp_path, port, log, "--upgrade-first", upgrade=False, DATABASE_URL=unreachable, DB_WAIT_TIMEOUT_SECONDS="1"
    )
    # The migration runner's own exit code, as `db upgrade` would end.
    assert process.wait(timeout=120) == ExitCode.DATABASE_UNREACHABLE
    output = log.read_text()
    assert "cannot connect" in output and "app created" not in output and "Uvicorn running" not in output


def test_the_single_machine_server_steps_time_and_delivers_notifications_itself(checkout):
    serve = checkout / ".venv" / "bin" / "chores-tracker"
    serve.write_text(
        '#!/bin/sh\necho "steps=$TIME_STEP_INTERVAL_SECONDS delivers=$NOTIFICATION_WORKER_INTERVAL_SECONDS" >>"$CALLS"\n'
    )
    assert "steps=60 delivers=5" in run(checkout)
    assert "steps=60 delivers=0" in run(checkout, NOTIFICATION_WORKER_INTERVAL_SECONDS="0")
