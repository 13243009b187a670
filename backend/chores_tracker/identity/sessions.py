"""Server-side sessions: each log-in is an `auth_sessions` row whose id its token carries (`sid`).

Every request finds its user and its session in one statement (both by primary key), so logging
out ends that one token at once, on the API and in the browser alike, and other devices stay in.
A password change or reset still bumps the user's token_version, which ends all of them.

A short-lived cache (TokenCache, one per app) remembers which user a token spoke for. It is believed
only while the user's family revision is what it was when the user was read (db.revisions): a
password change or reset, a removal, a log-out or any other write to the family bumps it, so one
lookup by primary key replaces the user and session lookup, and the next request after such a
change, in any process, reads the user again. Users without a family are never cached.

Tokens issued by the release before (no `sid`, during a rolling update) keep working until they
expire, as they did there. They name no session to revoke, so logging out with one bumps the
user's token_version instead: every device of that user is logged out, once. Such tokens are gone
one token lifetime (ACCESS_TOKEN_EXPIRE_MINUTES) after the rollout.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, select, update
from sqlalchemy.orm import Session, make_transient_to_detached

from chores_tracker import clock
from chores_tracker.db.engine import reading_connection
from chores_tracker.db.revisions import FAMILIES, family_revision, note_family, note_revision
from chores_tracker.identity.models import AuthSession, User
from chores_tracker.identity.security import create_access_token, decode_access_token
from chores_tracker.settings import Settings

# Built once: composing this select on every request cost more client CPU than running it. The
# user's family revision comes in the same statement, so the two are of one moment (TokenCache).
_USER_OF_LIVE_SESSION = (
    select(User, FAMILIES.c.revision)
    .join(AuthSession, AuthSession.user_id == User.id)
    .outerjoin(FAMILIES, FAMILIES.c.id == User.family_id)
    .where(
        AuthSession.id == bindparam("session_id"),
        User.id == bindparam("user_id"),
        AuthSession.revoked_at.is_(None),
        AuthSession.expires_at > bindparam("now"),
    )
)
_USER_BY_ID = (
    select(User, FAMILIES.c.revision)
    .outerjoin(FAMILIES, FAMILIES.c.id == User.family_id)
    .where(User.id == bindparam("user_id"))
)

_COLUMNS = tuple(column.key for column in User.__table__.columns)


@dataclass(frozen=True)
class _Known:
    values: dict[str, Any]  # the user's columns, as read
    family_id: int
    revision: int
    until: float  # time.monotonic(): believed until then at most (and never past the token's expiry)


class TokenCache:
    """Token -> the user it spoke for, for `seconds` at most, each use checked against the family
    revision. Bounded: when full, it starts again empty."""

    def __init__(self, seconds: float = 30, size: int = 10_000) -> None:
        self.seconds = seconds
        self.size = size
        self._known: dict[str, _Known] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> _Known | None:
        known = self._known.get(token)
        if known is not None and known.until <= time.monotonic():
            self._known.pop(token, None)
            return None
        return known

    def put(self, token: str, user: User, revision: int, expires_at: int) -> None:
        if user.family_id is None or self.seconds <= 0:
            return
        left = expires_at - clock.now().timestamp()
        until = time.monotonic() + min(self.seconds, left)
        values = {key: getattr(user, key) for key in _COLUMNS}
        with self._lock:
            if len(self._known) >= self.size:
                self._known.clear()
            self._known[token] = _Known(values, user.family_id, revision, until)

    def forget(self, token: str) -> None:
        self._known.pop(token, None)


def _from_columns(session: Session | None, values: dict[str, Any]) -> User:
    """A User from remembered columns, as if just read (no statement): in `session`, or detached."""
    user = User(**values)
    make_transient_to_detached(user)
    if session is not None:
        session.add(user)
    return user


def open_session(session: Session, settings: Settings, user: User) -> str:
    """A new session for the user; returns its access token."""
    now = clock.now()
    # Expired rows serve nobody; clearing the user's own at each log-in keeps the table to the
    # sessions of the last token lifetime without a background job.
    session.execute(delete(AuthSession).where(AuthSession.user_id == user.id, AuthSession.expires_at < now))
    # Hex: MySQL's case-insensitive collations compare it exactly as written.
    row = AuthSession(
        id=secrets.token_hex(16),
        user_id=user.id,
        created_at=now,
        expires_at=now + timedelta(minutes=settings.access_token_expire_minutes),
    )
    session.add(row)
    token = create_access_token(user.id, user.token_version, row.id, settings)
    session.commit()
    return token


def _believed(cache: TokenCache, token: str, connection: Connection) -> _Known | None:
    """What the cache remembers for `token`, if its family's revision is still the one the user was
    read at (one lookup by primary key on `connection`); otherwise the entry is forgotten."""
    known = cache.get(token)
    if known is None:
        return None
    if family_revision(connection, known.family_id) != known.revision:
        cache.forget(token)
        return None
    return known


def cached_user(engine: Engine, cache: TokenCache, token: str) -> tuple[User, int] | None:
    """The user the token cache remembers for `token`, detached, and its family's revision, if that
    is still believable: one statement on a connection of its own, no session. None otherwise
    (user_for_token reads the user)."""
    with reading_connection(engine) as connection:
        known = _believed(cache, token, connection)
    return None if known is None else (_from_columns(None, known.values), known.revision)


def user_for_token(
    session: Session, settings: Settings, token: str | None, cache: TokenCache | None = None
) -> User | None:
    """The active user a valid token speaks for, or None (missing, expired, revoked, or outdated).

    Notes the user's family on the session (db.revisions), and the family's revision as read with
    the user: a request's writes bump it, and its conditional answers compare with it."""
    if not token:
        return None
    known = _believed(cache, token, session.connection()) if cache is not None else None
    if known is not None:
        note_family(session, known.family_id)
        note_revision(session, known.revision)
        return _from_columns(session, known.values)
    claims = decode_access_token(token, settings)
    if claims is None:
        return None
    if claims.session_id is None:
        found = session.execute(_USER_BY_ID, {"user_id": claims.user_id}).first()
    else:
        found = session.execute(
            _USER_OF_LIVE_SESSION, {"session_id": claims.session_id, "user_id": claims.user_id, "now": clock.now()}
        ).first()
    if found is None:
        return None
    user: User = found[0]
    revision = found[1]
    if not user.is_active or user.token_version != claims.token_version:
        return None
    note_family(session, user.family_id)
    note_revision(session, revision)
    if cache is not None and revision is not None:
        cache.put(token, user, revision, claims.expires_at)
    return user


def end_session(session: Session, settings: Settings, token: str | None) -> None:
    """Log the token out. Nothing to do for a token that is missing, invalid or already expired."""
    claims = decode_access_token(token, settings) if token else None
    if claims is None:
        return
    # The user's family revision is bumped with the change (db.revisions): caches of this token end.
    note_family(session, session.scalar(select(User.family_id).where(User.id == claims.user_id)))
    if claims.session_id is not None:
        session.execute(
            update(AuthSession)
            .where(AuthSession.id == claims.session_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=clock.now())
        )
    else:
        session.execute(
            update(User)
            .where(User.id == claims.user_id, User.token_version == claims.token_version)
            .values(token_version=User.token_version + 1)
        )
    session.commit()
