"""Render the app's PNG icons from the SVG mark with the same headless Chromium the browser tests use.

Run it after changing backend/chores_tracker/web/static/icons/icon.svg; the PNGs are committed.
    PYTHONPATH=backend python scripts/render-icons.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

ICONS = Path(__file__).resolve().parent.parent / "backend/chores_tracker/web/static/icons"
BACKGROUND = "#C2410C"
MARK = """
<path d="M11 30 32 12l21 18" fill="none" stroke="#FFF7ED" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/>
<path d="M18 27v21a3 3 0 0 0 3 3h22a3 3 0 0 0 3-3V27" fill="none" stroke="#FFF7ED" stroke-width="4.5" stroke-linecap="round" stroke-linejoin="round"/>
<path d="m24.5 38.5 5.5 5.5 10-11" fill="none" stroke="#FFF7ED" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/>
"""


def svg(size: int, *, rounded: bool, scale: float) -> str:
    """The mark on its background; full-bleed icons let the platform cut the shape (maskable, iOS)."""
    radius = 16 if rounded else 0
    offset = 32 * (1 - scale)
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="{size}" height="{size}">
<rect width="64" height="64" rx="{radius}" fill="{BACKGROUND}"/>
<g transform="translate({offset} {offset}) scale({scale})">{MARK}</g></svg>"""


VARIANTS = {
    "icon-192.png": (192, True, 1.0),
    "icon-512.png": (512, True, 1.0),
    # Maskable icons keep their content inside the central 80% circle.
    "icon-maskable-512.png": (512, False, 0.72),
    "apple-touch-icon.png": (180, False, 0.85),
}


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        for name, (size, rounded, scale) in VARIANTS.items():
            page.set_viewport_size({"width": size, "height": size})
            page.set_content(
                f"<html><body style='margin:0;background:transparent'>{svg(size, rounded=rounded, scale=scale)}</body></html>"
            )
            page.locator("svg").screenshot(path=str(ICONS / name), omit_background=True)
            print(f"wrote {ICONS / name}")
        browser.close()


if __name__ == "__main__":
    main()
