"""The limiter as a FastAPI dependency, and the client address it keys on (identity.limits counts attempts at an account)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from chores_tracker.ratelimit.service import RateLimiter


def get_rate_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


def client_address(request: Request) -> str | None:
    """The peer's address; behind a proxy listed in TRUSTED_PROXIES, the client it forwarded for."""
    return request.client.host if request.client else None


def address_key(request: Request) -> str | None:
    address = client_address(request)
    return f"address:{address}" if address else None


RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]
