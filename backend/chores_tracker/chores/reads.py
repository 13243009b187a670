"""Lean read paths for the two hottest chore lists: GET /chores/available and GET /chores/pending-approval.

One SQLAlchemy Core statement (chores joined with all their assignments and the assignees' names)
whose rows are shaped straight into the contract's dicts, with no ORM identity map and no pydantic
models of our own output; the route serializes them with orjson. The answer is the very JSON that
the ORM path (queries.available_for_child / pending_approvals with schemas.present_chore) gives:
tests/chores/test_lean_reads.py compares the two on the same data. Read only; no HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, bindparam, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import Text

from chores_tracker import clock
from chores_tracker.chores.models import APPROVED, AVAILABLE, COMPLETED, POOL, Assignment, Chore
from chores_tracker.chores.queries import MAX_LIST
from chores_tracker.chores.schedule import ScheduleSpec, describe
from chores_tracker.chores.states import legacy_schedule
from chores_tracker.chores.turns import current_turns, turns_change_at
from chores_tracker.db.engine import reading_connection
from chores_tracker.identity.models import User

Json = dict[str, Any]

# The chore's columns, then its assignment's (every assignment of the chore, in id order) and the assignee's name.
_ROWS = (
    select(
        Chore.id,
        Chore.title,
        Chore.description,
        Chore.reward_cents,
        Chore.is_range_reward,
        Chore.min_reward_cents,
        Chore.max_reward_cents,
        Chore.cooldown_days,
        Chore.is_recurring,
        Chore.assignment_mode,
        type_coerce(Chore.schedule, Text),  # the stored JSON text: parsed once per distinct text (below)
        Chore.creator_id,
        Chore.is_disabled,
        Chore.created_at,
        Chore.updated_at,
        Assignment.id,
        Assignment.assignee_id,
        User.username,
        Assignment.state,
        Assignment.completed_at,
        Assignment.approved_at,
        Assignment.approval_reward_cents,
        Assignment.rejection_reason,
        Assignment.available_at,
        Chore.auto_approve,
    )
    .select_from(Chore)
    .outerjoin(Assignment, Assignment.chore_id == Chore.id)
    .outerjoin(User, User.id == Assignment.assignee_id)
    .order_by(Chore.id, Assignment.id)
)


def _money(cents: int | None) -> float | None:
    # The JSON number of an amount, as money.MoneyNumber writes it (float(Decimal(cents) / 100) is
    # the same double: both are the nearest one to the exact quotient).
    return None if cents is None else cents / 100


@lru_cache(maxsize=1024)
def _stored_schedule(text: str) -> tuple[Json, str]:
    spec = ScheduleSpec.model_validate_json(text)
    return spec.model_dump(mode="json"), describe(spec)


@lru_cache(maxsize=512)
def _legacy_schedule(is_recurring: bool, cooldown_days: int | None) -> tuple[Json, str]:
    spec = legacy_schedule(is_recurring, cooldown_days)
    return spec.model_dump(mode="json"), describe(spec)


class _Slot:
    """An assignment row, as states.effective_state and next_available_at read it."""

    __slots__ = (
        "approval_reward_cents",
        "approved_at",
        "assignee_id",
        "assignee_name",
        "available_at",
        "chore_id",
        "completed_at",
        "id",
        "rejection_reason",
        "state",
    )

    def __init__(self, chore_id: int, row: tuple[Any, ...]) -> None:
        self.chore_id = chore_id
        self.id: int = row[15]
        self.assignee_id: int | None = row[16]
        self.assignee_name: str | None = row[17]
        self.state: str = row[18]
        self.completed_at: datetime | None = row[19]
        self.approved_at: datetime | None = row[20]
        self.approval_reward_cents: int | None = row[21]
        self.rejection_reason: str | None = row[22]
        self.available_at: datetime | None = row[23]

    def state_at(self, now: datetime) -> str:
        if self.state == APPROVED and self.available_at is not None and self.available_at <= now:
            return AVAILABLE
        return self.state

    def cooling_until(self, now: datetime) -> datetime | None:
        if self.state == APPROVED and self.available_at is not None and self.available_at > now:
            return self.available_at
        return None

    def json(self, now: datetime) -> Json:
        """schemas.AssignmentOut, as present_assignment fills it."""
        state = self.state_at(now)
        done = state != AVAILABLE
        approved = state == APPROVED
        return {
            "id": self.id,
            "chore_id": self.chore_id,
            "assignee_id": self.assignee_id,
            "assignee_name": self.assignee_name,
            "is_completed": done,
            "is_approved": approved,
            "completion_date": self.completed_at if done else None,
            "approval_date": self.approved_at if approved else None,
            "approval_reward": _money(self.approval_reward_cents) if approved else None,
            "rejection_reason": self.rejection_reason if not done else None,
            "next_available_at": self.cooling_until(now),
        }


class _Chore:
    __slots__ = ("row", "slots")

    def __init__(self, row: tuple[Any, ...]) -> None:
        self.row = row
        self.slots: list[_Slot] = []

    @property
    def id(self) -> int:
        return int(self.row[0])

    @property
    def is_pool(self) -> bool:
        return bool(self.row[9] == POOL)

    @property
    def rotates(self) -> bool:
        """A rotation (turns.is_rotation): only the child whose turn it is may do it now."""
        text = self.row[10]
        return not self.is_pool and text is not None and _stored_schedule(text)[0].get("rotation", "none") != "none"

    def json(self, viewer: User, now: datetime) -> Json:
        """schemas.ChoreOut, as present_chore fills it for this viewer."""
        r = self.row
        pool = self.is_pool
        shown = [
            slot
            for slot in self.slots
            if not pool or (slot.assignee_id is not None and slot.state_at(now) != AVAILABLE)
        ]
        if viewer.is_parent:
            cooling = [moment for slot in self.slots if (moment := slot.cooling_until(now))]
        else:
            shown = [slot for slot in shown if slot.assignee_id == viewer.id]
            mine = [slot for slot in self.slots if slot.assignee_id == viewer.id or pool]
            cooling = [moment for slot in mine if (moment := slot.cooling_until(now))]
        schedule, schedule_text = _stored_schedule(r[10]) if r[10] is not None else _legacy_schedule(r[8], r[7])
        return {
            "id": r[0],
            "title": r[1],
            "description": r[2],
            "reward": _money(r[3]),
            "is_range_reward": r[4],
            "min_reward": _money(r[5]),
            "max_reward": _money(r[6]),
            "cooldown_days": r[7],
            "is_recurring": r[8],
            "assignment_mode": r[9],
            "assignee_ids": [] if pool else [slot.assignee_id for slot in self.slots if slot.assignee_id],
            "auto_approve": r[24],
            "schedule": schedule,
            "schedule_text": schedule_text,
            "assignments": [slot.json(now) for slot in shown],
            "creator_id": r[11],
            "is_disabled": r[12],
            "created_at": r[13],
            "updated_at": r[14],
            "next_available_at": min(cooling) if cooling else None,
        }


def _load(session: Session, *conditions: Any) -> list[_Chore]:
    # On the session's connection: a Core select needs none of the ORM's execution machinery.
    return _chores_of(session.connection().execute(_ROWS.where(*conditions)))


def _chores_of(rows: Iterable[Row[Any]]) -> list[_Chore]:
    chores: list[_Chore] = []
    for result_row in rows:
        row = tuple(result_row)
        if not chores or chores[-1].id != row[0]:
            chores.append(_Chore(row))
        if row[15] is not None:
            chores[-1].slots.append(_Slot(row[0], row))
    return chores


def _family_chores(viewer: User) -> Sequence[Any]:
    return (Chore.family_id == viewer.family_id, Chore.deleted_at.is_(None))


def changes_by_itself(chores: list[_Chore], now: datetime) -> datetime | None:
    """The first moment an answer made of these chores changes with no write: a cooldown's end."""
    return min(
        (moment for chore in chores for slot in chore.slots if (moment := slot.cooling_until(now))), default=None
    )


def available_for_child(session: Session, child: User) -> tuple[Json, datetime | None]:
    """schemas.AvailableOut: the child's own assignments it may do now (a rotation's only on its
    turn), and the free pool chores;
    and when that changes by itself (changes_by_itself)."""
    if child.family_id is None:
        return {"assigned": [], "pool": [], "total_count": 0}, None
    now = clock.now()
    assigned: list[Json] = []
    pool: list[Json] = []
    chores = _load(session, *_family_chores(child), Chore.is_disabled.is_(False))
    rotating = [chore.id for chore in chores if chore.rotates]
    turns = current_turns(session, rotating, now)
    for chore in chores:
        if chore.rotates and turns.get(chore.id) != child.id:
            continue  # not this child's turn
        if chore.is_pool:
            if len(pool) < MAX_LIST and any(slot.state_at(now) == AVAILABLE for slot in chore.slots):
                pool.append({"chore": chore.json(child, now), "assignment": None, "assignment_id": None})
            continue
        mine = [slot for slot in chore.slots if slot.assignee_id == child.id and slot.state_at(now) == AVAILABLE]
        if mine and len(assigned) < MAX_LIST:
            shown = chore.json(child, now)
            assigned.extend({"chore": shown, "assignment": slot.json(now), "assignment_id": slot.id} for slot in mine)
    # A turn passes by itself at its occurrence's missed_at, as a cooldown ends by itself.
    moments = [changes_by_itself(chores, now), turns_change_at(session, rotating, now)]
    answer = {"assigned": assigned, "pool": pool, "total_count": len(assigned) + len(pool)}
    return answer, min((moment for moment in moments if moment is not None), default=None)


def pending_approvals(
    session: Session, parent: User, *, skip: int = 0, limit: int = MAX_LIST
) -> tuple[list[Json], datetime | None]:
    """schemas.PendingApprovalOut[]: completions waiting for review in the family, oldest first; and
    when that changes by itself (changes_by_itself)."""
    if parent.family_id is None:
        return [], None
    now = clock.now()
    waiting_chores = select(Assignment.chore_id).where(Assignment.state == COMPLETED)
    chores = _load(session, *_family_chores(parent), Chore.id.in_(waiting_chores))
    waiting = sorted(
        ((slot, chore) for chore in chores for slot in chore.slots if slot.state == COMPLETED),
        # NULLs last, as PostgreSQL orders them (a completed assignment always has its moment).
        key=lambda pair: (pair[0].completed_at is None, pair[0].completed_at or now, pair[0].id),
    )
    waiting = waiting[max(skip, 0) : max(skip, 0) + max(1, min(limit, MAX_LIST))]
    shown: dict[int, Json] = {}
    answer = [
        {
            "assignment": slot.json(now),
            "assignment_id": slot.id,
            "chore": shown[chore.id] if chore.id in shown else shown.setdefault(chore.id, chore.json(parent, now)),
            "assignee": {"id": slot.assignee_id, "username": slot.assignee_name},
            "assignee_name": slot.assignee_name,
        }
        for slot, chore in waiting
    ]
    return answer, changes_by_itself(chores, now)


_ONE_CHORE = _ROWS.where(Chore.id == bindparam("chore_id"))


def changed(session: Session, viewer: User, chore_id: int, assignment_id: int) -> tuple[Json, Json]:
    """schemas.ChoreOut of a chore for this viewer and schemas.AssignmentOut of one of its
    assignments, as committed: the answer to a change of that assignment (complete, take back,
    approve, reject), the very JSON schemas.present_chore and present_assignment give."""
    now = clock.now()
    # After the change's commit: on a connection of its own outside a transaction (one round trip
    # on PostgreSQL, and the session, with no transaction left to roll back, closes without one).
    with reading_connection(session.get_bind().engine) as connection:
        chore = _chores_of(connection.execute(_ONE_CHORE, {"chore_id": chore_id}))[0]
    slot = next(slot for slot in chore.slots if slot.id == assignment_id)
    return chore.json(viewer, now), slot.json(now)
