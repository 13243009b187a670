"""FastAPI dependencies for the caller of an API route: the user its bearer token speaks for, and its role."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import OAuth2PasswordBearer

from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.errors import Forbidden, Unauthorized
from chores_tracker.identity.models import User
from chores_tracker.identity.sessions import user_for_token
from chores_tracker.identity.tokens import allows, is_personal_token, required_scope, user_for_personal_token
from chores_tracker.paths import API_PREFIX
from chores_tracker.settings import Settings

oauth2_scheme = OAuth2PasswordBearer(tokenUrl=f"{API_PREFIX}/users/login", auto_error=False)

BearerToken = Annotated[str | None, Depends(oauth2_scheme)]


def get_current_user(request: Request, session: DbSession, settings: SettingsDep, token: BearerToken) -> User:
    if is_personal_token(token):
        return _user_of_personal_token(request, session, token)  # type: ignore[arg-type]
    user = user_for_token(session, settings, token, request.app.state.token_cache)
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


# No I/O: run on the event loop, not in a worker thread (chores_tracker.deps says why).
async def get_current_parent(user: CurrentUser) -> User:
    if not user.is_parent:
        raise Forbidden("only a parent may do this")
    return user


async def get_current_child(user: CurrentUser) -> User:
    if user.is_parent:
        raise Forbidden("only a child may do this")
    return user


CurrentParent = Annotated[User, Depends(get_current_parent)]
CurrentChild = Annotated[User, Depends(get_current_child)]


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
