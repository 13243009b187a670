"""A demo family to look around in: `chores-tracker demo` (and `./scripts/run --demo`).

Two parents, three children of different ages, and three weeks of family life: chores done,
approved, sent back and done again, bonuses, a penalty, weekly payouts, and today's work waiting
for a parent's review. Everything is made by the same service functions the API and the pages
call, so the demo holds only what the app itself could have written; the history is written by
running them at past instants (`clock.told`).

The demo's usernames are fixed, so a second run cannot make a second demo family or touch the
first: when any of them is taken it refuses and changes nothing. It refuses a production
environment too: the demo's password is printed and the same everywhere.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from chores_tracker import clock
from chores_tracker.chores import lifecycle
from chores_tracker.chores import service as chores
from chores_tracker.chores.models import AssignmentMode
from chores_tracker.chores.schemas import ChoreCreate
from chores_tracker.errors import Conflict, DomainError, InvalidInput
from chores_tracker.families import service as families
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User
from chores_tracker.identity.schemas import ChildCreateIn, RegisterIn
from chores_tracker.ledger import service as ledger
from chores_tracker.ledger.schemas import AdjustmentCreate, PayoutCreate
from chores_tracker.settings import Settings, SignupMode

PASSWORD = "demo-chores-2026"  # noqa: S105 (printed for anyone to use: why production refuses the demo)
FAMILY_NAME = "The Rivera family (demo)"
OWNER = "demo-ana"
SECOND_PARENT = "demo-marco"
# Oldest first. The chores below suit their ages: the lawn for the oldest, the cat for the youngest.
CHILDREN = {"demo-sofia": 14, "demo-leo": 10, "demo-mia": 6}
USERNAMES = (OWNER, SECOND_PARENT, *CHILDREN)
DAYS_OF_HISTORY = 21
# Children do their chores after school; parents review in the evening, when they are done.
DONE_AT = time(16, 30)
REVIEWED_AT = time(19, 30)
LATE_EVENING = time(20, 30)


class DemoRefused(Conflict):
    """The demo was not made, and nothing was written."""


@dataclass(frozen=True)
class _Chore:
    title: str
    description: str
    doers: tuple[str, ...]  # children's usernames; none: the pool, any child
    reward: str | None = None
    reward_range: tuple[str, str] | None = None
    cooldown_days: int | None = None  # recurring when set
    chance: float = 0.8  # of being done on a day it can be


CHORES = (
    _Chore(
        "Make your bed", "Duvet straight, pillows up.", ("demo-sofia", "demo-leo", "demo-mia"), "0.25", cooldown_days=0
    ),
    _Chore("Feed the cat", "Half a scoop in the morning, fresh water.", ("demo-mia",), "0.50", cooldown_days=0),
    _Chore(
        "Empty the dishwasher",
        "Cutlery in the drawer, glasses on the shelf.",
        ("demo-sofia", "demo-leo"),
        "1.00",
        cooldown_days=0,
        chance=0.5,
    ),
    _Chore("Tidy your room", "Floor clear, clothes in the basket.", ("demo-leo", "demo-mia"), "1.50", cooldown_days=6),
    _Chore(
        "Take out the recycling", "Paper, glass and cans on Tuesday night.", ("demo-sofia",), "2.00", cooldown_days=6
    ),
    _Chore(
        "Mow the lawn",
        "Front and back; empty the grass box.",
        ("demo-sofia",),
        reward_range=("5.00", "10.00"),
        cooldown_days=6,
    ),
    _Chore("Water the plants", "The balcony pots and the herbs.", (), "0.75", cooldown_days=2),
    _Chore("Wash the car", "Outside only; the sponge is in the garage.", (), reward_range=("3.00", "6.00")),
    _Chore("Sort the garage shelves", "Tools on the left, sports things on the right.", (), "4.00", chance=0.0),
)

# Why a parent sends a chore back, by chore; any other: the first.
SENT_BACK_REASONS = {
    "": "Not finished yet: have another look and try again.",
    "Feed the cat": "The cat's water bowl is still empty.",
    "Tidy your room": "Clothes are still on the floor.",
    "Empty the dishwasher": "The plates are still in the dishwasher.",
    "Make your bed": "The duvet is still on the floor.",
}


@dataclass
class DemoFamily:
    family_id: int
    logins: dict[str, str]  # username -> who it is
    password: str = PASSWORD
    counts: dict[str, int] = field(default_factory=dict)


def _at(day: datetime, when: time, minutes: int = 0) -> datetime:
    return datetime.combine(day.date(), when, tzinfo=day.tzinfo) + timedelta(minutes=minutes)


LOGINS = {
    OWNER: "parent, owns the family",
    SECOND_PARENT: "parent",
    **{name: f"child, {age}" for name, age in CHILDREN.items()},
}


def logins_text() -> str:
    rows = [f"  {username:<12} {who}" for username, who in LOGINS.items()]
    return "\n".join([f"Log in as any of them, password {PASSWORD}:", *rows])


def _taken(session: Session) -> list[str]:
    return [name for name in USERNAMES if identity.find_by_username(session, name) is not None]


def is_there(session: Session) -> bool:
    """Whether every demo account exists: the demo family made by an earlier run."""
    return len(_taken(session)) == len(USERNAMES)


def _refuse_unless_possible(session: Session, settings: Settings) -> None:
    if settings.is_production:
        raise DemoRefused("the demo family is for trying the app out, not for production (ENVIRONMENT=production)")
    try:
        identity.check_password_rules(PASSWORD, settings)
    except InvalidInput as refused:
        # Found before anything is written: a demo stopped halfway would be a family no one can tidy.
        raise DemoRefused(
            f"the demo password {PASSWORD!r} does not meet this server's rules: {refused.message}"
        ) from None
    taken = _taken(session)
    if taken:
        raise DemoRefused(
            f"the demo's usernames are taken ({', '.join(taken)}): a demo family is already here, "
            f"or someone uses these names. Nothing was changed; log in as {OWNER} (password {PASSWORD})"
        )


def create_demo_family(session: Session, settings: Settings, *, now: datetime | None = None) -> DemoFamily:
    """The demo family, with DAYS_OF_HISTORY days of history up to `now` (the clock's by default)."""
    _refuse_unless_possible(session, settings)
    now = now or clock.now()
    start = now - timedelta(days=DAYS_OF_HISTORY)
    # Whoever runs the command makes the accounts, whatever SIGNUP_MODE says about strangers.
    makers = settings.model_copy(update={"signup_mode": SignupMode.open})
    counts = dict.fromkeys(("completed", "approved", "sent_back", "adjustments", "payouts"), 0)

    def parent(username: str, email: str) -> User:
        return identity.register_parent(session, makers, RegisterIn(username=username, password=PASSWORD, email=email))

    with clock.told(_at(start, time(9, 0))):
        ana = parent(OWNER, "ana@example.com")
    with clock.told(_at(start, time(9, 2))):
        family = families.create_family(
            session, ana, FAMILY_NAME, invite_days=settings.invite_code_default_days, currency=settings.currency
        )
    with clock.told(_at(start, time(9, 10))):
        marco = parent(SECOND_PARENT, "marco@example.com")
    with clock.told(_at(start, time(9, 12))):
        families.join_family(session, marco, family.invite_code or "")
    # The join is a conditional UPDATE; the app reads its user again on the next request, as here.
    session.refresh(marco)
    kids: dict[str, User] = {}
    for minute, username in enumerate(CHILDREN):
        with clock.told(_at(start, time(9, 20), minute)):
            kids[username] = families.add_child(
                session, makers, ana, ChildCreateIn(username=username, password=PASSWORD)
            )
    made = {}
    for minute, spec in enumerate(CHORES):
        data = ChoreCreate(
            title=spec.title,
            description=spec.description,
            reward=Decimal(spec.reward) if spec.reward else None,
            is_range_reward=spec.reward_range is not None,
            min_reward=Decimal(spec.reward_range[0]) if spec.reward_range else None,
            max_reward=Decimal(spec.reward_range[1]) if spec.reward_range else None,
            is_recurring=spec.cooldown_days is not None,
            cooldown_days=spec.cooldown_days,
            assignment_mode=(
                AssignmentMode.unassigned
                if not spec.doers
                else AssignmentMode.single
                if len(spec.doers) == 1
                else AssignmentMode.multi_independent
            ),
            assignee_ids=[kids[name].id for name in spec.doers],
        )
        with clock.told(_at(start, time(9, 30), minute)):
            made[spec.title] = chores.create_chore(session, ana, data)

    # A seeded generator: every demo family has the same weeks (and the same figures to test).
    rng = random.Random(17)  # noqa: S311 (picks who does which chore, guards nothing)
    reviewers = (ana, marco)

    def a_day(after_school: datetime, evening: datetime | None) -> None:
        """The children's chores from `after_school` on; a parent reviews them all in the `evening`."""
        waiting: list[tuple[int, _Chore, User, datetime]] = []
        minute = 0
        for spec in CHORES:
            for name in spec.doers or (rng.choice(tuple(CHILDREN)),):
                if rng.random() >= spec.chance:
                    continue
                minute += 3
                done_at = after_school + timedelta(minutes=minute)
                chore_id = made[spec.title].id
                try:
                    with clock.told(done_at):
                        result = lifecycle.complete_chore(session, kids[name], chore_id)
                except DomainError:
                    continue  # cooling down, or a pool chore another child holds: as the app would say
                counts["completed"] += 1
                waiting.append((result.assignment.id, spec, kids[name], done_at))
        if evening is None:
            return
        for minute, (assignment_id, spec, _child, _done_at) in enumerate(waiting):
            reviewer = rng.choice(reviewers)
            at = evening + timedelta(minutes=minute)
            if rng.random() < 0.1:
                reason = SENT_BACK_REASONS.get(spec.title, SENT_BACK_REASONS[""])
                with clock.told(at):
                    lifecycle.reject_assignment(session, reviewer, assignment_id, reason)
                counts["sent_back"] += 1
                continue
            value = None
            if spec.reward_range:
                low, high = (int(Decimal(bound)) for bound in spec.reward_range)
                value = Decimal(rng.randint(low, high))
            with clock.told(at):
                lifecycle.approve_assignment(session, reviewer, assignment_id, value)
            counts["approved"] += 1

    def adjust(day: datetime, child: str, amount: str, reason: str, by: User = ana) -> None:
        data = AdjustmentCreate(child_id=kids[child].id, amount=Decimal(amount), reason=reason)
        with clock.told(_at(day, time(20, 0))):
            ledger.create_adjustment(session, by, data)
        counts["adjustments"] += 1

    def pay_out(day: datetime) -> None:
        """Sunday pocket money: the whole dollars each child is owed."""
        owed = ledger.balances_until(session, [kid.id for kid in kids.values()], None)
        for minute, kid in enumerate(kids.values()):
            dollars = owed.get(kid.id, 0) // 100
            if dollars:
                data = PayoutCreate(child_id=kid.id, amount=Decimal(dollars), note="Sunday pocket money")
                with clock.told(_at(day, time(10, 0), minute)):
                    ledger.create_payout(session, marco, data)
                counts["payouts"] += 1

    for offset in range(1, DAYS_OF_HISTORY):
        day = start + timedelta(days=offset)
        if day.weekday() == 6 and offset > 7:
            pay_out(day)
        a_day(_at(day, DONE_AT), _at(day, REVIEWED_AT))
        if offset == 5:
            adjust(day, "demo-sofia", "3.00", "Helped Grandma plant the vegetable garden")
        if offset == 9:
            adjust(day, "demo-leo", "-1.00", "Left his bike out in the rain again", by=marco)
        if offset == 12:
            adjust(day, "demo-leo", "5.00", "Great school report")
        if offset == 16:
            adjust(day, "demo-mia", "2.00", "Read a whole book by herself", by=marco)
    # Chores done and not reviewed yet, so the approval queue has work: this afternoon's once the
    # children are back from school, before that last night's, after the parents' review.
    today = _at(now, DONE_AT)
    a_day(today if now >= today + timedelta(hours=1) else _at(now - timedelta(days=1), LATE_EVENING), None)
    return DemoFamily(
        family_id=family.id,
        logins=LOGINS,
        counts=counts,
    )
