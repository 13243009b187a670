"""The family's outgoing webhooks and their delivery logs, for parents (managed through /api/v1/webhooks)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from chores_tracker.deps import DbSession
from chores_tracker.notifications import webhooks
from chores_tracker.web.i18n import _
from chores_tracker.web.rendering import render
from chores_tracker.web.session import FamilyParent

router = APIRouter()

LOG_SIZE = 20


@router.get("/family/webhooks")
def webhooks_page(request: Request, parent: FamilyParent, session: DbSession) -> Response:
    found = webhooks.of_family(session, parent)
    logs = {hook.id: webhooks.deliveries(session, parent, hook.id, limit=LOG_SIZE) for hook in found}
    return render(request, "webhooks.html", {"title": _("Webhooks"), "webhooks": found, "logs": logs})
