"""Password hashing (Argon2id) and access tokens (JWT, HS256).

argon2 and PyJWT (with the cryptography it loads) are imported at first use, not to serve `/health`."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from chores_tracker import clock
from chores_tracker.settings import Environment, Settings

if TYPE_CHECKING:
    from argon2 import PasswordHasher

TOKEN_ALGORITHM = "HS256"  # noqa: S105 (a signature algorithm, not a secret)


@lru_cache
def _hasher(environment: Environment) -> PasswordHasher:
    from argon2 import PasswordHasher

    if environment is Environment.test:
        # Cheap parameters keep a test suite that creates hundreds of users fast.
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def hash_password(password: str, settings: Settings) -> str:
    return _hasher(settings.environment).hash(password)


def verify_password(password: str, hashed: str, settings: Settings) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher(settings.environment).verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the user does not exist, so timing does not reveal usernames.
@lru_cache
def dummy_hash(environment: Environment) -> str:
    return _hasher(environment).hash("not-a-real-password")


class TokenClaims(NamedTuple):
    user_id: int
    token_version: int
    # None in tokens issued by the release before server-side sessions (see identity.sessions).
    session_id: str | None
    expires_at: int = 0  # Unix time


def create_access_token(user_id: int, token_version: int, session_id: str, settings: Settings) -> str:
    import jwt

    now = clock.now()
    payload = {
        "sub": str(user_id),
        "ver": token_version,
        "sid": session_id,
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_expire_minutes),
    }
    return jwt.encode(payload, settings.secret_key, algorithm=TOKEN_ALGORITHM)


def decode_access_token(token: str, settings: Settings) -> TokenClaims | None:
    """The token's claims, or None when the token is invalid or expired."""
    import jwt

    try:
        # Its times are checked against the app's one clock (chores_tracker.clock), as they were
        # written with it, not against PyJWT's reading of the system clock.
        payload = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[TOKEN_ALGORITHM],
            options={"require": ["exp", "sub"], "verify_exp": False, "verify_iat": False},
        )
        if clock.now().timestamp() > int(payload["exp"]):
            return None
        return TokenClaims(int(payload["sub"]), int(payload.get("ver", 0)), payload.get("sid"), int(payload["exp"]))
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
