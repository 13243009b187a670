"""Web Push to the installed web app: a browser's subscription is a channel; the worker sends each
message encrypted for that browser (RFC 8291, aes128gcm) and signed with our VAPID key (RFC 8292).

The push service here is a local HTTP receiver. What it receives is decrypted with http-ece (the
reference implementation the Web Push libraries use) and the browser's private key, which only the
test holds, and its VAPID token is checked with the public key it names."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator

import http_ece
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from sqlalchemy import select

from chores_tracker import clock
from chores_tracker.notifications import webpush
from tests.support.api import Api
from tests.support.databases import clear_all_tables
from tests.support.family import chore, complete, family
from tests.support.receivers import HttpReceiver, http_receiver

VAPID_KEY = webpush.new_private_key()  # not the other tests' key


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Browser:
    """What a browser keeps of its subscription: its private key and authentication secret."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    @property
    def p256dh(self) -> str:
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def subscription(self, endpoint: str) -> dict:
        return {"endpoint": endpoint, "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}

    def read(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"))


@pytest.fixture
def push_service() -> Iterator[HttpReceiver]:
    with http_receiver() as running:
        running.status = 201  # what push services answer a message they took
        yield running


@pytest.fixture
def pushing(database, build_app) -> Iterator[tuple[object, Api]]:
    clear_all_tables(database.engine)
    app = build_app(database, vapid_private_key=VAPID_KEY, web_push_allow_http=True)
    with TestClient(app) as client:
        yield app, Api(client)


def one_round(app):
    from chores_tracker.notifications.delivery import run_round

    return run_round(app.state.session_factory, app.state.settings)


def subscribe(api: Api, who, browser: Browser, endpoint: str):
    made = api.post("/notifications/push-subscriptions", who, json={"name": "Phone", **browser.subscription(endpoint)})
    assert made.status_code == 201, made.text
    return made.json()


def test_a_chore_done_reaches_the_parents_browser_encrypted_for_it_and_signed_by_us(pushing, push_service):
    app, api = pushing
    home = family(api, kids=1)
    kid = home.kids[0]
    key = api.get("/notifications/push-key", home.parent).json()
    assert key == {"enabled": True, "public_key": webpush.public_key_for(VAPID_KEY)}
    browser = Browser()
    channel = subscribe(api, home.parent, browser, f"http://{push_service.url}/push/parent-phone")
    assert channel["url"] == "webpush://127.0.0.1/…" and channel["enabled"] is True

    complete(api, kid, chore(api, home.parent, title="Water the plants", assignee_ids=[kid.id])["id"])
    assert one_round(app).delivered == 1
    (message,) = push_service.received
    assert message.path == "/push/parent-phone"
    assert message.headers["content-encoding"] == "aes128gcm" and int(message.headers["ttl"]) > 0
    shown = browser.read(message.body)
    assert shown["title"].startswith("A chore is done") and "Water the plants" in shown["body"]
    assert shown["url"] == "/notifications" and shown["tag"].startswith("n")
    with pytest.raises(http_ece.ECEException, match="InvalidTag"):  # another browser's key cannot read it
        Browser().read(message.body)

    scheme, _, params = message.headers["authorization"].partition(" ")
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert scheme == "vapid" and fields["k"] == key["public_key"]
    point = base64.urlsafe_b64decode(fields["k"] + "=" * (-len(fields["k"]) % 4))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    claims = jwt.decode(fields["t"], public, algorithms=["ES256"], audience=f"http://{push_service.url}")
    assert claims["sub"].startswith(("mailto:", "https://"))
    assert 0 < claims["exp"] - clock.now().timestamp() <= 24 * 3600
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(fields["t"], ec.generate_private_key(ec.SECP256R1()).public_key(), algorithms=["ES256"],
                   audience=f"http://{push_service.url}")  # fmt: skip


def test_a_subscription_the_push_service_says_has_ended_is_turned_off_at_once(pushing, push_service):
    from chores_tracker.notifications.models import NotificationDelivery

    app, api = pushing
    home = family(api, kids=1)
    kid = home.kids[0]
    subscribe(api, home.parent, Browser(), f"http://{push_service.url}/push/old-phone")
    push_service.status = 410
    complete(api, kid, chore(api, home.parent, title="Dishes", assignee_ids=[kid.id])["id"])
    done = one_round(app)
    assert (done.delivered, done.dead) == (0, 1)
    with app.state.session_factory() as session:
        (state, error) = session.execute(select(NotificationDelivery.state, NotificationDelivery.last_error)).one()
    assert state == "dead" and "ended (HTTP 410)" in error
    assert [c["enabled"] for c in api.get("/notifications/channels", home.parent).json()] == [False]
    complete(api, kid, chore(api, home.parent, title="Bins", assignee_ids=[kid.id])["id"])
    assert one_round(app).dispatched == 1 and len(push_service.received) == 1, "a channel turned off gets nothing"


def test_a_push_service_that_fails_for_a_while_gets_the_message_once_when_back(pushing, push_service):
    from datetime import timedelta

    app, api = pushing
    home = family(api, kids=1)
    kid = home.kids[0]
    browser = Browser()
    subscribe(api, home.parent, browser, f"http://{push_service.url}/push/flaky")
    push_service.down = True
    complete(api, kid, chore(api, home.parent, title="Sweep", assignee_ids=[kid.id])["id"])
    assert one_round(app).failed == 1 and push_service.refused == 1
    push_service.down = False
    with clock.told(clock.now() + timedelta(hours=1)):
        assert one_round(app).delivered == 1
        assert one_round(app).delivered == 0
    (message,) = push_service.received
    assert "Sweep" in browser.read(message.body)["body"]


def test_the_same_browser_subscribing_again_replaces_its_channel(pushing, push_service):
    _app, api = pushing
    home = family(api, kids=1)
    endpoint = f"http://{push_service.url}/push/same"
    subscribe(api, home.parent, Browser(), endpoint)
    subscribe(api, home.parent, Browser(), endpoint)
    subscribe(api, home.parent, Browser(), f"http://{push_service.url}/push/other")
    assert len(api.get("/notifications/channels", home.parent).json()) == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": "ftp://push.example.com/x"}, "endpoint"),
        ({"keys": {"p256dh": b64url(b"\x04" + b"\x01" * 64), "auth": b64url(b"a" * 16)}}, "p256dh"),
        ({"keys": {"p256dh": "not base64!", "auth": b64url(b"a" * 16)}}, "p256dh"),
        ({"keys": {"p256dh": Browser().p256dh, "auth": b64url(b"short")}}, "auth"),
    ],
)
def test_a_subscription_that_cannot_work_is_refused_with_the_field(pushing, change, field):
    _app, api = pushing
    home = family(api, kids=1)
    body = {"name": "Phone", **Browser().subscription("https://push.example.com/x"), **change}
    refused = api.post("/notifications/push-subscriptions", home.parent, json=body)
    assert refused.status_code == 422, refused.text
    assert field in refused.text


def test_without_a_vapid_key_web_push_is_off_and_says_so(database, build_app):
    clear_all_tables(database.engine)
    api = Api(TestClient(build_app(database, vapid_private_key="")))
    home = family(api, kids=1)
    assert api.get("/notifications/push-key", home.parent).json() == {"enabled": False, "public_key": None}
    refused = api.post(
        "/notifications/push-subscriptions", home.parent, json=Browser().subscription("https://push.example.com/x")
    )
    assert refused.status_code == 422 and "VAPID_PRIVATE_KEY" in refused.text


def test_a_channel_url_cannot_smuggle_a_push_subscription(pushing):
    _app, api = pushing
    home = family(api, kids=1)
    url = "webpush:" + json.dumps({"endpoint": "http://10.0.0.1/", "p256dh": "x", "auth": "y"})
    refused = api.post("/notifications/channels", home.parent, json={"name": "sneaky", "url": url})
    assert refused.status_code == 422 and "push-subscriptions" in refused.text


def test_vapid_keys_makes_a_key_the_server_can_use():
    from typer.testing import CliRunner

    from chores_tracker.cli import app as cli

    printed = CliRunner().invoke(cli, ["vapid-keys"]).output
    private = printed.splitlines()[0].removeprefix("VAPID_PRIVATE_KEY=")
    assert len(webpush.unb64url(private)) == 32
    assert webpush.public_key_for(private) in printed
