"""Families: create, join by invite code, members, the owner. No HTTP here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chores_tracker import clock, currencies, timezones
from chores_tracker.activity import service as activity
from chores_tracker.activity.models import ActivityType
from chores_tracker.db.engine import rows_changed
from chores_tracker.errors import Conflict, Forbidden, InvalidInput, NotFound
from chores_tracker.families.models import Family
from chores_tracker.families.schemas import DEFAULT_CODE_USES
from chores_tracker.identity import devices
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User
from chores_tracker.identity.schemas import ChildCreateIn, ProfileIn
from chores_tracker.settings import Settings

# No 0/O or 1/I: codes are read aloud and typed on phones.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 8
NO_SUCH_CODE = "no family has this invite code, or it has expired or been used"


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


def _issue_code(session: Session, family: Family, *, days: int, max_uses: int) -> None:
    """A new code for the family: it lets in `max_uses` parents, and stops working after `days`."""
    family.invite_code = _unused_code(session)
    family.invite_code_expires_at = clock.now() + timedelta(days=days)
    family.invite_code_max_uses = max_uses
    family.invite_code_uses = 0


def _found_family(
    session: Session,
    parent: User,
    name: str,
    *,
    invite_days: int,
    timezone: str | None = None,
    currency: str | None = None,
) -> Family:
    """A new family owned by `parent`, its first member, with a code for one more parent."""
    family = Family(
        name=name,
        owner_id=parent.id,
        timezone=_checked_timezone(timezone or timezones.DEFAULT),
        currency=currency if currency and currencies.is_known(currency) else currencies.DEFAULT,
    )
    _issue_code(session, family, days=invite_days, max_uses=DEFAULT_CODE_USES)
    session.add(family)
    session.flush()
    parent.family_id = family.id
    parent.family_joined_at = clock.now()
    return family


def create_family(
    session: Session,
    parent: User,
    name: str | None,
    *,
    invite_days: int,
    timezone: str | None = None,
    currency: str | None = None,
) -> Family:
    """`timezone`: the creating parent's (their browser's, on the web); UTC when not given.
    `currency`: the server's CURRENCY setting (USD unless set); the owner may change it later."""
    if parent.family_id is not None:
        raise Conflict("you already belong to a family")
    name = (name or "").strip() or f"{parent.username}'s family"
    family = _found_family(session, parent, name, invite_days=invite_days, timezone=timezone, currency=currency)
    session.commit()
    return family


def add_child(session: Session, settings: Settings, parent: User, data: ChildCreateIn) -> User:
    """A parent's new child account, in the parent's family."""
    identity.check_new_child(session, settings, data)
    family_id = ensure_family_for(
        session, parent, invite_days=settings.invite_code_default_days, currency=settings.currency
    )
    # No target: a child's own feed and its last activity (reports) are about its chores and money.
    activity.record(
        session,
        family_id=family_id,
        actor=parent,
        activity_type=ActivityType.child_added,
        description=f"{parent.name} added {data.display_name or data.username} to the family",
    )
    return identity.create_child(session, settings, parent, data, family_id=family_id)


def ensure_family_for(session: Session, parent: User, *, invite_days: int, currency: str | None = None) -> int:
    """A parent adding a child before creating a family gets one, so the child has a home."""
    if parent.family_id is None:
        name = f"{parent.username}'s family"
        return _found_family(session, parent, name, invite_days=invite_days, currency=currency).id
    return parent.family_id


def join_family(session: Session, parent: User, invite_code: str) -> Family:
    if parent.family_id is not None:
        raise Conflict("you already belong to a family")
    code = invite_code.strip().upper()
    # One conditional UPDATE spends a use, so of parents racing for the last one only one gets it.
    # A code without an expiry or a use limit (from before either existed) matches nothing.
    spent = rows_changed(
        session.execute(
            update(Family)
            .where(
                Family.invite_code == code,
                Family.invite_code_expires_at > clock.now(),
                Family.invite_code_uses < Family.invite_code_max_uses,
            )
            .values(invite_code_uses=Family.invite_code_uses + 1)
        )
    )
    if not spent:
        # Unknown, expired and used up read alike: no answer tells a guesser that a code exists.
        raise NotFound(NO_SUCH_CODE, field="invite_code")
    family = session.execute(select(Family).where(Family.invite_code == code)).scalar_one()
    joined = rows_changed(
        session.execute(
            update(User)
            .where(User.id == parent.id, User.family_id.is_(None))
            .values(family_id=family.id, family_joined_at=clock.now())
        )
    )
    if not joined:
        session.rollback()
        raise Conflict("you already belong to a family")
    activity.record(
        session,
        family_id=family.id,
        actor=parent,
        activity_type=ActivityType.parent_joined,
        description=f"{parent.username} joined the family as a parent",
    )
    session.commit()
    return family


def regenerate_invite_code(session: Session, parent: User, expires_in_days: int, max_uses: int) -> Family:
    family = require_family(session, parent)
    _issue_code(session, family, days=expires_in_days, max_uses=max_uses)
    activity.record(
        session,
        family_id=family.id,
        actor=parent,
        activity_type=ActivityType.invite_code_created,
        description=f"{parent.username} made a new invite code for {max_uses} parent{'s' if max_uses != 1 else ''}",
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("could not create a unique code; try again") from None
    return family


def _checked_timezone(name: str) -> str:
    if not timezones.is_known(name):
        raise InvalidInput(timezones.UNKNOWN.format(name=name[: timezones.MAX_LENGTH]), field="timezone")
    return name


def set_timezone(session: Session, parent: User, name: str) -> Family:
    """A parent sets the family's time zone: pages show times in it, schedules follow its calendar."""
    family = require_family(session, parent)
    name = _checked_timezone(name)
    if family.timezone == name:
        return family
    family.timezone = name
    activity.record(
        session,
        family_id=family.id,
        actor=parent,
        activity_type=ActivityType.timezone_changed,
        description=f"{parent.username} set the family's time zone to {name}",
        note=name,
    )
    session.commit()
    return family


def set_streak_bonus(session: Session, parent: User, percent: int, step_days: int, cap_percent: int) -> Family:
    """A parent sets the family's streak bonus on chore rewards (chores/streaks.py); percent 0 turns it off."""
    family = require_family(session, parent)
    family.streak_bonus_percent = percent or None
    family.streak_bonus_step_days = step_days if percent else None
    family.streak_bonus_cap_percent = cap_percent if percent else None
    session.commit()
    return family


def set_currency(session: Session, parent: User, code: str) -> Family:
    """The family's owner sets its currency: pages show amounts in it, and amounts entered from then
    on have its minor units. Stored amounts stay as they are (hundredths of the main unit)."""
    family = require_family(session, parent)
    if parent.id != owner_of(session, family):
        raise Forbidden("only the family's owner chooses its currency")
    code = currencies.checked(code)
    if family.currency == code:
        return family
    family.currency = code
    activity.record(
        session,
        family_id=family.id,
        actor=parent,
        activity_type=ActivityType.currency_changed,
        description=f"{parent.username} set the family's currency to {code}",
        note=code,
    )
    session.commit()
    return family


LANGUAGES = ("en", "es")


def set_language(session: Session, parent: User, language: str | None) -> Family:
    """The family's owner sets the language of its pages ("en" or "es"); None: each reader's browser's.
    The API's JSON stays English."""
    family = require_family(session, parent)
    if parent.id != owner_of(session, family):
        raise Forbidden("only the family's owner chooses its language")
    if language is not None and language not in LANGUAGES:
        raise InvalidInput("must be en, es or null", field="language")
    if family.language == language:
        return family
    family.language = language
    session.commit()
    return family


def currency_of(session: Session, family_id: int | None) -> str:
    if family_id is None:
        return currencies.DEFAULT
    return session.scalar(select(Family.currency).where(Family.id == family_id)) or currencies.DEFAULT


def check_amounts(session: Session, family_id: int | None, amounts: dict[str, Decimal | None]) -> None:
    """Refuses (422, on the field) an amount the family's currency cannot express: one with
    decimals in JPY. Whole amounts fit every currency, so only an amount with decimals costs a read."""
    if not any(currencies.has_decimals(amount) for amount in amounts.values()):
        return
    code = currency_of(session, family_id)
    for field, amount in amounts.items():
        currencies.refuse_unless_fits(amount, code, field)


def invite_code_uses_left(family: Family) -> int:
    """How many more parents the code lets in now: none once it has expired or been used up."""
    expires, limit = family.invite_code_expires_at, family.invite_code_max_uses
    if expires is None or limit is None or expires <= clock.now():
        return 0
    return max(0, limit - family.invite_code_uses)


@dataclass(frozen=True)
class Members:
    family: Family
    owner_id: int | None
    parents: list[User]
    children: list[User]


def members(session: Session, user: User) -> Members:
    family = require_family(session, user)
    people = list(session.scalars(select(User).where(User.family_id == family.id).order_by(User.id)))
    return Members(
        family=family,
        owner_id=owner_of(session, family),
        parents=[p for p in people if p.is_parent],
        children=[c for c in people if not c.is_parent],
    )


def count_members(session: Session, family_id: int) -> tuple[int, int]:
    rows = session.execute(
        select(User.is_parent, func.count()).where(User.family_id == family_id).group_by(User.is_parent)
    ).all()
    counts = {bool(is_parent): n for is_parent, n in rows}
    return counts.get(True, 0), counts.get(False, 0)


def owner_of(session: Session, family: Family) -> int | None:
    """The owner's id: owner_id while that user is a parent of the family; otherwise (a family the
    previous release created, or an owner it removed) the earliest-joined parent."""
    named_owner_first = case((User.id == family.owner_id, 0), else_=1)
    return session.scalar(
        select(User.id)
        .where(User.family_id == family.id, User.is_parent.is_(True))
        .order_by(named_owner_first, User.family_joined_at.is_(None), User.family_joined_at, User.id)
        .limit(1)
    )


def remove_member(session: Session, parent: User, user_id: int) -> User:
    """Any parent removes a child; only the owner removes a parent, and nobody removes the owner."""
    family = require_family(session, parent)
    member = session.get(User, user_id)
    if member is None or member.family_id != family.id:
        raise NotFound("member not found")
    changes: dict[str, object] = {}
    if member.is_parent:
        owner = owner_of(session, family)
        if parent.id != owner:
            raise Forbidden("only the family's owner removes a parent")
        if member.id == owner:
            raise Conflict("the owner cannot be removed; transfer ownership first")
    else:
        # A child without a family cannot log in to anything useful; it is deactivated too.
        changes = {"is_active": False, "token_version": User.token_version + 1}
    removed = rows_changed(
        session.execute(
            update(User)
            .where(User.id == member.id, User.family_id == family.id)
            .values(family_id=None, family_joined_at=None, **changes)
        )
    )
    if not removed:
        session.rollback()
        raise NotFound("member not found")
    if member.is_parent:
        devices.revoke_devices_made_by(session, member.id, family.id)
    activity.record(
        session,
        family_id=family.id,
        actor=parent,
        activity_type=ActivityType.member_removed,
        description=f"{parent.username} removed {member.username} from the family",
        target_user_id=member.id,
    )
    session.commit()
    return member


def change_profile(session: Session, actor: User, data: ProfileIn, child_id: int | None = None) -> User:
    """The actor's own display name and avatar, or (a parent) a child's of the family. Only the
    fields `data` was given change; the change is in the family's feed."""
    person = actor if child_id is None else identity.child_of_family(session, actor, child_id)
    changes = {name: getattr(data, name) for name in ("display_name", "avatar") if name in data.model_fields_set}
    changes = {name: value for name, value in changes.items() if getattr(person, name) != value}
    if not changes:
        return person
    before = person.name
    for name, value in changes.items():
        setattr(person, name, value)
    if person.family_id is not None:
        what = f"is now called {person.name}" if person.name != before else "has a new avatar"
        activity.record(
            session,
            family_id=person.family_id,
            actor=actor,
            activity_type=ActivityType.profile_changed,
            description=f"{before} {what}",
            target_user_id=person.id,
            note=person.name,
        )
    session.commit()
    return person


def set_child_active(session: Session, parent: User, child_id: int, *, active: bool) -> User:
    """A parent deactivates a child of the family (it stays in the family with its history, can no
    longer sign in, and every session of it ends at once) or lets it sign in again. One conditional
    UPDATE from the other state: doing it twice changes nothing the second time."""
    family = require_family(session, parent)
    child = identity.child_of_family(session, parent, child_id)
    # Sessions end: every token carries the token_version a deactivation bumps.
    values: dict[str, object] = {"is_active": active}
    if not active:
        values["token_version"] = User.token_version + 1
    changed = rows_changed(
        session.execute(
            update(User)
            .where(User.id == child.id, User.family_id == family.id, User.is_active.is_(not active))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    )
    if changed:
        activity.record(
            session,
            family_id=family.id,
            actor=parent,
            activity_type=ActivityType.child_reactivated if active else ActivityType.child_deactivated,
            description=f"{parent.name} {'reactivated' if active else 'deactivated'} {child.name}",
            target_user_id=child.id,
        )
    session.commit()
    session.refresh(child)
    return child


def transfer_ownership(session: Session, owner: User, user_id: int) -> Family:
    """The owner hands the family to another of its parents."""
    family = require_family(session, owner)
    if owner.id != owner_of(session, family):
        raise Forbidden("only the family's owner hands ownership over")
    heir = session.get(User, user_id)
    if heir is None or heir.family_id != family.id:
        raise NotFound("member not found")
    if not heir.is_parent:
        raise InvalidInput("ownership goes to a parent of the family", field="user_id")
    if heir.id == owner.id:
        return family
    # Only from the owner this request read: a transfer that raced it has already decided.
    moved = rows_changed(
        session.execute(
            update(Family).where(Family.id == family.id, Family.owner_id == family.owner_id).values(owner_id=heir.id)
        )
    )
    if not moved:
        session.rollback()
        raise Conflict("the family's owner changed meanwhile; reload and try again")
    activity.record(
        session,
        family_id=family.id,
        actor=owner,
        activity_type=ActivityType.ownership_transferred,
        description=f"{owner.username} handed the family over to {heir.username}",
        target_user_id=heir.id,
    )
    session.commit()
    return family


def sees_invite_code(user: User) -> bool:
    """Only parents see their family's invite code: with it, a child could sign up a second account
    and join its own family as a parent."""
    return user.is_parent


def role_of(user: User) -> str:
    if user.family_id is None:
        return "no_family"
    return "parent" if user.is_parent else "child"


def stats(session: Session, user: User) -> dict[str, Any]:
    """The family's own figures for GET /families/stats; its route adds the chores' (chores.queries.family_chore_stats)."""
    family = require_family(session, user)
    parents, children = count_members(session, family.id)
    return {
        "family_id": family.id,
        "name": family.name,
        "invite_code": family.invite_code if sees_invite_code(user) else "",
        "created_at": family.created_at,
        "total_members": parents + children,
        "total_parents": parents,
        "total_children": children,
    }
