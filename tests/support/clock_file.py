"""Setting the served app's clock in a test: TEST_CLOCK_FILE's file, written anew each time."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path


def write_instant(path: Path, instant: datetime) -> None:
    """Writes the instant to a new file renamed over the old one, so the clock sees the change."""
    if instant.tzinfo is None:
        raise ValueError("write an aware instant")
    fresh = path.with_suffix(".new")
    fresh.write_text(instant.isoformat())
    os.replace(fresh, path)
