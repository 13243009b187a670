"""A family's outgoing webhooks: registered by a parent, signed per Standard Webhooks, guarded
against server-side request forgery. No HTTP routes here (webhook_routes.py), no sending
(webhook_delivery.py).

- The secret is ours: `whsec_` + base64 of 24 random bytes, shown once, stored encrypted with the
  channels' Fernet key (NOTIFICATION_KEY, or one derived from SECRET_KEY).
- Each event of the family (every event notifications know, and `webhook_disabled`) becomes one
  delivery per enabled webhook that wants it, in one INSERT ... SELECT in the change's own
  transaction (`enqueue_events`, called by notifications.service.enqueue): a rolled-back change
  sends nothing.
- A target's host is resolved and every address it has must be public (not loopback, private,
  link-local, multicast, reserved or unspecified, IPv4-mapped IPv6 included), at registration and
  again at each delivery, unless WEBHOOK_ALLOW_PRIVATE_NETWORKS is on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import (
    Exists,
    Integer,
    SQLColumnExpression,
    String,
    bindparam,
    exists,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from chores_tracker import clock
from chores_tracker.db.base import UTCDateTime
from chores_tracker.db.engine import rows_changed
from chores_tracker.errors import InvalidInput, NotFound
from chores_tracker.identity.models import User
from chores_tracker.notifications import channels
from chores_tracker.notifications.models import DeliveryState, Webhook, WebhookDelivery
from chores_tracker.settings import Settings

SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks prefix, not a secret)
MAX_PAGE = 100


# -- Standard Webhooks signing ---------------------------------------------------------------------


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), the key being the secret's
    base64 part decoded (https://www.standardwebhooks.com)."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def encrypt_secret(settings: Settings, secret: str) -> str:
    return channels.fernet(settings).encrypt(secret.encode()).decode()


def decrypt_secret(settings: Settings, token: str) -> str | None:
    return channels.decrypt(settings, token)


# -- the SSRF guard -----------------------------------------------------------------------------


class TargetRefused(Exception):
    """The target may not be reached (a non-public address, or a host that does not resolve)."""


def resolve(host: str, port: int) -> list[str]:
    """Every address the host has now (tests replace this to pretend a name resolves elsewhere)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TargetRefused(f"the host {host} does not resolve") from None
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def refused_because(address: str) -> str | None:
    """Why an address may not be a target, or None when it is a public one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for name, bad in (
        ("loopback", ip.is_loopback),
        ("private", ip.is_private),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("unspecified", ip.is_unspecified),
    ):
        if bad:
            return f"{name} address"
    if not ip.is_global:
        return "non-public address"
    return None


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the URL (what the Host header and TLS name say)
    port: int
    address: str  # the checked address to connect to


def parse_url(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidInput("not a URL: https://example.com/hook", field="url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("a webhook URL starts with https:// (or http://) and names a host", field="url")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("a webhook URL carries no user name or password; its messages are signed", field="url")
    if parts.fragment:
        raise InvalidInput("a webhook URL has no #fragment", field="url")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check_target(settings: Settings, url: str) -> Target:
    """The address to connect to, after checking every address the host resolves to now."""
    scheme, host, port = parse_url(url)
    addresses = resolve(host, port)
    if not addresses:
        raise TargetRefused(f"the host {host} does not resolve")
    if not settings.webhook_allow_private_networks:
        for address in addresses:
            reason = refused_because(address)
            if reason is not None:
                raise TargetRefused(
                    f"{host} resolves to a {reason} ({address}); WEBHOOK_ALLOW_PRIVATE_NETWORKS allows such targets"
                )
    return Target(scheme, host, port, addresses[0])


# -- registering and listing ---------------------------------------------------------------------


def wanted_events(events: list[str] | None) -> str | None:
    from chores_tracker.notifications.events import WEBHOOK_EVENTS

    if events is None:
        return None
    unknown = sorted(set(events) - set(WEBHOOK_EVENTS))
    if unknown:
        raise InvalidInput(f"unknown events: {', '.join(unknown)}", field="events")
    return ",".join(sorted(set(events)))


def create(
    session: Session, settings: Settings, parent: User, *, url: str, events: list[str] | None, enabled: bool = True
) -> tuple[Webhook, str]:
    """The webhook and its secret (shown this once)."""
    if parent.family_id is None:
        raise NotFound("join or create a family first")
    try:
        check_target(settings, url)
    except TargetRefused as refused:
        raise InvalidInput(str(refused), field="url") from None
    secret = new_secret()
    made = Webhook(
        family_id=parent.family_id,
        created_by_id=parent.id,
        url=url,
        secret_encrypted=encrypt_secret(settings, secret),
        events=wanted_events(events),
        enabled=enabled,
        consecutive_failures=0,
    )
    session.add(made)
    session.commit()
    return made, secret


def of_family(session: Session, parent: User) -> list[Webhook]:
    return list(session.scalars(select(Webhook).where(Webhook.family_id == parent.family_id).order_by(Webhook.id)))


def find(session: Session, parent: User, webhook_id: int) -> Webhook:
    found = session.scalar(select(Webhook).where(Webhook.id == webhook_id, Webhook.family_id == parent.family_id))
    if found is None:
        raise NotFound("webhook not found")
    return found


_UNSET: list[str] = []


def change(
    session: Session,
    parent: User,
    webhook_id: int,
    *,
    enabled: bool | None = None,
    events: list[str] | None = _UNSET,
) -> Webhook:
    """Enable (its failure count starts again) or disable it, or choose its events."""
    found = find(session, parent, webhook_id)
    if events is not _UNSET:
        found.events = wanted_events(events)
    if enabled is not None:
        found.enabled = enabled
        if enabled:
            found.consecutive_failures = 0
            found.disabled_reason = None
        else:
            found.disabled_reason = "disabled by a parent"
    session.commit()
    return found


def remove(session: Session, parent: User, webhook_id: int) -> None:
    session.delete(find(session, parent, webhook_id))
    session.commit()


def deliveries(session: Session, parent: User, webhook_id: int, *, limit: int = 50) -> list[WebhookDelivery]:
    """The delivery log of one of the family's webhooks, newest first."""
    find(session, parent, webhook_id)
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.family_id == parent.family_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(max(1, min(limit, MAX_PAGE)))
        )
    )


# -- events ------------------------------------------------------------------------------------


# Built once: composing the INSERT ... SELECT on every change cost more client CPU than running it.
# A webhook wants the event when it names none (every event) or lists it among its comma-separated ones.
# "raw": with its parameters apart, the ORM would take it for a bulk INSERT of rows.
_ENQUEUE_EVENTS = (
    insert(WebhookDelivery)
    .from_select(
        ["webhook_id", "family_id", "event", "payload", "state", "attempts", "next_attempt_at", "created_at"],
        select(
            Webhook.id,
            bindparam("w_family_id", type_=Integer()).label("family_id"),
            bindparam("w_event", type_=String()).label("event"),
            bindparam("w_payload", type_=String()).label("payload"),
            literal(DeliveryState.pending.value).label("state"),
            literal(0).label("attempts"),
            bindparam("w_now", type_=UTCDateTime()).label("next_attempt_at"),
            bindparam("w_now", type_=UTCDateTime()).label("created_at"),
        ).where(
            Webhook.family_id == bindparam("w_family_id", type_=Integer()),
            Webhook.enabled,
            or_(
                Webhook.events.is_(None),
                (literal(",") + Webhook.events + literal(",")).like(bindparam("w_listed", type_=String())),
            ),
        ),
    )
    .execution_options(dml_strategy="raw")
)


def body(event: str, when: datetime, data: dict[str, object]) -> str:
    """The JSON body, as Standard Webhooks shapes it: type, timestamp, data."""
    return json.dumps(
        {"type": event, "timestamp": when.isoformat().replace("+00:00", "Z"), "data": data},
        separators=(",", ":"),
        ensure_ascii=False,
    )


def any_enabled(family_id: SQLColumnExpression[int]) -> Exists:
    """Whether the family has an enabled webhook: a column for a statement a change reads anyway
    (chores/lifecycle.py), which then tells none_in_this_transaction."""
    return exists().where(Webhook.family_id == family_id, Webhook.enabled)


_NONE_NOTED = "chores_tracker.webhooks.none"


def none_in_this_transaction(session: Session, family_id: int) -> None:
    """The change in progress read (any_enabled) that the family has no enabled webhook: its events
    in this transaction leave out enqueue_events' statement, a statement fewer in the hottest writes.
    A webhook added since that read is added before the event as much as after it: under READ
    COMMITTED the INSERT ... SELECT would see it a few statements later, which no one could tell apart."""
    session.info[_NONE_NOTED] = (session.get_transaction(), family_id)


def _noted_none(session: Session, family_id: int) -> bool:
    # Held for the transaction it was read in only: the next one, begun anew, is another object.
    noted = session.info.get(_NONE_NOTED)
    return noted is not None and noted[0] is session.get_transaction() and noted[1] == family_id


def enqueue_events(session: Session, *, family_id: int, event: str, data: dict[str, object]) -> None:
    """One delivery per enabled webhook of the family that wants the event, in the caller's
    transaction and one statement (none when the family has no webhook), or no statement when the
    change noted that it has none (none_in_this_transaction)."""
    if _noted_none(session, family_id):
        return
    now = clock.now()
    payload = body(event, now, {"family_id": family_id, **data})
    if len(payload) > 2000:
        data = {**data, "text": str(data.get("text", ""))[:500]}
        payload = body(event, now, {"family_id": family_id, **data})[:2000]
    session.execute(
        _ENQUEUE_EVENTS,
        {"w_family_id": family_id, "w_event": event, "w_payload": payload, "w_now": now, "w_listed": f"%,{event},%"},
    )


def reset_failures(session: Session, webhook_id: int) -> None:
    session.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id, Webhook.consecutive_failures != 0)
        .values(consecutive_failures=0)
        .execution_options(synchronize_session=False)
    )


def count_failure(session: Session, settings: Settings, webhook_id: int) -> bool:
    """One more failure in a row; True when this one disabled the webhook (conditional: once)."""
    session.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id)
        .values(consecutive_failures=Webhook.consecutive_failures + 1)
        .execution_options(synchronize_session=False)
    )
    limit = settings.webhook_max_consecutive_failures
    disabled = session.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id, Webhook.enabled, Webhook.consecutive_failures >= limit)
        .values(enabled=False, disabled_reason=f"disabled after {limit} failed deliveries in a row")
        .execution_options(synchronize_session=False)
    )
    return rows_changed(disabled) == 1
