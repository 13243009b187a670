"""Home Assistant over MQTT (notifications.mqtt), with the real Mosquitto on this machine: a paho
subscriber receives the discovery configs, the retained state and the events the worker publishes,
and the retained state is right again after a broker restart that lost it.

The shared broker is TEST_MQTT_URL (default mqtt://127.0.0.1:1883; `.ci/run` starts Mosquitto); each
test uses topic prefixes of its own. The restart test runs a Mosquitto of its own on a free port.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.databases import not_tested
from tests.support.family import approve, chore, complete, family

WAIT = 30  # seconds a message may take on loopback before the test fails


def reachable(url: str) -> str | None:
    """None if the broker's port answers, else why not."""
    from chores_tracker.notifications.mqtt import Broker

    broker = Broker.from_url(url)
    try:
        with socket.create_connection((broker.host, broker.port), timeout=2):
            return None
    except OSError as exc:
        return f"{broker.shown()} does not answer: {exc}"


@pytest.fixture
def broker_url() -> str:
    url = os.environ.get("TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
    problem = reachable(url)
    if problem:
        not_tested("mosquitto", problem)
    return url


@dataclass
class Subscriber:
    """A paho client that keeps every message it receives; `wait_until` blocks on a condition, no polling."""

    url: str
    topics: list[str]
    messages: list[Any] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        import paho.mqtt.client as paho
        from paho.mqtt.enums import CallbackAPIVersion

        from chores_tracker.notifications.mqtt import Broker

        broker = Broker.from_url(self.url)
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"test-{uuid.uuid4().hex[:8]}")
        self.subscribed = threading.Event()
        self.client.on_connect = lambda client, *_: client.subscribe([(topic, 1) for topic in self.topics])
        self.client.on_subscribe = lambda *_: self.subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        assert self.subscribed.wait(WAIT), "the subscriber did not subscribe"

    def _on_message(self, _client: object, _userdata: object, message: Any) -> None:
        with self.changed:
            self.messages.append(message)
            self.changed.notify_all()

    def wait_until(self, check: Callable[[], Any], what: str) -> Any:
        with self.changed:
            found = self.changed.wait_for(check, timeout=WAIT)
        assert found, f"no {what} within {WAIT} s; received: {[(m.topic, m.payload[:80]) for m in self.messages]}"
        return found

    def last(self, topic: str) -> Any:
        matching = [m for m in self.messages if m.topic == topic]
        return matching[-1] if matching else None

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@contextmanager
def subscriber(url: str, *topics: str) -> Iterator[Subscriber]:
    made = Subscriber(url, list(topics))
    try:
        yield made
    finally:
        made.close()


def mqtt_settings(app, url: str, **changes: object):
    run = uuid.uuid4().hex[:8]
    return app.state.settings.model_copy(
        update={
            "mqtt_url": url,
            "mqtt_topic_prefix": f"ct-test-{run}",
            "mqtt_discovery_prefix": f"ha-test-{run}",
            "mqtt_refresh_seconds": 0,
            **changes,
        }
    )


@contextmanager
def worker_with_mqtt(app, settings, *, clear_status: bool = True) -> Iterator[Any]:
    """A worker with its bridge connected; afterwards the retained `offline` it leaves is cleared
    (unless the test reads it)."""
    from chores_tracker.notifications.mqtt import MqttBridge
    from chores_tracker.reports.sensors import children_sensors
    from chores_tracker.worker import Worker

    bridge = MqttBridge(settings, children_sensors)
    bridge.start()
    worker = Worker(app.state.session_factory, settings, sender=lambda _url, _message: None, mqtt=bridge)
    try:
        assert bridge.connected.wait(WAIT), "the worker's bridge did not connect"
        yield worker
    finally:
        bridge.stop()
        if clear_status:
            from paho.mqtt import publish

            broker = bridge.broker
            publish.single(bridge.topics.status, b"", qos=1, retain=True, hostname=broker.host, port=broker.port)


def family_id_of(app, user_id: int) -> int:
    from chores_tracker.identity.models import User

    with app.state.session_factory() as session:
        found = session.get(User, user_id)
        assert found is not None and found.family_id is not None
        return found.family_id


def state_of(message: Any) -> dict[str, Any]:
    assert message is not None and message.payload, "no state"
    return json.loads(message.payload)


def test_a_subscriber_gets_discovery_configs_state_and_events(api, app, broker_url):
    home = family(api, kids=1)
    kid = home.kids[0]
    settings = mqtt_settings(app, broker_url)
    prefix, discovery = settings.mqtt_topic_prefix, settings.mqtt_discovery_prefix
    job = chore(api, home.parent, title="Water the plants", reward="2.50", assignee_ids=[kid.id])
    slot = complete(api, kid, job["id"])
    family_id = family_id_of(app, home.parent.id)
    state_topic = f"{prefix}/family/{family_id}/child/{kid.id}/state"
    with (
        subscriber(broker_url, f"{prefix}/#", f"{discovery}/#") as seen,
        worker_with_mqtt(app, settings, clear_status=False) as worker,
    ):
        worker.one_round()  # the completion's event, then everything (the first round after connecting)
        seen.wait_until(lambda: seen.last(state_topic), "state")
        assert state_of(seen.last(state_topic)) == {
            "balance": "0.00",
            "balance_cents": 0,
            "currency": settings.currency,
            "name": kid.username,
            "overdue": 0,
            "pending": 1,
        }
        assert seen.last(state_topic).retain is False  # live to a subscriber that was there: retain flag unset
        configs = {
            sensor: json.loads(seen.last(f"{discovery}/sensor/{prefix}/child_{kid.id}_{sensor}/config").payload)
            for sensor in ("balance", "pending", "overdue")
        }
        assert configs["balance"]["unit_of_measurement"] == settings.currency
        assert configs["balance"]["device_class"] == "monetary"
        assert configs["balance"]["value_template"] == "{{ value_json.balance }}"
        assert {c["state_topic"] for c in configs.values()} == {state_topic}
        assert {c["availability_topic"] for c in configs.values()} == {f"{prefix}/status"}
        assert len({c["unique_id"] for c in configs.values()}) == 3
        assert len({json.dumps(c["device"], sort_keys=True) for c in configs.values()}) == 1
        assert seen.last(f"{prefix}/status").payload == b"online"
        events = [json.loads(m.payload) for m in seen.messages if m.topic == f"{prefix}/family/{family_id}/event"]
        assert [(e["event"], e["child_id"], e["chore_id"]) for e in events] == [("chore_completed", kid.id, job["id"])]

        approve(api, home.parent, slot["id"])
        worker.one_round()
        seen.wait_until(lambda: state_of(seen.last(state_topic))["pending"] == 0, "the state after approval")
        assert state_of(seen.last(state_topic))["balance"] == "2.50"
        assert state_of(seen.last(state_topic))["balance_cents"] == 250
        seen.wait_until(
            lambda: any(b'"chore_approved"' in m.payload for m in seen.messages if m.topic.endswith("/event")),
            "the approval's event",
        )
        assert worker.mqtt.tick(app.state.session_factory, []) == 0, "nothing new: nothing published"

    # A newcomer (Home Assistant starting) finds the configs and the state retained; events are not.
    with subscriber(broker_url, f"{prefix}/#", f"{discovery}/#") as newcomer:
        overdue_config = f"{discovery}/sensor/{prefix}/child_{kid.id}_overdue/config"
        newcomer.wait_until(
            lambda: all(newcomer.last(t) for t in (state_topic, overdue_config, f"{prefix}/status")), "retained state"
        )
        assert newcomer.last(state_topic).retain is True
        assert state_of(newcomer.last(state_topic))["balance"] == "2.50"
        assert newcomer.last(overdue_config).retain is True
        assert newcomer.last(f"{prefix}/status").payload == b"offline"  # the worker stopped
        assert not [m for m in newcomer.messages if m.topic.endswith("/event")]
        clear_retained(broker_url, newcomer)


def clear_retained(url: str, seen: Subscriber) -> None:
    """Leaves the shared broker as it was: an empty retained message removes each retained topic (every
    topic seen but the events; one a subscriber saw live has its retain flag unset)."""
    for topic in {m.topic for m in seen.messages if not m.topic.endswith("/event")}:
        seen.client.publish(topic, b"", qos=1, retain=True).wait_for_publish(WAIT)


@contextmanager
def own_mosquitto(port: int, workdir: Path) -> Iterator[subprocess.Popen[str]]:
    """A Mosquitto of the test's own, without persistence: a restart loses every retained message."""
    config = workdir / "mosquitto.conf"
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n")
    process = subprocess.Popen(
        [shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c", str(config)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stderr is not None
        lines = []
        for line in process.stderr:  # blocks until Mosquitto says it listens (or exits)
            lines.append(line)
            if "running" in line:
                break
        else:
            raise AssertionError(f"mosquitto did not start: {''.join(lines)}")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=WAIT)


def test_after_a_broker_restart_the_retained_state_is_published_again_and_right(api, app, tmp_path, broker_url):
    from chores_tracker.notifications.mqtt import Broker

    if not (shutil.which("mosquitto") or Path("/usr/sbin/mosquitto").exists()):
        not_tested("mosquitto", "the mosquitto program is not installed")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    url = f"mqtt://127.0.0.1:{port}"
    assert Broker.from_url(url).port == port
    home = family(api, kids=1)
    kid = home.kids[0]
    assert (
        api.post("/adjustments/", home.parent, json={"child_id": kid.id, "amount": "3.00", "reason": "x"}).status_code
        == 201
    )
    settings = mqtt_settings(app, url)
    prefix, discovery = settings.mqtt_topic_prefix, settings.mqtt_discovery_prefix
    family_id = family_id_of(app, home.parent.id)
    state_topic = f"{prefix}/family/{family_id}/child/{kid.id}/state"
    balance_config = f"{discovery}/sensor/{prefix}/child_{kid.id}_balance/config"

    with own_mosquitto(port, tmp_path):
        bridge_context = worker_with_mqtt(app, settings, clear_status=False)
        worker = bridge_context.__enter__()
    try:
        # The broker is gone (and its retained messages with it); meanwhile the balance changes.
        worker.mqtt.connected.clear()
        assert api.post("/payouts/", home.parent, json={"child_id": kid.id, "amount": "1.25"}).status_code == 201
        worker.one_round()  # the payout's event and state, published into the void
        with own_mosquitto(port, tmp_path):
            assert worker.mqtt.connected.wait(WAIT), "the bridge did not reconnect"
            worker.one_round()  # reconnected: everything again
            assert worker.mqtt.flush(WAIT), "the broker did not take the messages"
            with subscriber(url, f"{prefix}/#", f"{discovery}/#") as newcomer:
                newcomer.wait_until(
                    lambda: all(newcomer.last(t) for t in (state_topic, balance_config, f"{prefix}/status")),
                    "retained state, config and status",
                )
                assert newcomer.last(state_topic).retain is True
                assert state_of(newcomer.last(state_topic))["balance"] == "1.75"
                assert json.loads(newcomer.last(balance_config).payload)["state_topic"] == state_topic
                assert newcomer.last(f"{prefix}/status").payload == b"online"
    finally:
        bridge_context.__exit__(None, None, None)


def test_a_child_deactivated_is_removed_from_home_assistant(api, app, broker_url):
    home = family(api, kids=2)
    leaving, staying = home.kids
    settings = mqtt_settings(app, broker_url)
    prefix, discovery = settings.mqtt_topic_prefix, settings.mqtt_discovery_prefix
    family_id = family_id_of(app, home.parent.id)
    config = f"{discovery}/sensor/{prefix}/child_{leaving.id}_pending/config"
    with subscriber(broker_url, f"{prefix}/#", f"{discovery}/#") as seen, worker_with_mqtt(app, settings) as worker:
        worker.one_round()
        seen.wait_until(lambda: seen.last(config), "the leaving child's config")
        response = api.post(f"/users/children/{leaving.id}/deactivate", home.parent)
        assert response.status_code == 200, response.text
        worker.mqtt.republish.set()  # as on a reconnection: everything, and what is gone cleared
        worker.one_round()
        leaving_state = f"{prefix}/family/{family_id}/child/{leaving.id}/state"
        seen.wait_until(
            lambda: seen.last(config).payload == b"" and seen.last(leaving_state).payload == b"",
            "the config and the state cleared",
        )
        assert state_of(seen.last(f"{prefix}/family/{family_id}/child/{staying.id}/state"))["pending"] == 0
        clear_retained(broker_url, seen)


def test_the_broker_url_is_read_with_its_credentials_and_never_shown_with_them():
    from chores_tracker.notifications.mqtt import Broker

    broker = Broker.from_url("mqtts://home%40assistant:p%3Ass@broker.lan")
    assert (broker.host, broker.port, broker.tls) == ("broker.lan", 8883, True)
    assert (broker.username, broker.password) == ("home@assistant", "p:ss")
    assert broker.shown() == "mqtts://broker.lan:8883"
    assert Broker.from_url("mqtt://10.0.0.2").port == 1883
    with pytest.raises(ValueError, match="MQTT_URL"):
        Broker.from_url("http://broker.lan")


def test_mqtt_url_must_name_an_mqtt_scheme():
    from pydantic import ValidationError

    from chores_tracker.settings import Settings

    with pytest.raises(ValidationError, match="MQTT_URL must start with mqtt://"):
        Settings(_env_file=None, mqtt_url="tcp://broker:1883")
    assert Settings(_env_file=None, mqtt_url="mqtts://u:p@broker").mqtt_commands is False


def test_with_commands_enabled_republish_publishes_everything_again(api, app, broker_url):
    """MQTT_COMMANDS=true: `republish` on P/command is the one command, and it only publishes again."""
    home = family(api, kids=1)
    kid = home.kids[0]
    settings = mqtt_settings(app, broker_url, mqtt_commands=True)
    prefix, discovery = settings.mqtt_topic_prefix, settings.mqtt_discovery_prefix
    state_topic = f"{prefix}/family/{family_id_of(app, home.parent.id)}/child/{kid.id}/state"
    with subscriber(broker_url, f"{prefix}/#", f"{discovery}/#") as seen, worker_with_mqtt(app, settings) as worker:
        worker.one_round()
        seen.wait_until(lambda: seen.last(state_topic), "state")
        assert worker.mqtt.tick(app.state.session_factory, []) == 0
        seen.client.publish(f"{prefix}/command", b"republish", qos=1).wait_for_publish(WAIT)
        assert worker.mqtt.republish.wait(WAIT), "the command was not taken"
        assert worker.mqtt.tick(app.state.session_factory, []) == 4  # three configs and the state, unchanged
        seen.wait_until(lambda: len([m for m in seen.messages if m.topic == state_topic]) == 2, "the state again")
        worker.mqtt.flush(WAIT)
        clear_retained(broker_url, seen)
