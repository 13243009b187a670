"""The limiter as a FastAPI dependency, and the client address it keys on."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from chores_tracker.identity.usernames import normalize_username
from chores_tracker.ratelimit.service import RateLimiter


def get_rate_limiter(request: Request) -> RateLimiter:
    return request.app.state.rate_limiter


def client_address(request: Request) -> str | None:
    """The peer's address; behind a proxy listed in TRUSTED_PROXIES, the client it forwarded for."""
    return request.client.host if request.client else None


def address_key(request: Request) -> str | None:
    address = client_address(request)
    return f"address:{address}" if address else None


def username_key(username: str | None) -> str | None:
    """One key for every spelling of a name that finds the same account, as the log-in looks it up."""
    key = normalize_username(username or "")
    return f"user:{key}" if key else None


def count_attempt(request: Request, scope: str, username: str | None) -> None:
    """One attempt at `scope` (LOGIN, SIGNUP, PASSWORD_RESET, JOIN) by this request's client, for this
    username; raises RateLimited when either is over its limit. API routes and web pages both call
    it (from async code, through run_in_threadpool: with Redis it does network I/O)."""
    get_rate_limiter(request).hit(scope, address_key(request), username_key(username))


RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]
