"""The README's pictures: the demo family's pages, photographed in Chromium.

`scripts/screenshots` runs this module and writes docs/screenshots/*.png; tests/browser/
test_demo_screenshots.py drives the same code into a temporary folder. Each page is checked to
show the demo family before it is photographed, so a picture of an empty or broken page fails.

The server is started as `./scripts/run --demo` starts it (db upgrade, demo, serve), on an SQLite
file in a temporary folder, in development: what a newcomer sees.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from chores_tracker import demo
from tests.browser.serving import CHROMIUM_ARGS, ROOT, VIEWPORTS, served

DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
CHILD = "demo-leo"  # ten: a balance, chores to do and one waiting for review


def _parent_dashboard(page: Page) -> None:
    expect(page.get_by_role("heading", name=f"Hello, {demo.OWNER}")).to_be_visible()
    expect(page.locator(".page-header .eyebrow")).to_have_text(demo.FAMILY_NAME)
    expect(page.get_by_role("heading", name=re.compile(r"^\d+ chores? to review$"))).to_be_visible()
    for child in demo.CHILDREN:
        expect(page.locator(".kid-card", has_text=child)).to_be_visible()


def _approval_queue(page: Page) -> None:
    expect(page.get_by_role("heading", name="Approvals")).to_be_visible()
    cards = page.locator("li.review-card")
    expect(cards.first).to_be_visible()
    expect(cards.first.get_by_role("button", name="Approve")).to_be_visible()


def _child_phone(page: Page) -> None:
    expect(page.get_by_role("heading", name=f"Hi, {CHILD}!")).to_be_visible()
    expect(page.locator(".balance-chip-value")).to_have_text(re.compile(r"^\$\d+\.\d\d$"))
    expect(page.locator("li.task").first).to_be_visible()


@dataclass(frozen=True)
class Shot:
    name: str
    username: str
    viewport: str
    path: str
    shows_the_demo: Callable[[Page], None]


SHOTS = (
    Shot("parent-dashboard", demo.OWNER, "desktop", "/", _parent_dashboard),
    Shot("approval-queue", demo.SECOND_PARENT, "desktop", "/approvals", _approval_queue),
    Shot("child-phone", CHILD, "phone", "/", _child_phone),
)


@contextmanager
def demo_server() -> Iterator[str]:
    """The app on a new SQLite file with the demo family; yields its base URL."""
    with tempfile.TemporaryDirectory(prefix="chores-demo-") as folder:
        environment = {
            "ENVIRONMENT": "development",
            "SECRET_KEY": "screenshots-secret-key-0123456789abcdef",
            "LOG_LEVEL": "WARNING",
        }
        with served(Path(folder), environment, before=[["db", "upgrade"], ["demo"]]) as base_url:
            yield base_url


def take(browser: Browser, base_url: str, out_dir: Path) -> dict[str, Path]:
    """Logs in as each shot's person, checks the page shows the demo family, and photographs it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    taken = {}
    for shot in SHOTS:
        context = browser.new_context(base_url=base_url, **VIEWPORTS[shot.viewport])
        context.set_default_timeout(10_000)
        try:
            page = context.new_page()
            page.goto("/login")
            page.get_by_label("Username").fill(shot.username)
            page.get_by_label("Password").fill(demo.PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page).not_to_have_url(re.compile(r"/login$"))
            page.goto(shot.path)
            shot.shows_the_demo(page)
            path = out_dir / f"{shot.name}.png"
            # What a person sees on opening the page: the first screen, not the whole scroll.
            page.screenshot(path=str(path))
            taken[shot.name] = path
        finally:
            context.close()
    return taken


def launch(playwright: Playwright) -> Browser:
    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("Chromium is not installed (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def main() -> None:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS_SCREENSHOTS
    with sync_playwright() as playwright, demo_server() as base_url:
        browser = launch(playwright)
        try:
            for name, path in take(browser, base_url, out_dir).items():
                print(f"{name}: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        finally:
            browser.close()


if __name__ == "__main__":
    main()
