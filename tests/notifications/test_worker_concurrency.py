"""Two workers at once on PostgreSQL and on MariaDB/MySQL, each with its own connections: every
event is delivered exactly once (rows claimed with FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from tests.support.api import Api
from tests.support.receivers import http_receiver

EVENTS = 60


def test_two_workers_deliver_every_event_once(server_app):
    from fastapi.testclient import TestClient

    from chores_tracker import clock
    from chores_tracker.identity.models import User
    from chores_tracker.notifications import channels
    from chores_tracker.notifications.delivery import run_round
    from chores_tracker.notifications.models import Notification, NotificationDelivery

    api = Api(TestClient(server_app))
    parent = api.parent()
    other = api.second_parent(parent)
    factory = server_app.state.session_factory
    settings = server_app.state.settings
    with http_receiver() as receiver:
        with factory() as session:
            for who in (parent.id, other.id):
                channels.add_channel(
                    session, settings, session.get(User, who), name="hook", url=f"json://{receiver.url}/h"
                )
            family_id = session.get(User, parent.id).family_id
            for n in range(EVENTS):
                for who in (parent.id, other.id):
                    session.add(
                        Notification(
                            family_id=family_id,
                            recipient_id=who,
                            event="chore_completed",
                            text=f"event {n}",
                            created_at=clock.now(),
                        )
                    )
            session.commit()

        failures: list[BaseException] = []
        barrier = threading.Barrier(2)

        def work() -> None:
            try:
                barrier.wait(timeout=30)
                idle = 0
                while idle < 2:
                    result = run_round(factory, settings, batch=7)
                    idle = idle + 1 if not (result.dispatched or result.delivered or result.failed) else 0
            except BaseException as exc:
                failures.append(exc)

        workers = [threading.Thread(target=work) for _ in range(2)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=120)
        assert failures == []
        received = receiver.wait_for(2 * EVENTS)
        keys = Counter(item.headers["idempotency-key"] for item in received)
        assert len(keys) == 2 * EVENTS and set(keys.values()) == {1}, "each delivered exactly once"
        with factory() as session:
            states = dict(
                session.execute(
                    select(NotificationDelivery.state, func.count()).group_by(NotificationDelivery.state)
                ).all()
            )
        assert states == {"delivered": 2 * EVENTS}
