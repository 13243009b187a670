"""The worker delivers the outbox to each member's channels through Apprise, to real receivers on
this machine: once per recipient and channel, retried with backoff while a receiver is down, a dead
letter after NOTIFICATION_MAX_ATTEMPTS, and again after a worker died holding a claim."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support.family import chore, complete, family
from tests.support.receivers import http_receiver


@pytest.fixture
def receiver():
    with http_receiver() as running:
        yield running


def settings_of(app, **changes):
    return app.state.settings.model_copy(update=changes)


def add_json_channel(app, user_id: int, receiver, events: list[str] | None = None) -> int:
    from chores_tracker.identity.models import User
    from chores_tracker.notifications import channels

    with app.state.session_factory() as session:
        user = session.get(User, user_id)
        made = channels.add_channel(
            session, app.state.settings, user, name="hook", url=f"json://{receiver.url}/hook", events=events
        )
        return made.id


def deliveries(app) -> list[tuple[str, int, str | None]]:
    from chores_tracker.notifications.models import NotificationDelivery

    with app.state.session_factory() as session:
        found = session.execute(
            select(NotificationDelivery.state, NotificationDelivery.attempts, NotificationDelivery.last_error).order_by(
                NotificationDelivery.id
            )
        )
        return [tuple(row) for row in found]


def one_round(app, settings=None):
    from chores_tracker.notifications.delivery import run_round

    return run_round(app.state.session_factory, settings or app.state.settings)


def test_a_chore_done_reaches_the_parents_json_webhook_once(api, app, receiver):
    home = family(api, kids=1)
    kid = home.kids[0]
    add_json_channel(app, home.parent.id, receiver)
    complete(api, kid, chore(api, home.parent, title="Walk the dog", assignee_ids=[kid.id])["id"])
    done = one_round(app)
    assert (done.dispatched, done.delivered, done.failed) == (1, 1, 0)
    (message,) = receiver.wait_for(1)
    assert message.path == "/hook"
    assert "Walk the dog" in message.json()["message"] and message.json()["title"].startswith("A chore is done")
    assert message.headers["idempotency-key"].startswith("n")
    again = one_round(app)
    assert (again.dispatched, again.delivered) == (0, 0) and len(receiver.received) == 1
    assert deliveries(app) == [("delivered", 1, None)]


def test_a_channel_gets_only_the_events_it_chose_and_the_url_is_stored_encrypted(api, app, receiver):
    from chores_tracker.notifications.models import NotificationChannel

    home = family(api, kids=1)
    kid = home.kids[0]
    add_json_channel(app, kid.id, receiver, events=["payout_recorded"])
    assert (
        api.post("/adjustments/", home.parent, json={"child_id": kid.id, "amount": "1", "reason": "x"}).status_code
        == 201
    )
    assert api.post("/payouts/", home.parent, json={"child_id": kid.id, "amount": "0.50"}).status_code == 201
    assert one_round(app).delivered == 1
    assert [m.json()["title"] for m in receiver.received] == ["A payout"]
    with app.state.session_factory() as session:
        stored = session.scalar(select(NotificationChannel.url_encrypted))
    assert stored is not None and "127.0.0.1" not in stored and "json" not in stored


def test_a_receiver_down_for_a_while_gets_the_message_once_when_back(api, app, receiver):
    home = family(api, kids=1)
    kid = home.kids[0]
    add_json_channel(app, home.parent.id, receiver)
    settings = settings_of(app, notification_backoff_seconds=60)
    receiver.down = True
    complete(api, kid, chore(api, home.parent, assignee_ids=[kid.id])["id"])
    first = one_round(app, settings)
    assert (first.delivered, first.failed) == (0, 1) and receiver.refused == 1
    assert deliveries(app)[0][:2] == ("pending", 1)
    assert one_round(app, settings).failed == 0, "not before its backoff is over"
    from chores_tracker import clock

    with clock.told(clock.now() + timedelta(seconds=61)):
        assert one_round(app, settings).failed == 1, "still down: tried again"
    assert deliveries(app)[0][:2] == ("pending", 2)
    receiver.down = False
    with clock.told(clock.now() + timedelta(seconds=61 + 121)):
        assert one_round(app, settings).delivered == 1
    assert len(receiver.received) == 1 and deliveries(app)[0][:2] == ("delivered", 3)


def test_after_the_last_try_a_delivery_is_a_dead_letter(api, app, receiver):
    from chores_tracker import clock

    home = family(api, kids=1)
    kid = home.kids[0]
    add_json_channel(app, home.parent.id, receiver)
    settings = settings_of(app, notification_max_attempts=2, notification_backoff_seconds=0)
    receiver.down = True
    complete(api, kid, chore(api, home.parent, assignee_ids=[kid.id])["id"])
    one_round(app, settings)
    with clock.told(clock.now() + timedelta(seconds=1)):
        assert one_round(app, settings).dead == 1
    with clock.told(clock.now() + timedelta(seconds=2)):
        assert one_round(app, settings).failed == 0, "a dead letter is not tried again"
    state, attempts, error = deliveries(app)[0]
    assert (state, attempts) == ("dead", 2) and error and receiver.url not in error


def test_a_worker_that_died_holding_a_claim_leaves_it_to_another_after_the_lease(api, app, receiver):
    """The first worker sent the message and died before writing `delivered`: the lease runs out,
    another worker sends it again (the same idempotency key), and writes it delivered. One
    duplicate per crash, as delivery.py documents; the receiver can drop it by its key."""
    from chores_tracker import clock
    from chores_tracker.notifications.delivery import apprise_sender, claim

    home = family(api, kids=1)
    kid = home.kids[0]
    add_json_channel(app, home.parent.id, receiver)
    complete(api, kid, chore(api, home.parent, assignee_ids=[kid.id])["id"])
    settings = settings_of(app, notification_lease_seconds=30)
    from chores_tracker.notifications.delivery import fan_out

    with app.state.session_factory() as session:
        fan_out(session)
    with app.state.session_factory() as session:
        _token, (item,) = claim(session, settings)
    assert item.url is not None
    apprise_sender(item.url, item.message)  # ... and the worker dies here
    assert one_round(app, settings).delivered == 0, "the claim is still held"
    with clock.told(clock.now() + timedelta(seconds=31)):
        assert one_round(app, settings).delivered == 1
    first, second = receiver.wait_for(2)
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    assert deliveries(app) == [("delivered", 2, None)]


def test_with_a_public_url_a_chore_waiting_carries_signed_links_that_open_a_confirmation(api, app, receiver):
    from chores_tracker.notifications.delivery import run_round

    home = family(api, kids=1)
    kid = home.kids[0]
    add_json_channel(app, home.parent.id, receiver)
    complete(api, kid, chore(api, home.parent, title="Rinse the bikes", assignee_ids=[kid.id])["id"])
    settings = settings_of(app, public_url="https://chores.example.com/")
    assert run_round(app.state.session_factory, settings).delivered == 1
    text = receiver.wait_for(1)[0].json()["message"]
    approve = next(line for line in text.splitlines() if line.startswith("Approve: "))
    assert approve.startswith("Approve: https://chores.example.com/act/") and "Send back: https://" in text
    page = api.client.get(approve.removeprefix("Approve: https://chores.example.com"))
    assert page.status_code == 200 and "Approve “Rinse the bikes”?" in page.text
