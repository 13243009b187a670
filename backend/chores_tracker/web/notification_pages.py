"""The notification centre: the signed-in member's notifications, the unread count the badge polls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import FileResponse, JSONResponse, Response

from chores_tracker.activity import service as activity
from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.errors import InvalidInput
from chores_tracker.http import RowId
from chores_tracker.identity.models import User
from chores_tracker.notifications import channels, links
from chores_tracker.notifications import service as notifications
from chores_tracker.notifications.models import Notification
from chores_tracker.settings import Settings
from chores_tracker.web import activity_lines, i18n
from chores_tracker.web.forms import SubmittedForm
from chores_tracker.web.i18n import _, message
from chores_tracker.web.rendering import STATIC_DIR, page_language, page_money, page_text, redirect, render
from chores_tracker.web.session import PageUser

router = APIRouter()

PAGE_SIZE = 25


@router.get("/notifications")
def notifications_page(
    request: Request,
    user: PageUser,
    session: DbSession,
    settings: SettingsDep,
    page: int = Query(1, ge=1, le=10_000),
) -> Response:
    found = notifications.recent(session, user, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    # A chore waiting for review: the same signed links a message carries (the page acts on the
    # completion only while it waits; after that they say it was reviewed).
    actions = {
        n.id: {
            action.value: links.path(
                settings,
                parent_id=user.id,
                token_version=user.token_version,
                completion_id=n.completion_id,
                action=action,
            )
            for action in links.Action
        }
        for n in found.notifications
        if user.is_parent and n.event == "chore_completed" and n.completion_id is not None and n.read_at is None
    }
    return render(
        request,
        "notifications.html",
        {
            "title": _("Notifications"),
            "notifications": found.notifications,
            **_said_again(
                session, user, found.notifications, page_language(request), lambda value: page_money(request, value)
            ),
            "actions": actions,
            "page": page,
            "has_more": found.has_more,
            "push_key": _push_key(settings),
        },
    )


def _said_again(
    session: Session, user: User, found: list[Notification], language: str, money: Callable[[str], str]
) -> dict[str, object]:
    """On a page in another language than English, what each notification says in it: the line of the
    feed row it was written with (`lines`), a reminder's words (`reminders`), the worker's summaries
    (`digests`: counts and balances, amounts formatted by `money`; `nudges`: how many wait) and a
    disabled webhook's parts (`webhooks`); the rest keep their text (English pages show every text
    as written, as before)."""
    said: dict[str, dict[int, Any]] = {"lines": {}, "reminders": {}, "digests": {}, "nudges": {}, "webhooks": {}}
    if language == i18n.DEFAULT or user.family_id is None:
        return dict(said)
    rows = activity.told_by(session, user.family_id, [(n.event, n.text, n.created_at) for n in found])
    said["lines"] = {n.id: row for n, row in zip(found, rows, strict=True) if row is not None}
    for n in found:
        if (reminder := activity_lines.reminder(n.event, n.text)) is not None:
            said["reminders"][n.id] = reminder
        elif n.event == "daily_digest" and (digest := activity_lines.digest(n.text)) is not None:
            said["digests"][n.id] = {
                "done": digest.done,
                "approved": digest.approved,
                "waiting": digest.waiting,
                "balances": None
                if digest.balances is None
                else ", ".join(f"{name} {money(amount)}" for name, amount in digest.balances),
                "own": None if digest.own is None else money(digest.own),
            }
        elif n.event == "review_nudge" and (count := activity_lines.nudge(n.text)) is not None:
            said["nudges"][n.id] = count
        elif n.event == "webhook_disabled" and (parts := activity_lines.webhook_disabled(n.text)) is not None:
            said["webhooks"][n.id] = parts
    return dict(said)


def _push_key(settings: Settings) -> str | None:
    from chores_tracker.notifications import webpush

    return webpush.public_key(settings)


@router.get("/sw.js")
def service_worker() -> Response:
    """The service worker that shows Web Push messages; at the root, so that its scope is the app."""
    return FileResponse(STATIC_DIR / "sw.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.post("/notifications/push")
def subscribe_this_browser(
    request: Request, submitted: SubmittedForm, user: PageUser, session: DbSession, settings: SettingsDep
) -> Response:
    """The form static/app.js fills in with this browser's push subscription."""
    data = submitted.values()
    try:
        channels.add_push_subscription(
            session,
            settings,
            user,
            name=str(data.get("name") or "This device")[:100],
            endpoint=str(data.get("endpoint") or ""),
            p256dh=str(data.get("p256dh") or ""),
            auth=str(data.get("auth") or ""),
        )
    except InvalidInput as exc:
        return redirect(
            "/notifications",
            settings,
            flash=message("Could not turn them on: {reason}", reason=page_text(request, exc.message)),
            kind="error",
        )
    return redirect("/notifications", settings, flash=_("This device will get your notifications."))


@router.get("/notifications/unread")
def unread(user: PageUser, session: DbSession) -> Response:
    """What static/app.js polls (the session cookie's user): the badge's number."""
    return JSONResponse(
        {"unread_count": notifications.unread_count(session, user)}, headers={"Cache-Control": "no-store"}
    )


@router.post("/notifications/{notification_id}/read")
def read_one(notification_id: RowId, user: PageUser, session: DbSession, settings: SettingsDep) -> Response:
    notifications.mark_read(session, user, notification_id)
    return redirect("/notifications", settings)


@router.post("/notifications/read-all")
def read_all(user: PageUser, session: DbSession, settings: SettingsDep) -> Response:
    marked = notifications.mark_all_read(session, user)
    return redirect(
        "/notifications", settings, flash=message("{count} marked as read.", count=marked) if marked else None
    )
