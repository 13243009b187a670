"""What both outboxes' workers share (the members' channels: delivery.py, NotificationDelivery; the
family's webhooks: webhook_delivery.py, WebhookDelivery): claiming due rows without waiting on
another worker, writing an attempt's outcome only while the claim is still ours, giving a claim
back untried, and the wait before a failed delivery is tried again. What is sent, and what else an
outcome changes (a channel turned off, a webhook's failure count), stays with each outbox.

A row is due when it is pending and its time has come, or when it is `sending` under a claim whose
lease ran out (the worker holding it died). Claiming one sets `sending`, a claim token, a lease of
NOTIFICATION_LEASE_SECONDS and one more attempt, and is committed before anything is sent.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from chores_tracker.db.engine import rows_changed
from chores_tracker.notifications.models import DeliveryState, NotificationDelivery, WebhookDelivery
from chores_tracker.settings import Settings

MAX_BACKOFF = timedelta(hours=6)

# An outbox's table: both have id, state, attempts, next_attempt_at, claimed_until, claim_token,
# delivered_at and last_error.
Outbox = type[NotificationDelivery] | type[WebhookDelivery]
Item = TypeVar("Item")


def skip_locked(session: Session, statement):  # type: ignore[no-untyped-def]  # any Select
    """FOR UPDATE SKIP LOCKED on PostgreSQL and MariaDB/MySQL; SQLite has one writer and no such clause."""
    if session.get_bind().dialect.name == "sqlite":
        return statement
    return statement.with_for_update(skip_locked=True)


def backoff(settings: Settings, attempts: int) -> timedelta:
    """NOTIFICATION_BACKOFF_SECONDS, doubling with each attempt, at most MAX_BACKOFF."""
    seconds = settings.notification_backoff_seconds * (2 ** max(attempts - 1, 0))
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def _due(model: Outbox, now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(model.state == DeliveryState.pending.value, model.next_attempt_at <= now),
        and_(model.state == DeliveryState.sending.value, model.claimed_until < now),
    )


def claim(
    session: Session,
    settings: Settings,
    model: Outbox,
    read: Callable[[ColumnElement[bool]], list[Item]],
    now: datetime,
    *,
    batch: int,
    where: Iterable[ColumnElement[bool]] = (),
    values: Mapping[str, object] | None = None,
) -> tuple[str, list[Item]]:
    """Claims up to `batch` due rows of `model` (and `where`), oldest due first, then commits. `read`
    gets the clause that picks the rows this claim holds and turns them into what the worker sends;
    `values`: more columns to write on the claimed rows. The claim's token, and what `read` gave."""
    ids = list(
        session.scalars(
            skip_locked(
                session,
                select(model.id).where(_due(model, now), *where).order_by(model.next_attempt_at, model.id).limit(batch),
            )
        )
    )
    token = secrets.token_hex(16)
    if not ids:
        session.rollback()
        return token, []
    session.execute(
        update(model)
        .where(model.id.in_(ids), _due(model, now))
        .values(
            state=DeliveryState.sending.value,
            claim_token=token,
            claimed_until=now + timedelta(seconds=settings.notification_lease_seconds),
            attempts=model.attempts + 1,
            **(values or {}),
        )
        .execution_options(synchronize_session=False)
    )
    claimed = read(and_(model.id.in_(ids), model.claim_token == token))
    session.commit()
    return token, claimed


def _mine(model: Outbox, token: str, delivery_id: int) -> ColumnElement[bool]:
    return and_(
        model.id == delivery_id,
        model.claim_token == token,
        model.state == DeliveryState.sending.value,
    )


def settle(
    session: Session,
    settings: Settings,
    model: Outbox,
    token: str,
    *,
    delivery_id: int,
    attempts: int,
    error: str | None,
    now: datetime,
    dead: bool = False,
    values: Mapping[str, object] | None = None,
) -> str | None:
    """Writes an attempt's outcome if the claim is still ours: `error` None, delivered; else pending
    again after the backoff, or dead after NOTIFICATION_MAX_ATTEMPTS attempts (at once with `dead`).
    `values`: more columns to write with it. The state written, or None when the claim was lost.
    Neither commits nor rolls back: the caller's own changes go in the same transaction."""
    written: dict[str, object] = dict(values or {})
    if error is None:
        written |= {"state": DeliveryState.delivered.value, "delivered_at": now, "last_error": None}
    elif dead or attempts >= settings.notification_max_attempts:
        written |= {"state": DeliveryState.dead.value, "last_error": error[:500]}
    else:
        written |= {
            "state": DeliveryState.pending.value,
            "next_attempt_at": now + backoff(settings, attempts),
            "last_error": error[:500],
        }
    changed = rows_changed(
        session.execute(
            update(model)
            .where(_mine(model, token, delivery_id))
            .values(claimed_until=None, claim_token=None, **written)
            .execution_options(synchronize_session=False)
        )
    )
    return str(written["state"]) if changed == 1 else None


def release(session: Session, model: Outbox, token: str, delivery_id: int) -> None:
    """Gives a claimed row back untried (pending, the attempt not counted), if the claim is still ours."""
    session.execute(
        update(model)
        .where(_mine(model, token, delivery_id))
        .values(
            state=DeliveryState.pending.value,
            claim_token=None,
            claimed_until=None,
            attempts=model.attempts - 1,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()


@dataclass
class Tally:
    """A round's outcomes: a dead letter counts as failed too; a lost claim counts nowhere."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0

    def count(self, state: str | None) -> None:
        if state == DeliveryState.delivered.value:
            self.delivered += 1
        elif state == DeliveryState.dead.value:
            self.dead += 1
            self.failed += 1
        elif state == DeliveryState.pending.value:
            self.failed += 1

    def add(self, other: Tally) -> None:
        """Another round's outcomes counted in with these."""
        self.delivered += other.delivered
        self.failed += other.failed
        self.dead += other.dead
