"""The README's pictures are taken from the demo family by the code `scripts/screenshots` runs."""

from __future__ import annotations

import struct

import pytest

from tests.browser import demo_screenshots
from tests.browser.serving import VIEWPORTS

pytestmark = pytest.mark.browser


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_screenshot_command_photographs_the_demo_familys_pages(browser, tmp_path):
    with demo_screenshots.demo_server() as base_url:
        taken = demo_screenshots.take(browser, base_url, tmp_path)

    assert set(taken) == {"parent-dashboard", "approval-queue", "child-phone"}
    for shot in demo_screenshots.SHOTS:
        settings = VIEWPORTS[shot.viewport]
        scale = settings.get("device_scale_factor", 1)
        expected = (settings["viewport"]["width"] * scale, settings["viewport"]["height"] * scale)
        assert _png_size(taken[shot.name].read_bytes()) == expected, shot.name


def test_the_readme_opens_with_the_pictures_kept_in_docs():
    readme = (demo_screenshots.ROOT / "README.md").read_text()
    before_the_first_section = readme.split("\n## ", 1)[0]
    for shot in demo_screenshots.SHOTS:
        picture = f"docs/screenshots/{shot.name}.png"
        assert picture in before_the_first_section, picture
        assert (demo_screenshots.ROOT / picture).is_file(), picture
