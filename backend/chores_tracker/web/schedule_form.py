"""The chore form's schedule picker: its inputs as the API's `schedule` object, and back.

Each input is `schedule_<something>`; which ones are read depends on the kind chosen (the others
are hidden by CSS and never read, so a hidden input cannot cause a hidden error), exactly as the
API's ScheduleSpec reads only its kind's fields. The picker only reshapes what was typed: the
schedule's rules, messages and plain words (`schedule.describe`, in the page's language) are the API's own.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import TypeAdapter, ValidationError

from chores_tracker.chores.schedule import (
    MONTH_NAMES,
    WEEKDAY_FULL_NAMES,
    Rotation,
    ScheduleKind,
    ScheduleSpec,
)
from chores_tracker.money import Amount, from_cents, to_cents
from chores_tracker.web import i18n
from chores_tracker.web.i18n import _
from chores_tracker.web.rendering import plain_amount

# The names of the days and months the picker shows (chores.schedule's, English), marked for the
# catalogue: the template translates them (`|t`).
_NAMES = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
    _("Jan"),
    _("Feb"),
    _("Mar"),
    _("Apr"),
    _("May"),
    _("Jun"),
    _("Jul"),
    _("Aug"),
    _("Sep"),
    _("Oct"),
    _("Nov"),
    _("Dec"),
)

KINDS = [
    (ScheduleKind.once.value, _("Once")),
    (ScheduleKind.daily.value, _("Every day")),
    (ScheduleKind.every_n_days.value, _("Every few days")),
    (ScheduleKind.weekly.value, _("On days of the week")),
    (ScheduleKind.every_n_weeks.value, _("Every few weeks, on days of the week")),
    (ScheduleKind.monthly_day.value, _("Monthly, on a day of the month")),
    (ScheduleKind.monthly_nth_weekday.value, _("Monthly, on a weekday (e.g. the second Saturday)")),
    (ScheduleKind.monthly_last_day.value, _("Monthly, on the last day")),
    (ScheduleKind.yearly.value, _("Every year, on a date")),
    (ScheduleKind.after_completion.value, _("Some days after it is done")),
]
ROTATIONS = [
    (Rotation.none.value, _("Each of them, every time"), _("Each child does it and is paid for it.")),
    (Rotation.round_robin.value, _("Taking turns"), _("A single child each time, in the order below.")),
    (Rotation.least_done.value, _("Whoever has done it least"), _("Then the order below breaks ties.")),
    (Rotation.random.value, _("A child picked at random"), _("Fair over time, never the same plan twice.")),
]
WEEKDAYS = list(enumerate(WEEKDAY_FULL_NAMES))
NTHS = [(1, _("First")), (2, _("Second")), (3, _("Third")), (4, _("Fourth")), (5, _("Fifth")), (-1, _("Last"))]
MONTHS = list(enumerate(MONTH_NAMES))[1:]

# The input holding each "how many" of the kinds that have one.
_INTERVAL_INPUT = {
    ScheduleKind.every_n_days: "schedule_every_days",
    ScheduleKind.every_n_weeks: "schedule_every_weeks",
    ScheduleKind.after_completion: "schedule_after_days",
}
# The inputs each kind reads beyond those every kind has (due time, lead time, grace, penalty, rotation).
_READS: dict[ScheduleKind, tuple[str, ...]] = {
    ScheduleKind.once: ("due_date",),
    ScheduleKind.daily: ("season",),
    ScheduleKind.every_n_days: ("interval", "anchor", "season"),
    ScheduleKind.weekly: ("weekdays", "season"),
    ScheduleKind.every_n_weeks: ("interval", "weekdays", "anchor", "season"),
    ScheduleKind.monthly_day: ("day_of_month", "season"),
    ScheduleKind.monthly_nth_weekday: ("nth", "nth_weekday", "season"),
    ScheduleKind.monthly_last_day: ("season",),
    ScheduleKind.yearly: ("month", "day_of_month", "season"),
    ScheduleKind.after_completion: ("interval", "season"),
}
LISTS = ("schedule_weekdays",)
_WHOLE = re.compile(r"-?[0-9]{1,9}")
_AMOUNT = TypeAdapter(Amount)
PENALTY_INPUT = "schedule_missed_penalty"
PENALTY_MESSAGE = "Enter an amount like 0.50: digits, and at most two decimals."


def _count(text: object) -> object:
    """A whole number typed in a box; anything else goes on as it is, for the schema to refuse."""
    text = str(text or "").strip()
    return int(text) if _WHOLE.fullmatch(text) else text


def _kind(data: dict[str, object]) -> ScheduleKind | None:
    try:
        return ScheduleKind(str(data.get("schedule_kind") or ""))
    except ValueError:
        return None


def penalty_cents(data: dict[str, object]) -> int | None:
    """The missed penalty typed (an amount, as every amount of the app), in cents; None if it is not one."""
    text = str(data.get(PENALTY_INPUT) or "").strip()
    if not text:
        return 0
    try:
        return to_cents(_AMOUNT.validate_python(text))
    except ValidationError:
        return None


def schedule_from_form(data: dict[str, object]) -> tuple[object, dict[str, str]]:
    """The `schedule` object the inputs describe (for ChoreBase to validate), and where each of its
    fields' errors belongs on the form. A kind that is not one is passed on for the schema to refuse."""
    kind = _kind(data)
    where = {
        "kind": "schedule_kind",
        "schedule": "schedule_kind",
        "due_date": "schedule_due_date",
        "due_time": "schedule_due_time",
        "anchor": "schedule_anchor",
        "weekdays": "schedule_nth_weekday" if kind == ScheduleKind.monthly_nth_weekday else "schedule_weekdays",
        "day_of_month": "schedule_day_of_month",
        "nth": "schedule_nth",
        "month": "schedule_month",
        "season": "schedule_season_start",
        "start": "schedule_season_start",
        "end": "schedule_season_end",
        "lead_time_hours": "schedule_lead_time_hours",
        "grace_hours": "schedule_grace_hours",
        "missed_penalty_cents": PENALTY_INPUT,
        "rotation": "schedule_rotation",
    }
    if kind is None:
        return {"kind": data.get("schedule_kind") or ""}, where
    where["interval"] = _INTERVAL_INPUT.get(kind, "schedule_kind")
    # The domain's rules name schedule fields as "schedule.<field>".
    where.update({f"schedule.{name}": target for name, target in list(where.items())})
    schedule: dict[str, object] = {"kind": kind.value}
    reads = _READS[kind]
    text = {name: str(data.get(f"schedule_{name}") or "").strip() for name in ("due_date", "anchor", "due_time")}
    if "due_date" in reads and text["due_date"]:
        schedule["due_date"] = text["due_date"]
    if "anchor" in reads:
        schedule["anchor"] = text["anchor"] or None
    if "interval" in reads:
        schedule["interval"] = _count(data.get(_INTERVAL_INPUT[kind])) if data.get(_INTERVAL_INPUT[kind]) else None
    if "weekdays" in reads:
        schedule["weekdays"] = [_count(day) for day in data.get("schedule_weekdays") or []]  # type: ignore[attr-defined]
    if "nth_weekday" in reads:
        chosen = str(data.get("schedule_nth_weekday") or "")
        schedule["weekdays"] = [_count(chosen)] if chosen else None
    for name in ("day_of_month", "nth", "month"):
        if name in reads:
            value = str(data.get(f"schedule_{name}") or "").strip()
            schedule[name] = _count(value) if value else None
    if "season" in reads:
        start = str(data.get("schedule_season_start") or "").strip()
        end = str(data.get("schedule_season_end") or "").strip()
        if start or end:
            schedule["season"] = {"start": start, "end": end}
    if text["due_time"]:
        schedule["due_time"] = text["due_time"]
    for name in ("lead_time_hours", "grace_hours"):
        value = str(data.get(f"schedule_{name}") or "").strip()
        schedule[name] = _count(value) if value else 0
    cents = penalty_cents(data)
    schedule["missed_penalty_cents"] = cents if cents is not None else str(data.get(PENALTY_INPUT))
    rotation = str(data.get("schedule_rotation") or Rotation.none.value)
    if data.get("assignment_mode") == "multi_independent":
        schedule["rotation"] = rotation
    return schedule, where


def form_from_schedule(spec: ScheduleSpec) -> dict[str, object]:
    """A stored schedule as the picker's inputs show it."""
    form: dict[str, object] = {"schedule_kind": spec.kind.value, "schedule_rotation": spec.rotation.value}
    if spec.interval is not None and spec.kind in _INTERVAL_INPUT:
        form[_INTERVAL_INPUT[spec.kind]] = str(spec.interval)
    if spec.kind == ScheduleKind.monthly_nth_weekday and spec.weekdays:
        form["schedule_nth_weekday"] = str(spec.weekdays[0])
    else:
        form["schedule_weekdays"] = [str(day) for day in spec.weekdays or ()]
    for name in ("day_of_month", "nth", "month"):
        value = getattr(spec, name)
        form[f"schedule_{name}"] = "" if value is None else str(value)
    form["schedule_due_date"] = spec.due_date.isoformat() if spec.due_date else ""
    form["schedule_anchor"] = spec.anchor.isoformat() if spec.anchor else ""
    form["schedule_due_time"] = spec.due_time.strftime("%H:%M") if spec.due_time else ""
    form["schedule_season_start"] = spec.season.start if spec.season else ""
    form["schedule_season_end"] = spec.season.end if spec.season else ""
    form["schedule_lead_time_hours"] = str(spec.lead_time_hours) if spec.lead_time_hours else ""
    form["schedule_grace_hours"] = str(spec.grace_hours) if spec.grace_hours else ""
    penalty = from_cents(spec.missed_penalty_cents) if spec.missed_penalty_cents else None
    form[PENALTY_INPUT] = plain_amount(penalty) if penalty is not None else ""
    return form


def new_form_defaults(today: date) -> dict[str, object]:
    """A new chore's picker: once, with no date; the day counts start today (family-local)."""
    return {"schedule_kind": ScheduleKind.once.value, "schedule_anchor": today.isoformat(), "schedule_rotation": "none"}


def read_back(schedule: object, language: str = i18n.DEFAULT) -> str | None:
    """The plain words of a schedule in the page's language (in English, the API's schedule_text),
    or None when it is not valid."""
    try:
        spec = schedule if isinstance(schedule, ScheduleSpec) else ScheduleSpec.model_validate(schedule)
    except ValidationError:
        return None
    return i18n.schedule_text(spec, language)
