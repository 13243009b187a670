"""`chores-tracker worker`: delivers the notification outbox and runs the schedules' time step.

Safe with several replicas on PostgreSQL and MariaDB/MySQL (notifications.delivery claims rows with
SKIP LOCKED); one on SQLite. SIGTERM or SIGINT lets the round in progress finish (its claims are
written as delivered or to be retried), then it exits 0. Its Prometheus metrics (WORKER_METRICS_PORT):
queue depth, the oldest undelivered notification's age, deliveries delivered and failed. With
MQTT_URL set it also publishes to Home Assistant after each round (notifications.mqtt).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server
from sqlalchemy.orm import Session, sessionmaker

from chores_tracker.chores.timestep import run_time_step
from chores_tracker.notifications import delivery
from chores_tracker.notifications.mqtt import MqttBridge
from chores_tracker.observability.metrics import PREFIX
from chores_tracker.settings import Settings

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)
QUEUE_DEPTH = Gauge(
    f"{PREFIX}_notification_queue_depth",
    "Notifications not yet dispatched plus deliveries not yet delivered or dead.",
    registry=REGISTRY,
)
OLDEST_AGE = Gauge(
    f"{PREFIX}_notification_oldest_undelivered_age_seconds",
    "Age of the oldest notification or delivery still waiting (0: none).",
    registry=REGISTRY,
)
DELIVERED = Counter(f"{PREFIX}_notification_delivered", "Deliveries a channel took.", registry=REGISTRY)
FAILED = Counter(f"{PREFIX}_notification_failed", "Delivery attempts that failed.", registry=REGISTRY)
DEAD = Counter(f"{PREFIX}_notification_dead", "Deliveries given up on (dead letters).", registry=REGISTRY)


class Worker:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        settings: Settings,
        sender: delivery.Sender | None = None,
        *,
        time_step: Callable[[sessionmaker[Session]], object] = run_time_step,
        mqtt: MqttBridge | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.mqtt = mqtt
        self.settings = settings
        self.sender = sender
        self.time_step = time_step
        self.stopping = threading.Event()
        self._next_time_step = 0.0

    def stop(self, *_args: object) -> None:
        self.stopping.set()

    def one_round(self) -> delivery.Round:
        result = delivery.run_round(self.session_factory, self.settings, self.sender)
        DELIVERED.inc(result.delivered)
        FAILED.inc(result.failed)
        DEAD.inc(result.dead)
        with self.session_factory() as session:
            state = delivery.queue_state(session)
        QUEUE_DEPTH.set(state.depth)
        OLDEST_AGE.set(state.oldest_age_seconds)
        if self.mqtt is not None:
            try:
                self.mqtt.tick(self.session_factory, result.events)
            except Exception:  # the broker's trouble must not stop deliveries; the next round tries again
                log.exception("mqtt: publishing failed")
        return result

    def maybe_time_step(self) -> None:
        every = self.settings.worker_time_step_seconds
        if not every or time.monotonic() < self._next_time_step:
            return
        self._next_time_step = time.monotonic() + every
        try:
            self.time_step(self.session_factory)
        except Exception:
            log.exception("the time step failed; the next one catches up")

    def run(self) -> None:
        while not self.stopping.is_set():
            self.maybe_time_step()
            busy = False
            try:
                result = self.one_round()
                busy = bool(result.dispatched or result.delivered or result.failed)
                if busy:
                    log.info("notifications: %s", result.as_text())
            except Exception:
                log.exception("a delivery round failed; the next one tries again")
            if not busy:
                self.stopping.wait(self.settings.worker_poll_seconds)


def run_worker(session_factory: sessionmaker[Session], settings: Settings) -> None:
    """The process: metrics server, signal handlers, MQTT (with MQTT_URL), the loop until SIGTERM/SIGINT."""
    bridge = None
    if settings.mqtt_url:
        from chores_tracker.reports.sensors import children_sensors

        bridge = MqttBridge(settings, children_sensors)
        bridge.start()
    worker = Worker(session_factory, settings, mqtt=bridge)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("worker: %s received, finishing the round in progress", signal.Signals(signum).name)
        worker.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if settings.worker_metrics_port:
        start_http_server(settings.worker_metrics_port, registry=REGISTRY)
    log.info("worker: started")
    try:
        worker.run()
    finally:
        if bridge is not None:
            bridge.stop()
    log.info("worker: stopped")
