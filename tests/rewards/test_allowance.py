"""The weekly or monthly allowance: credited by the time step once per period, at the family-local
payday, missed periods caught up once each, safe with runners at once (PostgreSQL and MariaDB)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from chores_tracker import clock
from chores_tracker.chores.timestep import TimeStepSummary, run_time_step
from chores_tracker.identity.models import User
from chores_tracker.rewards import allowance
from chores_tracker.rewards.schemas import AllowanceIn
from tests.support.api import Api, Person
from tests.support.family import family
from tests.support.time_step import run_time_steps_at_once

MONDAY = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)


def set_allowance(app, parent: Person, kid: Person, when: datetime, **fields: object) -> None:
    with app.state.session_factory() as session, clock.told(when):
        allowance.set_allowance(session, session.get(User, parent.id), kid.id, AllowanceIn(**fields))


def tick(app, at: datetime) -> TimeStepSummary:
    return run_time_step(app.state.session_factory, at)


def credited(app, kid: Person) -> list[tuple[int, str]]:
    from chores_tracker.ledger.models import LedgerEntry

    with app.state.session_factory() as session:
        return [
            (cents, note)
            for cents, note in session.execute(
                select(LedgerEntry.amount_cents, LedgerEntry.note)
                .where(LedgerEntry.child_id == kid.id, LedgerEntry.note.like("Allowance%"))
                .order_by(LedgerEntry.id)
            )
        ]


def test_a_weekly_allowance_is_credited_at_the_family_local_time_once(app, api: Api):
    home = family(api, kids=1)
    kid = home.kids[0]
    assert api.put("/families/timezone", home.parent, json={"timezone": "America/New_York"}).status_code == 200
    set_allowance(app, home.parent, kid, MONDAY, amount="2.50", period="week", weekday=4, at=time(18, 0))
    friday_6pm_new_york = datetime(2027, 1, 8, 23, 0, tzinfo=UTC)
    assert tick(app, friday_6pm_new_york - timedelta(minutes=1)).allowances == 0
    assert tick(app, friday_6pm_new_york).allowances == 1
    assert tick(app, friday_6pm_new_york + timedelta(hours=1)).allowances == 0
    assert credited(app, kid) == [(250, "Allowance for the week of 2027-01-08")]
    # The worker was down for three weeks: each missed Friday once, at the next run.
    summary = tick(app, datetime(2027, 1, 30, 12, 0, tzinfo=UTC))
    assert (summary.allowances, summary.allowance_cents) == (3, 750)
    assert tick(app, datetime(2027, 1, 30, 12, 0, tzinfo=UTC)).allowances == 0
    assert [note for _, note in credited(app, kid)][1:] == [
        "Allowance for the week of 2027-01-15",
        "Allowance for the week of 2027-01-22",
        "Allowance for the week of 2027-01-29",
    ]
    assert api.get("/users/me/balance", kid).json()["balance"] == 10
    feed = api.get("/activities/recent", kid, params={"activity_type": "allowance_credited"}).json()
    assert feed["total_count"] == 4
    assert "allowance_credited" in [n["event"] for n in api.get("/notifications", kid).json()["notifications"]]


def test_day_31_of_a_monthly_allowance_is_each_months_last_day(app, api: Api):
    home = family(api, kids=1)
    kid = home.kids[0]
    set_allowance(app, home.parent, kid, datetime(2027, 1, 10, tzinfo=UTC), amount=5, period="month", day_of_month=31)
    assert tick(app, datetime(2027, 2, 28, 7, 59, tzinfo=UTC)).allowances == 1  # January 31 only
    assert tick(app, datetime(2027, 2, 28, 8, 0, tzinfo=UTC)).allowances == 1  # February 28, 08:00
    assert tick(app, datetime(2027, 5, 1, tzinfo=UTC)).allowances == 2  # March 31, April 30
    assert [note for _, note in credited(app, kid)] == [
        "Allowance for January 2027",
        "Allowance for February 2027",
        "Allowance for March 2027",
        "Allowance for April 2027",
    ]


def test_changing_an_allowance_never_credits_a_period_twice(app, api: Api):
    home = family(api, kids=1)
    kid = home.kids[0]
    set_allowance(app, home.parent, kid, MONDAY, amount=1, period="week", weekday=0, at=time(9, 0))
    assert tick(app, MONDAY + timedelta(hours=2)).allowances == 1  # Monday 09:00
    # Moved to Wednesday of the same week: that week was credited already.
    set_allowance(app, home.parent, kid, MONDAY + timedelta(hours=3), amount=3, period="week", weekday=2)
    assert tick(app, MONDAY + timedelta(days=3)).allowances == 0
    assert tick(app, MONDAY + timedelta(days=9)).allowances == 1  # the next Wednesday, at 3
    assert [cents for cents, _ in credited(app, kid)] == [100, 300]


def test_a_parent_sets_reads_and_stops_an_allowance_through_the_api(api: Api):
    home = family(api, kids=1)
    kid = home.kids[0]
    weekly = {"amount": "3.00", "period": "week", "weekday": 5, "at": "10:30"}
    assert api.put(f"/allowances/{kid.id}", kid, json=weekly).status_code == 403
    assert api.put(f"/allowances/{kid.id}", home.parent, json={**weekly, "weekday": None}).status_code == 422
    assert api.put(f"/allowances/{kid.id}", home.parent, json={**weekly, "day_of_month": 3}).status_code == 422
    made = api.put(f"/allowances/{kid.id}", home.parent, json=weekly)
    assert made.status_code == 200, made.text
    assert made.json()["amount"] == 3 and made.json()["at"] == "10:30" and made.json()["next_payday"]
    assert [a["child_id"] for a in api.get("/allowances", home.parent).json()] == [kid.id]
    assert api.delete(f"/allowances/{kid.id}", home.parent).status_code == 204
    assert api.get("/allowances", home.parent).json() == []
    assert api.delete(f"/allowances/{kid.id}", home.parent).status_code == 404
    other = api.parent(family_name="Others")
    assert api.put(f"/allowances/{kid.id}", other, json=weekly).status_code == 404


def test_runners_at_once_credit_each_period_once(server_app):
    from chores_tracker.ledger.models import LedgerEntry
    from chores_tracker.rewards.models import AllowanceRun

    api = Api(TestClient(server_app))
    homes = [family(api, kids=2) for _ in range(2)]
    for home in homes:
        for kid in home.kids:
            set_allowance(server_app, home.parent, kid, MONDAY, amount=1, period="week", weekday=0, at=time(9, 0))
    for weeks in (1, 3, 8):
        at = MONDAY + timedelta(weeks=weeks)
        results = run_time_steps_at_once(server_app.state.session_factory, at)
        expected = 4 * weeks  # four children, a Monday 09:00 each week (the step runs at 08:00)
        with server_app.state.session_factory() as session:
            runs = session.scalar(select(func.count()).select_from(AllowanceRun))
            entries = session.execute(
                select(func.count(), func.sum(LedgerEntry.amount_cents)).where(LedgerEntry.note.like("Allowance%"))
            ).one()
        assert runs == expected and tuple(entries) == (expected, 100 * expected)
        assert sum(result.allowances for result in results) <= expected


def test_the_payday_keeps_its_local_time_across_daylight_saving_and_waits_for_a_deactivated_child(app, api: Api):
    home = family(api, kids=1)
    kid = home.kids[0]
    assert api.put("/families/timezone", home.parent, json={"timezone": "America/New_York"}).status_code == 200
    set_allowance(app, home.parent, kid, datetime(2027, 3, 1, tzinfo=UTC), amount=1, period="week", weekday=6)
    # Sunday 7 March 08:00 EST is 13:00 UTC; Sunday 14 March 08:00 EDT (clocks went forward) is 12:00 UTC.
    assert tick(app, datetime(2027, 3, 7, 12, 59, tzinfo=UTC)).allowances == 0
    assert tick(app, datetime(2027, 3, 7, 13, 0, tzinfo=UTC)).allowances == 1
    assert tick(app, datetime(2027, 3, 14, 11, 59, tzinfo=UTC)).allowances == 0
    assert tick(app, datetime(2027, 3, 14, 12, 0, tzinfo=UTC)).allowances == 1
    assert api.post(f"/users/children/{kid.id}/deactivate", home.parent).status_code == 200
    assert tick(app, datetime(2027, 3, 29, tzinfo=UTC)).allowances == 0
    assert api.post(f"/users/children/{kid.id}/reactivate", home.parent).status_code == 200
    assert tick(app, datetime(2027, 3, 29, tzinfo=UTC)).allowances == 2  # 21 and 28 March, once each
    assert len(credited(app, kid)) == 4
