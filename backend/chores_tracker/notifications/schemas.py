from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from chores_tracker.notifications.models import Notification


class NotificationOut(BaseModel):
    id: int
    event: str
    text: str
    actor_id: int | None = None
    child_id: int | None = None
    chore_id: int | None = None
    created_at: datetime
    read_at: datetime | None = None


class NotificationPageOut(BaseModel):
    notifications: list[NotificationOut]
    total_count: int
    unread_count: int
    has_more: bool


class UnreadCountOut(BaseModel):
    unread_count: int


class MarkedReadOut(BaseModel):
    marked: int


def present(row: Notification) -> NotificationOut:
    return NotificationOut(
        id=row.id,
        event=row.event,
        text=row.text,
        actor_id=row.actor_id,
        child_id=row.child_id,
        chore_id=row.chore_id,
        created_at=row.created_at,
        read_at=row.read_at,
    )
