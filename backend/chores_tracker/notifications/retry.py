"""What both outboxes' workers share (the members' channels: delivery.py; the family's webhooks:
webhook_delivery.py): claiming due rows without waiting on another worker, and the wait before a
failed delivery is tried again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from chores_tracker.settings import Settings

MAX_BACKOFF = timedelta(hours=6)


def skip_locked(session: Session, statement):  # type: ignore[no-untyped-def]  # any Select
    """FOR UPDATE SKIP LOCKED on PostgreSQL and MariaDB/MySQL; SQLite has one writer and no such clause."""
    if session.get_bind().dialect.name == "sqlite":
        return statement
    return statement.with_for_update(skip_locked=True)


def backoff(settings: Settings, attempts: int) -> timedelta:
    """NOTIFICATION_BACKOFF_SECONDS, doubling with each attempt, at most MAX_BACKOFF."""
    seconds = settings.notification_backoff_seconds * (2 ** max(attempts - 1, 0))
    return min(timedelta(seconds=seconds), MAX_BACKOFF)
