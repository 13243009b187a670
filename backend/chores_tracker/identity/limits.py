"""The limits on attempts at an account (log-in, sign-up, password resets, joining a family): per
client address, and per username as log-in finds the account, so that another spelling of a name
counts as the same."""

from __future__ import annotations

from fastapi import Request

from chores_tracker.identity.usernames import normalize_username
from chores_tracker.ratelimit.deps import address_key, get_rate_limiter
from chores_tracker.ratelimit.service import PIN


def username_key(username: str | None) -> str | None:
    """One key for every spelling of a name that finds the same account, as the log-in looks it up."""
    key = normalize_username(username or "")
    return f"user:{key}" if key else None


def count_attempt(request: Request, scope: str, username: str | None) -> None:
    """One attempt at `scope` (LOGIN, SIGNUP, PASSWORD_RESET, JOIN) by this request's client, for this
    username; raises RateLimited when either is over its limit. API routes and web pages both call
    it (from async code, through run_in_threadpool: with Redis it does network I/O)."""
    get_rate_limiter(request).hit(scope, address_key(request), username_key(username))


def count_pin_attempt(request: Request, device_id: int, child_id: int) -> None:
    """One PIN attempt on a family device for a child: limited per device and per child (PIN)."""
    get_rate_limiter(request).hit(PIN, f"device:{device_id}", f"child:{child_id}")
