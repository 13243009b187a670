"""Cookie sessions for the web pages, and who is asking.

The session cookie holds the same access token the API hands out (identity.sessions), checked by the
same function (sessions.user_for_token), so logging out, a password change or a removed account ends
the browser's session exactly as it does an API client's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from chores_tracker.chores import queries
from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.errors import Forbidden
from chores_tracker.families import service as families
from chores_tracker.identity import sessions
from chores_tracker.identity.models import User
from chores_tracker.notifications import service as notifications
from chores_tracker.settings import Settings

SESSION_COOKIE = "ct_session"


class LoginRequired(Exception):
    """The page needs a signed-in user; the browser is sent to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class RedirectTo(Exception):
    """The page does not apply to this user yet (e.g. a parent without a family); go elsewhere."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def start_session(response: Response, session: Session, settings: Settings, user: User) -> None:
    token = sessions.open_session(session, settings, user)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.access_token_expire_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
        path="/",
    )


def end_session(request: Request, response: Response, session: Session, settings: Settings) -> None:
    """Ends the session on the server too: a copy of the cookie must not outlive the log-out."""
    sessions.end_session(session, settings, request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.is_production)


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def optional_user(request: Request, session: DbSession, settings: SettingsDep) -> User | None:
    user = sessions.user_for_token(session, settings, request.cookies.get(SESSION_COOKIE))
    request.state.user = user
    if user is not None:
        request.state.user_id = user.id
        request.state.family = families.get_family(session, user)
        # The bell in the header shows the unread notifications on every page.
        request.state.unread_count = notifications.unread_count(session, user)
    return user


MaybeUser = Annotated[User | None, Depends(optional_user)]


def signed_in_user(request: Request, user: MaybeUser) -> User:
    if user is None:
        raise LoginRequired(_here(request))
    return user


PageUser = Annotated[User, Depends(signed_in_user)]


def signed_in_parent(user: PageUser) -> User:
    if not user.is_parent:
        raise Forbidden("this page is for parents")
    return user


PageParent = Annotated[User, Depends(signed_in_parent)]


def parent_with_family(request: Request, parent: PageParent, session: DbSession) -> User:
    if request.state.family is None:
        raise RedirectTo("/family/setup")
    # The menu shows how many completions wait for review, on every parent page.
    request.state.pending_count = queries.pending_approval_count(session, parent)
    return parent


FamilyParent = Annotated[User, Depends(parent_with_family)]


def signed_in_child(user: PageUser) -> User:
    if user.is_parent:
        raise Forbidden("this page is for children")
    return user


PageChild = Annotated[User, Depends(signed_in_child)]


def safe_next(url: str | None) -> str:
    """Only a path on this site: an open redirect after login would be a phishing aid."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return "/"
