"""Signed links to act from a message: approve or send back one completion waiting for review.

A link is a JWT (HS256) signed with a key of its own derived from SECRET_KEY, so it is never an
access token (and an access token is never a link). It names the parent it was sent to (and that
parent's token_version: a password change ends every link), the completion, the action and its
expiry (ACTION_LINK_HOURS). Single use: it acts only on that completion while it waits for review,
and reviewing it (by the link or otherwise) ends every link to it. Opening a link (GET) shows a
confirmation page and changes nothing; the page's form (POST) acts.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from enum import Enum
from typing import NamedTuple

from chores_tracker import clock
from chores_tracker.settings import Settings

AUDIENCE = "chores-tracker:action-link"


class Action(str, Enum):
    approve = "approve"
    reject = "reject"


class LinkClaims(NamedTuple):
    parent_id: int
    token_version: int
    completion_id: int
    action: Action


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def _key(settings: Settings) -> str:
    return hashlib.sha256(f"action-links|{settings.secret_key}".encode()).hexdigest()


def make(settings: Settings, *, parent_id: int, token_version: int, completion_id: int, action: Action) -> str:
    now = clock.now()
    payload = {
        "aud": AUDIENCE,
        "pid": parent_id,
        "ver": token_version,
        "cid": completion_id,
        "act": action.value,
        "iat": now,
        "exp": now + timedelta(hours=settings.action_link_hours),
    }
    import jwt  # at first use: PyJWT loads cryptography, which serving /health does not need

    return jwt.encode(payload, _key(settings), algorithm="HS256")


def read(settings: Settings, token: str) -> LinkClaims:
    """The link's claims; LinkExpired after its expiry by the app's clock, LinkInvalid for anything
    not signed by this server as a link."""
    import jwt

    try:
        payload = jwt.decode(
            token,
            _key(settings),
            algorithms=["HS256"],
            audience=AUDIENCE,
            # Expiry is checked below, by the app's clock (clock.now), not the system's.
            options={"require": ["exp", "aud", "pid", "cid", "act"], "verify_exp": False, "verify_iat": False},
        )
        claims = LinkClaims(
            int(payload["pid"]), int(payload.get("ver", 0)), int(payload["cid"]), Action(payload["act"])
        )
        expires = int(payload["exp"])
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        raise LinkInvalid from None
    if clock.now().timestamp() >= expires:
        raise LinkExpired
    return claims


def path(settings: Settings, *, parent_id: int, token_version: int, completion_id: int, action: Action) -> str:
    """The link's path on this site (PUBLIC_URL in front of it in a message)."""
    token = make(settings, parent_id=parent_id, token_version=token_version, completion_id=completion_id, action=action)
    return f"/act/{token}"
