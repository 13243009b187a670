"""Adjustments and payouts. Thin: parse, call, shape. (The balance figures under /users are in reports.routes.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import Query, status

from chores_tracker import clock
from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.http import MAX_ROW_ID, ApiRouter, RowId
from chores_tracker.identity.deps import CurrentParent
from chores_tracker.ledger import service
from chores_tracker.ledger.models import LedgerEntry
from chores_tracker.ledger.schemas import (
    AdjustmentCreate,
    AdjustmentOut,
    AdjustmentTotalOut,
    LedgerEntryOut,
    PayoutCreate,
    PayoutOut,
    ReverseIn,
)
from chores_tracker.money import from_cents_or_zero

router = ApiRouter(prefix="/adjustments", tags=["adjustments"])
payouts_router = ApiRouter(prefix="/payouts", tags=["payouts"])
entries_router = ApiRouter(prefix="/ledger", tags=["ledger"])

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


def _entry(entry: LedgerEntry, window: timedelta, reversed_by: int | None) -> LedgerEntryOut:
    until = service.reversible_until(entry, window)
    return LedgerEntryOut(
        id=entry.id,
        child_id=entry.child_id,
        kind=entry.kind,
        amount=service.amount_of(entry),
        balance_effect=from_cents_or_zero(service.balance_effect(entry)),
        note=entry.note,
        chore_id=entry.chore_id,
        chore_title=entry.chore_title,
        author_id=entry.author_id,
        created_at=entry.created_at,
        reverses_id=entry.reverses_id,
        reversed_by_id=reversed_by,
        reversible_until=until,
        can_reverse=until is not None and reversed_by is None and clock.now() <= until,
    )


@entries_router.get("/child/{child_id}", response_model=list[LedgerEntryOut], summary="A child's ledger")
def child_entries(
    child_id: RowId,
    parent: CurrentParent,
    session: DbSession,
    settings: SettingsDep,
    skip: Skip = 0,
    limit: Limit = 100,
) -> list[LedgerEntryOut]:
    """Every money entry of the child, newest first: earnings of approved chores, bonuses and
    penalties, payouts, and reversals, each with whether (and until when) it may be reversed."""
    window = timedelta(hours=settings.reversal_window_hours)
    entries = service.child_entries(session, parent, child_id, skip=skip, limit=limit)
    reversed_by = service.reversals_of(session, [e.id for e in entries])
    return [_entry(e, window, reversed_by.get(e.id)) for e in entries]


@entries_router.post(
    "/entries/{entry_id}/reverse",
    response_model=LedgerEntryOut,
    status_code=status.HTTP_201_CREATED,
    summary="Reverse an approval, a bonus, a penalty or a payout",
)
def reverse_entry(
    entry_id: RowId, parent: CurrentParent, session: DbSession, settings: SettingsDep, data: ReverseIn | None = None
) -> LedgerEntryOut:
    """Within REVERSAL_WINDOW_HOURS (72 unless set) of an entry, any parent of the family reverses
    it with a new adjustment of the opposite effect on the balance (an approval's earning or a
    bonus: minus its amount; a penalty: plus; a payout: plus, the child is owed it again) that
    names it (`reverses_id`). The entry itself never changes. An entry is reversed once: 409 the
    second time (also when two parents press at once), for a reversal, for an entry of 0, and after
    the window. In the feed as `entry_reversed`. Answers the new entry."""
    window = timedelta(hours=settings.reversal_window_hours)
    reversal = service.reverse_entry(session, parent, entry_id, window=window, reason=(data or ReverseIn()).reason)
    return _entry(reversal, window, None)
