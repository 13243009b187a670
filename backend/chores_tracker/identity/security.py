"""Password hashing (Argon2id) and access tokens (JWT, HS256)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from chores_tracker.settings import Environment, Settings

TOKEN_ALGORITHM = "HS256"


@lru_cache
def _hasher(environment: Environment) -> PasswordHasher:
    if environment is Environment.test:
        # Cheap parameters keep a test suite that creates hundreds of users fast.
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def hash_password(password: str, settings: Settings) -> str:
    return _hasher(settings.environment).hash(password)


def verify_password(password: str, hashed: str, settings: Settings) -> bool:
    try:
        return _hasher(settings.environment).verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the user does not exist, so timing does not reveal usernames.
@lru_cache
def dummy_hash(environment: Environment) -> str:
    return _hasher(environment).hash("not-a-real-password")


def create_access_token(user_id: int, token_version: int, settings: Settings) -> str:
    now = datetime.now(timezone.utc)
    payload = {
        "sub": str(user_id),
        "ver": token_version,
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_expire_minutes),
    }
    return jwt.encode(payload, settings.secret_key, algorithm=TOKEN_ALGORITHM)


def decode_access_token(token: str, settings: Settings) -> tuple[int, int] | None:
    """(user id, token version), or None when the token is invalid or expired."""
    try:
        payload = jwt.decode(token, settings.secret_key, algorithms=[TOKEN_ALGORITHM], options={"require": ["exp", "sub"]})
        return int(payload["sub"]), int(payload.get("ver", 0))
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
