"""Users: sign-up, log-in, children, passwords. No HTTP here."""

from __future__ import annotations

import hmac
import logging
from typing import NoReturn

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chores_tracker import clock
from chores_tracker.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from chores_tracker.identity.models import User
from chores_tracker.identity.schemas import ChildCreateIn, RegisterIn
from chores_tracker.identity.security import dummy_hash, hash_password, verify_password
from chores_tracker.identity.usernames import normalize_username
from chores_tracker.observability.metrics import record_login_failure
from chores_tracker.settings import Settings, SignupMode

log = logging.getLogger(__name__)


def find_by_username(session: Session, username: str) -> User | None:
    key = normalize_username(username)
    user = session.scalar(select(User).where(func.lower(User.username) == key))
    # MySQL's collations also equate accents, ignorable characters and trailing spaces ("fránk"
    # finds frank there): only a spelling with the account's own key may find it, as the per-username
    # rate limit counts attempts by that key.
    return user if user is not None and normalize_username(user.username) == key else None


def check_password_rules(password: str, settings: Settings, field: str = "password") -> None:
    if len(password) < settings.password_min_length:
        raise InvalidInput(f"must be at least {settings.password_min_length} characters", field=field)


def _ensure_username_free(session: Session, username: str) -> None:
    if find_by_username(session, username) is not None:
        raise Conflict("this username is taken", field="username")


def _new_user(settings: Settings, data: RegisterIn | ChildCreateIn, **role: object) -> User:
    """An active account from a sign-up or a parent's form; `role`: parent or child, and a child's parent and family."""
    return User(
        username=data.username,
        email=str(data.email) if data.email else None,
        hashed_password=hash_password(data.password, settings),
        is_active=True,
        token_version=0,
        **role,
    )


def _commit_new_user(session: Session, user: User) -> User:
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        # Two sign-ups raced for the same name; the unique index decided.
        session.rollback()
        raise Conflict("this username is taken", field="username") from None
    return user


def register_parent(session: Session, settings: Settings, data: RegisterIn) -> User:
    if not data.is_parent:
        raise InvalidInput("sign-up creates parent accounts; a parent creates children", field="is_parent")
    if settings.signup_mode is SignupMode.closed:
        raise Forbidden("sign-up is closed on this server")
    if settings.signup_mode is SignupMode.codes:
        code = (data.registration_code or "").strip()
        # As bytes: compare_digest refuses (TypeError) to compare text that is not ASCII.
        if not any(hmac.compare_digest(code.encode(), allowed.encode()) for allowed in settings.registration_codes):
            raise InvalidInput("a valid registration code is required", field="registration_code")
    check_password_rules(data.password, settings)
    _ensure_username_free(session, data.username)
    return _commit_new_user(session, _new_user(settings, data, is_parent=True))


def authenticate(session: Session, settings: Settings, username: str, password: str) -> User:
    user = find_by_username(session, username)
    if user is None:
        verify_password(password, dummy_hash(settings.environment), settings)
        _refuse_login(username, "unknown username")
    if not verify_password(password, user.hashed_password, settings):
        _refuse_login(username, "wrong password")
    if not user.is_active:
        raise Unauthorized("this account is disabled")
    return user


def _refuse_login(username: str, reason: str) -> NoReturn:
    record_login_failure()
    log.info("login refused", extra={"username": username[:64], "reason": reason})
    raise Unauthorized("incorrect username or password")


def check_new_child(session: Session, settings: Settings, data: ChildCreateIn) -> None:
    """What a parent's form for a child must meet, checked before anything is written."""
    if data.is_parent:
        raise InvalidInput("a second parent signs up and joins the family with its invite code", field="is_parent")
    check_password_rules(data.password, settings)
    _ensure_username_free(session, data.username)


def create_child(session: Session, settings: Settings, parent: User, data: ChildCreateIn, *, family_id: int) -> User:
    """The child account of a form check_new_child accepted, in the parent's family: families.add_child
    does both, and finds the family in between."""
    child = _new_user(
        settings,
        data,
        is_parent=False,
        parent_id=parent.id,
        family_id=family_id,
        family_joined_at=clock.now(),
        display_name=data.display_name,
        avatar=data.avatar,
    )
    return _commit_new_user(session, child)


def child_of_family(session: Session, parent: User, child_id: int) -> User:
    """The child, if it belongs to the parent's family; otherwise NotFound (never reveal others)."""
    child = session.get(User, child_id)
    if child is None or child.is_parent or parent.family_id is None or child.family_id != parent.family_id:
        raise NotFound("child not found")
    return child


def reset_child_password(session: Session, settings: Settings, parent: User, child_id: int, password: str) -> User:
    child = child_of_family(session, parent, child_id)
    check_password_rules(password, settings)
    child.hashed_password = hash_password(password, settings)
    child.token_version += 1
    session.commit()
    return child


def change_own_password(session: Session, settings: Settings, user: User, current: str, new: str) -> User:
    if not verify_password(current, user.hashed_password, settings):
        raise InvalidInput("the current password is not correct", field="current_password")
    check_password_rules(new, settings, field="new_password")
    user.hashed_password = hash_password(new, settings)
    user.token_version += 1
    session.commit()
    return user


def list_children(session: Session, parent: User, *, whole_family: bool) -> list[User]:
    """The children of the parent's family as it is now: all of them, or those this parent created.
    A parent removed from a family keeps parent_id on the children it made there, and sees none."""
    if parent.family_id is None:
        return []
    query = select(User).where(User.is_parent.is_(False), User.family_id == parent.family_id)
    if not whole_family:
        query = query.where(User.parent_id == parent.id)
    return list(session.scalars(query.order_by(User.username)))
