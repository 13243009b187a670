"""No spam (issue 13 point 5), review nudges: a parent's channels get at most one "waiting for
review" message per REVIEW_NUDGE_MINUTES. The first at once (with its own text), the ones that come
within the interval in one summary when it is over, nothing when they were all reviewed meanwhile;
the notification centre shows each at once. With the test clock, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.family import approve, chore, complete, family
from tests.support.receivers import http_receiver


@pytest.fixture
def receiver():
    with http_receiver() as running:
        yield running


def add_json_channel(app, user_id: int, receiver, events=None) -> None:
    from chores_tracker.identity.models import User
    from chores_tracker.notifications import channels

    with app.state.session_factory() as session:
        channels.add_channel(
            session, app.state.settings, session.get(User, user_id), name="hook", url=f"json://{receiver.url}/h",
            events=events,
        )  # fmt: skip


def one_round(app, minutes: int = 30):
    from chores_tracker.notifications.delivery import run_round

    return run_round(app.state.session_factory, app.state.settings.model_copy(update={"review_nudge_minutes": minutes}))


def texts(receiver) -> list[str]:
    return [m.json()["message"] for m in receiver.received]


def test_at_most_one_nudge_per_parent_per_interval_summarising_how_many_wait(api, app, receiver):
    from chores_tracker import clock

    home = family(api, kids=1)
    kid = home.kids[0]
    add_json_channel(app, home.parent.id, receiver, events=["chore_completed"])
    chores = [chore(api, home.parent, title=f"Chore {n}", assignee_ids=[kid.id])["id"] for n in range(4)]
    complete(api, kid, chores[0])
    assert one_round(app).delivered == 1, "the first at once"
    assert "Chore 0" in texts(receiver)[0]
    start = clock.now()
    with clock.told(start + timedelta(minutes=5)):
        complete(api, kid, chores[1])
        complete(api, kid, chores[2])
        assert one_round(app).delivered == 0, "held back: within the interval"
    unread = api.get("/notifications/unread-count", home.parent).json()["unread_count"]
    assert unread == 3, "the centre shows each at once"
    with clock.told(start + timedelta(minutes=20)):
        assert one_round(app).delivered == 0
    with clock.told(start + timedelta(minutes=31)):
        assert one_round(app).delivered == 1
        assert one_round(app).delivered == 0, "once"
    assert texts(receiver)[1] == "3 chores wait for your review"
    assert [m.json()["title"] for m in receiver.received][1] == "Chores wait for review"
    assert api.get("/notifications/unread-count", home.parent).json()["unread_count"] == 3, "the summary is not unread"
    # Nothing new since: no more nudges, however long.
    with clock.told(start + timedelta(hours=5)):
        assert one_round(app).delivered == 0
        # A new one after a quiet interval goes at once again.
        complete(api, kid, chores[3])
        assert one_round(app).delivered == 1
    assert "Chore 3" in texts(receiver)[2] and len(receiver.received) == 3


def test_no_summary_when_everything_held_back_was_reviewed_meanwhile(api, app, receiver):
    from chores_tracker import clock

    home = family(api, kids=1)
    kid = home.kids[0]
    add_json_channel(app, home.parent.id, receiver)
    first, second = (chore(api, home.parent, title=f"C{n}", assignee_ids=[kid.id])["id"] for n in range(2))
    done = complete(api, kid, first)
    assert one_round(app).delivered == 1
    later = complete(api, kid, second)
    assert one_round(app).delivered == 0
    approve(api, home.parent, done["id"])
    approve(api, home.parent, later["id"])
    with clock.told(clock.now() + timedelta(minutes=31)):
        assert one_round(app).delivered == 0, "nothing waits any more: no summary"
    assert len(receiver.received) == 1


def test_each_parent_has_its_own_interval_and_zero_minutes_sends_each(api, app, receiver):
    from chores_tracker import clock

    home = family(api, kids=1)
    kid = home.kids[0]
    other = api.second_parent(home.parent)
    add_json_channel(app, home.parent.id, receiver)
    add_json_channel(app, other.id, receiver)
    ids = [chore(api, home.parent, title=f"C{n}", assignee_ids=[kid.id])["id"] for n in range(4)]
    complete(api, kid, ids[0])
    complete(api, kid, ids[1])
    assert one_round(app).delivered == 2, "one to each parent"
    with clock.told(clock.now() + timedelta(minutes=31)):
        assert one_round(app).delivered == 2, "one summary to each"
    assert sorted(texts(receiver)[2:]) == ["2 chores wait for your review"] * 2
    complete(api, kid, ids[2])
    complete(api, kid, ids[3])
    with clock.told(clock.now() + timedelta(minutes=62)):
        assert one_round(app, minutes=0).delivered == 4, "REVIEW_NUDGE_MINUTES=0: each as it comes"


@pytest.fixture(params=["postgresql", "mysql"])
def server_app(request, database_factory):
    from chores_tracker.app import create_app
    from tests.support.databases import clear_all_tables

    database = database_factory(request.param)
    clear_all_tables(database.engine)
    application = create_app(database.settings(db_pool_size=6, db_max_overflow=4, review_nudge_minutes=30))
    yield application
    application.state.engine.dispose()


def test_two_workers_send_one_nudge_per_interval(server_app):
    import threading

    from fastapi.testclient import TestClient

    from chores_tracker import clock
    from chores_tracker.identity.models import User
    from chores_tracker.notifications import channels
    from chores_tracker.notifications.delivery import run_round
    from tests.support.api import Api

    api = Api(TestClient(server_app))
    parent = api.parent()
    kid = api.child(parent)
    factory = server_app.state.session_factory
    settings = server_app.state.settings
    with http_receiver() as receiver:
        with factory() as session:
            channels.add_channel(
                session, settings, session.get(User, parent.id), name="h", url=f"json://{receiver.url}/h"
            )
        for n in range(6):
            complete(api, kid, chore(api, parent, title=f"C{n}", assignee_ids=[kid.id])["id"])
        start = clock.now()

        def work_at(instant, failures):
            def work() -> None:
                try:
                    with clock.told(instant):
                        barrier.wait(timeout=30)
                        idle = 0
                        while idle < 2:
                            result = run_round(factory, settings, batch=4)
                            idle = idle + 1 if not (result.dispatched or result.delivered or result.failed) else 0
                except BaseException as exc:
                    failures.append(exc)

            return work

        for instant in (start, start + timedelta(minutes=31)):
            failures: list[BaseException] = []
            barrier = threading.Barrier(2)
            workers = [threading.Thread(target=work_at(instant, failures)) for _ in range(2)]
            for thread in workers:
                thread.start()
            for thread in workers:
                thread.join(timeout=120)
            assert failures == []
        messages = [m.json()["message"] for m in receiver.received]
        assert len(messages) == 2 and "C0" in messages[0], messages
        assert messages[1] == "6 chores wait for your review"
