"""Delivering the family webhooks' events: what the worker's round runs after the channels. No routes.

As the channels' deliveries (delivery.py), through the same outbox.py: due rows are claimed (SKIP
LOCKED on PostgreSQL and MariaDB/MySQL; one worker on SQLite) with a token, a lease and one more
attempt, committed; sent
outside any transaction; the outcome written only if the claim is still ours. Retries wait
NOTIFICATION_BACKOFF_SECONDS x 2^(tries-1); after NOTIFICATION_MAX_ATTEMPTS tries the delivery is
dead. Every failed attempt counts against the webhook: WEBHOOK_MAX_CONSECUTIVE_FAILURES in a row
disable it and tell the family's parents (`webhook_disabled`); a success starts the count again.

Each POST is signed per Standard Webhooks: `webhook-id` (msg_<delivery id>, the same on every
attempt, so a receiver drops duplicates), `webhook-timestamp` (this attempt's, Unix seconds),
`webhook-signature`. The host is resolved and checked again (DNS may have changed since the
webhook was registered) and the connection goes to the checked address, with the URL's host in
the Host header and as the TLS name. Redirects are not followed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, sessionmaker

from chores_tracker import clock
from chores_tracker.notifications import outbox, webhooks
from chores_tracker.notifications.models import Webhook, WebhookDelivery
from chores_tracker.settings import Settings

log = logging.getLogger(__name__)

USER_AGENT = "chores-tracker-webhooks"


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None  # None: delivered


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    webhook_id: int
    family_id: int
    attempts: int
    url: str
    secret: str | None
    body: str

    @property
    def message_id(self) -> str:
        return f"msg_{self.delivery_id}"


def claim(session: Session, settings: Settings, *, batch: int = 20) -> tuple[str, list[Claimed]]:
    """Due deliveries of enabled webhooks (a disabled webhook's wait until it is enabled again)."""

    def read(mine: ColumnElement[bool]) -> list[Claimed]:
        rows = session.execute(
            select(WebhookDelivery, Webhook.url, Webhook.secret_encrypted)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(mine)
            .order_by(WebhookDelivery.id)
        ).all()
        return [
            Claimed(
                delivery.id,
                delivery.webhook_id,
                delivery.family_id,
                delivery.attempts,
                url,
                webhooks.decrypt_secret(settings, encrypted),
                delivery.payload,
            )
            for delivery, url, encrypted in rows
        ]

    now = clock.now()
    enabled = WebhookDelivery.webhook_id.in_(select(Webhook.id).where(Webhook.enabled))
    return outbox.claim(
        session, settings, WebhookDelivery, read, now, batch=batch, where=[enabled], values={"last_attempt_at": now}
    )


# A poster sends one signed message and says what happened (tests may replace it).
Poster = Callable[[Settings, Claimed, dict[str, str]], Outcome]


def post(settings: Settings, item: Claimed, headers: dict[str, str]) -> Outcome:
    """POSTs to the checked address of the URL's host; no redirects, no proxies from the environment."""
    try:
        target = webhooks.check_target(settings, item.url)
    except webhooks.TargetRefused as refused:
        return Outcome(None, f"refused: {refused}")
    except Exception as exc:  # an unusable URL is a failed delivery, not a worker crash
        return Outcome(None, f"refused: {type(exc).__name__}")
    parts = urlsplit(item.url)
    address = f"[{target.address}]" if ":" in target.address else target.address
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if ":" not in target.host else f"[{target.host}]"
    if target.port != default_port:
        host_header += f":{target.port}"
    url = urlunsplit((target.scheme, f"{address}:{target.port}", parts.path or "/", parts.query, ""))
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    try:
        with httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False, trust_env=False) as client:
            response = client.post(
                url,
                content=item.body.encode(),
                headers={**headers, "Host": host_header},
                extensions=extensions,
            )
    except httpx.TimeoutException:
        return Outcome(None, "the receiver did not answer in time")
    except httpx.HTTPError as exc:
        return Outcome(None, f"could not reach the receiver: {type(exc).__name__}")
    if 200 <= response.status_code < 300:
        return Outcome(response.status_code, None)
    if 300 <= response.status_code < 400:
        return Outcome(response.status_code, f"answered {response.status_code} (redirects are not followed)")
    return Outcome(response.status_code, f"answered {response.status_code}")


def signed_headers(item: Claimed, now: datetime) -> dict[str, str] | None:
    if item.secret is None:
        return None
    timestamp = int(now.timestamp())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": item.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhooks.signature(item.secret, item.message_id, timestamp, item.body.encode()),
    }


def settle(
    session: Session, settings: Settings, token: str, item: Claimed, outcome: Outcome, now: datetime
) -> tuple[str | None, bool]:
    """Writes the outcome if the claim is still ours (and the webhook's failure count with it):
    the state written (None when the claim was lost), and whether this disabled the webhook."""
    from chores_tracker.notifications.service import enqueue

    state = outbox.settle(
        session,
        settings,
        WebhookDelivery,
        token,
        delivery_id=item.delivery_id,
        attempts=item.attempts,
        error=outcome.error,
        now=now,
        values={"last_status_code": outcome.status_code},
    )
    if state is None:
        session.rollback()
        return None, False
    disabled = False
    if outcome.error is None:
        webhooks.reset_failures(session, item.webhook_id)
    elif webhooks.count_failure(session, settings, item.webhook_id):
        disabled = True
        url = session.scalar(select(Webhook.url).where(Webhook.id == item.webhook_id)) or ""
        host = urlsplit(url).hostname or "?"
        enqueue(
            session,
            family_id=item.family_id,
            event="webhook_disabled",
            actor_id=None,
            text=(
                f"The webhook to {host} was disabled after {settings.webhook_max_consecutive_failures} failed "
                f"deliveries in a row (last: {outcome.error[:200]}); enable it again once it is mended."
            ),
        )
    session.commit()
    return state, disabled


def run_round(
    session_factory: sessionmaker[Session], settings: Settings, poster: Poster | None = None, *, batch: int = 20
) -> outbox.Tally:
    poster = poster or post
    result = outbox.Tally()
    with session_factory() as session:
        token, claimed = claim(session, settings, batch=batch)
    disabled: set[int] = set()
    for item in claimed:
        if item.webhook_id in disabled:
            # Its webhook was disabled by an earlier delivery of this round: given back untried.
            with session_factory() as session:
                outbox.release(session, WebhookDelivery, token, item.delivery_id)
            continue
        headers = signed_headers(item, clock.now())
        if headers is None:
            outcome = Outcome(None, "the webhook's secret cannot be read (NOTIFICATION_KEY changed)")
        else:
            try:
                outcome = poster(settings, item, headers)
            except Exception as exc:  # a poster's bug must not stop the worker
                outcome = Outcome(None, f"the sender failed: {type(exc).__name__}")
        with session_factory() as session:
            state, now_disabled = settle(session, settings, token, item, outcome, clock.now())
        if now_disabled:
            disabled.add(item.webhook_id)
        result.count(state)
        if outcome.error:
            log.warning("webhook delivery %s failed (attempt %s): %s", item.delivery_id, item.attempts, outcome.error)
    return result
