"""FastAPI dependencies for the caller of an API route: the user its bearer token speaks for, and its role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request, Response
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from chores_tracker import clock
from chores_tracker.db.engine import close_session, read_outside_a_transaction
from chores_tracker.db.revisions import noted_revision
from chores_tracker.deps import MUTATING_METHODS, DbSession
from chores_tracker.errors import Forbidden, Unauthorized
from chores_tracker.http import Conditional
from chores_tracker.identity.models import User
from chores_tracker.identity.sessions import cached_user, user_for_token
from chores_tracker.identity.tokens import allows, is_personal_token, required_scope, user_for_personal_token
from chores_tracker.paths import API_PREFIX
from chores_tracker.settings import Settings

oauth2_scheme = OAuth2PasswordBearer(tokenUrl=f"{API_PREFIX}/users/login", auto_error=False)

BearerToken = Annotated[str | None, Depends(oauth2_scheme)]


def get_current_user(request: Request, session: DbSession, token: BearerToken) -> User:
    # The settings from the app, not SettingsDep: every dependency FastAPI solves costs each request.
    settings: Settings = request.app.state.settings
    if is_personal_token(token):
        return _user_of_personal_token(request, session, token)  # type: ignore[arg-type]
    # A change reads its caller afresh: the cache's check would cost a statement of its own, and
    # the last change in the family (anyone's) made what the cache remembers stale.
    cache = None if request.method in MUTATING_METHODS else request.app.state.token_cache
    user = user_for_token(session, settings, token, cache)
    if user is None:
        raise Unauthorized("not authenticated: the token is missing, expired or invalid")
    request.state.user_id = user.id
    return user


def _user_of_personal_token(request: Request, session: DbSession, token: str) -> User:
    """A personal access token (identity.tokens): its member, if the token's scopes allow this call."""
    found = user_for_personal_token(session, token, request.app.state.session_factory)
    if found is None:
        raise Unauthorized("not authenticated: the token is missing, expired or invalid")
    user, scopes = found
    route = request.scope.get("route")
    needed = required_scope(request.method, getattr(route, "path", request.url.path))
    if not allows(scopes, needed):
        raise Forbidden(f"this token's scopes do not allow this call (it needs {needed!r})")
    request.state.user_id = user.id
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def _parent(user: User) -> User:
    if not user.is_parent:
        raise Forbidden("only a parent may do this")
    return user


def _child(user: User) -> User:
    if user.is_parent:
        raise Forbidden("only a child may do this")
    return user


# No I/O: run on the event loop, not in a worker thread (chores_tracker.deps says why).
async def get_current_parent(user: CurrentUser) -> User:
    return _parent(user)


async def get_current_child(user: CurrentUser) -> User:
    return _child(user)


CurrentParent = Annotated[User, Depends(get_current_parent)]
CurrentChild = Annotated[User, Depends(get_current_child)]


# -- conditional reads: the caller and a known answer in one worker-thread hop ----------------------


@dataclass(frozen=True)
class ConditionalRead:
    """The caller of a conditional read (http.Conditional) and, when the answer is already known (the
    client's copy, or the body this process kept), that answer.

    Found in one worker-thread hop: a session outside a transaction (db.engine), the caller's
    lookup, the role's check and the conditional lookup, the session closed. A repeated read is
    answered there; only a new answer takes a second hop (`answer`), with a session of its own.
    Per request, the default dependencies take three (the caller, the endpoint, the rollback), which
    cost more than what the answer cache left of the work (docs/performance.md)."""

    request: Request
    user: User
    conditional: Conditional
    known: Response | None

    async def answer(self, make: Callable[[Session, User], tuple[Response, datetime | None]]) -> Response:
        """The known answer, or a new one: `make(session, user)` gives a response and the moment it
        changes by itself (a datetime, or None), in a worker thread; it is tagged and kept."""
        if self.known is not None:
            return self.known
        return await anyio.to_thread.run_sync(self._new_answer, make)

    def _new_answer(self, make: Callable[[Session, User], tuple[Response, datetime | None]]) -> Response:
        session: Session = self.request.app.state.session_factory()
        try:
            read_outside_a_transaction(session)
            response, until = make(session, self.user)
        finally:
            close_session(session)
        return self.conditional.tag(response, until)


def _conditional_read_of(role: Callable[[User], User]) -> Callable[..., object]:
    def look_up(request: Request, token: str | None) -> ConditionalRead:
        state = request.app.state
        # A caller the token cache knows costs one statement on a connection, no session.
        found = cached_user(state.engine, state.token_cache, token) if token and not is_personal_token(token) else None
        revision: int | None
        if found is not None:
            user, revision = found
            request.state.user_id = user.id
        else:
            session: Session = state.session_factory()
            try:
                read_outside_a_transaction(session)
                user = get_current_user(request, session, token)
                revision = noted_revision(session)
            finally:
                close_session(session)
        user = role(user)
        conditional = Conditional(request, revision, user.id)
        return ConditionalRead(request, user, conditional, conditional.known(clock.now()))

    async def conditional_read(request: Request, token: BearerToken) -> ConditionalRead:
        return await anyio.to_thread.run_sync(look_up, request, token)

    return conditional_read


ParentRead = Annotated[ConditionalRead, Depends(_conditional_read_of(_parent))]
ChildRead = Annotated[ConditionalRead, Depends(_conditional_read_of(_child))]


# -- family devices (identity.devices) ------------------------------------------------------------

DEVICE_COOKIE = "ct_device"
DEVICE_HEADER = "X-Device-Token"


def device_token(request: Request) -> str | None:
    """The family device token this request carries: an app's header, else a browser's cookie."""
    return request.headers.get(DEVICE_HEADER) or request.cookies.get(DEVICE_COOKIE)


def set_device_cookie(response: Response, request: Request, settings: Settings, token: str) -> None:
    """The browser becomes a family device: long-lived, never readable by scripts, Secure over HTTPS."""
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=settings.device_cookie_days * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.is_production or request.url.scheme == "https",
        path="/",
    )
