"""backfill chores.schedule and the occurrences of open assignments

Every existing recurring chore becomes an "after completion" schedule with its cooldown's days
(the rule it has followed until now); every one-off chore a "once" schedule without a due date.
Every open assignment of a recurring chore gets its occurrence: one waiting for review is "done"
(with its completion), one cooling down is "upcoming" (due from the end of its cooldown), one
available now is "due". Dates are the UTC date of those instants: every family from before
revision 0013 is in UTC. Each row says so (chore_occurrences.timezone keeps its default 'UTC'):
for a family that has changed its zone since, the time step times the ones not yet due again in
the family's zone (occurrences.retime).
Balances, histories and pending approvals are untouched: only chores.schedule,
chores.schedule_start and chore_occurrences are written. Chores the previous release writes
during the rollout keep NULL here and are read the same way by the code (occurrences.schedule_of).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 13:30:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False

chores = sa.table(
    "chores",
    sa.column("id", sa.Integer()),
    sa.column("family_id", sa.Integer()),
    sa.column("is_recurring", sa.Boolean()),
    sa.column("cooldown_days", sa.Integer()),
    sa.column("assignment_mode", sa.String()),
    sa.column("deleted_at", sa.DateTime()),
    sa.column("created_at", sa.DateTime()),
    sa.column("schedule", sa.Text()),
    sa.column("schedule_start", sa.DateTime()),
)
assignments = sa.table(
    "chore_assignments",
    sa.column("id", sa.Integer()),
    sa.column("chore_id", sa.Integer()),
    sa.column("assignee_id", sa.Integer()),
    sa.column("state", sa.String()),
    sa.column("completed_at", sa.DateTime()),
    sa.column("available_at", sa.DateTime()),
)
completions = sa.table(
    "chore_completions",
    sa.column("id", sa.Integer()),
    sa.column("assignment_id", sa.Integer()),
    sa.column("status", sa.String()),
)
occurrences = sa.table(
    "chore_occurrences",
    sa.column("chore_id", sa.Integer()),
    sa.column("family_id", sa.Integer()),
    sa.column("lane", sa.Integer()),
    sa.column("child_id", sa.Integer()),
    sa.column("due_on", sa.Date()),
    sa.column("due_from", sa.DateTime()),
    sa.column("due_at", sa.DateTime()),
    sa.column("overdue_at", sa.DateTime()),
    sa.column("missed_at", sa.DateTime()),
    sa.column("state", sa.String()),
    sa.column("completion_id", sa.Integer()),
    sa.column("missed_penalty_cents", sa.BigInteger()),
    sa.column("created_at", sa.DateTime()),
    sa.column("updated_at", sa.DateTime()),
)


def _day(instant: sa.ColumnElement, dialect: str) -> sa.ColumnElement:
    """The UTC date of a stored (naive UTC) instant."""
    if dialect == "postgresql":
        return sa.cast(instant, sa.Date())
    return sa.func.date(instant)


def _next_midnight(instant: sa.ColumnElement, dialect: str) -> sa.ColumnElement:
    """The start of the UTC day after the instant's: when a date-only occurrence of that day is due."""
    if dialect == "postgresql":
        return sa.cast(sa.cast(instant, sa.Date()) + 1, sa.DateTime())
    if dialect == "sqlite":
        # As SQLAlchemy stores a DATETIME on SQLite, so that it compares as text with the app's values.
        return sa.func.strftime("%Y-%m-%d 00:00:00.000000", instant, "+1 day")
    return sa.cast(sa.func.date_add(sa.func.date(instant), sa.text("INTERVAL 1 DAY")), sa.DateTime())


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    # Naive UTC, as the app stores times (a database's own now() follows its session time zone).
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    after_completion = (
        sa.literal('{"kind":"after_completion","interval":', sa.String())
        + sa.cast(sa.func.coalesce(chores.c.cooldown_days, 0), sa.String())
        + sa.literal("}", sa.String())
    )
    op.execute(
        chores.update()
        .where(chores.c.schedule.is_(None), chores.c.is_recurring.is_(True))
        .values(schedule=after_completion, schedule_start=chores.c.created_at)
    )
    op.execute(
        chores.update()
        .where(chores.c.schedule.is_(None), chores.c.is_recurring.is_(False))
        .values(schedule='{"kind":"once"}', schedule_start=chores.c.created_at)
    )

    lane = sa.case((chores.c.assignment_mode == "unassigned", 0), else_=assignments.c.assignee_id)
    pending = (
        sa.select(sa.func.max(completions.c.id))
        .where(completions.c.assignment_id == assignments.c.id, completions.c.status == "pending")
        .scalar_subquery()
    )
    not_there_yet = ~sa.exists(
        sa.select(occurrences.c.chore_id).where(occurrences.c.chore_id == chores.c.id, occurrences.c.lane == lane)
    )
    columns = [
        "chore_id", "family_id", "lane", "child_id", "due_on", "due_from", "due_at", "overdue_at",
        "missed_at", "state", "completion_id", "missed_penalty_cents", "created_at", "updated_at",
    ]  # fmt: skip
    recurring = [
        chores.c.is_recurring.is_(True),
        chores.c.deleted_at.is_(None),
        lane.is_not(None),
    ]

    def insert(base: sa.ColumnElement, state: sa.ColumnElement, completion: sa.ColumnElement, *where: object) -> None:
        select = (
            sa.select(
                chores.c.id,
                chores.c.family_id,
                lane,
                assignments.c.assignee_id,
                _day(base, dialect),
                base,
                _next_midnight(base, dialect),
                _next_midnight(base, dialect),
                sa.null(),
                state,
                completion,
                sa.literal(0, sa.BigInteger()),
                sa.literal(now, sa.DateTime()),
                sa.literal(now, sa.DateTime()),
            )
            .select_from(assignments.join(chores, chores.c.id == assignments.c.chore_id))
            .where(*recurring, not_there_yet, *where)
        )
        op.execute(occurrences.insert().from_select(columns, select))

    # Waiting for review: done, with its completion.
    insert(assignments.c.completed_at, sa.literal("done"), pending, assignments.c.state == "completed")
    # Approved: due again when its cooldown ends (upcoming until then).
    insert(
        assignments.c.available_at,
        sa.case((assignments.c.available_at > now, "upcoming"), else_="due"),
        sa.null(),
        assignments.c.state == "approved",
        assignments.c.available_at.is_not(None),
    )
    # Available now: due today.
    today = now.replace(hour=0, minute=0, second=0)
    midnight = today + timedelta(days=1)
    op.execute(
        occurrences.insert().from_select(
            columns,
            sa.select(
                chores.c.id,
                chores.c.family_id,
                lane,
                assignments.c.assignee_id,
                sa.literal(today.date(), sa.Date()),
                sa.literal(now, sa.DateTime()),
                sa.literal(midnight, sa.DateTime()),
                sa.literal(midnight, sa.DateTime()),
                sa.null(),
                sa.literal("due"),
                sa.null(),
                sa.literal(0, sa.BigInteger()),
                sa.literal(now, sa.DateTime()),
                sa.literal(now, sa.DateTime()),
            )
            .select_from(assignments.join(chores, chores.c.id == assignments.c.chore_id))
            .where(*recurring, not_there_yet, assignments.c.state == "available"),
        )
    )


def downgrade() -> None:
    # The rows and columns go with 0014's and 0015's downgrades.
    pass
