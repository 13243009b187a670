"""Money: a child's balance and history for a parent (with bonuses, penalties and payouts), and for the child."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from chores_tracker import clock
from chores_tracker.activity import service as activity
from chores_tracker.chores import queries as chores
from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.errors import Conflict
from chores_tracker.families.models import Family
from chores_tracker.http import RowId
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User
from chores_tracker.ledger import service as ledger
from chores_tracker.ledger.schemas import AdjustmentCreate, PayoutCreate
from chores_tracker.money import from_cents_or_zero
from chores_tracker.rewards import allowance as allowances
from chores_tracker.rewards import goals
from chores_tracker.rewards import service as rewards
from chores_tracker.rewards.schemas import AllowanceIn, GoalCreate
from chores_tracker.settings import Settings
from chores_tracker.web.form_actions import apply_form
from chores_tracker.web.forms import FormErrors, SubmittedForm, validate
from chores_tracker.web.i18n import _, message
from chores_tracker.web.rendering import page_error, page_money, redirect, render
from chores_tracker.web.session import FamilyParent, PageChild

router = APIRouter()

HISTORY_LENGTH = 50


def _history(session: Session, parent: User, child_id: int, settings: Settings) -> list[dict[str, Any]]:
    """Earnings, bonuses, penalties, payouts and reversals in one timeline, newest first, each with
    whether a parent may still reverse it."""
    window = timedelta(hours=settings.reversal_window_hours)
    now = clock.now()
    entries = ledger.child_entries(session, parent, child_id, skip=0, limit=HISTORY_LENGTH)
    reversed_by = ledger.reversals_of(session, [entry.id for entry in entries])
    of_rewards = rewards.entries_of_rewards(session, [entry.id for entry in entries])
    rows = []
    for entry in entries:
        until = ledger.reversible_until(entry, window)
        rows.append(
            {
                "id": entry.id,
                "date": entry.created_at,
                "kind": "reversal" if entry.reverses_id is not None else of_rewards.get(entry.id, entry.kind),
                "amount": from_cents_or_zero(ledger.balance_effect(entry)),
                "text": entry.chore_title or entry.note or ("Paid out" if entry.kind == "payout" else ""),
                "note": entry.note,
                "reversed": entry.id in reversed_by,
                "can_reverse": until is not None and entry.id not in reversed_by and now <= until,
            }
        )
    return rows


# The weekdays of rewards.allowance.describe's "every Monday", marked for the catalogue (`|t`).
_EVERY = (
    _("every Monday"),
    _("every Tuesday"),
    _("every Wednesday"),
    _("every Thursday"),
    _("every Friday"),
    _("every Saturday"),
    _("every Sunday"),
)


def shown_allowance(found: Any, zone_name: str) -> dict[str, Any]:
    """rewards.allowance.describe, its words ready for the page's language: a monthly one's "each month
    on day 31" as a message with its day (the template's `|t` translates both kinds)."""
    described = allowances.describe(found, zone_name, clock.now())
    if found.period != "week":
        described["every"] = message("each month on day {day}", day=found.day_of_month)
    return described


def _allowance(session: Session, parent: User, child_id: int) -> dict[str, Any] | None:
    found = allowances.get(session, parent, child_id)
    if found is None:
        return None
    family = session.get(Family, found.family_id)
    return shown_allowance(found, family.timezone if family else "UTC")


def _child_page(
    request: Request,
    session: Session,
    parent: User,
    child_id: int,
    settings: Settings,
    *,
    which: str | None = None,
    errors: FormErrors | None = None,
    form: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    child = identity.child_of_family(session, parent, child_id)
    return render(
        request,
        "child_money.html",
        {
            "title": child.name,
            "child": child,
            "totals": chores.child_totals(session, child),
            "history": _history(session, parent, child.id, settings),
            "allowance": _allowance(session, parent, child.id),
            "goals": goals.list_goals(session, parent, child.id),
            "cents": from_cents_or_zero,
            "which": which,
            "errors": errors.fields if errors else {},
            "form": form or {},
        },
        status_code=status_code,
    )


@router.get("/children/{child_id}")
def child_page(
    request: Request, child_id: RowId, parent: FamilyParent, session: DbSession, settings: SettingsDep
) -> Response:
    return _child_page(request, session, parent, child_id, settings)


@router.post("/children/{child_id}/adjustments")
def add_adjustment(
    request: Request,
    submitted: SubmittedForm,
    child_id: RowId,
    parent: FamilyParent,
    session: DbSession,
    settings: SettingsDep,
) -> Response:
    child = identity.child_of_family(session, parent, child_id)
    data = submitted.values()
    errors = FormErrors()
    amount = str(data.get("amount", ""))
    if amount.startswith(("-", "+")):
        errors.add("amount", _("Enter the amount without a sign, and choose bonus or penalty."))
        # The other inputs are checked too, so that every error shows at once.
        validate(AdjustmentCreate, {"child_id": child.id, "amount": "1", "reason": data.get("reason", "")}, errors)
    else:
        # The form asks “bonus or penalty?” and an amount; the ledger keeps a penalty as negative.
        signed = f"-{amount}" if data.get("kind") == "penalty" and amount else amount
        fields = {"child_id": child.id, "amount": signed or None, "reason": data.get("reason", "")}
        entry = apply_form(errors, AdjustmentCreate, fields, partial(ledger.create_adjustment, session, parent))
        if entry is not None:
            given = ledger.amount_of(entry)
            what = "bonus" if given > 0 else "penalty"
            shown = page_money(request, abs(given))
            return redirect(
                f"/children/{child.id}",
                settings,
                flash=message("{child} got a bonus of {amount}.", child=child.name, amount=shown)
                if what == "bonus"
                else message("{child} got a penalty of {amount}.", child=child.name, amount=shown),
            )
    return _child_page(
        request, session, parent, child.id, settings, which="adjustment", errors=errors, form=data, status_code=422
    )


@router.post("/children/{child_id}/payouts")
def add_payout(
    request: Request,
    submitted: SubmittedForm,
    child_id: RowId,
    parent: FamilyParent,
    session: DbSession,
    settings: SettingsDep,
) -> Response:
    child = identity.child_of_family(session, parent, child_id)
    data = submitted.values()
    errors = FormErrors()
    fields = {"child_id": child.id, "amount": data.get("amount") or None, "note": data.get("note") or None}
    record = partial(ledger.create_payout, session, parent)
    entry = apply_form(errors, PayoutCreate, fields, record, capitalize=False)  # “ada is owed …”
    if entry is not None:
        shown = page_money(request, ledger.amount_of(entry))
        return redirect(
            f"/children/{child.id}",
            settings,
            flash=message("Recorded: you gave {child} {amount}.", child=child.name, amount=shown),
        )
    return _child_page(
        request, session, parent, child.id, settings, which="payout", errors=errors, form=data, status_code=422
    )


@router.post("/children/{child_id}/entries/{entry_id}/reverse")
def reverse_entry(
    request: Request, child_id: RowId, entry_id: RowId, parent: FamilyParent, session: DbSession, settings: SettingsDep
) -> Response:
    child = identity.child_of_family(session, parent, child_id)
    window = timedelta(hours=settings.reversal_window_hours)
    try:
        reversal = ledger.reverse_entry(session, parent, entry_id, window=window)
    except Conflict as exc:
        return redirect(f"/children/{child.id}", settings, flash=page_error(request, exc.message), kind="error")
    shown = page_money(request, ledger.amount_of(reversal))
    return redirect(
        f"/children/{child.id}",
        settings,
        flash=message("Reversed: {amount} for {child}.", amount=shown, child=child.name),
    )


@router.post("/children/{child_id}/allowance")
def set_allowance(
    request: Request,
    submitted: SubmittedForm,
    child_id: RowId,
    parent: FamilyParent,
    session: DbSession,
    settings: SettingsDep,
) -> Response:
    child = identity.child_of_family(session, parent, child_id)
    data = submitted.values()
    errors = FormErrors()
    period = data.get("period") or "week"
    fields = {
        "amount": data.get("amount") or None,
        "period": period,
        "weekday": (data.get("weekday") or None) if period == "week" else None,
        "day_of_month": (data.get("day_of_month") or None) if period == "month" else None,
        "at": data.get("at") or "08:00",
    }
    made = apply_form(errors, AllowanceIn, fields, partial(allowances.set_allowance, session, parent, child.id))
    if made is not None:
        shown = page_money(request, from_cents_or_zero(made.amount_cents))
        return redirect(
            f"/children/{child.id}",
            settings,
            flash=message("{child} gets {amount} each week.", child=child.name, amount=shown)
            if made.period == "week"
            else message("{child} gets {amount} each month.", child=child.name, amount=shown),
        )
    return _child_page(
        request, session, parent, child.id, settings, which="allowance", errors=errors, form=data, status_code=422
    )


@router.post("/children/{child_id}/allowance/stop")
def stop_allowance(child_id: RowId, parent: FamilyParent, session: DbSession, settings: SettingsDep) -> Response:
    child = identity.child_of_family(session, parent, child_id)
    allowances.stop(session, parent, child.id)
    return redirect(
        f"/children/{child.id}", settings, flash=message("{child}'s allowance is stopped.", child=child.name)
    )


@router.post("/children/{child_id}/goals")
def add_goal(
    request: Request,
    submitted: SubmittedForm,
    child_id: RowId,
    parent: FamilyParent,
    session: DbSession,
    settings: SettingsDep,
) -> Response:
    child = identity.child_of_family(session, parent, child_id)
    data = submitted.values()
    errors = FormErrors()
    fields = {"title": data.get("title", ""), "target": data.get("target") or None, "child_id": child.id}
    made = apply_form(errors, GoalCreate, fields, partial(goals.create_goal, session, parent))
    if made is not None:
        return redirect(
            f"/children/{child.id}",
            settings,
            flash=message("New goal for {child}: {title}.", child=child.name, title=made.title),
        )
    return _child_page(
        request, session, parent, child.id, settings, which="goal", errors=errors, form=data, status_code=422
    )


@router.get("/me/money")
def my_money(request: Request, child: PageChild, session: DbSession) -> Response:
    page = activity.recent(session, child, limit=HISTORY_LENGTH)
    return render(
        request,
        "my_money.html",
        {"title": _("My money"), "totals": chores.child_totals(session, child), "activities": page.activities},
    )
