"""The in-app notification centre: what the caller was told, how much is unread, marking read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from chores_tracker.deps import DbSession
from chores_tracker.http import MAX_ROW_ID, RowId
from chores_tracker.identity.deps import CurrentUser
from chores_tracker.notifications import service
from chores_tracker.notifications.schemas import (
    MarkedReadOut,
    NotificationOut,
    NotificationPageOut,
    UnreadCountOut,
    present,
)

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("", response_model=NotificationPageOut)
def list_notifications(
    user: CurrentUser,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
    unread_only: bool = False,
) -> NotificationPageOut:
    """The caller's own notifications in its family, newest first, with the unread count."""
    page = service.recent(session, user, limit=limit, offset=offset, unread_only=unread_only)
    return NotificationPageOut(
        notifications=[present(n) for n in page.notifications],
        total_count=page.total_count,
        unread_count=page.unread_count,
        has_more=page.has_more,
    )


@router.get("/unread-count", response_model=UnreadCountOut)
def unread_count(user: CurrentUser, session: DbSession) -> UnreadCountOut:
    """Cheap enough to poll: one indexed count."""
    return UnreadCountOut(unread_count=service.unread_count(session, user))


@router.post("/read-all", response_model=MarkedReadOut)
def mark_all_read(user: CurrentUser, session: DbSession) -> MarkedReadOut:
    return MarkedReadOut(marked=service.mark_all_read(session, user))


@router.post("/{notification_id}/read", response_model=NotificationOut)
def mark_read(notification_id: RowId, user: CurrentUser, session: DbSession) -> NotificationOut:
    return present(service.mark_read(session, user, notification_id))
