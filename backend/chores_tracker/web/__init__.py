"""The web app: server-rendered pages for parents and children, at `/`."""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from chores_tracker.paths import STATIC_PATH
from chores_tracker.web import (
    account_pages,
    action_pages,
    activity_pages,
    chore_pages,
    device_pages,
    family_pages,
    home_pages,
    money_pages,
    notification_pages,
    report_pages,
    reward_pages,
    week_pages,
)
from chores_tracker.web.csrf import verify_csrf
from chores_tracker.web.rendering import STATIC_DIR


def install(app: FastAPI) -> None:
    """Mount the pages and their static files (their error handlers: web.errors.error_handlers)."""
    # Each page router straight into the app (not through one router of them all, which FastAPI
    # would check at start-up by building every page's handling an extra time).
    for module in (
        home_pages,
        account_pages,
        family_pages,
        device_pages,
        chore_pages,
        money_pages,
        reward_pages,
        activity_pages,
        report_pages,
        week_pages,
        notification_pages,
        action_pages,
    ):
        app.include_router(module.router, include_in_schema=False, dependencies=[Depends(verify_csrf)])
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="static")
