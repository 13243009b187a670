"""Families: create, join by invite code, members. No HTTP here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chores_tracker import clock
from chores_tracker.errors import Conflict, InvalidInput, NotFound
from chores_tracker.families.models import Family
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User
from chores_tracker.identity.schemas import ChildCreateIn
from chores_tracker.settings import Settings

# No 0/O or 1/I: codes are read aloud and typed on phones.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 8


def _new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))


def _unused_code(session: Session) -> str:
    while True:
        code = _new_code()
        if session.scalar(select(Family.id).where(Family.invite_code == code)) is None:
            return code


def get_family(session: Session, user: User) -> Family | None:
    return session.get(Family, user.family_id) if user.family_id else None


def require_family(session: Session, user: User) -> Family:
    family = get_family(session, user)
    if family is None:
        raise NotFound("you are not in a family yet")
    return family


def create_family(session: Session, parent: User, name: str | None, *, invite_days: int) -> Family:
    if parent.family_id is not None:
        raise Conflict("you already belong to a family")
    family = Family(
        name=(name or "").strip() or f"{parent.username}'s family",
        invite_code=_unused_code(session),
        invite_code_expires_at=clock.now() + timedelta(days=invite_days),
    )
    session.add(family)
    session.flush()
    parent.family_id = family.id
    parent.family_joined_at = clock.now()
    session.commit()
    return family


def add_child(session: Session, settings: Settings, parent: User, data: ChildCreateIn) -> User:
    """A parent's new child account, in the parent's family."""
    identity.check_new_child(session, settings, data)
    return identity.create_child(session, settings, parent, data, family_id=ensure_family_for(session, parent))


def ensure_family_for(session: Session, parent: User) -> int:
    """A parent adding a child before creating a family gets one, so the child has a home."""
    if parent.family_id is None:
        family = Family(name=f"{parent.username}'s family", invite_code=_unused_code(session))
        session.add(family)
        session.flush()
        parent.family_id = family.id
        parent.family_joined_at = clock.now()
    return parent.family_id


def join_family(session: Session, parent: User, invite_code: str) -> Family:
    if parent.family_id is not None:
        raise Conflict("you already belong to a family")
    family = session.scalar(select(Family).where(Family.invite_code == invite_code.strip().upper()))
    if family is None:
        raise NotFound("no family has this invite code", field="invite_code")
    if family.invite_code_expires_at is not None and family.invite_code_expires_at < clock.now():
        raise InvalidInput("this invite code has expired; ask for a new one", field="invite_code")
    parent.family_id = family.id
    parent.family_joined_at = clock.now()
    session.commit()
    return family


def regenerate_invite_code(session: Session, parent: User, expires_in_days: int) -> Family:
    family = require_family(session, parent)
    family.invite_code = _unused_code(session)
    family.invite_code_expires_at = clock.now() + timedelta(days=expires_in_days)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("could not create a unique code; try again") from None
    return family


@dataclass(frozen=True)
class Members:
    family: Family
    parents: list[User]
    children: list[User]


def members(session: Session, user: User) -> Members:
    family = require_family(session, user)
    people = list(session.scalars(select(User).where(User.family_id == family.id).order_by(User.id)))
    return Members(
        family=family,
        parents=[p for p in people if p.is_parent],
        children=[c for c in people if not c.is_parent],
    )


def count_members(session: Session, family_id: int) -> tuple[int, int]:
    rows = session.execute(
        select(User.is_parent, func.count()).where(User.family_id == family_id).group_by(User.is_parent)
    ).all()
    counts = {bool(is_parent): n for is_parent, n in rows}
    return counts.get(True, 0), counts.get(False, 0)


def remove_member(session: Session, parent: User, user_id: int) -> User:
    family = require_family(session, parent)
    member = session.get(User, user_id)
    if member is None or member.family_id != family.id:
        raise NotFound("member not found")
    if member.is_parent:
        parents, _ = count_members(session, family.id)
        if parents <= 1:
            raise Conflict("a family keeps at least one parent")
    else:
        # A child without a family cannot log in to anything useful; it is deactivated too.
        member.is_active = False
        member.token_version += 1
    member.family_id = None
    member.family_joined_at = None
    session.commit()
    return member


def role_of(user: User) -> str:
    if user.family_id is None:
        return "no_family"
    return "parent" if user.is_parent else "child"


def stats(session: Session, user: User) -> dict:
    """The family's own figures for GET /families/stats; its route adds the chores' (chores.queries.family_chore_stats)."""
    family = require_family(session, user)
    parents, children = count_members(session, family.id)
    return {
        "family_id": family.id,
        "name": family.name,
        "invite_code": family.invite_code,
        "created_at": family.created_at,
        "total_members": parents + children,
        "total_parents": parents,
        "total_children": children,
    }
