"""Server-side sessions: each log-in is an `auth_sessions` row whose id its token carries (`sid`).

Every request finds its user and its session in one statement (both by primary key), so logging
out ends that one token at once, on the API and in the browser alike, and other devices stay in.
A password change or reset still bumps the user's token_version, which ends all of them.

Tokens issued by the release before (no `sid`, during a rolling update) keep working until they
expire, as they did there. They name no session to revoke, so logging out with one bumps the
user's token_version instead: every device of that user is logged out, once. Such tokens are gone
one token lifetime (ACCESS_TOKEN_EXPIRE_MINUTES) after the rollout.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from chores_tracker import clock
from chores_tracker.identity.models import AuthSession, User
from chores_tracker.identity.security import create_access_token, decode_access_token
from chores_tracker.settings import Settings

# Built once: composing this select on every request cost more client CPU than running it.
_USER_OF_LIVE_SESSION = (
    select(User)
    .join(AuthSession, AuthSession.user_id == User.id)
    .where(
        AuthSession.id == bindparam("session_id"),
        User.id == bindparam("user_id"),
        AuthSession.revoked_at.is_(None),
        AuthSession.expires_at > bindparam("now"),
    )
)


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


def user_for_token(session: Session, settings: Settings, token: str | None) -> User | None:
    """The active user a valid token speaks for, or None (missing, expired, revoked, or outdated)."""
    if not token:
        return None
    claims = decode_access_token(token, settings)
    if claims is None:
        return None
    if claims.session_id is None:
        user = session.get(User, claims.user_id)
    else:
        user = session.scalar(
            _USER_OF_LIVE_SESSION, {"session_id": claims.session_id, "user_id": claims.user_id, "now": clock.now()}
        )
    if user is None or not user.is_active or user.token_version != claims.token_version:
        return None
    return user


def end_session(session: Session, settings: Settings, token: str | None) -> None:
    """Log the token out. Nothing to do for a token that is missing, invalid or already expired."""
    claims = decode_access_token(token, settings) if token else None
    if claims is None:
        return
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
