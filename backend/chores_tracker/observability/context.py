"""What a log line needs to know about the request it belongs to.

The middleware binds the request's ASGI state dict here. Starlette's `request.state` writes into
that same dict, so a user id set by the authentication dependency (in a worker thread) is seen by
every later log line of the request without passing anything around.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_request_state: ContextVar[dict[str, Any] | None] = ContextVar("chores_tracker_request_state", default=None)


def bind_request_state(state: dict[str, Any]) -> None:
    _request_state.set(state)


def current_request_id() -> str | None:
    state = _request_state.get()
    return state.get("request_id") if state else None


def current_user_id() -> int | None:
    state = _request_state.get()
    return state.get("user_id") if state else None
