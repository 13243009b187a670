"""Notifications: one row per recipient of an event, written in the change's own transaction.

The row is at once the in-app notification (read or not) and the outbox the worker delivers from
(`dispatched_at` is set once the worker has handed it to the recipient's channels).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from chores_tracker import clock
from chores_tracker.db.base import Base, UTCDateTime


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_recipient_created", "recipient_id", "created_at"),
        Index("ix_notifications_recipient_read", "recipient_id", "read_at"),
        Index("ix_notifications_dispatched_id", "dispatched_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The activity type that told it (chore_completed, chore_approved, ...).
    event: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The child the event is about (who finished, who was paid), when there is one.
    child_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    chore_id: Mapped[int | None] = mapped_column(ForeignKey("chores.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    # The completion waiting for review (chore_completed): its message carries signed links to act on it.
    completion_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NotificationChannel(Base):
    """Where a member wants to be told, as an Apprise URL (ntfy://, json://, mailto://, tgram://, ...).
    The URL holds secrets (tokens, passwords): it is stored encrypted (channels.py) and never logged."""

    __tablename__ = "notification_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    url_encrypted: Mapped[str] = mapped_column(String(4000))
    # The events it wants, comma-separated (notifications.events); none: every event.
    events: Mapped[str | None] = mapped_column(String(500))
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class DeliveryState(str, Enum):
    pending = "pending"  # waiting for its (next) attempt at next_attempt_at
    sending = "sending"  # claimed by a worker until claimed_until; after that, claimable again
    delivered = "delivered"
    dead = "dead"  # gave up after NOTIFICATION_MAX_ATTEMPTS tries: the dead letters parents see


class NotificationDelivery(Base):
    """One notification to one channel: at most once delivered (idempotency_key unique per
    notification, which has one recipient, and channel)."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sending', 'delivered', 'dead')", name="state"),
        Index("ix_notification_deliveries_state_next", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("notification_channels.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(32))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class NotificationPreferences(Base):
    """A member's quiet hours, family-local "HH:MM" to "HH:MM" (may span midnight); none: never quiet.
    Its daily digest's family-local hour (none: no digest) and the family-local day it was last
    written for; when a "waiting for review" message last went to its channels (review nudges: at
    most one per REVIEW_NUDGE_MINUTES) and the last chore_completed notification that one covered."""

    __tablename__ = "notification_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    digest_hour: Mapped[int | None] = mapped_column(Integer)
    digest_sent_on: Mapped[str | None] = mapped_column(String(10))
    review_nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_nudge_last_id: Mapped[int | None] = mapped_column(Integer)


class Webhook(Base):
    """A family's outgoing webhook: its events are POSTed to `url`, signed per Standard Webhooks with
    a secret we made (stored encrypted like channel URLs, shown once). Disabled by a parent, or by the
    worker after WEBHOOK_MAX_CONSECUTIVE_FAILURES failed attempts in a row (`disabled_reason`)."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret_encrypted: Mapped[str] = mapped_column(String(500))
    # The events it wants, comma-separated (notifications.events); none: every event.
    events: Mapped[str | None] = mapped_column(String(500))
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=true())
    consecutive_failures: Mapped[int] = mapped_column(Integer, server_default="0", default=0)
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class WebhookDelivery(Base):
    """One event of the family to one webhook, written in the change's own transaction (so a rolled
    back change sends nothing). Its id is the message's `webhook-id` (msg_<id>), the same on every
    attempt; the row is also the delivery log parents see (last status code, attempts, last error)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sending', 'delivered', 'dead')", name="state"),
        Index("ix_webhook_deliveries_state_next", "state", "next_attempt_at"),
        Index("ix_webhook_deliveries_webhook_id_id", "webhook_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    # The JSON body's `data` (the event's text and ids), written once with the event.
    payload: Mapped[str] = mapped_column(String(2000))
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
