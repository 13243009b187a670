"""The rewards catalogue and the children's claims. No HTTP.

A claim reserves its cost at once: a child's available money is its ledger balance minus the costs
of its pending claims. Claims of one child take turns (the child's row is locked, FOR NO KEY UPDATE
on PostgreSQL, as ledger.create_payout does; on MySQL/MariaDB the family's revision is bumped
first, db/revisions.py), so two claims that together exceed the available money cannot both pass
the check. Stock is taken with one conditional UPDATE (... WHERE stock > 0) and given back when a
claim is declined or cancelled. Approving, declining and cancelling are conditional UPDATEs from
pending: of an approval and a cancellation racing, exactly one changes the row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from chores_tracker import clock, timezones
from chores_tracker.activity import service as activity
from chores_tracker.activity.models import ActivityType
from chores_tracker.db.engine import rows_changed
from chores_tracker.errors import Conflict, NotFound
from chores_tracker.families.models import Family
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User
from chores_tracker.ledger import service as ledger
from chores_tracker.money import from_cents_or_zero, to_cents
from chores_tracker.periods import add_months, month_start, week_start
from chores_tracker.rewards.models import AllowanceRun, ClaimStatus, LimitPeriod, Reward, RewardClaim
from chores_tracker.rewards.schemas import RewardCreate, RewardUpdate

MAX_PAGE = 200


@dataclass(frozen=True)
class Money:
    """A child's money as rewards see it, in cents."""

    balance_cents: int
    reserved_cents: int

    @property
    def available_cents(self) -> int:
        return self.balance_cents - self.reserved_cents


def _family_id(user: User) -> int:
    if user.family_id is None:
        raise NotFound("you are not in a family yet")
    return user.family_id


def lock_child(session: Session, child_id: int) -> None:
    """The child's money decisions take turns from here to the commit. SQLite has no row locks and
    reads outside a transaction until the first write: a write that changes nothing takes the
    database's write lock first, so the reads after it see every claim committed before."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE users SET id = id WHERE id = :child_id"), {"child_id": child_id})
        return
    session.execute(select(User.id).where(User.id == child_id).with_for_update(key_share=True))


def reserved(session: Session, child_ids: Iterable[int]) -> dict[int, int]:
    ids = list(child_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(RewardClaim.child_id, func.coalesce(func.sum(RewardClaim.cost_cents), 0))
        .where(RewardClaim.child_id.in_(ids), RewardClaim.status == ClaimStatus.pending.value)
        .group_by(RewardClaim.child_id)
    )
    return {child_id: int(cents) for child_id, cents in rows}


def money_of(session: Session, child_id: int) -> Money:
    balance = ledger.balances_until(session, [child_id], None).get(child_id, 0)
    return Money(balance, reserved(session, [child_id]).get(child_id, 0))


def period_bounds(period: str, now: datetime, zone_name: str | None) -> tuple[datetime, datetime]:
    """The week (Monday to Sunday) or month around `now` in the zone, as UTC instants [start, end)."""
    zone = timezones.zone(zone_name)
    today = now.astimezone(zone).date()
    if period == LimitPeriod.week.value:
        first = week_start(today)
        after = first + timedelta(days=7)
    else:
        first = month_start(today)
        after = add_months(first, 1)
    return (
        datetime.combine(first, time.min, tzinfo=zone).astimezone(UTC),
        datetime.combine(after, time.min, tzinfo=zone).astimezone(UTC),
    )


def entries_of_rewards(session: Session, entry_ids: Iterable[int]) -> dict[int, str]:
    """Which of these ledger entries are the rewards domain's, and what: "reward" (a claim's
    debit) or "allowance" (a period's credit). Both are adjustments in the ledger."""
    ids = list(entry_ids)
    if not ids:
        return {}
    found = {
        int(entry_id): "reward"
        for entry_id in session.scalars(select(RewardClaim.ledger_entry_id).where(RewardClaim.ledger_entry_id.in_(ids)))
        if entry_id is not None
    }
    found.update(
        {
            int(entry_id): "allowance"
            for entry_id in session.scalars(
                select(AllowanceRun.ledger_entry_id).where(AllowanceRun.ledger_entry_id.in_(ids))
            )
            if entry_id is not None
        }
    )
    return found


# -- the catalogue ---------------------------------------------------------------------------------


def list_rewards(session: Session, user: User) -> list[Reward]:
    """The family's catalogue: a parent sees every reward, a child the active ones."""
    if user.family_id is None:
        return []
    query = select(Reward).where(Reward.family_id == user.family_id)
    if not user.is_parent:
        query = query.where(Reward.is_active.is_(True))
    return list(session.scalars(query.order_by(Reward.cost_cents, Reward.id)))


def _reward(session: Session, user: User, reward_id: int) -> Reward:
    reward = session.get(Reward, reward_id)
    if reward is None or user.family_id is None or reward.family_id != user.family_id:
        raise NotFound("reward not found")
    if not user.is_parent and not reward.is_active:
        raise NotFound("reward not found")
    return reward


def create_reward(session: Session, parent: User, data: RewardCreate) -> Reward:
    reward = Reward(
        family_id=_family_id(parent),
        title=data.title,
        cost_cents=to_cents(data.cost),
        stock=data.stock,
        limit_count=data.limit_count,
        limit_period=data.limit_period,
        is_active=data.is_active,
        created_by=parent.id,
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    session.add(reward)
    session.commit()
    return reward


def update_reward(session: Session, parent: User, reward_id: int, data: RewardUpdate) -> Reward:
    """Changes what is given; pending claims keep the title and cost they were made with."""
    reward = _reward(session, parent, reward_id)
    given = data.model_fields_set
    if "title" in given and data.title is not None:
        reward.title = data.title
    if "cost" in given and data.cost is not None:
        reward.cost_cents = to_cents(data.cost)
    if "stock" in given:
        reward.stock = data.stock
    if "limit_count" in given:
        reward.limit_count, reward.limit_period = data.limit_count, data.limit_period
    if "is_active" in given and data.is_active is not None:
        reward.is_active = data.is_active
    reward.updated_at = clock.now()
    session.commit()
    return reward


# -- claims ----------------------------------------------------------------------------------------


def claim(session: Session, child: User, reward_id: int) -> RewardClaim:
    """The child claims a reward: its cost is reserved and one of its stock taken, or 409 (not
    enough available money, none left, the limit reached for the period)."""
    family_id = _family_id(child)
    reward = _reward(session, child, reward_id)
    title = reward.title
    lock_child(session, child.id)
    money = money_of(session, child.id)
    if reward.cost_cents > money.available_cents:
        session.rollback()  # releases the lock now rather than when the request ends
        raise Conflict(
            f"not enough money: {title!r} costs {from_cents_or_zero(reward.cost_cents):.2f} and "
            f"{from_cents_or_zero(max(money.available_cents, 0)):.2f} is available"
        )
    now = clock.now()
    if reward.limit_count is not None and reward.limit_period is not None:
        family = session.get(Family, family_id)
        start, end = period_bounds(reward.limit_period, now, family.timezone if family else None)
        taken = session.scalar(
            select(func.count())
            .select_from(RewardClaim)
            .where(
                RewardClaim.reward_id == reward.id,
                RewardClaim.child_id == child.id,
                RewardClaim.status.in_([ClaimStatus.pending.value, ClaimStatus.approved.value]),
                RewardClaim.created_at >= start,
                RewardClaim.created_at < end,
            )
        )
        if (taken or 0) >= reward.limit_count:
            session.rollback()
            raise Conflict(f"{reward.title!r} can be claimed {reward.limit_count} times a {reward.limit_period}")
    if reward.stock is not None:
        taken_one = session.execute(
            update(Reward).where(Reward.id == reward.id, Reward.stock > 0).values(stock=Reward.stock - 1)
        )
        if rows_changed(taken_one) == 0:
            session.rollback()
            raise Conflict(f"{reward.title!r} is out of stock")
    made = RewardClaim(
        family_id=family_id,
        reward_id=reward.id,
        child_id=child.id,
        reward_title=reward.title,
        cost_cents=reward.cost_cents,
        status=ClaimStatus.pending.value,
        created_at=now,
    )
    session.add(made)
    activity.record(
        session,
        family_id=family_id,
        actor=child,
        activity_type=ActivityType.reward_claimed,
        description=f"{child.name} claimed {reward.title!r} for {from_cents_or_zero(reward.cost_cents):.2f}",
        target_user_id=child.id,
        amount_cents=reward.cost_cents,
        note=reward.title,
    )
    session.commit()
    return made


def list_claims(
    session: Session, user: User, *, status: str | None = None, child_id: int | None = None
) -> list[RewardClaim]:
    """A parent: the family's claims (or one child's); a child: its own. Newest first."""
    if user.family_id is None:
        return []
    query = select(RewardClaim).where(RewardClaim.family_id == user.family_id)
    if not user.is_parent:
        query = query.where(RewardClaim.child_id == user.id)
    elif child_id is not None:
        query = query.where(RewardClaim.child_id == identity.child_of_family(session, user, child_id).id)
    if status is not None:
        query = query.where(RewardClaim.status == status)
    return list(session.scalars(query.order_by(RewardClaim.created_at.desc(), RewardClaim.id.desc()).limit(MAX_PAGE)))


def _claim(session: Session, user: User, claim_id: int) -> RewardClaim:
    found = session.get(RewardClaim, claim_id)
    if found is None or user.family_id is None or found.family_id != user.family_id:
        raise NotFound("claim not found")
    if not user.is_parent and found.child_id != user.id:
        raise NotFound("claim not found")
    return found


def _decide(session: Session, found: RewardClaim, status: ClaimStatus, by: User, reason: str | None = None) -> None:
    """pending -> status, or 409 when another decision came first."""
    changed = session.execute(
        update(RewardClaim)
        .where(RewardClaim.id == found.id, RewardClaim.status == ClaimStatus.pending.value)
        .values(status=status.value, decided_at=clock.now(), decided_by=by.id, decline_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(changed) == 0:
        session.rollback()
        raise Conflict("this claim has been decided already")
    session.expire(found)


def _give_back_stock(session: Session, reward_id: int) -> None:
    session.execute(
        update(Reward).where(Reward.id == reward_id, Reward.stock.is_not(None)).values(stock=Reward.stock + 1)
    )


def approve(session: Session, parent: User, claim_id: int) -> RewardClaim:
    """The parent approves: one ledger debit of the cost (an adjustment), named by the claim. The
    balance must cover it (a payout or a penalty since the claim may have lowered it): 409 if not."""
    found = _claim(session, parent, claim_id)
    child = identity.child_of_family(session, parent, found.child_id)
    lock_child(session, child.id)
    if found.status != ClaimStatus.pending.value:
        session.rollback()
        raise Conflict("this claim has been decided already")
    balance = ledger.balances_until(session, [child.id], None).get(child.id, 0)
    if balance < found.cost_cents:
        session.rollback()
        raise Conflict(
            f"{child.name}'s balance ({from_cents_or_zero(balance):.2f}) no longer covers "
            f"{from_cents_or_zero(found.cost_cents):.2f}; decline the claim or wait"
        )
    title, cost, claim_id = found.reward_title, found.cost_cents, found.id
    _decide(session, found, ClaimStatus.approved, parent)
    entry = ledger.record_adjustment(
        session,
        family_id=child.family_id or 0,
        child_id=child.id,
        cents=-cost,
        author_id=parent.id,
        note=f"Reward: {title}",
    )
    session.flush()
    session.execute(update(RewardClaim).where(RewardClaim.id == claim_id).values(ledger_entry_id=entry.id))
    activity.record(
        session,
        family_id=entry.family_id,
        actor=parent,
        activity_type=ActivityType.reward_approved,
        description=f"{parent.name} approved {title!r} for {child.name}: -{from_cents_or_zero(cost):.2f}",
        target_user_id=child.id,
        amount_cents=-cost,
        note=title,
        ledger_entry_id=entry.id,
    )
    session.commit()
    return _claim(session, parent, claim_id)


def decline(session: Session, parent: User, claim_id: int, reason: str) -> RewardClaim:
    found = _claim(session, parent, claim_id)
    child = identity.child_of_family(session, parent, found.child_id)
    title, cost, reward_id = found.reward_title, found.cost_cents, found.reward_id
    _decide(session, found, ClaimStatus.declined, parent, reason)
    _give_back_stock(session, reward_id)
    activity.record(
        session,
        family_id=_family_id(parent),
        actor=parent,
        activity_type=ActivityType.reward_declined,
        description=f"{parent.name} declined {title!r} for {child.name}: {reason}",
        target_user_id=child.id,
        amount_cents=cost,
        note=reason,
    )
    session.commit()
    return _claim(session, parent, claim_id)


def cancel(session: Session, child: User, claim_id: int) -> RewardClaim:
    found = _claim(session, child, claim_id)
    title, cost, reward_id = found.reward_title, found.cost_cents, found.reward_id
    _decide(session, found, ClaimStatus.cancelled, child)
    _give_back_stock(session, reward_id)
    activity.record(
        session,
        family_id=_family_id(child),
        actor=child,
        activity_type=ActivityType.reward_cancelled,
        description=f"{child.name} cancelled the claim for {title!r}",
        target_user_id=child.id,
        amount_cents=cost,
        note=title,
    )
    session.commit()
    return _claim(session, child, claim_id)
