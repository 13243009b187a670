"""No spam (issue 13 point 5), the daily digest: a member who opted in gets, once per family-local
day at the hour it chose (or as soon after as the time step runs), one notification summarising the
day: chores done, approved, waiting, balances. Exactly once per day even if a tick is missed or two
workers run. With the test clock (explicit instants), on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.support.family import approve, chore, complete, family
from tests.support.receivers import http_receiver

PARIS = ZoneInfo("Europe/Paris")


def digests(app) -> list[tuple[int, str]]:
    from chores_tracker.notifications.models import Notification

    with app.state.session_factory() as session:
        rows = session.execute(
            select(Notification.recipient_id, Notification.text)
            .where(Notification.event == "daily_digest")
            .order_by(Notification.id)
        )
        return [tuple(row) for row in rows]


def send(app, local_day, hour: int, minute: int = 0) -> int:
    from chores_tracker.reports.digest import send_digests

    instant = datetime.combine(local_day, time(hour, minute), tzinfo=PARIS).astimezone(UTC)
    return send_digests(app.state.session_factory, instant)


def test_the_digest_is_written_once_a_day_at_the_chosen_hour(api, app):
    from chores_tracker import clock

    home = family(api, kids=1)
    kid = home.kids[0]
    assert api.put("/families/timezone", home.parent, json={"timezone": "Europe/Paris"}).status_code == 200
    other = api.second_parent(home.parent)  # not opted in
    assert api.get("/notifications/digest", home.parent).json() == {"digest_hour": None}
    assert api.put("/notifications/digest", home.parent, json={"digest_hour": 5}).json() == {"digest_hour": 5}
    assert api.put("/notifications/digest", kid, json={"digest_hour": 5}).status_code == 200
    assert api.put("/notifications/digest", kid, json={"digest_hour": 24}).status_code == 422
    assert api.get("/notifications/digest", kid).json() == {"digest_hour": 5}
    first = complete(api, kid, chore(api, home.parent, title="Dishes", reward="1.25", assignee_ids=[kid.id])["id"])
    complete(api, kid, chore(api, home.parent, title="Bins", reward="2.00", assignee_ids=[kid.id])["id"])
    approve(api, home.parent, first["id"])
    today = clock.now().astimezone(PARIS).date()  # the completions' family-local day

    assert send(app, today, 4, 59) == 0, "not before the hour"
    assert send(app, today, 5, 0) == 2
    assert send(app, today, 5, 30) == 0 and send(app, today, 23, 59) == 0, "once a day"
    name = api.get("/users/me", kid).json()
    label = name.get("display_name") or name["username"]
    assert sorted(digests(app)) == sorted(
        [
            (home.parent.id, f"Today: 2 done, 1 approved, 1 waiting for review. Balances: {label} 1.25."),
            (kid.id, "Today: 2 done, 1 approved, 1 waiting for review. Your balance: 1.25."),
        ]
    )
    assert other.id not in {who for who, _ in digests(app)}

    tomorrow = today + timedelta(days=1)
    assert send(app, tomorrow, 4) == 0
    assert send(app, tomorrow, 9, 17) == 2, "a missed tick: written as soon after the hour as the step runs"
    assert digests(app)[-1][1].startswith("Today: 0 done, 0 approved, 1 waiting for review.")
    assert send(app, tomorrow, 12) == 0

    assert api.put("/notifications/digest", kid, json={"digest_hour": None}).json() == {"digest_hour": None}
    assert send(app, tomorrow + timedelta(days=1), 6) == 1, "the child opted out"


def test_the_digest_reaches_the_channels(api, app):
    from chores_tracker import clock
    from chores_tracker.identity.models import User
    from chores_tracker.notifications import channels
    from chores_tracker.notifications.delivery import run_round

    home = family(api, kids=1)
    api.put("/notifications/digest", home.parent, json={"digest_hour": 0})
    with http_receiver() as receiver:
        with app.state.session_factory() as session:
            channels.add_channel(
                session, app.state.settings, session.get(User, home.parent.id), name="h", url=f"json://{receiver.url}/h"
            )
        zone = ZoneInfo("UTC")
        today = clock.now().astimezone(zone).date()
        from chores_tracker.reports.digest import send_digests

        assert send_digests(app.state.session_factory, datetime.combine(today, time(0, 5), tzinfo=zone)) == 1
        assert run_round(app.state.session_factory, app.state.settings).delivered == 1
        (message,) = receiver.wait_for(1)
        assert message.json()["title"] == "The day's summary" and message.json()["message"].startswith("Today: ")


def test_two_workers_at_once_write_one_digest(api, app):
    from chores_tracker import clock
    from chores_tracker.reports.digest import send_digests

    homes = [family(api, kids=1) for _ in range(3)]
    for home in homes:
        api.put("/notifications/digest", home.parent, json={"digest_hour": 0})
        api.put("/notifications/digest", home.kids[0], json={"digest_hour": 0})
    instant = datetime.combine(clock.now().date(), time(6), tzinfo=UTC)
    if app.state.engine.dialect.name == "sqlite":
        # One worker on SQLite (one writer at a time): two in a row.
        assert send_digests(app.state.session_factory, instant) == 6
        assert send_digests(app.state.session_factory, instant) == 0
    else:
        counts: list[int] = []
        failures: list[BaseException] = []
        barrier = threading.Barrier(2)

        def work() -> None:
            try:
                barrier.wait(timeout=30)
                counts.append(send_digests(app.state.session_factory, instant))
            except BaseException as exc:
                failures.append(exc)

        workers = [threading.Thread(target=work) for _ in range(2)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=60)
        assert failures == [] and sum(counts) == 6
    written = digests(app)
    assert len(written) == 6 and len({who for who, _ in written}) == 6
