"""CSRF protection for every page form.

A random nonce lives in an HttpOnly cookie; each form carries HMAC(SECRET_KEY, nonce | session cookie).
A page on another site can neither read the nonce nor compute the token, and a token stops working
when the session changes (login, logout), so a token leaked from one session is useless in another.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request
from starlette.responses import Response

from chores_tracker.deps import SettingsDep
from chores_tracker.settings import Settings
from chores_tracker.web.session import SESSION_COOKIE

CSRF_COOKIE = "ct_csrf"
CSRF_FIELD = "csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRejected(Exception):
    """A form arrived without a valid token: it is refused before anything changes."""


def _token(settings: Settings, nonce: str, session: str) -> str:
    message = f"csrf|{nonce}|{session}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def renew_nonce(response: Response, settings: Settings) -> None:
    """A new nonce when the session changes (log-in, log-out): no token from before carries over."""
    response.set_cookie(
        CSRF_COOKIE, new_nonce(), httponly=True, samesite="lax", secure=settings.is_production, path="/"
    )


def nonce_for(request: Request) -> str:
    """The browser's nonce, or a new one that the response will set (see rendering.render)."""
    nonce = getattr(request.state, "csrf_nonce", None) or request.cookies.get(CSRF_COOKIE)
    if not nonce:
        nonce = new_nonce()
    request.state.csrf_nonce = nonce
    return nonce


def token_for(request: Request, settings: Settings, *, session: str | None = None) -> str:
    if session is None:
        session = getattr(request.state, "session_cookie", None) or request.cookies.get(SESSION_COOKIE, "")
    return _token(settings, nonce_for(request), session)


async def verify_csrf(request: Request, settings: SettingsDep) -> None:
    """A dependency of every page route: unsafe methods need a valid token in the form."""
    if request.method in _SAFE_METHODS:
        return
    nonce = request.cookies.get(CSRF_COOKIE)
    try:
        form = await request.form()
    except Exception:  # a body that is not a form cannot carry the token
        raise CsrfRejected from None
    sent = form.get(CSRF_FIELD)
    if not nonce or not isinstance(sent, str):
        raise CsrfRejected
    expected = _token(settings, nonce, request.cookies.get(SESSION_COOKIE, ""))
    # The token is hex; compare_digest refuses (TypeError) to compare text that is not ASCII.
    if not sent.isascii() or not hmac.compare_digest(sent, expected):
        raise CsrfRejected
