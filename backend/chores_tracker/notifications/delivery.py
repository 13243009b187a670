"""Delivering the outbox: what `chores-tracker worker` (and `serve`, when told to) runs. No HTTP.

Two steps, each its own short transaction:

1. fan_out: notifications not yet dispatched become one delivery per channel of the recipient's
   that wants the event (idempotency key: the notification, which has one recipient, and the
   channel; unique), and are marked dispatched.
2. deliver_due: deliveries whose time has come (pending, or claimed by a worker whose lease ran
   out) are claimed (state `sending`, a claim token, a lease, one more attempt), committed, then
   sent outside any transaction; the outcome is written only if the claim is still ours (outbox.py,
   which the webhooks' deliveries share).

Rows are claimed with SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL and MariaDB/MySQL, so any
number of workers share the work without waiting on each other or taking the same row; SQLite has
one writer at a time and no such clause, so it is meant for one worker.

At most once per recipient and channel is what the idempotency key guarantees of the rows; what a
receiver sees is at least once: a worker killed after the receiver took a message but before it
wrote `delivered` leaves the claim to run out, and another worker sends it again. So duplicates
are bounded by the attempts (NOTIFICATION_MAX_ATTEMPTS), and in practice one per crash; the
`Idempotency-Key` header (JSON webhooks) lets a receiver drop them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, column, func, or_, select, table, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from chores_tracker import clock
from chores_tracker.db.engine import rows_changed
from chores_tracker.identity.models import User
from chores_tracker.notifications import channels, links, mqtt, outbox, webhook_delivery
from chores_tracker.notifications.events import EVENT_LABELS
from chores_tracker.notifications.models import (
    DeliveryState,
    Notification,
    NotificationChannel,
    NotificationDelivery,
    NotificationPreferences,
    Webhook,
    WebhookDelivery,
)
from chores_tracker.notifications.outbox import skip_locked
from chores_tracker.notifications.quiet import release_at
from chores_tracker.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    event: str
    idempotency_key: str


class DeliveryFailed(Exception):
    """The channel did not take the message; the text says why, without the channel's URL."""


class ChannelGone(DeliveryFailed):
    """The channel will never take a message again (a browser's push subscription ended): the
    delivery is a dead letter at once and the channel is turned off."""


# A sender takes the channel's (decrypted) URL and the message, and raises DeliveryFailed.
Sender = Callable[[str, Message], None]


def apprise_sender(url: str, message: Message) -> None:
    """Any Apprise URL (an `email:` channel is first turned into one by make_sender)."""
    import apprise

    channels.quiet_apprise()
    if url.startswith(("json://", "jsons://")):
        # Apprise's JSON webhook sends `+Name=value` query items as headers.
        url += ("&" if "?" in url else "?") + f"+Idempotency-Key={message.idempotency_key}"
    sender = apprise.Apprise()
    if not sender.add(url):
        raise DeliveryFailed("the channel URL is not one Apprise knows")
    if not sender.notify(title=message.title, body=message.body):
        raise DeliveryFailed("the channel refused the message or could not be reached")


def make_sender(settings: Settings) -> Sender:
    """Apprise for every channel; an `email:` channel through the SMTP_* settings."""

    def send(url: str, message: Message) -> None:
        if url.startswith(channels.PUSH):
            return push_sender(settings, url, message)
        if url.startswith(channels.EMAIL):
            if not settings.smtp_host:
                raise DeliveryFailed("email needs the SMTP_HOST setting")
            url = channels.email_url(settings, url.removeprefix(channels.EMAIL))
        apprise_sender(url, message)

    return send


def push_sender(settings: Settings, url: str, message: Message) -> None:
    """A browser's push subscription (notifications/webpush.py); the service worker shows it."""
    import httpx

    from chores_tracker.notifications import webpush

    if not settings.vapid_private_key:
        raise DeliveryFailed("Web Push needs the VAPID_PRIVATE_KEY setting")
    payload = {"title": message.title, "body": message.body, "tag": message.idempotency_key, "url": "/notifications"}
    try:
        outcome = webpush.send(settings, url, payload)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"the push service could not be reached ({type(exc).__name__})") from None
    if outcome.gone:
        raise ChannelGone(f"the browser's push subscription has ended (HTTP {outcome.status})")
    if not outcome.delivered:
        raise DeliveryFailed(f"the push service answered HTTP {outcome.status}")


@dataclass
class Round(outbox.Tally):
    dispatched: int = 0
    errors: list[str] = field(default_factory=list)
    events: list[mqtt.Event] = field(default_factory=list)  # behind the notifications dispatched

    def as_text(self) -> str:
        return f"{self.dispatched} dispatched, {self.delivered} delivered, {self.failed} failed, {self.dead} dead"


WAITING = "chore_completed"


def _take_nudge(session: Session, settings: Settings, recipient_id: int, notification_id: int, now: datetime) -> bool:
    """Whether this "waiting for review" notification may go to the parent's channels now: the
    parent's last such message is REVIEW_NUDGE_MINUTES old (or there was none). A conditional UPDATE
    of its preferences row, so of two workers one takes it; the first time, the row is made (two
    workers making it at once: one fails on the unique user_id, and its round is tried again)."""
    since = now - timedelta(minutes=settings.review_nudge_minutes)
    taken = rows_changed(
        session.execute(
            update(NotificationPreferences)
            .where(
                NotificationPreferences.user_id == recipient_id,
                or_(
                    NotificationPreferences.review_nudged_at.is_(None),
                    NotificationPreferences.review_nudged_at <= since,
                ),
            )
            .values(review_nudged_at=now, review_nudge_last_id=notification_id)
            .execution_options(synchronize_session=False)
        )
    )
    if taken == 1:
        return True
    exists = session.scalar(select(NotificationPreferences.id).where(NotificationPreferences.user_id == recipient_id))
    if exists is not None:
        return False
    session.add(
        NotificationPreferences(user_id=recipient_id, review_nudged_at=now, review_nudge_last_id=notification_id)
    )
    session.flush()
    return True


def nudge_reviews(session: Session, settings: Settings) -> int:
    """One summary per parent whose "waiting for review" notifications were held back (they came
    within REVIEW_NUDGE_MINUTES of the last message to its channels) once that interval is over:
    `review_nudge`, "3 chores wait for your review", written as a notification (already read: the
    centre showed each) that fan_out then delivers. Nothing when none waits any more."""
    if not settings.review_nudge_minutes:
        return 0
    now = clock.now()
    since = now - timedelta(minutes=settings.review_nudge_minutes)
    prefs = NotificationPreferences
    held = session.execute(
        select(Notification.recipient_id, func.max(Notification.id))
        .join(prefs, prefs.user_id == Notification.recipient_id)
        .where(
            Notification.event == WAITING,
            Notification.dispatched_at.is_not(None),
            Notification.id > func.coalesce(prefs.review_nudge_last_id, 0),
            prefs.review_nudged_at <= since,
        )
        .group_by(Notification.recipient_id)
        .order_by(Notification.recipient_id)
    ).all()
    if not held:
        session.rollback()
        return 0
    # The completions waiting now, read by table name: chores sit above this domain.
    completions = table("chore_completions", column("family_id"), column("status"))
    written = 0
    for recipient_id, last_id in held:
        moved = session.execute(
            update(prefs)
            .where(
                prefs.user_id == recipient_id,
                prefs.review_nudged_at <= since,
                func.coalesce(prefs.review_nudge_last_id, 0) < last_id,
            )
            .values(review_nudged_at=now, review_nudge_last_id=last_id)
            .execution_options(synchronize_session=False)
        )
        if rows_changed(moved) != 1:
            continue  # another worker summarised them
        parent = session.get(User, recipient_id)
        if parent is None or parent.family_id is None or not parent.is_active or not parent.is_parent:
            continue
        waiting = session.scalar(
            select(func.count())
            .select_from(completions)
            .where(completions.c.family_id == parent.family_id, completions.c.status == "pending")
        )
        if not waiting:
            continue
        session.add(
            Notification(
                family_id=parent.family_id,
                recipient_id=recipient_id,
                event="review_nudge",
                text=f"{waiting} chore{'s' if waiting != 1 else ''} wait{'' if waiting != 1 else 's'} for your review",
                created_at=now,
                read_at=now,
            )
        )
        written += 1
    session.commit()
    return written


def fan_out(
    session: Session,
    settings: Settings | None = None,
    *,
    batch: int = 100,
    events: list[mqtt.Event] | None = None,
) -> int:
    """Notifications not yet dispatched become deliveries to their recipients' channels. With
    `settings` and REVIEW_NUDGE_MINUTES, a "waiting for review" one goes only if the parent's last
    such message is that old (nudge_reviews summarises the ones held back). `events`, when given,
    gets the events behind the notifications dispatched (for MQTT)."""
    now = clock.now()
    nudging = settings is not None and settings.review_nudge_minutes > 0
    found = list(
        session.scalars(
            skip_locked(
                session,
                select(Notification).where(Notification.dispatched_at.is_(None)).order_by(Notification.id).limit(batch),
            )
        )
    )
    if not found:
        session.rollback()
        return 0
    recipients = {n.recipient_id for n in found}
    by_user: dict[int, list[NotificationChannel]] = {}
    for channel in session.scalars(
        select(NotificationChannel).where(NotificationChannel.user_id.in_(recipients), NotificationChannel.enabled)
    ):
        by_user.setdefault(channel.user_id, []).append(channel)
    quiet = {
        row.user_id: (row.quiet_start, row.quiet_end)
        for row in session.scalars(
            select(NotificationPreferences).where(NotificationPreferences.user_id.in_(recipients))
        )
    }
    # The families' zones, read by table name: families sit above this domain.
    families = table("families", column("id"), column("timezone"))
    family_ids = sorted({n.family_id for n in found})
    zones: dict[int, str] = {
        row.id: row.timezone
        for row in session.execute(select(families.c.id, families.c.timezone).where(families.c.id.in_(family_ids)))
    }
    for notification in found:
        if nudging and notification.event == WAITING and by_user.get(notification.recipient_id):
            assert settings is not None
            if not _take_nudge(session, settings, notification.recipient_id, notification.id, now):
                continue  # held back: in the centre now, in the next summary for the channels
        start, end = quiet.get(notification.recipient_id, (None, None))
        release = release_at(now, zones.get(notification.family_id), start, end)
        for channel in by_user.get(notification.recipient_id, []):
            if channel.family_id != notification.family_id or not channels.wants(channel, notification.event):
                continue
            session.add(
                NotificationDelivery(
                    notification_id=notification.id,
                    channel_id=channel.id,
                    family_id=notification.family_id,
                    idempotency_key=f"n{notification.id}-c{channel.id}",
                    state=DeliveryState.pending.value,
                    attempts=0,
                    next_attempt_at=release,
                    created_at=now,
                )
            )
    if events is not None:
        events.extend(mqtt.events_of(found))
    session.execute(
        update(Notification)
        .where(Notification.id.in_([n.id for n in found]))
        .values(dispatched_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return len(found)


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    channel_id: int
    attempts: int
    url: str | None
    message: Message


def _action_links(settings: Settings, notification: Notification, token_version: int) -> str:
    """A chore waiting for review: signed links to approve or send it back (with PUBLIC_URL set); a
    summary of several: the link to the approvals page."""
    if settings.public_url and notification.event == "review_nudge":
        return f"\n\nReview: {settings.public_url.rstrip('/')}/approvals"
    if not settings.public_url or notification.completion_id is None or notification.event != "chore_completed":
        return ""
    base = settings.public_url.rstrip("/")
    made = {
        action: links.path(
            settings,
            parent_id=notification.recipient_id,
            token_version=token_version,
            completion_id=notification.completion_id,
            action=action,
        )
        for action in links.Action
    }
    return f"\n\nApprove: {base}{made[links.Action.approve]}\nSend back: {base}{made[links.Action.reject]}"


def claim(session: Session, settings: Settings, *, batch: int = 20) -> tuple[str, list[Claimed]]:
    def read(mine: ColumnElement[bool]) -> list[Claimed]:
        rows = session.execute(
            select(NotificationDelivery, Notification, NotificationChannel.url_encrypted, User.token_version)
            .join(Notification, Notification.id == NotificationDelivery.notification_id)
            .join(NotificationChannel, NotificationChannel.id == NotificationDelivery.channel_id)
            .join(User, User.id == Notification.recipient_id)
            .where(mine)
            .order_by(NotificationDelivery.id)
        ).all()
        return [
            Claimed(
                delivery.id,
                delivery.channel_id,
                delivery.attempts,
                channels.decrypt(settings, encrypted),
                Message(
                    title=EVENT_LABELS.get(notification.event, "Chores Tracker"),
                    body=notification.text + _action_links(settings, notification, version),
                    event=notification.event,
                    idempotency_key=delivery.idempotency_key,
                ),
            )
            for delivery, notification, encrypted, version in rows
        ]

    return outbox.claim(session, settings, NotificationDelivery, read, clock.now(), batch=batch)


def settle(
    session: Session,
    settings: Settings,
    token: str,
    item: Claimed,
    error: str | None,
    now: datetime,
    *,
    gone: bool = False,
) -> str | None:
    """Writes the outcome if the claim is still ours; the state written, or None when it was not.
    `gone`: the channel will never work again; the delivery is dead and the channel turned off."""
    state = outbox.settle(
        session,
        settings,
        NotificationDelivery,
        token,
        delivery_id=item.delivery_id,
        attempts=item.attempts,
        error=error,
        now=now,
        dead=gone,
    )
    if gone and state is not None:
        session.execute(
            update(NotificationChannel)
            .where(NotificationChannel.id == item.channel_id)
            .values(enabled=False)
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return state


def run_round(
    session_factory: sessionmaker[Session], settings: Settings, sender: Sender | None = None, *, batch: int = 20
) -> Round:
    """One pass: dispatch what is new, then deliver what is due (one batch of each), then the
    family webhooks' due deliveries (webhook_delivery.py; counted in the same totals)."""
    sender = sender or make_sender(settings)
    result = Round()
    with session_factory() as session:
        nudge_reviews(session, settings)
    with session_factory() as session:
        try:
            result.dispatched = fan_out(session, settings, events=result.events)
        except IntegrityError:
            # Two workers made a parent's preferences row at once (_take_nudge): this one's fan-out
            # is undone whole, and the next round does it again.
            session.rollback()
            log.info("fan-out met another worker's first review nudge; tried again next round")
    with session_factory() as session:
        token, claimed = claim(session, settings, batch=batch)
    for item in claimed:
        error: str | None = None
        gone = False
        if item.url is None:
            error = "the channel's URL cannot be read (NOTIFICATION_KEY changed)"
        else:
            try:
                sender(item.url, item.message)
            except DeliveryFailed as exc:
                error, gone = str(exc), isinstance(exc, ChannelGone)
            except Exception as exc:  # a sender's bug must not stop the worker; the URL is not logged
                error = f"the sender failed: {type(exc).__name__}"
        with session_factory() as session:
            result.count(settle(session, settings, token, item, error, clock.now(), gone=gone))
        if error:
            result.errors.append(error)
            log.warning("delivery %s failed (attempt %s): %s", item.delivery_id, item.attempts, error)
    result.add(webhook_delivery.run_round(session_factory, settings, batch=batch))
    return result


@dataclass(frozen=True)
class QueueState:
    depth: int  # notifications not yet dispatched, deliveries (to channels and webhooks) not yet delivered or dead
    oldest_age_seconds: float  # the oldest of them, 0 when there is none


def queue_state(session: Session) -> QueueState:
    now = clock.now()
    waiting = NotificationDelivery.state.in_([DeliveryState.pending.value, DeliveryState.sending.value])
    deliveries, oldest_delivery = session.execute(
        select(func.count(), func.min(NotificationDelivery.created_at)).where(waiting)
    ).one()
    notifications, oldest_notification = session.execute(
        select(func.count(), func.min(Notification.created_at)).where(Notification.dispatched_at.is_(None))
    ).one()
    hooks, oldest_hook = session.execute(
        select(func.count(), func.min(WebhookDelivery.created_at)).where(
            WebhookDelivery.state.in_([DeliveryState.pending.value, DeliveryState.sending.value]),
            # A disabled webhook's deliveries wait for a parent, not for the worker.
            WebhookDelivery.webhook_id.in_(select(Webhook.id).where(Webhook.enabled)),
        )
    ).one()
    oldest = [when for when in (oldest_delivery, oldest_notification, oldest_hook) if when is not None]
    age = (now - min(oldest)).total_seconds() if oldest else 0.0
    return QueueState((deliveries or 0) + (notifications or 0) + (hooks or 0), max(age, 0.0))
