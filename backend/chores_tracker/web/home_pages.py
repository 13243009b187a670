"""The home page: a parent's dashboard, or a child's day (overdue, today, coming up) and lists."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from chores_tracker import clock
from chores_tracker.activity import service as activity
from chores_tracker.chores import occurrences, queries, streaks
from chores_tracker.chores.schemas import present_assignment, present_chore
from chores_tracker.chores.states import ChoreStatus
from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User
from chores_tracker.web.i18n import _
from chores_tracker.web.rendering import redirect, render
from chores_tracker.web.session import PageUser, parent_with_family

router = APIRouter()


@router.get("/")
def home(request: Request, user: PageUser, session: DbSession, settings: SettingsDep) -> Response:
    if user.is_parent:
        if user.family_id is None:
            return redirect("/family/setup", settings)
        return _dashboard(request, parent_with_family(request, user, session), session)
    return _child_home(request, user, session)


def _dashboard(request: Request, parent: User, session: Session) -> Response:
    children = identity.list_children(session, parent, whole_family=True)
    totals = queries.totals_for_children(session, [child.id for child in children])
    now = clock.now()
    waiting = [
        {"child": item.assignment.assignee, "chore": present_chore(item.chore, parent, now)}
        for item in queries.pending_approvals(session, parent, limit=3)
    ]
    return render(
        request,
        "dashboard.html",
        {
            "title": _("Home"),
            "children": [(child, totals.of(child.id)) for child in children],
            "waiting": waiting,
            "recent": activity.recent(session, parent, limit=6).activities,
            "has_chores": bool(queries.list_chores(session, parent, limit=1)),
        },
    )


def _child_home(request: Request, child: User, session: Session) -> Response:
    now = clock.now()
    available = queries.available_for_child(session, child)
    doable = {chore.id for chore, _slot in available.assigned} | {chore.id for chore in available.pool}
    # The calendar's view, in the family's zone: what is overdue, due today, and coming up. A chore
    # with a Done button there is not listed again under "To do now".
    whole = occurrences.agenda(session, child, now)
    day = occurrences.Agenda(
        *([view for view in views if view.on_calendar] for views in (whole.today, whole.overdue, whole.coming_up))
    )
    dated = [view for view in (*day.overdue, *day.today) if view.chore_id in doable and view.state != "done"]
    shown = {view.chore_id for view in dated}
    to_do = [
        {"chore": present_chore(chore, child, now), "assignment": present_assignment(slot, now), "pool": False}
        for chore, slot in available.assigned
        if chore.id not in shown
    ] + [
        {"chore": present_chore(chore, child, now), "assignment": None, "pool": True}
        for chore in available.pool
        if chore.id not in shown
    ]
    waiting = [
        present_chore(chore, child, now)
        for chore in queries.list_chores(session, child, status=ChoreStatus.pending_approval)
    ]
    later = [
        chore
        for chore in (
            present_chore(c, child, now) for c in queries.list_chores(session, child, status=ChoreStatus.approved)
        )
        if chore.next_available_at is not None
    ]
    # The filter above keeps only chores with a next_available_at, which mypy cannot follow into the list.
    later.sort(key=lambda chore: chore.next_available_at)  # type: ignore[arg-type, return-value]
    return render(
        request,
        "child_home.html",
        {
            "title": _("My chores"),
            "to_do": to_do,
            "overdue": day.overdue,
            "today": day.today,
            "coming_up": day.coming_up,
            "doable": doable,
            "waiting": waiting,
            "later": later,
            "totals": queries.child_totals(session, child),
            "streaks": streaks.streaks_of(session, child),
        },
    )


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return RedirectResponse("/static/icons/icon-192.png", status_code=301)
