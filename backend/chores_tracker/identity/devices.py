"""Family devices and children's PINs: kid sign-in on a shared device. No HTTP here.

A parent turns a browser (or an app) into a family device: a `family_devices` row and a random
token (`ctdev_` and 32 random bytes) that the browser keeps in a cookie; only the token's SHA-256
is stored (tokens.hash_token), so a copy of the database signs nobody in. On that device the
sign-in page shows the family's active children; a child picks theirs and types a 4 to 6 digit
PIN, hashed as passwords are (security.hash_password). A right PIN starts the child's normal
session (sessions.open_session), only on a device of the child's own family.

Wrong PINs in a row are counted on the child (users.pin_failures); at `PIN_MAX_FAILURES` the
child's PIN sign-in is locked until `PIN_LOCK_MINUTES` have passed (users.pin_locked_until) or a
parent sets the PIN again. Attempts are also rate-limited per device and per child (limits.py).
A revoked device's token finds nothing: its cookie then does nothing.
"""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from chores_tracker import clock
from chores_tracker.db.engine import rows_changed
from chores_tracker.db.revisions import note_family
from chores_tracker.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from chores_tracker.identity.models import FamilyDevice, User
from chores_tracker.identity.security import dummy_hash, hash_password, verify_password
from chores_tracker.identity.service import child_of_family
from chores_tracker.identity.tokens import hash_token
from chores_tracker.settings import Settings

PREFIX = "ctdev_"
NAME_MAX = 64
MAX_DEVICES = 20  # live devices per family
PIN_MIN, PIN_MAX = 4, 6
PIN_RULE = f"a PIN is {PIN_MIN} to {PIN_MAX} digits"
PIN_PATTERN = rf"^[0-9]{{{PIN_MIN},{PIN_MAX}}}$"


class PinLocked(Unauthorized):
    """The child's PIN sign-in is locked after too many wrong PINs in a row."""


def _parent_family(parent: User) -> int:
    if not parent.is_parent:
        raise Forbidden("only a parent manages the family's devices")
    if parent.family_id is None:
        raise NotFound("you are not in a family yet")
    return parent.family_id


def check_pin(pin: str) -> str:
    """The PIN as stored before hashing, or InvalidInput: 4 to 6 ASCII digits."""
    pin = pin.strip()
    if not (pin.isascii() and pin.isdigit() and PIN_MIN <= len(pin) <= PIN_MAX):
        raise InvalidInput(PIN_RULE, field="pin")
    return pin


# -- devices -------------------------------------------------------------------------------------


def create_device(session: Session, parent: User, name: str) -> tuple[FamilyDevice, str]:
    """A new device of the parent's family; returns the row and its token (the only time it exists)."""
    family_id = _parent_family(parent)
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("a device needs a name", field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"use at most {NAME_MAX} characters", field="name")
    live = session.scalar(
        select(func.count())
        .select_from(FamilyDevice)
        .where(FamilyDevice.family_id == family_id, FamilyDevice.revoked_at.is_(None))
    )
    if (live or 0) >= MAX_DEVICES:
        raise InvalidInput(f"at most {MAX_DEVICES} devices; revoke one first", field="name")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = FamilyDevice(
        family_id=family_id,
        name=name,
        token_hash=hash_token(secret),
        created_by_id=parent.id,
        created_at=clock.now(),
    )
    session.add(row)
    session.commit()
    return row, secret


def list_devices(session: Session, parent: User) -> list[FamilyDevice]:
    """The family's devices not revoked, newest first."""
    family_id = _parent_family(parent)
    return list(
        session.scalars(
            select(FamilyDevice)
            .where(FamilyDevice.family_id == family_id, FamilyDevice.revoked_at.is_(None))
            .order_by(FamilyDevice.id.desc())
        )
    )


def revoke_device(session: Session, parent: User, device_id: int) -> None:
    """Any parent of the family revokes one of its devices: its token finds nothing from then on."""
    family_id = _parent_family(parent)
    done = rows_changed(
        session.execute(
            update(FamilyDevice)
            .where(
                FamilyDevice.id == device_id,
                FamilyDevice.family_id == family_id,
                FamilyDevice.revoked_at.is_(None),
            )
            .values(revoked_at=clock.now())
        )
    )
    if not done:
        session.rollback()
        raise NotFound("device not found")
    session.commit()


def revoke_devices_made_by(session: Session, user_id: int, family_id: int) -> None:
    """A parent leaving the family takes no family device along: those it made are revoked (in the
    caller's transaction), so its browser no longer shows the family's children."""
    session.execute(
        update(FamilyDevice)
        .where(
            FamilyDevice.created_by_id == user_id,
            FamilyDevice.family_id == family_id,
            FamilyDevice.revoked_at.is_(None),
        )
        .values(revoked_at=clock.now())
    )


def device_for_token(session: Session, token: str | None) -> FamilyDevice | None:
    """The live device a token stands for, or None (missing, unknown, revoked). Writes nothing."""
    if not token or not token.startswith(PREFIX) or len(token) > 128:
        return None
    device = session.scalar(select(FamilyDevice).where(FamilyDevice.token_hash == hash_token(token)))
    if device is None or device.revoked_at is not None:
        return None
    return device


def children_on_device(session: Session, device: FamilyDevice) -> list[User]:
    """The active children of the device's family, as the picker shows them (by shown name)."""
    children = session.scalars(
        select(User).where(User.family_id == device.family_id, User.is_parent.is_(False), User.is_active.is_(True))
    )
    return sorted(children, key=lambda child: (child.name.casefold(), child.id))


# -- PINs ----------------------------------------------------------------------------------------


def set_pin(session: Session, settings: Settings, parent: User, child_id: int, pin: str | None) -> User:
    """A parent sets (or, with None, clears) a child's PIN; either unlocks the child's PIN sign-in."""
    child = child_of_family(session, parent, child_id)
    hashed = hash_password(check_pin(pin), settings) if pin is not None else None
    session.execute(
        update(User)
        .where(User.id == child.id, User.family_id == child.family_id)
        .values(pin_hash=hashed, pin_failures=None, pin_locked_until=None)
    )
    session.commit()
    session.refresh(child)
    return child


def _locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return (
        f"Too many wrong PINs: PIN sign-in is locked for {minutes} more minute{'s' if minutes != 1 else ''}. "
        "A parent can unlock it by setting the PIN again."
    )


def sign_in_with_pin(session: Session, settings: Settings, device: FamilyDevice, child_id: int, pin: str) -> User:
    """The child a right PIN signs in on this device. Refused (never telling which child exists
    elsewhere) for a child not of the device's family or inactive; PinLocked while locked; a wrong
    PIN counts a failure and, at the limit, locks. Leaves the session committed."""
    note_family(session, device.family_id)  # the conditional updates below name no family
    now = clock.now()
    child = session.get(User, child_id)
    if child is None or child.is_parent or not child.is_active or child.family_id != device.family_id:
        raise NotFound("child not found")
    if child.pin_locked_until is not None and child.pin_locked_until > now:
        raise PinLocked(_locked_message(child.pin_locked_until, now))
    if child.pin_hash is None:
        verify_password(pin, dummy_hash(settings.environment), settings)
        raise Unauthorized("No PIN is set for you yet: ask a parent to choose one.")
    checked_hash = child.pin_hash
    if verify_password(pin, checked_hash, settings):
        session.execute(
            update(User)
            .where(User.id == child.id, User.pin_hash == checked_hash)
            .values(pin_failures=None, pin_locked_until=None)
        )
        session.execute(update(FamilyDevice).where(FamilyDevice.id == device.id).values(last_used_at=now))
        session.commit()
        session.refresh(child)
        return child
    _count_failure(session, settings, child, checked_hash, now)
    raise Unauthorized("That PIN is not right. Try again.")


def _count_failure(session: Session, settings: Settings, child: User, checked_hash: str, now: datetime) -> None:
    """One more wrong PIN in a row (a lock that has run out starts the count again); at the limit,
    the lock. Conditional on the PIN checked, so that a parent's new PIN meanwhile is not counted against."""
    if child.pin_locked_until is not None:  # run out (a live lock was refused before)
        session.execute(
            update(User)
            .where(User.id == child.id, User.pin_hash == checked_hash, User.pin_locked_until <= now)
            .values(pin_failures=None, pin_locked_until=None)
        )
    counted = rows_changed(
        session.execute(
            update(User)
            .where(User.id == child.id, User.pin_hash == checked_hash)
            .values(pin_failures=func.coalesce(User.pin_failures, 0) + 1)
        )
    )
    if counted:
        failures = session.scalar(select(User.pin_failures).where(User.id == child.id)) or 0
        if failures >= settings.pin_max_failures:
            until = now + timedelta(minutes=settings.pin_lock_minutes)
            session.execute(
                update(User)
                .where(User.id == child.id, User.pin_hash == checked_hash, User.pin_locked_until.is_(None))
                .values(pin_locked_until=until)
            )
            session.commit()
            raise PinLocked(_locked_message(until, now))
    session.commit()
