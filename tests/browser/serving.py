"""Starting the real server for a browser, and the browser's screens: shared by the browser tests
and `scripts/screenshots`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from subprocess import Popen

ROOT = Path(__file__).resolve().parents[2]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

VIEWPORTS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 860}},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, process: Popen, log_path: Path, deadline_seconds: float = 30) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (the test server's http:// URL)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)  # polling a condition with a deadline, not waiting for a fixed time
    raise RuntimeError(f"the server did not answer {url} within {deadline_seconds}s:\n{log_path.read_text()}")


def _environment(workdir: Path, environment: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT / "backend"),
        "DATABASE_URL": f"sqlite:///{workdir / 'chores.db'}",
        **environment,
    }


def run_command(workdir: Path, environment: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m chores_tracker <args>` on the served app's database and settings (e.g. "tick")."""
    env = _environment(workdir, environment)
    command = [sys.executable, "-m", "chores_tracker", *args]
    return subprocess.run(command, env=env, cwd=workdir, check=True, capture_output=True, text=True, timeout=120)


@contextmanager
def served(workdir: Path, environment: dict[str, str], before: list[list[str]]) -> Iterator[str]:
    """`python -m chores_tracker` as a family runs it, on an SQLite file in `workdir`: each of the
    `before` commands (e.g. ["db", "upgrade"]), then `serve` on a free port; yields its base URL."""
    env = _environment(workdir, environment)
    command = [sys.executable, "-m", "chores_tracker"]
    for step in before:
        subprocess.run([*command, *step], env=env, cwd=workdir, check=True, capture_output=True, timeout=120)
    port = free_port()
    log_path = workdir / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*command, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            env=env,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{base_url}/health", process, log_path)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
