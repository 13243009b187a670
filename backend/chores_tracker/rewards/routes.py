"""Rewards, savings goals and allowances under /api/v1. Thin: parse, call, shape."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status

from chores_tracker.deps import DbSession
from chores_tracker.errors import Forbidden
from chores_tracker.http import RowId
from chores_tracker.identity.deps import CurrentChild, CurrentParent, CurrentUser
from chores_tracker.money import from_cents_or_zero
from chores_tracker.rewards import service
from chores_tracker.rewards.models import Reward, RewardClaim
from chores_tracker.rewards.schemas import ClaimOut, DeclineIn, RewardCreate, RewardMoneyOut, RewardOut, RewardUpdate

router = APIRouter(prefix="/rewards", tags=["rewards"])


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
    return RewardOut(
        id=reward.id,
        title=reward.title,
        cost=from_cents_or_zero(reward.cost_cents),
        stock=reward.stock,
        limit_count=reward.limit_count,
        limit_period=reward.limit_period,
        is_active=reward.is_active,
        created_at=reward.created_at,
        affordable=None if available_cents is None else reward.cost_cents <= available_cents,
    )


def claim_out(found: RewardClaim) -> ClaimOut:
    return ClaimOut(
        id=found.id,
        reward_id=found.reward_id,
        child_id=found.child_id,
        reward_title=found.reward_title,
        cost=from_cents_or_zero(found.cost_cents),
        status=found.status,
        created_at=found.created_at,
        decided_at=found.decided_at,
        decided_by=found.decided_by,
        decline_reason=found.decline_reason,
        ledger_entry_id=found.ledger_entry_id,
    )


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
    money = service.money_of(session, child.id)
    return RewardMoneyOut(
        balance=from_cents_or_zero(money.balance_cents),
        reserved=from_cents_or_zero(money.reserved_cents),
        available=from_cents_or_zero(money.available_cents),
    )


ClaimStatusQuery = Annotated[Literal["pending", "approved", "declined", "cancelled"] | None, Query()]


@router.get("/claims", response_model=list[ClaimOut], summary="Reward claims", responses=errors(404, 422))
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
    return [claim_out(c) for c in service.list_claims(session, user, status=status, child_id=child_id)]


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
    return claim_out(service.claim(session, child, reward_id))


@router.post(
    "/claims/{claim_id}/approve",
    response_model=ClaimOut,
    summary="Approve a claim: the ledger debits its cost",
    responses=errors(403, 404, 409),
)
def approve(claim_id: RowId, parent: CurrentParent, session: DbSession) -> ClaimOut:
    """One ledger entry (an adjustment of minus the cost, `ledger_entry_id`); 409 when the claim was
    decided or cancelled already, or the balance no longer covers it. `reward_approved` in the feed."""
    return claim_out(service.approve(session, parent, claim_id))


@router.post(
    "/claims/{claim_id}/decline",
    response_model=ClaimOut,
    summary="Decline a claim, with a reason",
    responses=errors(403, 404, 409, 422),
)
def decline(claim_id: RowId, data: DeclineIn, parent: CurrentParent, session: DbSession) -> ClaimOut:
    """The reservation is released and the stock given back; `reward_declined` in the feed."""
    return claim_out(service.decline(session, parent, claim_id, data.reason))


@router.post(
    "/claims/{claim_id}/cancel",
    response_model=ClaimOut,
    summary="Cancel one's own waiting claim (a child)",
    responses=errors(403, 404, 409),
)
def cancel(claim_id: RowId, child: CurrentChild, session: DbSession) -> ClaimOut:
    """The reservation is released and the stock given back; 409 once a parent decided."""
    return claim_out(service.cancel(session, child, claim_id))
