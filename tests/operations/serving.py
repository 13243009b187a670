"""`chores-tracker serve` as a real process, for tests that need signals, sockets and outages."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx

BACKEND_DIR = Path(__file__).resolve().parents[2] / "backend"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], T], *, timeout: float, what: str, interval: float = 0.05) -> T:
    """Poll until the condition returns something truthy; fail with `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class Server:
    def __init__(
        self, database_url: str, workdir: Path, launcher: tuple[str, ...] = (), workers: int = 1, **settings: str
    ) -> None:
        """`launcher`: what runs instead of `python -m chores_tracker` (a script taking its arguments).
        `workers`: one, unless a test is about several (most signal and kill the server, and count
        what one process did)."""
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"server-{self.port}.log"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEST_"))},
            "PYTHONPATH": str(BACKEND_DIR),
            "DATABASE_URL": database_url,
            "ENVIRONMENT": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "LOG_FORMAT": "json",
            "READINESS_CACHE_SECONDS": "0",
            **settings,
        }
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                *(sys.executable, *(launcher or ("-m", "chores_tracker")), "serve", "--host", "127.0.0.1"),
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            cwd=workdir,  # no stray .env is picked up
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.client = httpx.Client(base_url=self.base_url, timeout=10)

    def wait_until_live(self, timeout: float = 30) -> None:
        def live() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}:\n{self.log()}")
            try:
                return self.client.get("/health").status_code == 200
            except httpx.TransportError:
                return False

        wait_for(live, timeout=timeout, what="the server to answer /health")

    def accepts_connections(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.client.close()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()
