"""The home page: a parent's dashboard or a child's chores."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.families import service as families
from chores_tracker.web.rendering import redirect, render
from chores_tracker.web.session import PageUser

router = APIRouter()


@router.get("/")
def home(request: Request, user: PageUser, session: DbSession, settings: SettingsDep) -> Response:
    if user.is_parent and user.family_id is None:
        return redirect("/family/setup", settings)
    if user.is_parent:
        found = families.members(session, user)
        return render(request, "dashboard.html", {"title": "Home", "members": found})
    return render(request, "child_home.html", {"title": "My chores"})


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return RedirectResponse("/static/icons/icon-192.png", status_code=301)
