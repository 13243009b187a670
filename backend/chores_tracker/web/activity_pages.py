"""The family's activity feed."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from chores_tracker.activity import service as activity
from chores_tracker.deps import DbSession
from chores_tracker.web.i18n import _
from chores_tracker.web.rendering import render
from chores_tracker.web.session import FamilyParent

router = APIRouter()

PAGE_SIZE = 25


@router.get("/activity")
def activity_page(
    request: Request, parent: FamilyParent, session: DbSession, page: int = Query(1, ge=1, le=10_000)
) -> Response:
    found = activity.recent(session, parent, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render(
        request,
        "activity.html",
        {"title": _("Activity"), "activities": found.activities, "page": page, "has_more": found.has_more},
    )
