"""The money ledger: earnings, adjustments, payouts, and balances as SQL sums. No HTTP.

balance = earnings + adjustments - payouts. Payouts are stored as positive amounts.

Every ledger row is written by `add_entry`, which updates its child's running totals (child_totals) in the
same transaction; the all-time sums are read from them (`running_totals`), the sums over a period
from the ledger itself. `verify_totals` recomputes the totals from the ledger.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import cast

from sqlalchemy import BindParameter, Insert, Table, bindparam, case, delete, func, literal_column, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chores_tracker import clock
from chores_tracker.activity import service as activity
from chores_tracker.activity.models import ActivityType
from chores_tracker.db.revisions import note_family
from chores_tracker.db.rows import insert_now
from chores_tracker.db.upserts import insert_or_update
from chores_tracker.errors import Conflict, InvalidInput, NotFound
from chores_tracker.families import service as families
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User
from chores_tracker.ledger.models import TOTALS_UNVERIFIED, EntryKind, LedgerEntry, LedgerMarker, RunningTotals
from chores_tracker.ledger.schemas import AdjustmentCreate, PayoutCreate
from chores_tracker.money import from_cents, from_cents_or_zero, to_cents
from chores_tracker.periods import Period

MAX_PAGE = 500


def _in_money(cents_field: str) -> property:
    return property(lambda totals: from_cents_or_zero(getattr(totals, cents_field)))


@dataclass
class Totals:
    """One child's ledger sums (over a period, when one is given), in cents, and as money.

    The pending figures are the child's completions waiting for review, which are the chores
    domain's: chores.queries.totals_for_children fills them in.
    """

    earned_cents: int = 0
    earned_count: int = 0
    adjustments_cents: int = 0
    paid_out_cents: int = 0
    pending_cents: int = 0
    pending_count: int = 0

    @property
    def balance_cents(self) -> int:
        return self.earned_cents + self.adjustments_cents - self.paid_out_cents

    total_earned = _in_money("earned_cents")
    adjustments = _in_money("adjustments_cents")
    paid_out = _in_money("paid_out_cents")
    balance = _in_money("balance_cents")
    pending_chores_value = _in_money("pending_cents")


@dataclass
class ChildTotals:
    by_child: dict[int, Totals] = field(default_factory=dict)

    def of(self, child_id: int) -> Totals:
        return self.by_child.setdefault(child_id, Totals())


def totals_for_children(session: Session, child_ids: Iterable[int], period: Period | None = None) -> ChildTotals:
    """Ledger sums per child in one query: the running totals for all time (while they are trusted,
    see running_totals), else one grouped query over the ledger.

    With a period, the flows (earned, adjustments, payouts) are those inside it, and so is the
    balance these totals give; see balances_until for what is owed at a moment.
    """
    ids = list(child_ids)
    result = ChildTotals()
    if not ids:
        return result
    if period is None or (period.start is None and period.end is None):
        kept = running_totals(session, ids)
        if kept is not None:
            return kept
    flows = (
        select(
            LedgerEntry.child_id, LedgerEntry.kind, func.count(), func.coalesce(func.sum(LedgerEntry.amount_cents), 0)
        )
        .where(LedgerEntry.child_id.in_(ids), *(period or Period()).bounding(LedgerEntry.created_at))
        .group_by(LedgerEntry.child_id, LedgerEntry.kind)
    )
    for child_id, kind, count, cents in session.execute(flows):
        totals = result.of(child_id)
        if kind == EntryKind.chore_earning.value:
            totals.earned_cents, totals.earned_count = int(cents), int(count)
        elif kind == EntryKind.adjustment.value:
            totals.adjustments_cents = int(cents)
        elif kind == EntryKind.payout.value:
            totals.paid_out_cents = int(cents)
    return result


# -- running totals (child_totals) ------------------------------------------------------------------

_TOTALS = cast(Table, RunningTotals.__table__)
_SUMMED = ("earned_cents", "earned_count", "adjustments_cents", "paid_out_cents")
_UNVERIFIED = select(func.count()).where(LedgerMarker.name == TOTALS_UNVERIFIED).scalar_subquery()


def running_totals(session: Session, child_ids: list[int]) -> ChildTotals | None:
    """The children's all-time sums from child_totals, in one statement; None while the marker
    TOTALS_UNVERIFIED says a release before 0031 may have written entries without them."""
    rows = session.execute(
        select(_UNVERIFIED, *(_TOTALS.c[name] for name in ("child_id", *_SUMMED)))
        .select_from(select(literal_column("1").label("one")).subquery())
        .outerjoin(_TOTALS, _TOTALS.c.child_id.in_(child_ids))
    ).all()
    if rows and rows[0][0]:
        return None
    result = ChildTotals()
    for _, child_id, earned, count, adjustments, paid_out in rows:
        if child_id is not None:
            result.by_child[child_id] = Totals(int(earned), int(count), int(adjustments), int(paid_out))
    return result


def _deltas(entry: LedgerEntry) -> dict[str, int]:
    deltas = dict.fromkeys(_SUMMED, 0)
    if entry.kind == EntryKind.chore_earning.value:
        deltas.update(earned_cents=entry.amount_cents, earned_count=1)
    elif entry.kind == EntryKind.adjustment.value:
        deltas["adjustments_cents"] = entry.amount_cents
    else:
        deltas["paid_out_cents"] = entry.amount_cents
    return deltas


def _add_to_totals(session: Session, child_id: int, deltas: dict[str, int]) -> None:
    """child_totals += deltas for the child, in one statement (an upsert): it takes the row's lock
    until the transaction ends, so two writers of one child's totals take turns."""
    statement = _upsert(session.get_bind().dialect.name)
    session.execute(statement, {"t_child_id": child_id, **{f"t_{name}": deltas[name] for name in _SUMMED}})


# Built once per database dialect (the first write on it): every ledger entry runs it.
@functools.cache
def _upsert(dialect: str) -> Insert:
    values: dict[str, BindParameter[int]] = {name: bindparam(f"t_{name}") for name in ("child_id", *_SUMMED)}
    return insert_or_update(
        _TOTALS, dialect, ["child_id"], values, lambda new: {name: _TOTALS.c[name] + new[name] for name in _SUMMED}
    )


def add_entry(session: Session, entry: LedgerEntry) -> LedgerEntry:
    """The one way a ledger row is written: the entry, and its child's running totals, in the
    caller's transaction. The family is noted first, so that on MySQL/MariaDB its revision's lock
    comes before the totals' (db.revisions)."""
    note_family(session, entry.family_id)
    _add_to_totals(session, entry.child_id, _deltas(entry))
    return insert_now(session, entry)


@dataclass
class Disagreement:
    child_id: int
    kept: Totals
    ledger: Totals


@dataclass
class Verification:
    checked: int
    disagreements: list[Disagreement]
    unverified: bool  # the marker TOTALS_UNVERIFIED is set: the reads add up the ledger
    fixed: bool = False


def _ledger_sums(session: Session, child_ids: list[int] | None = None) -> dict[int, Totals]:
    earned = case((LedgerEntry.kind == EntryKind.chore_earning.value, LedgerEntry.amount_cents), else_=0)
    earnings = case((LedgerEntry.kind == EntryKind.chore_earning.value, 1), else_=0)
    adjusted = case((LedgerEntry.kind == EntryKind.adjustment.value, LedgerEntry.amount_cents), else_=0)
    paid = case((LedgerEntry.kind == EntryKind.payout.value, LedgerEntry.amount_cents), else_=0)
    query = select(
        LedgerEntry.child_id,
        func.coalesce(func.sum(earned), 0),
        func.coalesce(func.sum(earnings), 0),
        func.coalesce(func.sum(adjusted), 0),
        func.coalesce(func.sum(paid), 0),
    ).group_by(LedgerEntry.child_id)
    if child_ids is not None:
        query = query.where(LedgerEntry.child_id.in_(child_ids))
    return {row[0]: Totals(*(int(value) for value in row[1:])) for row in session.execute(query)}


def _kept_sums(session: Session) -> dict[int, Totals]:
    columns = [_TOTALS.c[name] for name in _SUMMED]
    return {
        row[0]: Totals(*(int(value) for value in row[1:]))
        for row in session.execute(select(_TOTALS.c.child_id, *columns))
    }


def _same(a: Totals, b: Totals) -> bool:
    return (a.earned_cents, a.earned_count, a.adjustments_cents, a.paid_out_cents) == (
        b.earned_cents,
        b.earned_count,
        b.adjustments_cents,
        b.paid_out_cents,
    )


def verify_totals(session: Session, *, fix: bool = False) -> Verification:
    """Every child's running totals against its ledger. With `fix`, each total that disagrees is
    rewritten (the child's totals row locked before its ledger is added up again, so that a writer
    going on meanwhile is counted once) and, all agreeing, the marker TOTALS_UNVERIFIED removed: run
    it once no release before 0031 writes any more."""
    ledger = _ledger_sums(session)
    kept = _kept_sums(session)
    unverified = bool(session.scalar(select(_UNVERIFIED)))
    session.rollback()
    disagreements = [
        Disagreement(child_id, kept.get(child_id, Totals()), ledger.get(child_id, Totals()))
        for child_id in sorted(set(ledger) | set(kept))
        if not _same(kept.get(child_id, Totals()), ledger.get(child_id, Totals()))
    ]
    result = Verification(len(set(ledger) | set(kept)), disagreements, unverified)
    if not fix:
        return result
    for found in disagreements:
        _add_to_totals(session, found.child_id, dict.fromkeys(_SUMMED, 0))  # the row, locked
        now = _ledger_sums(session, [found.child_id]).get(found.child_id, Totals())
        session.execute(
            update(_TOTALS)
            .where(_TOTALS.c.child_id == found.child_id)
            .values(
                earned_cents=now.earned_cents,
                earned_count=now.earned_count,
                adjustments_cents=now.adjustments_cents,
                paid_out_cents=now.paid_out_cents,
            )
        )
        session.commit()
    session.execute(delete(LedgerMarker).where(LedgerMarker.name == TOTALS_UNVERIFIED))
    session.commit()
    result.fixed = True
    return result


def balances_until(session: Session, child_ids: Iterable[int], end: datetime | None) -> dict[int, int]:
    """Each child's balance in cents from the ledger's beginning up to `end` (exclusive; None: now)."""
    ids = list(child_ids)
    if not ids:
        return {}
    signed = case(
        (LedgerEntry.kind == EntryKind.payout.value, -LedgerEntry.amount_cents), else_=LedgerEntry.amount_cents
    )
    query = (
        select(LedgerEntry.child_id, func.coalesce(func.sum(signed), 0))
        .where(LedgerEntry.child_id.in_(ids), *Period(end=end).bounding(LedgerEntry.created_at))
        .group_by(LedgerEntry.child_id)
    )
    return {child_id: int(cents) for child_id, cents in session.execute(query)}


def record_earning(
    session: Session,
    *,
    family_id: int,
    child_id: int,
    amount_cents: int,
    author: User | None,
    completion_id: int,
    chore_id: int,
    chore_title: str,
) -> LedgerEntry:
    """Adds the earning for an approved completion to the caller's transaction, with a copy of the
    chore's title (the ledger reads the same after the chore is edited or deleted). `author` None:
    approved automatically (the chore's auto_approve)."""
    entry = LedgerEntry(
        family_id=family_id,
        child_id=child_id,
        kind=EntryKind.chore_earning.value,
        amount_cents=amount_cents,
        author_id=author.id if author is not None else None,
        created_at=clock.now(),
        chore_id=chore_id,
        chore_title=chore_title,
        completion_id=completion_id,
    )
    return add_entry(session, entry)


def record_missed_penalty(
    session: Session,
    *,
    family_id: int,
    child_id: int,
    amount_cents: int,
    occurrence_id: int,
    chore_id: int,
    chore_title: str,
    note: str,
) -> LedgerEntry:
    """Adds a missed chore's penalty (an adjustment of minus amount_cents, by no parent) to the
    caller's transaction. occurrence_id is unique in the ledger: a missed occurrence is charged once."""
    if amount_cents <= 0:
        raise InvalidInput("a penalty is a positive amount", field="missed_penalty_cents")
    entry = LedgerEntry(
        family_id=family_id,
        child_id=child_id,
        kind=EntryKind.adjustment.value,
        amount_cents=-amount_cents,
        author_id=None,
        created_at=clock.now(),
        chore_id=chore_id,
        chore_title=chore_title,
        occurrence_id=occurrence_id,
        note=note[:500],
    )
    return add_entry(session, entry)


def record_adjustment(
    session: Session, *, family_id: int, child_id: int, cents: int, author_id: int | None, note: str
) -> LedgerEntry:
    """Adds an adjustment to the caller's transaction, without a feed row (the caller writes its
    own): a reward's debit (negative, by the approving parent) or an allowance's credit (positive,
    by no parent). Stored as an adjustment, which every release sums into the balance."""
    if cents == 0:
        raise InvalidInput("an adjustment of 0 changes nothing", field="amount")
    entry = LedgerEntry(
        family_id=family_id,
        child_id=child_id,
        kind=EntryKind.adjustment.value,
        amount_cents=cents,
        author_id=author_id,
        created_at=clock.now(),
        note=note[:500],
    )
    return add_entry(session, entry)


def credits_since(session: Session, child_id: int, since: datetime) -> int:
    """What raised the child's balance since `since`, in cents: earnings and positive adjustments
    (bonuses, allowances, reversals of a penalty or a payout)."""
    cents = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
            LedgerEntry.child_id == child_id,
            LedgerEntry.kind != EntryKind.payout.value,
            LedgerEntry.amount_cents > 0,
            LedgerEntry.created_at >= since,
        )
    )
    return int(cents or 0)


def _record_parent_entry(
    session: Session,
    parent: User,
    child: User,
    *,
    kind: EntryKind,
    cents: int,
    note: str | None,
    activity_type: ActivityType,
    description: str,
    reverses_id: int | None = None,
    chore_id: int | None = None,
    chore_title: str | None = None,
) -> LedgerEntry:
    """A parent's entry for a child (an adjustment or a payout) and its feed row, committed together
    (a reversal names the entry it compensates and that entry's chore)."""
    entry = LedgerEntry(
        family_id=child.family_id,
        child_id=child.id,
        kind=kind.value,
        amount_cents=cents,
        author_id=parent.id,
        created_at=clock.now(),
        note=note,
        reverses_id=reverses_id,
        chore_id=chore_id,
        chore_title=chore_title,
    )
    add_entry(session, entry)
    activity.record(
        session,
        family_id=entry.family_id,
        actor=parent,
        activity_type=activity_type,
        description=description,
        target_user_id=child.id,
        amount_cents=cents,
        note=note,
        ledger_entry_id=entry.id,
        chore_id=chore_id,
        chore_title=chore_title,
    )
    session.commit()
    return entry


def create_adjustment(session: Session, parent: User, data: AdjustmentCreate) -> LedgerEntry:
    child = identity.child_of_family(session, parent, data.child_id)
    families.check_amounts(session, parent.family_id, {"amount": data.amount})
    cents = to_cents(data.amount)
    kind = "bonus" if cents > 0 else "penalty"
    return _record_parent_entry(
        session,
        parent,
        child,
        kind=EntryKind.adjustment,
        cents=cents,
        note=data.reason,
        activity_type=ActivityType.adjustment_applied,
        description=f"{parent.username} gave {child.username} a {kind} of {abs(data.amount):.2f}: {data.reason}",
    )


def _entries(
    session: Session, parent: User, child_id: int, kind: EntryKind, *, skip: int, limit: int
) -> list[LedgerEntry]:
    child = identity.child_of_family(session, parent, child_id)
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.child_id == child.id, LedgerEntry.kind == kind.value)
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
            .offset(max(skip, 0))
            .limit(max(1, min(limit, MAX_PAGE)))
        )
    )


def list_adjustments(
    session: Session, parent: User, child_id: int, *, skip: int = 0, limit: int = 100
) -> list[LedgerEntry]:
    return _entries(session, parent, child_id, EntryKind.adjustment, skip=skip, limit=limit)


def adjustments_total(session: Session, parent: User, child_id: int) -> Decimal:
    child = identity.child_of_family(session, parent, child_id)
    cents = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
            LedgerEntry.child_id == child.id, LedgerEntry.kind == EntryKind.adjustment.value
        )
    )
    return from_cents_or_zero(int(cents or 0))


def create_payout(session: Session, parent: User, data: PayoutCreate) -> LedgerEntry:
    """Records money handed to a child. It may not exceed what the child is owed."""
    child = identity.child_of_family(session, parent, data.child_id)
    families.check_amounts(session, parent.family_id, {"amount": data.amount})
    # Serializes payouts for one child (two parents paying at once cannot both spend the
    # same balance). FOR NO KEY UPDATE on PostgreSQL, so ledger inserts for the child go on.
    session.execute(select(User.id).where(User.id == child.id).with_for_update(key_share=True))
    cents = to_cents(data.amount)
    owed = balances_until(session, [child.id], None).get(child.id, 0)
    if cents > owed:
        session.rollback()  # releases the lock now rather than when the request ends
        raise InvalidInput(
            f"{child.username} is owed {from_cents_or_zero(owed):.2f}; a payout cannot be more than that",
            field="amount",
        )
    return _record_parent_entry(
        session,
        parent,
        child,
        kind=EntryKind.payout,
        cents=cents,
        note=data.note,
        activity_type=ActivityType.payout_recorded,
        description=f"{parent.username} paid {child.username} {data.amount:.2f}"
        + (f": {data.note}" if data.note else ""),
    )


def list_payouts(
    session: Session, parent: User, child_id: int, *, skip: int = 0, limit: int = 100
) -> list[LedgerEntry]:
    return _entries(session, parent, child_id, EntryKind.payout, skip=skip, limit=limit)


def amount_of(entry: LedgerEntry) -> Decimal:
    return from_cents(entry.amount_cents) or Decimal(0)


# -- reversals: a parent undoes an approval, a bonus, a penalty or a payout ---------------------------

REVERSIBLE = {
    EntryKind.chore_earning.value: "approval",
    EntryKind.adjustment.value: "adjustment",
    EntryKind.payout.value: "payout",
}


def balance_effect(entry: LedgerEntry) -> int:
    """What the entry did to the child's balance, in cents (a payout lowers it)."""
    return -entry.amount_cents if entry.kind == EntryKind.payout.value else entry.amount_cents


def reversible_until(entry: LedgerEntry, window: timedelta) -> datetime | None:
    """Until when a parent may reverse the entry; None for a reversal or an entry of 0."""
    if entry.reverses_id is not None or entry.amount_cents == 0:
        return None
    return entry.created_at + window


def reversals_of(session: Session, entry_ids: Iterable[int]) -> dict[int, int]:
    """For each of the entries that has been reversed: the id of its reversal."""
    ids = list(entry_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(LedgerEntry.reverses_id, LedgerEntry.id).where(LedgerEntry.reverses_id.in_(ids))
    ).all()
    return {int(reversed_id): int(reversal_id) for reversed_id, reversal_id in rows if reversed_id is not None}


def reverse_entry(
    session: Session, parent: User, entry_id: int, *, window: timedelta, reason: str | None = None
) -> LedgerEntry:
    """A parent reverses an approval's earning, a bonus, a penalty or a payout of the family, within
    `window` of it: a new adjustment of the opposite effect on the balance that names it
    (`reverses_id`), with its own feed row. The entry itself is never changed. The unique
    reverses_id makes the reversal happen once, however many parents press "Undo" at once."""
    entry = session.get(LedgerEntry, entry_id)
    if entry is None or parent.family_id is None or entry.family_id != parent.family_id:
        raise NotFound("entry not found")
    child = identity.child_of_family(session, parent, entry.child_id)
    # Reversals (and payouts) of one child take turns, as create_payout does: a second parent's
    # waits here, before writing anything, then finds the first one's reversal below. (Waiting at
    # the unique index instead, with the family row's FK lock held, deadlocks MariaDB against the
    # first one's family revision bump.)
    session.execute(select(User.id).where(User.id == child.id).with_for_update(key_share=True))
    until = reversible_until(entry, window)
    if entry.reverses_id is not None:
        raise Conflict("this is a reversal already; make a new bonus or penalty instead")
    if until is None:
        raise Conflict("nothing to reverse: this entry is of 0")
    if clock.now() > until:
        raise Conflict(f"too late: an entry can be reversed within {_hours(window)} of it")
    if reversals_of(session, [entry.id]):
        session.rollback()  # releases the lock now rather than when the request ends
        raise Conflict("this entry has already been reversed")
    cents = -balance_effect(entry)
    what = REVERSIBLE[entry.kind]
    if entry.kind == EntryKind.adjustment.value:
        what = "bonus" if entry.amount_cents > 0 else "penalty"
    about = f" for {entry.chore_title!r}" if entry.chore_title else ""
    try:
        return _record_parent_entry(
            session,
            parent,
            child,
            kind=EntryKind.adjustment,
            cents=cents,
            note=reason or f"reverses the {what}{about} of {from_cents_or_zero(abs(entry.amount_cents)):.2f}",
            activity_type=ActivityType.entry_reversed,
            description=f"{parent.name} reversed the {what}{about} for {child.name}: {from_cents_or_zero(cents):+.2f}",
            reverses_id=entry.id,
            chore_id=entry.chore_id,
            chore_title=entry.chore_title,
        )
    except IntegrityError:
        session.rollback()  # another parent reversed it in the meantime: once is once
        raise Conflict("this entry has already been reversed") from None


def _hours(window: timedelta) -> str:
    hours = int(window.total_seconds() // 3600)
    return f"{hours // 24} days" if hours % 24 == 0 and hours >= 48 else f"{hours} hours"


def child_entries(session: Session, parent: User, child_id: int, *, skip: int, limit: int) -> list[LedgerEntry]:
    """Every entry of the child's, newest first: earnings, adjustments (reversals too), payouts."""
    child = identity.child_of_family(session, parent, child_id)
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.child_id == child.id)
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
            .offset(max(skip, 0))
            .limit(max(1, min(limit, MAX_PAGE)))
        )
    )
