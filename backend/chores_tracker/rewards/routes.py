"""Rewards, savings goals and allowances under /api/v1. Thin: parse, call, shape."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query, status
from sqlalchemy.orm import Session

from chores_tracker import clock
from chores_tracker.deps import DbSession
from chores_tracker.errors import Forbidden
from chores_tracker.families.models import Family
from chores_tracker.http import ApiRouter, RowId
from chores_tracker.identity.deps import CurrentChild, CurrentParent, CurrentUser
from chores_tracker.money import from_cents_or_zero
from chores_tracker.rewards import allowance, goals, service
from chores_tracker.rewards.models import Allowance, Reward
from chores_tracker.rewards.schemas import (
    AllowanceIn,
    AllowanceOut,
    ClaimOut,
    DeclineIn,
    GoalCreate,
    GoalOut,
    RewardCreate,
    RewardMoneyOut,
    RewardOut,
    RewardUpdate,
)

router = ApiRouter(prefix="/rewards", tags=["rewards"])


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route documents (the body is {"detail": ...} as for every domain error)."""
    said = {
        403: "a role that may not do this (a child managing the catalogue, a parent claiming)",
        404: "no such reward or claim in the caller's family",
        409: "a conflict with the present state: not enough available money, out of stock, the period's "
        "limit reached, or the claim already decided",
        422: "invalid input, with the field",
    }
    return {code: {"description": said[code]} for code in codes}


def reward_out(reward: Reward, available_cents: int | None = None) -> RewardOut:
    out = RewardOut.model_validate(reward)
    if available_cents is not None:
        out.affordable = reward.cost_cents <= available_cents
    return out


@router.get("", response_model=list[RewardOut], summary="The family's rewards catalogue")
def list_rewards(user: CurrentUser, session: DbSession) -> list[RewardOut]:
    """A parent sees every reward, a child the active ones, each with whether its available money
    (balance minus what its waiting claims reserve) covers the cost."""
    available = None if user.is_parent else service.money_of(session, user.id).available_cents
    return [reward_out(r, available) for r in service.list_rewards(session, user)]


@router.post(
    "",
    response_model=RewardOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a reward to the catalogue",
    responses=errors(403, 404, 422),
)
def create_reward(data: RewardCreate, parent: CurrentParent, session: DbSession) -> RewardOut:
    """Title, cost, optional stock (null: unlimited) and optional per-child limit per week or month
    (in the family's zone); inactive rewards are hidden from the children."""
    return reward_out(service.create_reward(session, parent, data))


@router.get(
    "/money", response_model=RewardMoneyOut, summary="A child's balance, reserved and available", responses=errors(403)
)
def my_money(child: CurrentChild, session: DbSession) -> RewardMoneyOut:
    """The balance (the ledger's), what the child's waiting claims reserve, and the rest."""
    return RewardMoneyOut.model_validate(service.money_of(session, child.id))


ClaimStatusQuery = Annotated[Literal["pending", "approved", "declined", "cancelled"] | None, Query()]


@router.get("/claims", response_model=list[ClaimOut], summary="Reward claims", responses=errors(403, 404, 422))
def list_claims(
    user: CurrentUser,
    session: DbSession,
    status: ClaimStatusQuery = None,
    child_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> list[ClaimOut]:
    """A parent: the family's claims (`child_id`: one child's); a child: its own. Newest first, at
    most 200; `status=pending` gives the ones to review."""
    if child_id is not None and not user.is_parent:
        raise Forbidden("a child sees its own claims")
    return [ClaimOut.model_validate(c) for c in service.list_claims(session, user, status=status, child_id=child_id)]


@router.put("/{reward_id}", response_model=RewardOut, summary="Change a reward", responses=errors(403, 404, 422))
def update_reward(reward_id: RowId, data: RewardUpdate, parent: CurrentParent, session: DbSession) -> RewardOut:
    """Any subset of the fields; `stock: null` makes it unlimited, both limit fields null remove
    the limit, `is_active: false` hides it. Waiting claims keep their title and cost."""
    return reward_out(service.update_reward(session, parent, reward_id, data))


@router.post(
    "/{reward_id}/claim",
    response_model=ClaimOut,
    status_code=status.HTTP_201_CREATED,
    summary="Claim a reward (a child)",
    responses=errors(403, 404, 409),
)
def claim(reward_id: RowId, child: CurrentChild, session: DbSession) -> ClaimOut:
    """Reserves the cost at once (409 when the available money does not cover it, none is left, or
    the child reached the reward's limit for the week or month). Two claims at once that together
    exceed the available money never both succeed. In the feed as `reward_claimed`; the parents
    are told."""
    return ClaimOut.model_validate(service.claim(session, child, reward_id))


@router.post(
    "/claims/{claim_id}/approve",
    response_model=ClaimOut,
    summary="Approve a claim: the ledger debits its cost",
    responses=errors(403, 404, 409),
)
def approve(claim_id: RowId, parent: CurrentParent, session: DbSession) -> ClaimOut:
    """One ledger entry (an adjustment of minus the cost, `ledger_entry_id`); 409 when the claim was
    decided or cancelled already, or the balance no longer covers it. `reward_approved` in the feed."""
    return ClaimOut.model_validate(service.approve(session, parent, claim_id))


@router.post(
    "/claims/{claim_id}/decline",
    response_model=ClaimOut,
    summary="Decline a claim, with a reason",
    responses=errors(403, 404, 409, 422),
)
def decline(claim_id: RowId, data: DeclineIn, parent: CurrentParent, session: DbSession) -> ClaimOut:
    """The reservation is released and the stock given back; `reward_declined` in the feed."""
    return ClaimOut.model_validate(service.decline(session, parent, claim_id, data.reason))


@router.post(
    "/claims/{claim_id}/cancel",
    response_model=ClaimOut,
    summary="Cancel one's own waiting claim (a child)",
    responses=errors(403, 404, 409),
)
def cancel(claim_id: RowId, child: CurrentChild, session: DbSession) -> ClaimOut:
    """The reservation is released and the stock given back; 409 once a parent decided."""
    return ClaimOut.model_validate(service.cancel(session, child, claim_id))


# -- savings goals ---------------------------------------------------------------------------------

goals_router = ApiRouter(prefix="/goals", tags=["goals"])


@goals_router.get(
    "", response_model=list[GoalOut], summary="Savings goals and their progress", responses=errors(403, 404)
)
def list_goals(
    user: CurrentUser, session: DbSession, child_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None
) -> list[GoalOut]:
    """A parent: the family's goals (`child_id`: one child's); a child: its own. Each with the
    saved amount (the balance, at most the target), whether it is reached, the recent earning rate
    (what raised the balance in the last 28 days / 28) and the projected date at that rate."""
    if child_id is not None and not user.is_parent:
        raise Forbidden("a child sees its own goals")
    return [GoalOut.model_validate(g) for g in goals.list_goals(session, user, child_id)]


@goals_router.post(
    "",
    response_model=GoalOut,
    status_code=status.HTTP_201_CREATED,
    summary="Set a savings goal",
    responses=errors(403, 404, 422),
)
def create_goal(data: GoalCreate, user: CurrentUser, session: DbSession) -> GoalOut:
    """A child sets its own (no child_id); a parent sets one for a child (child_id). A goal the
    balance already covers is reached at once (`goal_reached` in the feed, once)."""
    goal = goals.create_goal(session, user, data)
    [shown] = [
        g for g in goals.list_goals(session, user, goal.child_id if user.is_parent else None) if g.goal.id == goal.id
    ]
    return GoalOut.model_validate(shown)


@goals_router.delete(
    "/{goal_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a savings goal", responses=errors(404)
)
def delete_goal(goal_id: RowId, user: CurrentUser, session: DbSession) -> None:
    """A child removes its own; a parent any of the family's."""
    goals.delete_goal(session, user, goal_id)


# -- allowances ------------------------------------------------------------------------------------

allowances_router = ApiRouter(prefix="/allowances", tags=["allowances"])


def allowance_out(session: Session, found: Allowance) -> AllowanceOut:
    family = session.get(Family, found.family_id)
    zone = family.timezone if family else "UTC"
    return AllowanceOut(
        id=found.id,
        child_id=found.child_id,
        amount=from_cents_or_zero(found.amount_cents),
        period=found.period,
        weekday=found.weekday,
        day_of_month=found.day_of_month,
        at=f"{found.minute_of_day // 60:02d}:{found.minute_of_day % 60:02d}",
        starts_at=found.starts_at,
        next_payday=allowance.next_payday(found, zone, clock.now()),
    )


@allowances_router.get(
    "", response_model=list[AllowanceOut], summary="The children's allowances", responses=errors(403)
)
def list_allowances(parent: CurrentParent, session: DbSession) -> list[AllowanceOut]:
    """Each child's active allowance, with its next payday."""
    return [allowance_out(session, a) for a in allowance.list_for_family(session, parent)]


@allowances_router.put(
    "/{child_id}",
    response_model=AllowanceOut,
    summary="Set a child's weekly or monthly allowance",
    responses=errors(403, 404, 422),
)
def set_allowance(child_id: RowId, data: AllowanceIn, parent: CurrentParent, session: DbSession) -> AllowanceOut:
    """A fixed amount each week (on `weekday`) or month (on `day_of_month`; 31 or any day a month
    lacks: its last day) at a family-local time (`at`, HH:MM). The time step credits each period
    once, as an adjustment in the ledger with an `allowance_credited` feed row; paydays it missed
    (the worker was down) are credited at its next run, once each. Setting it again replaces it from
    now on; a period already credited is not credited again."""
    return allowance_out(session, allowance.set_allowance(session, parent, child_id, data))


@allowances_router.delete(
    "/{child_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Stop a child's allowance",
    responses=errors(403, 404),
)
def stop_allowance(child_id: RowId, parent: CurrentParent, session: DbSession) -> None:
    """Nothing more is credited; what was credited stays in the ledger."""
    allowance.stop(session, parent, child_id)
