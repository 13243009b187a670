"""Personal access tokens for automations (Home Assistant, scripts). No HTTP here.

A token is `ctpat_` and 32 random bytes (URL-safe base64); it is shown once, and only its SHA-256
is stored (the secret has full entropy, so a fast hash is enough). It speaks for its member, never
for more than the member may do, and only while the member is active, in the family the token was
made in, and keeps the password it had (token_version): removal, deactivation and a password
change end it. Its scopes limit its calls (SCOPES, required_scope). Its last use is written at most
once a minute, so a busy automation does not write on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from chores_tracker import clock
from chores_tracker.db.revisions import FAMILIES, note_family, note_revision
from chores_tracker.errors import InvalidInput, NotFound
from chores_tracker.identity.models import PersonalAccessToken, User

PREFIX = "ctpat_"
# Each grants what the ones before it grant, and more.
SCOPES = ("read", "complete", "review", "manage")
LAST_USED_EVERY = timedelta(minutes=1)
MAX_TOKENS = 50  # per member

_COMPLETE_ENDINGS = ("/complete", "/take-back")
_REVIEW_ENDINGS = ("/approve", "/reject", "/approve-many")


def is_personal_token(token: str | None) -> bool:
    return bool(token) and token.startswith(PREFIX)  # type: ignore[union-attr]


def hash_token(token: str) -> str:
    """What is stored of a high-entropy secret (a personal token, a calendar feed's URL token)."""
    return hashlib.sha256(token.encode()).hexdigest()


def required_scope(method: str, route_path: str) -> str:
    """The least scope a call needs: read for a GET, complete for a child's complete and take-back,
    review for approve and reject, manage for anything else."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return "read"
    if route_path.endswith(_COMPLETE_ENDINGS):
        return "complete"
    if route_path.endswith(_REVIEW_ENDINGS):
        return "review"
    return "manage"


def allows(scopes: str, needed: str) -> bool:
    held = [SCOPES.index(s) for s in scopes.split() if s in SCOPES]
    return bool(held) and max(held) >= SCOPES.index(needed)


def create_token(
    session: Session, user: User, name: str, scopes: list[str], expires_at: datetime | None
) -> tuple[PersonalAccessToken, str]:
    """A new token for the user; returns the row and the secret (the only time it exists)."""
    name = name.strip()
    if not name:
        raise InvalidInput("a token needs a name", field="name")
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown:
        raise InvalidInput(f"scopes must be some of {', '.join(SCOPES)}", field="scopes")
    now = clock.now()
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("the expiry must be in the future", field="expires_at")
    live = session.scalars(
        select(PersonalAccessToken.id).where(
            PersonalAccessToken.user_id == user.id, PersonalAccessToken.revoked_at.is_(None)
        )
    ).all()
    if len(live) >= MAX_TOKENS:
        raise InvalidInput(f"at most {MAX_TOKENS} tokens; revoke one first", field="name")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = PersonalAccessToken(
        user_id=user.id,
        family_id=user.family_id,
        name=name,
        scopes=" ".join(s for s in SCOPES if s in scopes),
        token_hash=hash_token(secret),
        token_version=user.token_version,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.commit()
    return row, secret


def list_tokens(session: Session, user: User) -> list[PersonalAccessToken]:
    """The user's tokens not revoked, newest first."""
    return list(
        session.scalars(
            select(PersonalAccessToken)
            .where(PersonalAccessToken.user_id == user.id, PersonalAccessToken.revoked_at.is_(None))
            .order_by(PersonalAccessToken.id.desc())
        )
    )


def revoke_token(session: Session, user: User, token_id: int) -> None:
    done = session.execute(
        update(PersonalAccessToken)
        .where(
            PersonalAccessToken.id == token_id,
            PersonalAccessToken.user_id == user.id,
            PersonalAccessToken.revoked_at.is_(None),
        )
        .values(revoked_at=clock.now())
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        session.rollback()
        raise NotFound("token not found")
    session.commit()


_USER_OF_TOKEN = (
    select(PersonalAccessToken, User, FAMILIES.c.revision)
    .join(User, User.id == PersonalAccessToken.user_id)
    .outerjoin(FAMILIES, FAMILIES.c.id == User.family_id)
)


def user_for_personal_token(
    session: Session, token: str, touch: sessionmaker[Session] | None = None
) -> tuple[User, str] | None:
    """The member a live token speaks for and the token's scopes, or None. Notes the member's family
    and its revision on the session as sessions.user_for_token does. Its last use is written through
    its own short session (`touch`), so the request's session writes nothing for it."""
    found = session.execute(_USER_OF_TOKEN.where(PersonalAccessToken.token_hash == hash_token(token))).first()
    if found is None:
        return None
    row: PersonalAccessToken = found[0]
    user: User = found[1]
    now = clock.now()
    if (
        row.revoked_at is not None
        or (row.expires_at is not None and row.expires_at <= now)
        or not user.is_active
        or user.token_version != row.token_version
        or user.family_id != row.family_id
        or (user.family_joined_at is not None and row.created_at < user.family_joined_at)
    ):
        return None
    if touch is not None and (row.last_used_at is None or row.last_used_at <= now - LAST_USED_EVERY):
        with touch() as writer:
            writer.execute(
                update(PersonalAccessToken)
                .where(
                    PersonalAccessToken.id == row.id,
                    or_(
                        PersonalAccessToken.last_used_at.is_(None),
                        PersonalAccessToken.last_used_at <= now - LAST_USED_EVERY,
                    ),
                )
                .values(last_used_at=now)
            )
            writer.commit()
    note_family(session, user.family_id)
    note_revision(session, found[2])
    return user, row.scopes
