"""Rewards on the pages: a parent's catalogue and the claims to review; a child's rewards (what it
can afford), its claims, and its savings goals. The same services as the API (rewards/)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.errors import Conflict, InvalidInput, NotFound
from chores_tracker.families.models import Family
from chores_tracker.http import RowId
from chores_tracker.identity.models import User
from chores_tracker.money import from_cents_or_zero
from chores_tracker.rewards import allowance, goals, service
from chores_tracker.rewards.schemas import DeclineIn, GoalCreate, RewardCreate, RewardUpdate
from chores_tracker.web.form_actions import apply_form
from chores_tracker.web.forms import FormErrors, SubmittedForm
from chores_tracker.web.i18n import _, message
from chores_tracker.web.money_pages import shown_allowance
from chores_tracker.web.rendering import page_error, page_money, redirect, render
from chores_tracker.web.session import FamilyParent, PageChild

router = APIRouter()


def _parent_page(
    request: Request,
    session: Session,
    parent: User,
    *,
    errors: FormErrors | None = None,
    form: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    claims = service.list_claims(session, parent)
    names = {child.id: child for child in _children(session, parent)}
    return render(
        request,
        "rewards.html",
        {
            "title": _("Rewards"),
            "rewards": service.list_rewards(session, parent),
            "waiting": [c for c in claims if c.status == "pending"],
            "decided": [c for c in claims if c.status != "pending"][:20],
            "children": names,
            "errors": errors.fields if errors else {},
            "form": form or {},
            "cents": from_cents_or_zero,
        },
        status_code=status_code,
    )


def _children(session: Session, parent: User) -> list[User]:
    if parent.family_id is None:
        return []
    return list(session.scalars(select(User).where(User.family_id == parent.family_id, User.is_parent.is_(False))))


@router.get("/rewards")
def rewards_page(request: Request, parent: FamilyParent, session: DbSession) -> Response:
    return _parent_page(request, session, parent)


@router.post("/rewards/new")
def add_reward(
    request: Request, submitted: SubmittedForm, parent: FamilyParent, session: DbSession, settings: SettingsDep
) -> Response:
    data = submitted.values()
    errors = FormErrors()
    limited = bool(data.get("limit_count"))
    fields: dict[str, Any] = {
        "title": data.get("title", ""),
        "cost": data.get("cost") or None,
        "stock": data.get("stock") or None,
        "limit_count": data.get("limit_count") or None,
        "limit_period": (data.get("limit_period") or "week") if limited else None,
    }
    made = apply_form(errors, RewardCreate, fields, partial(service.create_reward, session, parent))
    if made is not None:
        return redirect(
            "/rewards",
            settings,
            flash=message(
                "Added {title} for {amount}.",
                title=made.title,
                amount=page_money(request, from_cents_or_zero(made.cost_cents)),
            ),
        )
    return _parent_page(request, session, parent, errors=errors, form=data, status_code=422)


@router.post("/rewards/{reward_id}/toggle")
def toggle_reward(reward_id: RowId, parent: FamilyParent, session: DbSession, settings: SettingsDep) -> Response:
    shown = {r.id: r for r in service.list_rewards(session, parent)}
    if reward_id not in shown:
        raise NotFound("reward not found")
    active = not shown[reward_id].is_active
    changed = service.update_reward(session, parent, reward_id, RewardUpdate(is_active=active))
    said = (
        message("{title} is shown to the children again.", title=changed.title)
        if active
        else message("{title} is hidden from the children.", title=changed.title)
    )
    return redirect("/rewards", settings, flash=said)


@router.post("/rewards/claims/{claim_id}/approve")
def approve_claim(
    request: Request, claim_id: RowId, parent: FamilyParent, session: DbSession, settings: SettingsDep
) -> Response:
    try:
        done = service.approve(session, parent, claim_id)
    except Conflict as exc:
        return redirect("/rewards", settings, flash=page_error(request, exc.message), kind="error")
    shown = page_money(request, from_cents_or_zero(done.cost_cents))
    return redirect(
        "/rewards",
        settings,
        flash=message(
            "Approved: {reward_title}, {shown} taken from the balance.", reward_title=done.reward_title, shown=shown
        ),
    )


@router.post("/rewards/claims/{claim_id}/decline")
def decline_claim(
    request: Request,
    submitted: SubmittedForm,
    claim_id: RowId,
    parent: FamilyParent,
    session: DbSession,
    settings: SettingsDep,
) -> Response:
    data = submitted.values()
    errors = FormErrors()
    try:
        done = apply_form(
            errors,
            DeclineIn,
            {"reason": data.get("reason", "")},
            lambda valid: service.decline(session, parent, claim_id, valid.reason),
            refusals=InvalidInput,
        )
    except Conflict as exc:
        return redirect("/rewards", settings, flash=page_error(request, exc.message), kind="error")
    if done is not None:
        return redirect(
            "/rewards",
            settings,
            flash=message("Declined: {reward_title}. The money is free again.", reward_title=done.reward_title),
        )
    return _parent_page(request, session, parent, errors=errors, form={**data, "claim_id": claim_id}, status_code=422)


# -- the child's page ------------------------------------------------------------------------------


def _child_page(
    request: Request,
    session: Session,
    child: User,
    *,
    errors: FormErrors | None = None,
    form: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    money = service.money_of(session, child.id)
    weekly = allowance.of_child(session, child)
    family = session.get(Family, child.family_id) if child.family_id else None
    zone = family.timezone if family else "UTC"
    return render(
        request,
        "my_rewards.html",
        {
            "title": _("Rewards"),
            "money": {
                "balance": from_cents_or_zero(money.balance_cents),
                "reserved": from_cents_or_zero(money.reserved_cents),
                "available": from_cents_or_zero(money.available_cents),
            },
            "available_cents": money.available_cents,
            "rewards": service.list_rewards(session, child),
            "claims": service.list_claims(session, child)[:30],
            "goals": goals.list_goals(session, child),
            "allowance": shown_allowance(weekly, zone) if weekly else None,
            "errors": errors.fields if errors else {},
            "form": form or {},
            "cents": from_cents_or_zero,
        },
        status_code=status_code,
    )


@router.get("/me/rewards")
def my_rewards(request: Request, child: PageChild, session: DbSession) -> Response:
    return _child_page(request, session, child)


@router.post("/me/rewards/{reward_id}/claim")
def claim_reward(
    request: Request, reward_id: RowId, child: PageChild, session: DbSession, settings: SettingsDep
) -> Response:
    try:
        made = service.claim(session, child, reward_id)
    except Conflict as exc:
        return redirect("/me/rewards", settings, flash=page_error(request, exc.message), kind="error")
    shown = page_money(request, from_cents_or_zero(made.cost_cents))
    return redirect(
        "/me/rewards",
        settings,
        flash=message(
            "Asked for {reward_title}: {shown} is kept for it until a parent says yes or no.",
            reward_title=made.reward_title,
            shown=shown,
        ),
    )


@router.post("/me/rewards/claims/{claim_id}/cancel")
def cancel_claim(
    request: Request, claim_id: RowId, child: PageChild, session: DbSession, settings: SettingsDep
) -> Response:
    try:
        done = service.cancel(session, child, claim_id)
    except Conflict as exc:
        return redirect("/me/rewards", settings, flash=page_error(request, exc.message), kind="error")
    return redirect(
        "/me/rewards",
        settings,
        flash=message("Cancelled: {reward_title}. The money is free again.", reward_title=done.reward_title),
    )


@router.post("/me/goals")
def add_goal(
    request: Request, submitted: SubmittedForm, child: PageChild, session: DbSession, settings: SettingsDep
) -> Response:
    data = submitted.values()
    errors = FormErrors()
    fields = {"title": data.get("title", ""), "target": data.get("target") or None}
    made = apply_form(errors, GoalCreate, fields, partial(goals.create_goal, session, child))
    if made is not None:
        return redirect("/me/rewards", settings, flash=message("New goal: {title}.", title=made.title))
    return _child_page(request, session, child, errors=errors, form=data, status_code=422)
