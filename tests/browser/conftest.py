"""The real server, started as in production, and Debian's Chromium driven by Playwright.

The server runs as a subprocess (`python -m chores_tracker serve`) on a free port, on a fresh SQLite
database migrated by `python -m chores_tracker db upgrade`: the same two commands a family runs.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.serving import CHROMIUM_ARGS, ROOT, VIEWPORTS, served

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("browser-server")
    environment = {
        "ENVIRONMENT": "test",
        "SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
        "LOG_LEVEL": "WARNING",
        # The notification bell asks often, so a page shows what happened within a test's patience.
        "NOTIFICATION_POLL_SECONDS": "0.5",
    }
    with served(workdir, environment, before=[["db", "upgrade"]]) as base_url:
        yield base_url


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

    def open_page(timezone_id: str | None = None, color_scheme: str | None = None):
        # timezone_id: the zone the browser reports (Intl), as a person's device in that zone would.
        # color_scheme: "dark" or "light", as the device's system setting (prefers-color-scheme).
        options: dict[str, str] = {"timezone_id": timezone_id} if timezone_id else {}
        if color_scheme:
            options["color_scheme"] = color_scheme
        context = browser.new_context(base_url=server_url, **VIEWPORTS[viewport], **options)
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
