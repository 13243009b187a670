"""`chores-tracker worker` as its own process: it delivers, serves its metrics, finishes the
delivery in progress on SIGTERM and exits 0; killed (SIGKILL) mid-delivery, the delivery is not
lost: once its claim runs out another worker sends it again, one duplicate with the same key."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.notifications.test_worker import add_json_channel, deliveries
from tests.operations.serving import free_port, wait_for
from tests.support.family import chore, complete, family
from tests.support.receivers import http_receiver


@pytest.fixture
def receiver():
    with http_receiver() as running:
        yield running


def start_worker(app, metrics_port: int) -> subprocess.Popen:
    settings = app.state.settings
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TEST_"))},
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.resolved_database_url,
        "SECRET_KEY": settings.secret_key,
        "WORKER_POLL_SECONDS": "0.1",
        "WORKER_TIME_STEP_SECONDS": "0",
        "WORKER_METRICS_PORT": str(metrics_port),
        "LOG_FORMAT": "text",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "chores_tracker", "worker"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def held_requests(receiver) -> tuple[threading.Event, threading.Event]:
    """The receiver takes the request and holds it until released."""
    arrived, release = threading.Event(), threading.Event()

    def hold(_item) -> None:
        arrived.set()
        release.wait(timeout=30)

    receiver.on_request = hold
    return arrived, release


def metrics_text(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
            return answer.read().decode()
    except OSError:
        return ""


def test_sigterm_finishes_the_delivery_in_progress_then_exits_0(api, app, receiver):
    home = family(api, kids=1)
    kid = home.kids[0]
    add_json_channel(app, home.parent.id, receiver)
    arrived, release = held_requests(receiver)
    port = free_port()
    worker = start_worker(app, port)
    try:
        wait_for(lambda: "notification_queue_depth" in metrics_text(port), timeout=30, what="the worker's metrics")
        complete(api, kid, chore(api, home.parent, assignee_ids=[kid.id])["id"])
        assert arrived.wait(timeout=30), "the worker sent nothing"
        worker.send_signal(signal.SIGTERM)
        release.set()
        output, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "SIGTERM received" in output and "worker: stopped" in output
    assert len(receiver.received) == 1 and deliveries(app) == [("delivered", 1, None)]


def test_the_metrics_count_what_was_delivered_and_what_waits(api, app, receiver):
    home = family(api, kids=1)
    kid = home.kids[0]
    add_json_channel(app, home.parent.id, receiver)
    port = free_port()
    worker = start_worker(app, port)
    try:
        complete(api, kid, chore(api, home.parent, assignee_ids=[kid.id])["id"])
        receiver.wait_for(1, timeout=30)
        text = wait_for(
            lambda: (t := metrics_text(port)) and "chores_tracker_notification_delivered_total 1.0" in t and t,
            timeout=30,
            what="the delivered counter",
        )
        assert "chores_tracker_notification_queue_depth 0.0" in text
        assert "chores_tracker_notification_oldest_undelivered_age_seconds 0.0" in text
        assert "chores_tracker_notification_failed_total 0.0" in text
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=30)


def test_a_worker_killed_mid_delivery_loses_nothing(api, app, receiver):
    from chores_tracker import clock
    from chores_tracker.notifications.delivery import run_round
    from chores_tracker.notifications.models import NotificationDelivery

    home = family(api, kids=1)
    kid = home.kids[0]
    add_json_channel(app, home.parent.id, receiver)
    arrived, release = held_requests(receiver)
    worker = start_worker(app, free_port())
    try:
        complete(api, kid, chore(api, home.parent, assignee_ids=[kid.id])["id"])
        assert arrived.wait(timeout=30), "the worker sent nothing"
        worker.kill()
        worker.communicate(timeout=30)
    finally:
        release.set()
        receiver.on_request = None
    with app.state.session_factory() as session:
        assert session.scalar(select(NotificationDelivery.state)) == "sending"
    settings = app.state.settings
    assert run_round(app.state.session_factory, settings).delivered == 0, "its claim holds until the lease ends"
    with clock.told(clock.now() + timedelta(seconds=settings.notification_lease_seconds + 1)):
        assert run_round(app.state.session_factory, settings).delivered == 1
    received = receiver.wait_for(2)
    assert len(received) == 2, "the killed worker's send, and the one after its lease: one duplicate"
    assert received[0].headers["idempotency-key"] == received[1].headers["idempotency-key"]
    assert deliveries(app) == [("delivered", 2, None)]
