"""Home Assistant over MQTT: each child's balance, pending and overdue counts as sensors (MQTT
discovery), and the families' events as messages. Run by `chores-tracker worker` when MQTT_URL is
set; no HTTP, no schema of its own.

Topics (P = MQTT_TOPIC_PREFIX, `chores-tracker`; D = MQTT_DISCOVERY_PREFIX, `homeassistant`):

- `P/status`: `online` / `offline` (retained; `offline` is the connection's last will), the
  sensors' availability.
- `P/family/<family id>/child/<child id>/state` (retained): one JSON object per child,
  `{"balance": "12.50", "balance_cents": 1250, "currency": "USD", "pending": 2, "overdue": 1,
  "name": "Zoe"}`. Published when it changes: after every round in which the worker dispatched an
  event of that family, every MQTT_REFRESH_SECONDS (what time alone changes: a chore becoming
  overdue), and in full on every (re)connect, so that retained state is right again after a broker
  restart that lost it.
- `D/sensor/P'/child_<child id>_<balance|pending|overdue>/config` (retained; P' is P with `/`
  as `_`): Home Assistant's discovery configs, one device per child with three sensors reading the
  state topic. A child no longer in a family (removed, deactivated) has its configs and state
  cleared (empty retained messages), which removes the device from Home Assistant.
- `P/family/<family id>/event` (not retained, QoS 1): one JSON message per event the worker
  dispatched, `{"event": "chore_completed", "family_id": 1, "child_id": 5, "chore_id": 9,
  "completion_id": 12, "text": "...", "at": "2026-12-02T09:00:00+00:00"}`. Best effort: published
  once the event is dispatched; one published while the broker is unreachable waits in the client
  (at most MAX_QUEUED) and is sent on reconnection, but is lost if the worker stops first.

Home Assistant's birth message (`D/status` = `online`, sent when it restarts) makes the worker
publish everything again. Commands (`P/command`, payload `republish`) are only subscribed to with
MQTT_COMMANDS=true, and the one there is changes nothing in the app.

The bridge reads the children's figures through a function it is given (the worker passes
reports.sensors.children_sensors; the figures are other domains'), always in the worker's thread:
paho's network thread only sets flags.
"""

from __future__ import annotations

import json
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session, sessionmaker

from chores_tracker.settings import Settings

if TYPE_CHECKING:
    import paho.mqtt.client as paho

log = logging.getLogger(__name__)

MAX_QUEUED = 10_000  # messages paho keeps while the broker is unreachable (events; state is republished anyway)
SENSORS = ("balance", "pending", "overdue")


@dataclass(frozen=True)
class ChildState:
    """What Home Assistant shows of one child."""

    family_id: int
    child_id: int
    name: str
    balance_cents: int
    pending: int
    overdue: int


@dataclass(frozen=True)
class Event:
    """An event the worker dispatched (one per change, however many recipients it had)."""

    family_id: int
    event: str
    child_id: int | None
    chore_id: int | None
    completion_id: int | None
    text: str
    at: datetime


# Reads the children's figures: of these families, or of every family (None).
StateReader = Callable[[Session, "Iterable[int] | None"], list[ChildState]]


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> Broker:
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise ValueError("MQTT_URL must look like mqtt://user:password@host:1883 (or mqtts://)")
        tls = parts.scheme == "mqtts"
        return cls(
            host=parts.hostname,
            port=parts.port or (8883 if tls else 1883),
            tls=tls,
            username=unquote(parts.username) if parts.username is not None else None,
            password=unquote(parts.password) if parts.password is not None else None,
        )

    def shown(self) -> str:
        """Where it connects, without the credentials."""
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def money_text(cents: int) -> str:
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


class Topics:
    def __init__(self, settings: Settings) -> None:
        self.prefix = settings.mqtt_topic_prefix
        self.discovery = settings.mqtt_discovery_prefix
        self.node = self.prefix.replace("/", "_")
        self.status = f"{self.prefix}/status"
        self.command = f"{self.prefix}/command"
        self.birth = f"{self.discovery}/status"
        self.configs = f"{self.discovery}/sensor/{self.node}/+/config"
        self.states = f"{self.prefix}/family/+/child/+/state"

    def state(self, family_id: int, child_id: int) -> str:
        return f"{self.prefix}/family/{family_id}/child/{child_id}/state"

    def event(self, family_id: int) -> str:
        return f"{self.prefix}/family/{family_id}/event"

    def config(self, child_id: int, sensor: str) -> str:
        return f"{self.discovery}/sensor/{self.node}/child_{child_id}_{sensor}/config"

    def family_and_child_of_state(self, topic: str) -> tuple[int, int] | None:
        head = f"{self.prefix}/family/"
        if not topic.startswith(head) or not topic.endswith("/state"):
            return None
        parts = topic[len(head) : -len("/state")].split("/")
        if len(parts) != 3 or parts[1] != "child" or not (parts[0].isdigit() and parts[2].isdigit()):
            return None
        return int(parts[0]), int(parts[2])

    def child_of_config(self, topic: str) -> int | None:
        """The child a discovery config topic of ours is about (None: not one of ours)."""
        head = f"{self.discovery}/sensor/{self.node}/child_"
        if not topic.startswith(head) or not topic.endswith("/config"):
            return None
        object_id = topic[len(head) : -len("/config")]
        number, _, sensor = object_id.partition("_")
        return int(number) if number.isdigit() and sensor in SENSORS else None


def state_payload(child: ChildState, currency: str) -> bytes:
    return json.dumps(
        {
            "balance": money_text(child.balance_cents),
            "balance_cents": child.balance_cents,
            "currency": currency,
            "pending": child.pending,
            "overdue": child.overdue,
            "name": child.name,
        },
        sort_keys=True,
    ).encode()


def discovery_payloads(topics: Topics, child: ChildState, currency: str) -> dict[str, bytes]:
    """Home Assistant's MQTT discovery configs of a child's three sensors, by config topic."""
    device = {
        "identifiers": [f"{topics.node}_child_{child.child_id}"],
        "name": f"{child.name} (Chores Tracker)",
        "manufacturer": "Chores Tracker",
        "model": "Child",
    }
    common = {
        "state_topic": topics.state(child.family_id, child.child_id),
        "availability_topic": topics.status,
        "device": device,
    }
    sensors: dict[str, dict[str, Any]] = {
        "balance": {
            "name": "Balance",
            "value_template": "{{ value_json.balance }}",
            "unit_of_measurement": currency,
            "device_class": "monetary",
            "state_class": "total",
            "icon": "mdi:piggy-bank",
        },
        "pending": {
            "name": "Chores waiting for review",
            "value_template": "{{ value_json.pending }}",
            "state_class": "measurement",
            "icon": "mdi:clipboard-clock",
        },
        "overdue": {
            "name": "Chores overdue",
            "value_template": "{{ value_json.overdue }}",
            "state_class": "measurement",
            "icon": "mdi:alarm",
        },
    }
    return {
        topics.config(child.child_id, sensor): json.dumps(
            {**common, **config, "unique_id": f"{topics.node}_child_{child.child_id}_{sensor}"}, sort_keys=True
        ).encode()
        for sensor, config in sensors.items()
    }


def event_payload(event: Event) -> bytes:
    return json.dumps(
        {
            "event": event.event,
            "family_id": event.family_id,
            "child_id": event.child_id,
            "chore_id": event.chore_id,
            "completion_id": event.completion_id,
            "text": event.text,
            "at": event.at.isoformat(),
        },
        sort_keys=True,
    ).encode()


class MqttBridge:
    """The worker's connection to the broker and what it has published on it.

    `published` maps each retained topic to the payload last published (state and discovery), so
    that only changes are sent; after a (re)connection the next `tick` publishes everything again.
    """

    def __init__(
        self,
        settings: Settings,
        read_states: StateReader,
        *,
        client_id: str | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        import paho.mqtt.client as paho  # only when MQTT_URL is set
        from paho.mqtt.enums import CallbackAPIVersion

        self.settings = settings
        self.broker = Broker.from_url(settings.mqtt_url)
        self.topics = Topics(settings)
        self.read_states = read_states
        self.monotonic = monotonic
        self.published: dict[str, bytes] = {}
        # Children whose retained configs the broker holds (ours, from this or an earlier worker),
        # and the family of those whose retained state it holds.
        self.seen_on_broker: set[int] = set()
        self.family_on_broker: dict[int, int] = {}
        self.republish = threading.Event()
        self.connected = threading.Event()
        self._next_refresh = 0.0
        self._lock = threading.Lock()
        self._last_sent: Any = None  # the last message handed to paho (MQTTMessageInfo)
        self.stopping = False
        self.client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or "",
            protocol=paho.MQTTv311,
        )
        if self.broker.username is not None:
            self.client.username_pw_set(self.broker.username, self.broker.password)
        if self.broker.tls:
            self.client.tls_set_context(ssl.create_default_context())
        self.client.will_set(self.topics.status, b"offline", qos=1, retain=True)
        self.client.max_queued_messages_set(MAX_QUEUED)
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    # -- paho's network thread: flags only -----------------------------------------------------

    def _on_connect(self, client: paho.Client, _userdata: object, _flags: object, reason: Any, _props: object) -> None:
        if reason.is_failure:
            log.warning("mqtt: the broker %s refused the connection: %s", self.broker.shown(), reason)
            return
        log.info("mqtt: connected to %s", self.broker.shown())
        client.publish(self.topics.status, b"online", qos=1, retain=True)
        subscriptions = [(self.topics.birth, 1), (self.topics.configs, 1), (self.topics.states, 1)]
        if self.settings.mqtt_commands:
            subscriptions.append((self.topics.command, 1))
        client.subscribe(subscriptions)
        self.connected.set()
        self.republish.set()  # the broker may have lost its retained messages

    def _on_disconnect(self, _client: object, _userdata: object, _flags: object, reason: Any, _props: object) -> None:
        self.connected.clear()
        if self.stopping:
            log.info("mqtt: disconnected from %s", self.broker.shown())
        else:
            log.warning("mqtt: disconnected from %s (%s); reconnecting", self.broker.shown(), reason)

    def _on_message(self, _client: object, _userdata: object, message: Any) -> None:
        if message.topic == self.topics.birth:
            if message.payload == b"online":  # Home Assistant started: it wants the configs again
                self.republish.set()
            return
        if message.topic == self.topics.command:
            if message.payload.strip() == b"republish":
                log.info("mqtt: republish asked for on %s", self.topics.command)
                self.republish.set()
            return
        child = self.topics.child_of_config(message.topic)
        if child is not None and message.payload:
            with self._lock:
                self.seen_on_broker.add(child)
        state = self.topics.family_and_child_of_state(message.topic)
        if state is not None and message.payload:
            with self._lock:
                self.seen_on_broker.add(state[1])
                self.family_on_broker[state[1]] = state[0]

    # -- the worker's thread -------------------------------------------------------------------

    def start(self) -> None:
        log.info("mqtt: connecting to %s", self.broker.shown())
        self.client.connect_async(self.broker.host, self.broker.port, keepalive=30)
        self.client.loop_start()

    def _publish(self, topic: str, payload: bytes, *, retain: bool) -> None:
        self._last_sent = self.client.publish(topic, payload, qos=1, retain=retain)

    def flush(self, timeout: float = 5) -> bool:
        """Waits until the broker has taken everything published so far (QoS 1, in order); False
        when it has not within `timeout` (disconnected, say)."""
        last = self._last_sent
        if last is None:
            return True
        try:
            last.wait_for_publish(timeout=timeout)
        except (RuntimeError, ValueError):  # paho: not connected, or the message was dropped from its queue
            return False
        return bool(last.is_published())

    def stop(self) -> None:
        self.stopping = True
        if self.connected.is_set():
            self.flush()
            self._publish(self.topics.status, b"offline", retain=True)
            self.flush()
        self.client.disconnect()
        self.client.loop_stop()

    def _publish_retained(self, topic: str, payload: bytes, force: bool) -> bool:
        if not force and self.published.get(topic) == payload:
            return False
        self._publish(topic, payload, retain=True)
        self.published[topic] = payload
        return True

    def _clear_child(self, family_id: int | None, child_id: int) -> None:
        for sensor in SENSORS:
            topic = self.topics.config(child_id, sensor)
            self._publish(topic, b"", retain=True)
            self.published.pop(topic, None)
        if family_id is not None:
            topic = self.topics.state(family_id, child_id)
            self._publish(topic, b"", retain=True)
            self.published.pop(topic, None)

    def publish_states(self, children: list[ChildState], *, families: Iterable[int] | None, force: bool = False) -> int:
        """Publishes what changed of these children (the whole of `families`; None: of every family),
        or all of it (`force`); clears the children of those families published before, or found
        on the broker, and gone now. Returns the messages sent."""
        currency = self.settings.currency
        sent = 0
        present = {child.child_id for child in children}
        for child in children:
            for topic, payload in discovery_payloads(self.topics, child, currency).items():
                sent += self._publish_retained(topic, payload, force)
            state = state_payload(child, currency)
            sent += self._publish_retained(self.topics.state(child.family_id, child.child_id), state, force)
        wanted = None if families is None else set(families)
        gone: list[tuple[int | None, int]] = [
            (family_id, child_id)
            for family_id, child_id in self._published_children()
            if child_id not in present and (wanted is None or family_id in wanted)
        ]
        if families is None:
            with self._lock:
                leftovers = self.seen_on_broker - present
                self.seen_on_broker -= leftovers
                on_broker = {child_id: self.family_on_broker.pop(child_id, None) for child_id in leftovers}
            known = {child_id for _, child_id in gone}
            gone += [(on_broker[child_id], child_id) for child_id in sorted(leftovers - known)]
        for family_id, child_id in gone:
            self._clear_child(family_id, child_id)
            sent += 4
        return sent

    def _published_children(self) -> list[tuple[int, int]]:
        found = []
        for topic in self.published:
            parts = topic.split("/")
            if topic.startswith(self.topics.prefix + "/family/") and parts[-1] == "state":
                found.append((int(parts[-4]), int(parts[-2])))
        return found

    def publish_events(self, events: Iterable[Event]) -> int:
        sent = 0
        for event in events:
            self._publish(self.topics.event(event.family_id), event_payload(event), retain=False)
            sent += 1
        return sent

    def tick(self, session_factory: sessionmaker[Session], events: list[Event]) -> int:
        """After a worker round: its events, then the state of their families; everything again after
        a (re)connection; what time changed every MQTT_REFRESH_SECONDS. Returns the messages sent."""
        sent = self.publish_events(events)
        full = force = False
        if self.republish.is_set() and self.connected.is_set():
            self.republish.clear()
            full = force = True  # the broker may have lost what it held: everything, changed or not
        every = self.settings.mqtt_refresh_seconds
        if every and self.monotonic() >= self._next_refresh:
            full = True
        if full:
            self._next_refresh = self.monotonic() + every
            with session_factory() as session:
                children = self.read_states(session, None)
            sent += self.publish_states(children, families=None, force=force)
        elif events:
            families = sorted({event.family_id for event in events})
            with session_factory() as session:
                children = self.read_states(session, families)
            sent += self.publish_states(children, families=families)
        return sent


def events_of(notifications: Iterable[Any]) -> list[Event]:
    """The events behind dispatched notification rows: one per change, however many recipients it had."""
    seen: dict[tuple[object, ...], Event] = {}
    for row in notifications:
        key = (row.family_id, row.event, row.child_id, row.chore_id, row.completion_id, row.created_at, row.text)
        if key not in seen:
            seen[key] = Event(
                row.family_id, row.event, row.child_id, row.chore_id, row.completion_id, row.text, row.created_at
            )
    return sorted(seen.values(), key=lambda event: event.at)
