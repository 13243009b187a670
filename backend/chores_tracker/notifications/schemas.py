from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from chores_tracker.http import Input
from chores_tracker.notifications.events import AUDIENCES
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


class ChannelIn(Input):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        description="what the member calls it: 'my phone', 'family Discord'"
    )
    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)] = Field(
        description=(
            "an Apprise URL (ntfy://topic, json://host/path, tgram://bot/chat, discord://..., mailto://...), or "
            "email:someone@example.com to be mailed through the server's SMTP_* settings. Stored encrypted, "
            "never shown again in full"
        )
    )
    events: list[str] | None = Field(
        default=None,
        max_length=20,
        description=f"the events it wants (GET /notifications/events: {', '.join(AUDIENCES)}); null: all",
    )


class ChannelOut(BaseModel):
    id: int
    name: str
    url: str = Field(description="masked: the scheme and the host only")
    events: list[str] | None
    enabled: bool
    created_at: datetime


class PushKeys(Input):
    p256dh: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="the browser's P-256 public key, base64url (PushSubscription.toJSON().keys.p256dh)"
    )
    auth: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        description="the browser's 16-byte authentication secret, base64url"
    )


class PushSubscriptionIn(Input):
    """A browser's push subscription, as `PushSubscription.toJSON()` gives it, and a name for it."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        default="This device", description="what the member calls it: 'my phone'"
    )
    endpoint: Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=1000)] = Field(
        description="the push service's URL for this browser (https)"
    )
    keys: PushKeys
    events: list[str] | None = Field(
        default=None,
        max_length=20,
        description=f"the events it wants ({', '.join(AUDIENCES)}); null: all",
    )


class PushKeyOut(BaseModel):
    enabled: bool = Field(description="whether this server sends Web Push (VAPID_PRIVATE_KEY is set)")
    public_key: str | None = Field(
        description="the application server key to subscribe with (base64url P-256 point); null when not enabled"
    )


class EventsOut(BaseModel):
    events: dict[str, str] = Field(description=f"each event's name and meaning: {', '.join(AUDIENCES)}")


class DeliveryOut(BaseModel):
    id: int
    notification_id: int
    recipient_id: int
    channel_name: str
    event: str
    text: str
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime


QuietTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class PreferencesIn(Input):
    quiet_start: QuietTime | None = Field(
        default=None, description="family-local HH:MM when quiet hours begin; null (with quiet_end): none"
    )
    quiet_end: QuietTime | None = Field(
        default=None, description="family-local HH:MM when they end (may be the next day)"
    )


class PreferencesOut(BaseModel):
    quiet_start: str | None
    quiet_end: str | None
