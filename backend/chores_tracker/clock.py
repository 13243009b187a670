"""The app's one clock: the current instant, aware UTC, in whole seconds.

MySQL's DATETIME keeps whole seconds: MySQL rounds a fraction and MariaDB truncates it. An instant
taken in whole seconds is stored as it was taken on every database, so what an answer shows, what
the database keeps and what a later check compares with are the same instant (an invite code's
expiry, a session's end, a cooldown's end, a report period's bounds).
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
