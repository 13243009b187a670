"""Rate limits for log-in, sign-up, password resets and joining a family: a moving window per (scope, key).

In memory for one process; in Redis when REDIS_URL is set, so that every replica counts against
the same window. The API routes and the web pages call the same `RateLimiter`. If Redis cannot be
reached the attempt is let through (and counted in a metric): an outage of the limiter's store
should not lock every family out.

`limits` is imported at first use when the store is in memory (the default), not to serve `/health`;
a Redis store is made, and its URL checked, at start-up as before.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from chores_tracker.errors import RateLimited
from chores_tracker.observability import metrics
from chores_tracker.settings import Settings

if TYPE_CHECKING:
    from limits import RateLimitItem
    from limits.storage import Storage
    from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

LOGIN = "login"
SIGNUP = "signup"
PASSWORD_RESET = "password_reset"  # noqa: S105 (the name of a limit, not a secret)
JOIN = "join"
PIN = "pin"


@dataclass(frozen=True)
class Rule:
    amount: int
    per: Literal["minute", "hour"]
    message: str
    _limit: list[RateLimitItem] = field(default_factory=list, compare=False, repr=False)

    @property
    def limit(self) -> RateLimitItem:
        if not self._limit:
            from limits import RateLimitItemPerHour, RateLimitItemPerMinute

            item = RateLimitItemPerMinute if self.per == "minute" else RateLimitItemPerHour
            self._limit.append(item(self.amount))
        return self._limit[0]


def rules_from(settings: Settings) -> dict[str, Rule]:
    return {
        LOGIN: Rule(
            settings.rate_limit_login_per_minute,
            "minute",
            "too many log-in attempts; wait a moment and try again",
        ),
        SIGNUP: Rule(
            settings.rate_limit_signup_per_hour,
            "hour",
            "too many sign-ups from here; try again later",
        ),
        PASSWORD_RESET: Rule(
            settings.rate_limit_password_reset_per_hour,
            "hour",
            "too many password resets; try again later",
        ),
        # Invite codes are short enough to guess; this keeps guessing slower than codes expire.
        JOIN: Rule(
            settings.rate_limit_join_per_hour,
            "hour",
            "too many attempts to join a family; try again later",
        ),
        # A PIN has 4 to 6 digits: per device and per child, so guessing stays slow.
        PIN: Rule(
            settings.rate_limit_pin_per_minute,
            "minute",
            "too many PIN attempts; wait a minute and try again",
        ),
    }


def make_storage(settings: Settings) -> Storage:
    if not settings.redis_url:
        from limits.storage import MemoryStorage

        return MemoryStorage()
    from limits.errors import ConfigurationError
    from limits.storage import Storage, storage_from_string

    try:
        storage = storage_from_string(
            settings.redis_url,
            key_prefix=settings.rate_limit_key_prefix,
            socket_connect_timeout=2,
            socket_timeout=2,
        )
    except ConfigurationError as exc:
        raise ValueError(f"REDIS_URL cannot be used for rate limits: {exc}") from None
    # An async+ scheme makes a store for asyncio, which the limiter (synchronous) cannot use.
    if not isinstance(storage, Storage):
        raise ValueError("REDIS_URL cannot be used for rate limits: an async+ scheme is for asyncio; drop the prefix")
    return storage


class RateLimiter:
    def __init__(self, storage: Storage | None, rules: dict[str, Rule], settings: Settings | None = None) -> None:
        """`storage` None: made from `settings` at first use (the in-memory store, which cannot fail)."""
        self._storage = storage
        self._settings = settings
        self.rules = rules
        self._moving_window: MovingWindowRateLimiter | None = None
        self._making = threading.Lock()  # the first hits may come from several threads at once

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        if settings.redis_url:  # made now, so that a URL it cannot use stops start-up
            return cls(make_storage(settings), rules_from(settings))
        return cls(None, rules_from(settings), settings)

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            with self._making:
                if self._storage is None:
                    assert self._settings is not None
                    self._storage = make_storage(self._settings)
        return self._storage

    @property
    def _limiter(self) -> MovingWindowRateLimiter:
        if self._moving_window is None:
            from limits.strategies import MovingWindowRateLimiter

            storage = self.storage
            with self._making:
                if self._moving_window is None:
                    self._moving_window = MovingWindowRateLimiter(storage)
        return self._moving_window

    def hit(self, scope: str, *keys: str | None) -> None:
        """Count one attempt against each key (e.g. the client address and the username).

        Raises RateLimited, with the seconds until the earliest key has room again, when any key
        is already at its limit; a refused attempt is not counted.
        """
        rule = self.rules[scope]
        identities = [key for key in keys if key]
        try:
            exhausted = [key for key in identities if not self._limiter.test(rule.limit, scope, key)]
            if exhausted:
                retry_after = max(self._seconds_until_room(rule, scope, key) for key in exhausted)
                metrics.record_rate_limited(scope)
                log.warning("rate limit reached", extra={"limit": scope})
                raise RateLimited(rule.message, retry_after=retry_after)
            for key in identities:
                self._limiter.hit(rule.limit, scope, key)
        except RateLimited:
            raise
        except Exception as exc:  # the store is down: let the attempt through, loudly
            metrics.record_rate_limit_storage_error()
            log.warning("rate limit store unavailable: %s", type(exc).__name__)

    def _seconds_until_room(self, rule: Rule, scope: str, key: str) -> int:
        reset_at = self._limiter.get_window_stats(rule.limit, scope, key).reset_time
        return max(1, math.ceil(reset_at - time.time()))

    def reset(self) -> None:
        self.storage.reset()
