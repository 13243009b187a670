"""Adjustments and payouts. Thin: parse, call, shape. (The balance figures under /users are in reports.routes.)"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.http import MAX_ROW_ID, RowId
from chores_tracker.identity.deps import CurrentParent
from chores_tracker.ledger import service
from chores_tracker.ledger.models import LedgerEntry
from chores_tracker.ledger.schemas import AdjustmentCreate, AdjustmentOut, AdjustmentTotalOut, PayoutCreate, PayoutOut

router = APIRouter(prefix="/adjustments", tags=["adjustments"])
payouts_router = APIRouter(prefix="/payouts", tags=["payouts"])

Skip = Annotated[int, Query(ge=0, le=MAX_ROW_ID)]
Limit = Annotated[int, Query(ge=1, le=service.MAX_PAGE)]


def _entry_fields(entry: LedgerEntry) -> dict[str, Any]:
    """What adjustments and payouts show alike (the contract calls the note `reason` on one, `note` on the other)."""
    return {
        "id": entry.id,
        "child_id": entry.child_id,
        "parent_id": entry.author_id,
        "amount": service.amount_of(entry),
        "created_at": entry.created_at,
    }


def _adjustment(entry: LedgerEntry) -> AdjustmentOut:
    return AdjustmentOut(**_entry_fields(entry), reason=entry.note)


def _payout(entry: LedgerEntry) -> PayoutOut:
    return PayoutOut(**_entry_fields(entry), note=entry.note)


@router.post("/", response_model=AdjustmentOut, status_code=status.HTTP_201_CREATED)
def create_adjustment(data: AdjustmentCreate, parent: CurrentParent, session: DbSession) -> AdjustmentOut:
    """A bonus (positive amount) or a penalty (negative), with the reason. Amounts are decimal strings."""
    return _adjustment(service.create_adjustment(session, parent, data))


@router.get("/child/{child_id}", response_model=list[AdjustmentOut])
def list_adjustments(
    child_id: RowId, parent: CurrentParent, session: DbSession, skip: Skip = 0, limit: Limit = 100
) -> list[AdjustmentOut]:
    """The child's adjustments, newest first."""
    return [_adjustment(e) for e in service.list_adjustments(session, parent, child_id, skip=skip, limit=limit)]


@router.get("/total/{child_id}", response_model=AdjustmentTotalOut)
def adjustments_total(
    child_id: RowId, parent: CurrentParent, session: DbSession, settings: SettingsDep
) -> AdjustmentTotalOut:
    total = service.adjustments_total(session, parent, child_id)
    return AdjustmentTotalOut(child_id=child_id, total_adjustments=total, currency=settings.currency)


@payouts_router.post("/", response_model=PayoutOut, status_code=status.HTTP_201_CREATED)
def create_payout(data: PayoutCreate, parent: CurrentParent, session: DbSession) -> PayoutOut:
    """Records money handed to the child (it lowers the balance). Not more than the child is owed."""
    return _payout(service.create_payout(session, parent, data))


@payouts_router.get("/child/{child_id}", response_model=list[PayoutOut])
def list_payouts(
    child_id: RowId, parent: CurrentParent, session: DbSession, skip: Skip = 0, limit: Limit = 100
) -> list[PayoutOut]:
    """The child's payouts, newest first."""
    return [_payout(e) for e in service.list_payouts(session, parent, child_id, skip=skip, limit=limit)]
