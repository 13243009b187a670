"""A member's channels: Apprise URLs, encrypted at rest with Fernet, and the events each wants.

The URL is a secret (tokens, passwords); it is decrypted only to deliver, and shown back masked.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from chores_tracker.errors import InvalidInput, NotFound
from chores_tracker.identity.models import User
from chores_tracker.notifications.events import AUDIENCES
from chores_tracker.notifications.models import NotificationChannel
from chores_tracker.settings import Settings

if TYPE_CHECKING:
    from cryptography.fernet import Fernet


def quiet_apprise() -> None:
    """Apprise logs the URLs it loads and sends to (partly masked); a channel's URL holds secrets,
    so its logger says nothing. What went wrong is recorded on the delivery, in our own words."""
    logging.getLogger("apprise").setLevel(logging.CRITICAL + 1)


def fernet(settings: Settings) -> Fernet:
    from cryptography.fernet import Fernet  # at first use, not to serve /health

    if settings.notification_key:
        try:
            return Fernet(settings.notification_key.encode())
        except ValueError:
            raise InvalidInput("NOTIFICATION_KEY is not a Fernet key", field="NOTIFICATION_KEY") from None
    derived = hashlib.sha256(f"notification-channels|{settings.secret_key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt(settings: Settings, url: str) -> str:
    return fernet(settings).encrypt(url.encode()).decode()


def decrypt(settings: Settings, token: str) -> str | None:
    """None when the key changed since: the channel cannot be used, and says so."""
    from cryptography.fernet import InvalidToken

    try:
        return fernet(settings).decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def masked(url: str | None) -> str:
    """What a channel's URL may show: its scheme and host, nothing that could be a secret."""
    if not url:
        return "(unreadable: NOTIFICATION_KEY changed)"
    if url.startswith(EMAIL):
        _, _, domain = url.partition("@")
        return f"email:…@{domain}"
    if url.startswith(PUSH):
        endpoint = json.loads(url.removeprefix(PUSH)).get("endpoint", "")
        return f"webpush://{urlsplit(endpoint).hostname or ''}/…"
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}/…" if host else f"{parts.scheme}://…"


def wanted_events(events: list[str] | None) -> str | None:
    if events is None:
        return None
    unknown = sorted(set(events) - set(AUDIENCES))
    if unknown:
        raise InvalidInput(f"unknown events: {', '.join(unknown)}", field="events")
    return ",".join(sorted(set(events)))


def wants(channel: NotificationChannel, event: str) -> bool:
    return channel.enabled and (channel.events is None or event in channel.events.split(","))


EMAIL = "email:"
PUSH = "webpush:"  # a browser's push subscription (notifications/webpush.py)


def email_url(settings: Settings, address: str) -> str:
    """The Apprise URL that mails `address` through the SMTP_* settings."""
    auth = f"{quote(settings.smtp_username, safe='')}:{quote(settings.smtp_password, safe='')}@"
    mode = {"starttls": "starttls", "ssl": "ssl", "none": "insecure"}[settings.smtp_security]
    sender = settings.smtp_from or f"chores-tracker@{settings.smtp_host}"
    query = urlencode({"smtp": settings.smtp_host, "from": sender, "to": address, "mode": mode})
    host = f"{settings.smtp_host}:{settings.smtp_port}"
    return f"mailtos://{auth if settings.smtp_username else ''}{host}?{query}"


def add_channel(
    session: Session, settings: Settings, user: User, *, name: str, url: str, events: list[str] | None = None
) -> NotificationChannel:
    import apprise
    from email_validator import EmailNotValidError, validate_email

    quiet_apprise()

    if user.family_id is None:
        raise NotFound("join or create a family first")
    if url.startswith(PUSH):
        raise InvalidInput("a browser subscribes through POST /notifications/push-subscriptions", field="url")
    if url.startswith(EMAIL):
        if not settings.smtp_host:
            raise InvalidInput("email needs the server's SMTP_HOST setting; ask whoever runs it", field="url")
        try:
            validate_email(url.removeprefix(EMAIL), check_deliverability=False)
        except EmailNotValidError:
            raise InvalidInput("not an email address: email:someone@example.com", field="url") from None
    elif apprise.Apprise.instantiate(url) is None:
        raise InvalidInput("not a channel URL Apprise knows (e.g. ntfy://, json://, mailto://)", field="url")
    return _store(session, settings, user, name=name, url=url, events=events)


def add_push_subscription(
    session: Session,
    settings: Settings,
    user: User,
    *,
    name: str,
    endpoint: str,
    p256dh: str,
    auth: str,
    events: list[str] | None = None,
) -> NotificationChannel:
    """A browser's push subscription as a channel. The same browser subscribing again (same
    endpoint) replaces its channel instead of adding a second one."""
    from chores_tracker.notifications import webpush

    if user.family_id is None:
        raise NotFound("join or create a family first")
    subscription = webpush.checked_subscription(settings, endpoint, p256dh, auth)
    for channel in channels_of(session, user):
        url = decrypt(settings, channel.url_encrypted)
        if url and url.startswith(webpush.SCHEME) and webpush.Subscription.from_url(url).endpoint == endpoint:
            session.delete(channel)
    return _store(session, settings, user, name=name, url=subscription.as_url(), events=events)


def _store(
    session: Session, settings: Settings, user: User, *, name: str, url: str, events: list[str] | None
) -> NotificationChannel:
    assert user.family_id is not None
    channel = NotificationChannel(
        family_id=user.family_id,
        user_id=user.id,
        name=name,
        url_encrypted=encrypt(settings, url),
        events=wanted_events(events),
        enabled=True,
    )
    session.add(channel)
    session.commit()
    return channel


def channels_of(session: Session, user: User) -> list[NotificationChannel]:
    return list(
        session.scalars(
            select(NotificationChannel)
            .where(NotificationChannel.user_id == user.id, NotificationChannel.family_id == user.family_id)
            .order_by(NotificationChannel.id)
        )
    )


def remove_channel(session: Session, user: User, channel_id: int) -> None:
    channel = session.scalar(
        select(NotificationChannel).where(
            NotificationChannel.id == channel_id,
            NotificationChannel.user_id == user.id,
            NotificationChannel.family_id == user.family_id,
        )
    )
    if channel is None:
        raise NotFound("channel not found")
    session.delete(channel)
    session.commit()
