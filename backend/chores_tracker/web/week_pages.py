"""A parent's week: each day's occurrences per child with their state, in the family's zone, and
skip, snooze and pausing a child. The same services as GET /occurrences, POST /occurrences/{id}/skip
and /snooze, and /children/{id}/pauses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from chores_tracker import clock, timezones
from chores_tracker.chores import occurrences, pauses
from chores_tracker.chores.models import ChildPause
from chores_tracker.chores.occurrences import OccurrenceView
from chores_tracker.chores.schedule import local_date
from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.errors import Conflict, InvalidInput, NotFound
from chores_tracker.http import RowId
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User
from chores_tracker.web.forms import FormErrors, SubmittedForm
from chores_tracker.web.i18n import _, message
from chores_tracker.web.rendering import page_error, page_language, redirect, render, short_day
from chores_tracker.web.session import FamilyParent

router = APIRouter()

DAYS = 7
# The states a parent may still act on (skip or snooze).
OPEN = ("upcoming", "due", "overdue", "rejected")
SNOOZE_CHOICES = (1, 2, 3, 7)
# The service's refusal of an occurrence already done, approved, skipped or missed (an f-string of
# its state), in the catalogue by the sentence the flash shows: a flash's text is translated where it
# shows. Its other refusals are found by page_error (error_words, the extracted messages).
_REFUSALS = (
    _("This occurrence is done: only an occurrence not yet done can be skipped or snoozed."),
    _("This occurrence is approved: only an occurrence not yet done can be skipped or snoozed."),
    _("This occurrence is skipped: only an occurrence not yet done can be skipped or snoozed."),
    _("This occurrence is missed: only an occurrence not yet done can be skipped or snoozed."),
)
# The pause form's words for pauses.add_pause's refusal that names the API's fields.
_PAUSE_WORDS = {"last_day must not be before first_day": _("The last day must not be before the first day")}


@dataclass(frozen=True)
class Lane:
    """One child's (or the pool's) occurrences on one day."""

    name: str
    child_id: int | None
    items: list[OccurrenceView]
    paused: bool


@dataclass(frozen=True)
class Day:
    on: date
    lanes: list[Lane]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _start(raw: str, today: date, errors: FormErrors) -> date:
    if not raw:
        return _monday(today)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.add("start", _("Enter a date like 2026-12-07."))
        return _monday(today)


def _week(session: Session, parent: User, start: date, children: list[User]) -> list[Day]:
    found = occurrences.list_occurrences(session, parent, start, start + timedelta(days=DAYS - 1))
    paused = occurrences.paused_days(session, [child.id for child in children], start, start + timedelta(days=DAYS))
    days = []
    for offset in range(DAYS):
        on = start + timedelta(days=offset)
        mine = [view for view in found if view.due_on == on]
        lanes = [
            Lane(
                child.username,
                child.id,
                [view for view in mine if view.child_id == child.id],
                any(first <= on <= last for first, last in paused.get(child.id, ())),
            )
            for child in children
        ]
        pool = [view for view in mine if view.child_id is None or view.child_id not in {c.id for c in children}]
        if pool:
            lanes.append(Lane(_("Any child"), None, pool, False))
        days.append(Day(on, lanes))
    return days


def _page(
    request: Request,
    session: Session,
    parent: User,
    raw_start: str,
    *,
    errors: FormErrors | None = None,
    form: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    errors = errors or FormErrors()
    zone = timezones.zone(request.state.family.timezone)
    today = local_date(clock.now(), zone)
    start = _start(raw_start, today, errors)
    children = [child for child in identity.list_children(session, parent, whole_family=True) if child.is_active]
    family_pauses: list[tuple[User, ChildPause]] = [
        (child, pause)
        for child in children
        for pause in pauses.list_pauses(session, parent, child.id)
        if pause.last_day >= today
    ]
    return render(
        request,
        "week.html",
        {
            "title": _("Week"),
            "start": start,
            "end": start + timedelta(days=DAYS - 1),
            "previous": start - timedelta(days=DAYS),
            "next": start + timedelta(days=DAYS),
            "today": today,
            "days": _week(session, parent, start, children),
            "children": children,
            "pauses": family_pauses,
            "open_states": OPEN,
            "snooze_choices": SNOOZE_CHOICES,
            "errors": errors.fields,
            "form": form or {"first_day": today.isoformat(), "last_day": today.isoformat()},
        },
        status_code=422 if errors and status_code == 200 else status_code,
    )


def _back(start: object) -> str:
    text = str(start or "")
    try:
        return f"/week?start={date.fromisoformat(text).isoformat()}"
    except ValueError:
        return "/week"


@router.get("/week")
def week_page(request: Request, parent: FamilyParent, session: DbSession) -> Response:
    return _page(request, session, parent, request.query_params.get("start", "").strip())


@router.post("/week/occurrences/{occurrence_id}/skip")
def skip(
    request: Request,
    occurrence_id: RowId,
    submitted: SubmittedForm,
    parent: FamilyParent,
    session: DbSession,
    settings: SettingsDep,
) -> Response:
    back = _back(submitted.values().get("start"))
    try:
        view = occurrences.skip_occurrence(session, parent, occurrence_id)
    except Conflict as exc:
        return redirect(back, settings, flash=page_error(request, exc.message), kind="error")
    on = short_day(view.due_on, page_language(request))
    said = (
        message("Skipped “{title}” for {child} on {on}.", title=view.chore_title, child=view.child_name, on=on)
        if view.child_name
        else message("Skipped “{title}” on {on}.", title=view.chore_title, on=on)
    )
    return redirect(back, settings, flash=said)


@router.post("/week/occurrences/{occurrence_id}/snooze")
def snooze(
    request: Request,
    occurrence_id: RowId,
    submitted: SubmittedForm,
    parent: FamilyParent,
    session: DbSession,
    settings: SettingsDep,
) -> Response:
    data = submitted.values()
    back = _back(data.get("start"))
    days = str(data.get("days") or "")
    try:
        view = occurrences.snooze_occurrence(session, parent, occurrence_id, int(days) if days.isdigit() else 0)
    except (Conflict, InvalidInput) as exc:
        return redirect(back, settings, flash=page_error(request, exc.message), kind="error")
    local = view.due_at_local
    return redirect(
        back,
        settings,
        flash=message(
            "Snoozed “{title}”: now due {on}.", title=view.chore_title, on=short_day(local, page_language(request))
        ),
    )


@router.post("/week/pauses")
def add_pause(
    request: Request, submitted: SubmittedForm, parent: FamilyParent, session: DbSession, settings: SettingsDep
) -> Response:
    data = submitted.values()
    errors = FormErrors()
    days: dict[str, date] = {}
    for name in ("first_day", "last_day"):
        try:
            days[name] = date.fromisoformat(str(data.get(name) or ""))
        except ValueError:
            errors.add(name, _("Enter a date like 2026-12-07."))
    child = str(data.get("child_id") or "")
    if not child.isdigit():
        errors.add("child_id", _("Choose a child."))
    if not errors:
        try:
            pauses.add_pause(session, parent, int(child), days["first_day"], days["last_day"])
        except InvalidInput as exc:
            errors.from_domain(exc, words=_PAUSE_WORDS)
        except NotFound:
            errors.add("child_id", _("Choose a child of the family."))
    if errors:
        return _page(request, session, parent, str(data.get("start") or ""), errors=errors, form=data, status_code=422)
    name = next(
        (c.username for c in identity.list_children(session, parent, whole_family=True) if c.id == int(child)), ""
    )
    return redirect(
        _back(data.get("start")),
        settings,
        flash=message(
            "{child} is paused from {first} to {last}: nothing is due, nothing is charged.",
            child=name,
            first=short_day(days["first_day"], page_language(request)),
            last=short_day(days["last_day"], page_language(request)),
        ),
    )


@router.post("/week/children/{child_id}/pauses/{pause_id}/delete")
def end_pause(
    child_id: RowId,
    pause_id: RowId,
    submitted: SubmittedForm,
    parent: FamilyParent,
    session: DbSession,
    settings: SettingsDep,
) -> Response:
    pauses.delete_pause(session, parent, child_id, pause_id)
    return redirect(
        _back(submitted.values().get("start")),
        settings,
        flash=_("The pause is over: from now on chores fall due again."),
    )
