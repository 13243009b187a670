"""FastAPI dependencies shared by every domain's routes: settings, the session, the current user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from chores_tracker.db.engine import close_session
from chores_tracker.errors import Forbidden, Unauthorized
from chores_tracker.identity.models import User
from chores_tracker.identity.sessions import user_for_token
from chores_tracker.settings import Settings

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/users/login", auto_error=False)


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    session = request.app.state.session_factory()
    try:
        yield session
    finally:
        close_session(session)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
DbSession = Annotated[Session, Depends(get_db)]


BearerToken = Annotated[str | None, Depends(oauth2_scheme)]


def get_current_user(request: Request, session: DbSession, settings: SettingsDep, token: BearerToken) -> User:
    user = user_for_token(session, settings, token)
    if user is None:
        raise Unauthorized("not authenticated: the token is missing, expired or invalid")
    request.state.user_id = user.id
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_current_parent(user: CurrentUser) -> User:
    if not user.is_parent:
        raise Forbidden("only a parent may do this")
    return user


def get_current_child(user: CurrentUser) -> User:
    if user.is_parent:
        raise Forbidden("only a child may do this")
    return user


CurrentParent = Annotated[User, Depends(get_current_parent)]
CurrentChild = Annotated[User, Depends(get_current_child)]
