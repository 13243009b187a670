"""Domain errors. Services raise these; app.py turns them into HTTP answers in one place."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "bad_request"
    # Seconds after which trying again makes sense (sent as Retry-After), when there is such a time.
    retry_after: int | None = None

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # Further problems of the same input found with this one (other fields): the API answers
        # with the first, as it always has; a page shows them all, each at its input.
        self.more: list[DomainError] = []

    @classmethod
    def first_of(cls, problems: list[DomainError]) -> DomainError:
        """The first problem, carrying the others in `more`."""
        first = problems[0]
        first.more = problems[1:]
        return first


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class InvalidInput(DomainError):
    """A rule about the input that a schema cannot express (answers 422 with the field)."""

    status_code = 422
    code = "invalid_input"


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServerBusy(DomainError):
    """Every database connection is in use and none came free in time (raised by admission, not services)."""

    status_code = 503
    code = "server_busy"
    retry_after = 5

    def __init__(self, message: str = "the server is busy; try again shortly") -> None:
        super().__init__(message)
