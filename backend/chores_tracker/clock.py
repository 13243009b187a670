"""The app's one clock: the current instant, aware UTC, in whole seconds.

MySQL's DATETIME keeps whole seconds: MySQL rounds a fraction and MariaDB truncates it. An instant
taken in whole seconds is stored as it was taken on every database, so what an answer shows, what
the database keeps and what a later check compares with are the same instant (an invite code's
expiry, a session's end, a cooldown's end, a report period's bounds).

For tests of the served app only: `follow_file(path)` (the setting TEST_CLOCK_FILE, refused with
ENVIRONMENT=production) makes now() the instant written in that file (ISO 8601 with its offset,
e.g. `2027-01-04T23:30:00+00:00`), so a test can set the clock of a server or a `chores-tracker
tick` it runs as a subprocess. The file is read again only when it changes (its inode, mtime or
size: write a new file and rename it over the old one), and until it exists the real clock runs. Without the setting now() only checks one variable.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

_told: ContextVar[datetime | None] = ContextVar("chores_tracker_clock_told", default=None)
# Test-only (TEST_CLOCK_FILE): the file holding the instant now() answers, and its last reading.
_file: Path | None = None
_read: tuple[tuple[int, int, int], datetime] | None = None


def now() -> datetime:
    told = _told.get()
    if told is not None:
        return told
    if _file is not None:
        written = _from_file(_file)
        if written is not None:
            return written
    return datetime.now(UTC).replace(microsecond=0)


def follow_file(path: Path | None) -> None:
    """Test-only: now() answers the instant written in `path` (None: the real clock again).
    Settings refuse it in production; the app and `chores-tracker tick` call it with TEST_CLOCK_FILE."""
    global _file, _read  # the process's one clock, as the context variable above
    _file, _read = path, None


def _from_file(path: Path) -> datetime | None:
    global _read
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    if _read is not None and _read[0] == version:
        return _read[1]
    instant = datetime.fromisoformat(path.read_text().strip())
    if instant.tzinfo is None:
        raise ValueError(f"{path}: write an instant with its offset, such as 2027-01-04T23:30:00+00:00")
    _read = (version, instant.astimezone(UTC).replace(microsecond=0))
    return _read[1]


@contextmanager
def told(instant: datetime) -> Iterator[None]:
    """Within the block, now() is `instant` (this thread or task only).

    For history made after the fact (the demo family's weeks): the services themselves then stamp
    every row, feed line, ledger entry and cooldown as if it had happened at that instant, so the
    past is as consistent as the present, without writing business rows around them.
    """
    if instant.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
    token = _told.set(instant.astimezone(UTC).replace(microsecond=0))
    try:
        yield
    finally:
        _told.reset(token)
