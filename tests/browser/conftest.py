"""The real server, started as in production, and Debian's Chromium driven by Playwright.

The server runs as a subprocess (`python -m chores_tracker serve`) on a free port, on a fresh SQLite
database migrated by `python -m chores_tracker db upgrade`: the same two commands a family runs.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen, log_path: Path, deadline_seconds: float = 30) -> None:
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


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("browser-server")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "backend"),
        "DATABASE_URL": f"sqlite:///{workdir / 'chores.db'}",
        "ENVIRONMENT": "test",
        "SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "chores_tracker"]
    subprocess.run([*command, "db", "upgrade"], env=env, cwd=workdir, check=True, capture_output=True, timeout=120)
    port = _free_port()
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
        _wait_until_serving(f"{base_url}/health", process, log_path)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is not installed (apt-get install chromium; .ci/run does this)", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return request.param


# A form answered with its errors (422) or a refused log-in (401) is a page doing its job.
_EXPECTED_ANSWERS = ("status of 422", "status of 401")


def _note_console_error(message, problems: list[str]) -> None:
    if message.type == "error" and not any(expected in message.text for expected in _EXPECTED_ANSWERS):
        problems.append(f"console: {message.text}")


@pytest.fixture
def new_page(browser, server_url: str, viewport: str):
    """Opens a page in a fresh context (its own cookies: one person on one device)."""
    contexts = []
    problems: list[str] = []

    def open_page():
        context = browser.new_context(base_url=server_url, **VIEWPORTS[viewport])
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server_url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        # A script error or a refused resource is a bug even when the page still looks right.
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on("console", lambda message: _note_console_error(message, problems))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, problems


@pytest.fixture
def screenshot(viewport: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{viewport}-{name}.png"
        # The whole page as one tall screen, so the header and the phone's tab bar sit where a
        # person sees them (a scrolled full-page capture would leave fixed bars mid-page).
        size = page.viewport_size
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
        page.screenshot(path=str(path))
        page.set_viewport_size(size)
        # Mobile first means nothing wider than the screen: no sideways scrolling on any page.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than the {viewport} screen"
        return path

    return take
