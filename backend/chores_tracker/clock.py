"""The app's one clock: the current instant, aware UTC, in whole seconds.

MySQL's DATETIME keeps whole seconds: MySQL rounds a fraction and MariaDB truncates it. An instant
taken in whole seconds is stored as it was taken on every database, so what an answer shows, what
the database keeps and what a later check compares with are the same instant (an invite code's
expiry, a session's end, a cooldown's end, a report period's bounds).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_told: ContextVar[datetime | None] = ContextVar("chores_tracker_clock_told", default=None)


def now() -> datetime:
    told = _told.get()
    if told is not None:
        return told
    return datetime.now(UTC).replace(microsecond=0)


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
