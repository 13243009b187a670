"""Savings goals: a child (or a parent for a child) sets a title and a target. No HTTP.

Progress is the child's balance (the ledger's) against the target. The projected date: the rest
(target minus balance) at the recent earning rate, which is what raised the balance in the last 28
days (earnings and positive adjustments: bonuses, allowances, reversals of a penalty or payout)
divided by 28; today in the family's zone plus the days that takes, rounded up. No projection when
nothing was earned in 28 days. Reaching the target is recorded once (reached_at, set by a
conditional UPDATE ... WHERE reached_at IS NULL, with a goal_reached feed row and notification),
by the time step or when a goal is set that the balance already covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from chores_tracker import clock, timezones
from chores_tracker.activity import service as activity
from chores_tracker.activity.models import ActivityType
from chores_tracker.db import revisions
from chores_tracker.db.engine import rows_changed
from chores_tracker.errors import Forbidden, NotFound
from chores_tracker.families.models import Family
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User
from chores_tracker.ledger import service as ledger
from chores_tracker.money import from_cents_or_zero, to_cents
from chores_tracker.rewards.models import SavingsGoal
from chores_tracker.rewards.schemas import GoalCreate

RATE_DAYS = 28
MAX_GOALS = 100


@dataclass(frozen=True)
class Progress:
    goal: SavingsGoal
    saved_cents: int
    daily_rate_cents: int  # rounded down; the projection uses the exact rate
    projected_date: date | None

    @property
    def reached(self) -> bool:
        return self.goal.reached_at is not None or self.saved_cents >= self.goal.target_cents

    @property
    def percent(self) -> int:
        return min(100, self.saved_cents * 100 // self.goal.target_cents) if self.saved_cents > 0 else 0


def progress(goal: SavingsGoal, balance_cents: int, credits_cents: int, today: date) -> Progress:
    saved = max(0, min(balance_cents, goal.target_cents))
    rest = goal.target_cents - balance_cents
    projected = None
    if rest > 0 and goal.reached_at is None and credits_cents > 0:
        days = -(-rest * RATE_DAYS // credits_cents)  # ceil(rest / (credits / 28))
        projected = today + timedelta(days=days)
    return Progress(goal, saved, credits_cents // RATE_DAYS, projected)


def _child_for(session: Session, user: User, child_id: int | None) -> User:
    if user.is_parent:
        if child_id is None:
            raise NotFound("child not found")
        return identity.child_of_family(session, user, child_id)
    if child_id is not None and child_id != user.id:
        raise Forbidden("a child sets its own goals")
    if user.family_id is None:
        raise NotFound("you are not in a family yet")
    return user


def list_goals(session: Session, user: User, child_id: int | None = None) -> list[Progress]:
    """A parent: the family's goals (or one child's); a child: its own. Newest first."""
    if user.family_id is None:
        return []
    query = select(SavingsGoal).where(SavingsGoal.family_id == user.family_id)
    if not user.is_parent:
        query = query.where(SavingsGoal.child_id == user.id)
    elif child_id is not None:
        query = query.where(SavingsGoal.child_id == identity.child_of_family(session, user, child_id).id)
    goals = list(session.scalars(query.order_by(SavingsGoal.created_at.desc(), SavingsGoal.id.desc()).limit(MAX_GOALS)))
    children = {goal.child_id for goal in goals}
    balances = ledger.balances_until(session, children, None)
    now = clock.now()
    earned = {child: ledger.credits_since(session, child, now - timedelta(days=RATE_DAYS)) for child in children}
    family = session.get(Family, user.family_id)
    today = now.astimezone(timezones.zone(family.timezone if family else None)).date()
    return [progress(g, balances.get(g.child_id, 0), earned.get(g.child_id, 0), today) for g in goals]


def create_goal(session: Session, user: User, data: GoalCreate) -> SavingsGoal:
    child = _child_for(session, user, data.child_id)
    goal = SavingsGoal(
        family_id=child.family_id,
        child_id=child.id,
        title=data.title,
        target_cents=to_cents(data.target),
        created_by=user.id,
        created_at=clock.now(),
    )
    session.add(goal)
    session.flush()
    balance = ledger.balances_until(session, [child.id], None).get(child.id, 0)
    if balance >= goal.target_cents:
        _record_reached(session, goal, child)
    session.commit()
    return goal


def delete_goal(session: Session, user: User, goal_id: int) -> None:
    goal = session.get(SavingsGoal, goal_id)
    if goal is None or user.family_id is None or goal.family_id != user.family_id:
        raise NotFound("goal not found")
    if not user.is_parent and goal.child_id != user.id:
        raise NotFound("goal not found")
    session.delete(goal)
    session.commit()


def _record_reached(session: Session, goal: SavingsGoal, child: User) -> bool:
    """Sets reached_at once and writes the feed row; False when another runner was first."""
    changed = session.execute(
        update(SavingsGoal)
        .where(SavingsGoal.id == goal.id, SavingsGoal.reached_at.is_(None))
        .values(reached_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if rows_changed(changed) == 0:
        return False
    session.expire(goal, ["reached_at"])
    activity.record(
        session,
        family_id=goal.family_id,
        actor=child,
        activity_type=ActivityType.goal_reached,
        description=f"{child.name} reached the savings goal {goal.title!r} of {from_cents_or_zero(goal.target_cents):.2f}",
        target_user_id=child.id,
        amount_cents=goal.target_cents,
        note=goal.title,
        by_the_time_step=True,
    )
    return True


def mark_reached(session_factory: sessionmaker[Session], now: datetime) -> int:
    """The time step: every goal not yet reached whose child's balance now covers it is recorded as
    reached, each in its own transaction; of two runners only one records it."""
    with session_factory() as session:
        open_goals = session.execute(
            select(SavingsGoal.id, SavingsGoal.child_id, SavingsGoal.family_id, SavingsGoal.target_cents).where(
                SavingsGoal.reached_at.is_(None)
            )
        ).all()
        balances = ledger.balances_until(session, {row.child_id for row in open_goals}, None)
    reached = 0
    for goal_id, child_id, family_id, target in open_goals:
        if balances.get(child_id, 0) < target:
            continue
        with session_factory() as session:
            revisions.note_family(session, family_id)  # MySQL/MariaDB: the family's row first
            goal = session.get(SavingsGoal, goal_id)
            child = session.get(User, child_id)
            if goal is None or child is None or child.family_id != family_id:
                continue
            if _record_reached(session, goal, child):
                reached += 1
            session.commit()
    return reached
