"""Chores for parents (list, create, edit, pause, delete), the approval queue, and a child marking one done."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import suppress
from decimal import Decimal
from enum import Enum
from functools import partial
from typing import Any, get_origin

from fastapi import APIRouter, Request
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from sqlalchemy.orm import Session
from starlette.responses import Response

from chores_tracker import clock, currencies, timezones
from chores_tracker.chores import lifecycle, queries, rules
from chores_tracker.chores import service as chores
from chores_tracker.chores.models import AssignmentMode, Chore
from chores_tracker.chores.schedule import ScheduleSpec, local_date
from chores_tracker.chores.schemas import (
    ApproveIn,
    ChoreBase,
    ChoreCreate,
    ChoreUpdate,
    RejectIn,
    may_be_null,
    present_chore,
)
from chores_tracker.chores.states import schedule_of
from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.errors import Conflict, DomainError, InvalidInput
from chores_tracker.http import RowId
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User
from chores_tracker.money import from_cents_or_zero
from chores_tracker.settings import Settings
from chores_tracker.web import chore_templates, schedule_form
from chores_tracker.web.form_actions import apply_form
from chores_tracker.web.forms import FormErrors, SubmittedForm, validate
from chores_tracker.web.i18n import _, message
from chores_tracker.web.rendering import (
    page_currency,
    page_error,
    page_language,
    page_money,
    page_text,
    page_timezone,
    plain_amount,
    redirect,
    render,
)
from chores_tracker.web.session import FamilyParent, PageChild

router = APIRouter()

# The chore rules name API fields and speak the API's words; the form says it in its own: a label
# for a field name, a sentence of its own for a rule's message (its API wording without the stop).
# "reward" is not a field name here: the rules use it as a plain word too ("a fixed reward chore").
LABELS = {
    "min_reward": "“At least”",
    "max_reward": "“At most”",
    "reward_value": "how much",
    "a chore needs a title": _("Say what needs doing"),
    "a fixed reward chore needs a reward (0 or more)": _("Say how much it earns (0 or more)"),
    "a range reward needs min_reward": _("Say the least it earns"),
    "a range reward needs max_reward": _("Say the most it earns"),
    "max_reward must be at least min_reward": _("“At most” must be at least “At least”"),
    "a single-child chore takes exactly one assignee": _("Choose the child who does it"),
    "a multi-child chore takes at least one assignee": _("Tick at least one child who does it"),
    "a pool chore takes no assignees: any child of the family may do it": _("Any child may do it: tick no child"),
    "a range reward needs a parent to choose the amount: auto-approve is for a fixed reward": _(
        "With a range you choose how much when you approve: approving at once is for a fixed amount"
    ),
    "a rotation takes turns between several children: use assignment_mode multi_independent "
    "with two or more assignee_ids": _(
        "Taking turns needs several children: choose “Several children” and tick two or more"
    ),
    "a once chore is never missed (it stays overdue until done): a missed penalty needs a repeating calendar schedule": _(
        "A chore due once is never missed (it stays overdue until done): a penalty when missed needs a repeating schedule"
    ),
    "a after_completion chore is never missed (it stays overdue until done): "
    "a missed penalty needs a repeating calendar schedule": _(
        "A chore due some days after it is done is never missed: a penalty when missed needs a repeating schedule"
    ),
    "a pool chore is nobody's until someone does it: it cannot carry a missed penalty": _(
        "A chore for any child is nobody's until someone does it: it cannot carry a penalty when missed"
    ),
}

MODES = [
    (AssignmentMode.single.value, _("One child"), _("Only this child does it.")),
    (AssignmentMode.multi_independent.value, _("Several children"), _("Each of them does it and is paid for it.")),
    (AssignmentMode.unassigned.value, _("Any child"), _("The first child to do it gets the reward.")),
]


# ---------------------------------------------------------------------------------------------
# The chore form: each field of the chores schema is the input of the same name, read and shown
# according to the field's type. Two choices have radio buttons of their own (a fixed or a range
# reward; who does it), and each choice's inputs are read only when it is chosen, so a hidden
# input can never cause a hidden error.

# The choice (a field and its value) under which a field's input is shown.
_READ_WHEN = {
    "reward": ("is_range_reward", False),
    "min_reward": ("is_range_reward", True),
    "max_reward": ("is_range_reward", True),
    "cooldown_days": ("is_recurring", True),
}
# Inputs that may be sent more than once: a group of checkboxes.
_LISTS = (
    "multi_assignees",
    *schedule_form.LISTS,
    *(name for name, info in ChoreBase.model_fields.items() if get_origin(info.annotation) is list),
)


def _read(info: FieldInfo, value: object) -> object:
    """An input's value for the schema, by its field's type."""
    if info.annotation is bool:
        return value == "true"  # a checkbox is sent only when it is ticked
    if value not in ("", None):
        return value  # text: the schema parses it (an amount, a number, a choice)
    if may_be_null(info):
        return None
    # Empty but needed: the field's default, or the empty text for the rules to name what is missing.
    return "" if info.is_required() else info.get_default(call_default_factory=True)


def _shown(value: object, currency: str) -> object:
    """A field's value as its input shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, Decimal):
        return plain_amount(value, currency)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, BaseModel):
        return value.model_dump_json(exclude_defaults=True)  # the schedule: its JSON, as the API takes it
    return str(value)


def _chore_fields(data: dict[str, Any]) -> tuple[dict[str, object], dict[str, str]]:
    """The form's inputs as the chores schema's fields, and where each field's errors belong."""
    fields = {name: _read(info, data.get(name)) for name, info in ChoreBase.model_fields.items()}
    if isinstance(fields.get("schedule"), str):
        # A schedule comes as its JSON text (the API's shape); text that is not JSON is refused by the schema.
        with suppress(ValueError):
            fields["schedule"] = json.loads(str(fields["schedule"]))
    fields["is_range_reward"] = data.get("reward_kind") == "range"
    for name, (choice, chosen) in _READ_WHEN.items():
        if fields[choice] is not chosen:
            fields[name] = None
    mode = fields["assignment_mode"]
    if mode == AssignmentMode.single.value:
        single = data.get("single_assignee")
        fields["assignee_ids"] = [single] if single else []
        where = "single_assignee"
    elif mode == AssignmentMode.multi_independent.value:
        picked: list[object] = list(data.get("multi_assignees") or [])
        # In the order of their turns (a rotation goes round in the order children are assigned).
        fields["assignee_ids"] = sorted(picked, key=lambda child: _turn(data.get(f"turn_{child}")))
        where = "multi_assignees"
    else:
        fields["assignee_ids"] = []
        where = "assignment_mode"
    where_errors = {"assignee_ids": where, "is_range_reward": "reward_kind"}
    if "schedule_kind" in data:
        # The schedule picker says when it is due; is_recurring and cooldown_days follow from it.
        fields["schedule"], schedule_where = schedule_form.schedule_from_form(data)
        where_errors.update(schedule_where)
        del fields["is_recurring"], fields["cooldown_days"]
    return fields, where_errors


def _turn(value: object) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 4 else 1000


def _form_from_chore(chore: Chore, parent: User, currency: str = currencies.DEFAULT) -> dict[str, object]:
    """A stored chore as the form shows it for editing."""
    shown = present_chore(chore, parent, clock.now())
    form: dict[str, Any] = {name: _shown(getattr(shown, name), currency) for name in ChoreBase.model_fields}
    form["reward_kind"] = "range" if chore.is_range_reward else "fixed"
    form["single_assignee"] = form["assignee_ids"][0] if form["assignee_ids"] else ""
    form["multi_assignees"] = form["assignee_ids"]
    form.update(schedule_form.form_from_schedule(schedule_of(chore)))
    order = sorted(chore.assignments, key=lambda slot: slot.id)
    form.update({f"turn_{slot.assignee_id}": str(turn) for turn, slot in enumerate(order, start=1)})
    return form


def _chore_form_page(
    request: Request,
    session: Session,
    parent: User,
    *,
    chore: Chore | None = None,
    form: dict[str, object] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
    schedule_text: str | None = None,
    template: chore_templates.ChoreTemplate | None = None,
) -> Response:
    children = identity.list_children(session, parent, whole_family=True)
    if form is None:
        today = local_date(clock.now(), timezones.zone(page_timezone(request)))
        form = {"reward_kind": "fixed", "assignment_mode": "single", **schedule_form.new_form_defaults(today)}
        if template is not None:
            form.update(chore_templates.form_of(template, page_currency(request), page_language(request)))
            schedule_text = schedule_form.read_back(_chore_fields(form)[0].get("schedule"), page_language(request))
    if schedule_text is None and chore is not None and not errors:
        schedule_text = schedule_form.read_back(schedule_of(chore), page_language(request))
    return render(
        request,
        "chore_form.html",
        {
            "title": message("Edit {title}", title=chore.title) if chore else _("New chore"),
            "chore": chore,
            "templates": [] if chore else chore_templates.TEMPLATES,
            "template": template,
            "children": [child for child in children if child.is_active],
            "modes": MODES,
            "form": form,
            "errors": errors.fields if errors else {},
            "schedule_text": schedule_text,
            "schedule_kinds": schedule_form.KINDS,
            "rotations": schedule_form.ROTATIONS,
            "weekdays": schedule_form.WEEKDAYS,
            "nths": schedule_form.NTHS,
            "months": schedule_form.MONTHS,
        },
        status_code=status_code,
    )


def _checked_form(data: dict[str, object]) -> tuple[dict[str, object], dict[str, str], FormErrors]:
    """The form's fields for the chores schema, where their errors go, and what the page itself
    refuses before the schema sees it (a missed penalty that is not an amount)."""
    fields, where = _chore_fields(data)
    errors = FormErrors()
    if "schedule_kind" in data and schedule_form.penalty_cents(data) is None:
        errors.add(schedule_form.PENALTY_INPUT, schedule_form.PENALTY_MESSAGE)
        # The rest of the form is still checked, with no penalty: every error shows at once.
        if isinstance(fields.get("schedule"), dict):
            fields["schedule"] = {**fields["schedule"], "missed_penalty_cents": 0}  # type: ignore[dict-item]
    return fields, where, errors


def _save(
    errors: FormErrors,
    model: type[ChoreBase],
    fields: dict[str, object],
    act: Callable[[Any], Chore],
    where: dict[str, str],
) -> Chore | None:
    """The chores schema, then the service (create or update), with every error at its input at once:
    what the page refused already, what the schema refuses and what the chore rules refuse."""
    refused_already = bool(errors)
    wanted = validate(model, fields, errors, **where)
    if wanted is None or refused_already:
        _rule_problems(fields, errors, where)
        return None
    try:
        return act(wanted)
    except DomainError as exc:
        errors.from_domain(exc, rename=where, words=LABELS)
        return None


def _rule_problems(fields: dict[str, object], errors: FormErrors, where: dict[str, str]) -> None:
    """The chore rules on the fields the schema took, with the ones it refused set aside (their
    defaults in their place): the form shows what else is wrong now, not after the next try."""
    try:
        ChoreCreate.model_validate(fields)
        refused: set[str] = set()
    except ValidationError as exc:
        refused = {str(item["loc"][0]) for item in exc.errors(include_url=False) if item["loc"]}
    relaxed = dict(fields)
    for name in refused:
        info = ChoreBase.model_fields.get(name)
        if info is None:
            return
        relaxed[name] = "…" if info.is_required() else info.get_default(call_default_factory=True)
    try:
        rules.merged_spec(None, ChoreCreate.model_validate(relaxed))
    except ValidationError:
        return
    except DomainError as exc:
        kept = [each for each in (exc, *exc.more) if (each.field or "").split(".")[0] not in refused]
        if kept:
            errors.from_domain(DomainError.first_of(kept), rename=where, words=LABELS)


def _preview(
    request: Request, session: Session, parent: User, data: dict[str, object], chore: Chore | None = None
) -> Response:
    """ "Read it back": the schedule as the API would take it, in its plain words, nothing saved."""
    fields, where, errors = _checked_form(data)
    schedule = fields.get("schedule")
    wanted = schedule if isinstance(schedule, dict) else {}
    spec = validate(ScheduleSpec, wanted, errors, **where) if not errors else None
    text = schedule_form.read_back(spec, page_language(request)) if spec is not None else None
    status_code = 200 if spec is not None else 422
    return _chore_form_page(
        request, session, parent, chore=chore, form=data, errors=errors, status_code=status_code, schedule_text=text
    )


@router.get("/chores")
def chores_page(request: Request, parent: FamilyParent, session: DbSession) -> Response:
    now = clock.now()
    found = [present_chore(chore, parent, now) for chore in queries.list_chores(session, parent)]
    return render(
        request,
        "chores.html",
        {
            "title": _("Chores"),
            "active": [c for c in found if not c.is_disabled],
            "paused": [c for c in found if c.is_disabled],
            "modes": {value: label for value, label, _ in MODES},
            "children": {c.id: c.name for c in identity.list_children(session, parent, whole_family=True)},
        },
    )


@router.get("/chores/new")
def new_chore_page(request: Request, parent: FamilyParent, session: DbSession, template: str | None = None) -> Response:
    """The new-chore form, empty or filled from one of the chores to start from (`?template=homework`)."""
    chosen = chore_templates.BY_SLUG.get(template or "")
    return _chore_form_page(request, session, parent, template=chosen)


@router.post("/chores/new")
def create_chore(
    request: Request, submitted: SubmittedForm, parent: FamilyParent, session: DbSession, settings: SettingsDep
) -> Response:
    data = submitted.values(lists=_LISTS)
    if data.get("action") == "preview":
        return _preview(request, session, parent, data)
    fields, where, errors = _checked_form(data)
    chore = _save(errors, ChoreCreate, fields, partial(chores.create_chore, session, parent), where)
    if chore is not None:
        when = schedule_form.read_back(schedule_of(chore), page_language(request))
        return redirect(
            "/chores",
            settings,
            flash=message("“{title}” is ready for the children: {when}.", title=chore.title, when=when),
        )
    return _chore_form_page(request, session, parent, form=data, errors=errors, status_code=422)


@router.get("/chores/{chore_id}/edit")
def edit_chore_page(request: Request, chore_id: RowId, parent: FamilyParent, session: DbSession) -> Response:
    chore = queries.get_chore(session, parent, chore_id)
    form = _form_from_chore(chore, parent, page_currency(request))
    return _chore_form_page(request, session, parent, chore=chore, form=form)


@router.post("/chores/{chore_id}/edit")
def update_chore(
    request: Request,
    submitted: SubmittedForm,
    chore_id: RowId,
    parent: FamilyParent,
    session: DbSession,
    settings: SettingsDep,
) -> Response:
    chore = queries.get_chore(session, parent, chore_id)
    data = submitted.values(lists=_LISTS)
    if data.get("action") == "preview":
        return _preview(request, session, parent, data, chore)
    fields, where, errors = _checked_form(data)
    saved = _save(errors, ChoreUpdate, fields, partial(chores.update_chore, session, parent, chore_id), where)
    if saved is not None:
        when = schedule_form.read_back(schedule_of(saved), page_language(request))
        return redirect("/chores", settings, flash=message("“{title}” is saved: {when}.", title=saved.title, when=when))
    return _chore_form_page(request, session, parent, chore=chore, form=data, errors=errors, status_code=422)


@router.post("/chores/{chore_id}/disable")
def disable_chore(chore_id: RowId, parent: FamilyParent, session: DbSession, settings: SettingsDep) -> Response:
    chore = chores.set_disabled(session, parent, chore_id, True)
    said = message("“{title}” is paused: children do not see it until you resume it.", title=chore.title)
    return redirect("/chores", settings, flash=said)


@router.post("/chores/{chore_id}/enable")
def enable_chore(chore_id: RowId, parent: FamilyParent, session: DbSession, settings: SettingsDep) -> Response:
    chore = chores.set_disabled(session, parent, chore_id, False)
    return redirect("/chores", settings, flash=message("“{title}” is back on the children's lists.", title=chore.title))


@router.post("/chores/{chore_id}/delete")
def delete_chore(
    request: Request, chore_id: RowId, parent: FamilyParent, session: DbSession, settings: SettingsDep
) -> Response:
    chore = queries.get_chore(session, parent, chore_id)
    try:
        chores.delete_chore(session, parent, chore_id)
    except Conflict as exc:
        return redirect(f"/chores/{chore_id}/edit", settings, flash=page_error(request, exc.message), kind="error")
    return redirect(
        "/chores",
        settings,
        flash=message("“{title}” is deleted. What the children earned with it stays.", title=chore.title),
    )


# ---------------------------------------------------------------------------------------------
# The approval queue


def _queue_page(
    request: Request,
    session: Session,
    parent: User,
    *,
    errors_for: int | None = None,
    errors: FormErrors | None = None,
    form: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    now = clock.now()
    items = [
        {
            "assignment": item.assignment,
            "chore": present_chore(item.chore, parent, now),
            "child": item.assignment.assignee,
        }
        for item in queries.pending_approvals(session, parent)
    ]
    return render(
        request,
        "approvals.html",
        {
            "title": _("Approvals"),
            "items": items,
            "errors_for": errors_for,
            "item_errors": errors.fields if errors else {},
            "form": form or {},
        },
        status_code=status_code,
    )


@router.get("/approvals")
def approvals_page(request: Request, parent: FamilyParent, session: DbSession) -> Response:
    return _queue_page(request, session, parent)


def _after_review(
    request: Request, session: Session, parent: User, assignment_id: int, errors: FormErrors, form: dict[str, object]
) -> Response:
    return _queue_page(request, session, parent, errors_for=assignment_id, errors=errors, form=form, status_code=422)


def _already_reviewed(request: Request, settings: Settings, exc: Conflict) -> Response:
    """A second click, or another parent was quicker: the item has left the queue, so say it on top."""
    return redirect("/approvals", settings, flash=page_error(request, exc.message), kind="error")


@router.post("/approvals/approve-many")
def approve_many(
    request: Request, submitted: SubmittedForm, parent: FamilyParent, session: DbSession, settings: SettingsDep
) -> Response:
    """ "Approve all" approves what the page showed (not what arrived since); "Approve ticked", the ticked ones."""
    data = submitted.values(lists=("assignment_ids", "shown_ids"))
    field = "shown_ids" if data.get("which") == "all" else "assignment_ids"
    raw = data.get(field)
    ids = [
        int(value)
        for value in (raw if isinstance(raw, list) else [])
        if value.isascii() and value.isdigit() and len(value) < 10
    ]
    if not ids:
        return redirect("/approvals", settings, flash=_("Tick the chores to approve first."), kind="error")
    result = lifecycle.approve_many(session, parent, ids, lambda item: item.chore.title)
    said: str = message(
        "Approved {count}: {amount} earned.", count=len(result.approved), amount=_money(request, result.total_cents)
    )
    if result.skipped:
        said = message(
            "Approved {count}: {amount} earned. {skipped} not approved: {reason}",
            count=len(result.approved),
            amount=_money(request, result.total_cents),
            skipped=len(result.skipped),
            reason=page_error(request, result.skipped[0][1]),
        )
    return redirect("/approvals", settings, flash=said, kind="success" if result.approved else "error")


@router.post("/approvals/{assignment_id}/approve")
def approve(
    request: Request,
    submitted: SubmittedForm,
    assignment_id: RowId,
    parent: FamilyParent,
    session: DbSession,
    settings: SettingsDep,
) -> Response:
    data = submitted.values()
    errors = FormErrors()
    try:
        result = apply_form(
            errors,
            ApproveIn,
            {"reward_value": data.get("reward_value") or None},
            lambda wanted: lifecycle.approve_assignment(session, parent, assignment_id, wanted.reward_value),
            words=LABELS,
            refusals=InvalidInput,
        )
    except Conflict as exc:
        return _already_reviewed(request, settings, exc)
    if result is None:
        return _after_review(request, session, parent, assignment_id, errors, data)
    child = result.assignment.assignee.name if result.assignment.assignee else "The child"
    amount = _money(request, result.earned_cents)
    return redirect(
        "/approvals",
        settings,
        flash=message(
            "Approved “{title}”: {child} earned {amount}.", title=result.chore.title, child=child, amount=amount
        ),
    )


@router.post("/approvals/{assignment_id}/reject")
def reject(
    request: Request,
    submitted: SubmittedForm,
    assignment_id: RowId,
    parent: FamilyParent,
    session: DbSession,
    settings: SettingsDep,
) -> Response:
    data = submitted.values()
    errors = FormErrors()
    try:
        result = apply_form(
            errors,
            RejectIn,
            {"rejection_reason": data.get("rejection_reason", "")},
            lambda wanted: lifecycle.reject_assignment(session, parent, assignment_id, wanted.rejection_reason),
            refusals=InvalidInput,
        )
    except Conflict as exc:
        return _already_reviewed(request, settings, exc)
    if result is None:
        return _after_review(request, session, parent, assignment_id, errors, data)
    said = message("Sent “{title}” back with your note. It is on the to-do list again.", title=result.chore.title)
    return redirect("/approvals", settings, flash=said)


def _money(request: Request, cents: int | None) -> str:
    return page_money(request, from_cents_or_zero(cents))


# ---------------------------------------------------------------------------------------------
# A child marks a chore done


@router.post("/chores/{chore_id}/complete")
def complete(
    request: Request, chore_id: RowId, child: PageChild, session: DbSession, settings: SettingsDep
) -> Response:
    try:
        result = lifecycle.complete_chore(session, child, chore_id)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return redirect(
            "/",
            settings,
            flash=message("Not this time: {reason}.", reason=page_text(request, exc.message).rstrip(".")),
            kind="error",
        )
    if result.earned_cents is not None:  # the chore approves itself
        earned = _money(request, result.earned_cents)
        return redirect(
            "/",
            settings,
            flash=message("Well done! You earned {earned} for “{title}”.", earned=earned, title=result.chore.title),
        )
    return redirect(
        "/",
        settings,
        flash=message("Well done! “{title}” is waiting for a parent to approve it.", title=result.chore.title),
    )


@router.post("/chores/{chore_id}/take-back")
def take_back(
    request: Request, chore_id: RowId, child: PageChild, session: DbSession, settings: SettingsDep
) -> Response:
    try:
        result = lifecycle.take_back(session, child, chore_id)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return redirect(
            "/",
            settings,
            flash=message("Not this time: {reason}.", reason=page_text(request, exc.message).rstrip(".")),
            kind="error",
        )
    return redirect(
        "/", settings, flash=message("Taken back: “{title}” is on your list again.", title=result.chore.title)
    )
