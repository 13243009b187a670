"""A family's outgoing webhooks, to a real receiver on this machine (the private-network guard is
off for those, as a self-hoster's LAN receiver needs): signed per Standard Webhooks (checked here by
an implementation of our own, not the app's), retried while the receiver is down and delivered once
when it is back, disabled after failing too often (the parents told). With the guard on, private
targets are refused at registration and at delivery (a name that resolves elsewhere later)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.support.api import Api
from tests.support.databases import clear_all_tables
from tests.support.family import approve, chore, complete, family, reject
from tests.support.receivers import http_receiver
from tests.test_statement_counts import counting_statements


@pytest.fixture
def app(database, build_app):
    """The app with WEBHOOK_ALLOW_PRIVATE_NETWORKS on: the receiver is on 127.0.0.1."""
    clear_all_tables(database.engine)
    return build_app(database, webhook_allow_private_networks=True)


@pytest.fixture
def strict_api(database, build_app):
    """An app on the same database with the guard on (the default)."""
    with TestClient(build_app(database)) as client:
        yield Api(client)


@pytest.fixture
def receiver():
    with http_receiver() as running:
        yield running


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Standard Webhooks, written from the spec: HMAC-SHA256 over "id.timestamp.body" with the
    base64-decoded part of the secret after `whsec_`; the header may carry several `v1,` signatures."""
    key = base64.b64decode(secret.split("_", 1)[1])
    content = headers["webhook-id"].encode() + b"." + headers["webhook-timestamp"].encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    given = [part.split(",", 1)[1] for part in headers["webhook-signature"].split(" ") if part.startswith("v1,")]
    return any(hmac.compare_digest(expected, one) for one in given)


def register(api: Api, parent, url: str, **fields) -> dict:
    response = api.post("/webhooks", parent, json={"url": url, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def one_round(app, **changes):
    from chores_tracker.notifications.delivery import run_round

    return run_round(app.state.session_factory, app.state.settings.model_copy(update=changes))


def log_of(api: Api, parent, webhook_id: int) -> list[dict]:
    response = api.get(f"/webhooks/{webhook_id}/deliveries", parent)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_chore_done_is_posted_signed_to_the_familys_webhook(api, app, receiver):
    home = family(api, kids=1)
    kid = home.kids[0]
    hook = register(api, home.parent, f"http://{receiver.url}/hooks/chores", events=["chore_completed"])
    assert hook["secret"].startswith("whsec_") and len(base64.b64decode(hook["secret"][6:])) >= 24
    assert "secret" not in api.get("/webhooks", home.parent).json()[0]
    complete(api, kid, chore(api, home.parent, title="Walk the dog", assignee_ids=[kid.id])["id"])
    bonus = {"child_id": kid.id, "amount": "0.50", "reason": "kind"}
    assert api.post("/adjustments/", home.parent, json=bonus).status_code == 201  # not an event it wants
    assert one_round(app).delivered == 1
    (message,) = receiver.wait_for(1)
    assert message.path == "/hooks/chores"
    assert message.headers["content-type"] == "application/json"
    assert message.headers["host"] == receiver.url
    assert verify(hook["secret"], message.headers, message.body)
    assert not verify(hook["secret"], message.headers, message.body + b" ")
    body = message.json()
    assert body["type"] == "chore_completed" and "Walk the dog" in body["data"]["text"]
    assert body["data"]["child_id"] == kid.id and body["data"]["actor_id"] == kid.id
    (logged,) = log_of(api, home.parent, hook["id"])
    assert (logged["state"], logged["attempts"], logged["last_status_code"], logged["last_error"]) == (
        "delivered",
        1,
        200,
        None,
    )
    assert logged["message_id"] == message.headers["webhook-id"]
    assert one_round(app).delivered == 0 and len(receiver.received) == 1


def test_a_chore_change_queues_a_delivery_only_in_a_family_with_a_webhook(api, app):
    """The change reads whether the family has an enabled webhook with the rows it reads anyway;
    one without writes no delivery (not even the empty INSERT ... SELECT), one with gets each event."""
    engine = app.state.engine
    with_hook, without = family(api, kids=1), family(api, kids=1)
    hook = register(api, with_hook.parent, "http://127.0.0.1:9/hooks")
    for home in (with_hook, without):
        kid = home.kids[0]
        with counting_statements(engine) as seen:
            done = complete(api, kid, chore(api, home.parent, title="Feed the cat", assignee_ids=[kid.id])["id"])
            approve(api, home.parent, done["id"])
            again = complete(api, kid, chore(api, home.parent, title="Fold socks", assignee_ids=[kid.id])["id"])
            reject(api, home.parent, again["id"])
        written = [statement for statement in seen if "webhook_deliveries" in statement]
        if home is without:
            assert written == []
    queued = [delivery["event"] for delivery in reversed(log_of(api, with_hook.parent, hook["id"]))]
    assert queued == ["chore_completed", "chore_approved", "chore_completed", "chore_rejected"]


def test_a_receiver_down_for_a_while_gets_the_event_once_when_back_with_the_same_id(api, app, receiver):
    from chores_tracker import clock

    home = family(api, kids=1)
    kid = home.kids[0]
    hook = register(api, home.parent, f"http://{receiver.url}/in")
    seen: list[str] = []
    receiver.on_request = lambda item: seen.append(item.headers["webhook-id"])
    receiver.down = True
    complete(api, kid, chore(api, home.parent, assignee_ids=[kid.id])["id"])
    first = one_round(app, notification_backoff_seconds=60)
    assert (first.delivered, first.failed) == (0, 1) and receiver.refused == 1
    (logged,) = log_of(api, home.parent, hook["id"])
    assert (logged["state"], logged["attempts"], logged["last_status_code"]) == ("pending", 1, 503)
    assert logged["last_error"] == "answered 503"
    assert one_round(app, notification_backoff_seconds=60).failed == 0, "not before its backoff is over"
    receiver.down = False
    with clock.told(clock.now() + timedelta(seconds=61)):
        assert one_round(app, notification_backoff_seconds=60).delivered == 1
        assert one_round(app, notification_backoff_seconds=60).delivered == 0
    (message,) = receiver.wait_for(1)
    assert len(seen) == 2 and seen[0] == seen[1] == message.headers["webhook-id"]
    assert verify(hook["secret"], message.headers, message.body)
    (logged,) = log_of(api, home.parent, hook["id"])
    assert (logged["state"], logged["attempts"], logged["last_status_code"]) == ("delivered", 2, 200)
    assert api.get(f"/webhooks/{hook['id']}", home.parent).json()["consecutive_failures"] == 0


def test_a_webhook_failing_too_often_is_disabled_and_the_parents_are_told(api, app, receiver):
    home = family(api, kids=1)
    kid = home.kids[0]
    second = api.second_parent(home.parent)
    hook = register(api, home.parent, f"http://{receiver.url}/in")
    receiver.down = True
    changes = {"webhook_max_consecutive_failures": 3, "notification_backoff_seconds": 0}
    complete(api, kid, chore(api, home.parent, assignee_ids=[kid.id])["id"])
    for _ in range(2):
        assert one_round(app, **changes).failed == 1
    assert api.get(f"/webhooks/{hook['id']}", home.parent).json()["enabled"] is True
    complete(api, kid, chore(api, home.parent, assignee_ids=[kid.id])["id"])
    third = one_round(app, **changes)
    assert third.failed == 1 and receiver.refused == 3, "the third failure in a row; the second event not tried"
    found = api.get(f"/webhooks/{hook['id']}", home.parent).json()
    assert found["enabled"] is False and found["consecutive_failures"] == 3
    assert "3 failed deliveries in a row" in found["disabled_reason"]
    for parent in (home.parent, second):
        told = [
            n for n in api.get("/notifications", parent).json()["notifications"] if n["event"] == "webhook_disabled"
        ]
        assert len(told) == 1 and "127.0.0.1" in told[0]["text"]
    assert one_round(app, **changes).failed == 0 and receiver.refused == 3, "nothing more is sent"
    receiver.down = False
    enabled = api.client.patch(f"/api/v1/webhooks/{hook['id']}", headers=home.parent.headers, json={"enabled": True})
    assert enabled.status_code == 200 and enabled.json()["consecutive_failures"] == 0
    assert one_round(app, **changes).delivered == 2
    assert len(receiver.received) == 2
    attempts = sorted(d["attempts"] for d in log_of(api, home.parent, hook["id"]))
    assert attempts == [1, 4], "the one given back untried was not counted as an attempt"


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/hook",
        "http://127.0.0.1:8080/hook",
        "http://127.9.9.9/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[::ffff:10.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://[fe80::1]/hook",
        "http://224.0.0.1/hook",
        "http://192.168.1.10/hook",
        "http://localhost/hook",
        "http://resolves-home.example/hook",
    ],
)
def test_private_targets_are_refused_with_the_guard_on(strict_api, monkeypatch, url):
    from chores_tracker.notifications import webhooks

    real = webhooks.resolve
    monkeypatch.setattr(
        webhooks, "resolve", lambda host, port: ["127.0.0.1"] if host == "resolves-home.example" else real(host, port)
    )
    parent = strict_api.parent()
    response = strict_api.post("/webhooks", parent, json={"url": url})
    assert response.status_code == 422, response.text
    assert "WEBHOOK_ALLOW_PRIVATE_NETWORKS" in response.text
    assert strict_api.get("/webhooks", parent).json() == []


@pytest.mark.parametrize("url", ["ftp://example.com/x", "http://user:pw@example.com/x", "not a url", "https:///nohost"])
def test_urls_that_are_not_plain_http_targets_are_refused(strict_api, url):
    parent = strict_api.parent()
    assert strict_api.post("/webhooks", parent, json={"url": url}).status_code == 422


def test_a_name_that_resolves_to_a_private_address_later_is_refused_at_delivery(
    strict_api, database, build_app, receiver, monkeypatch
):
    from chores_tracker.notifications import webhooks

    addresses = {"hooks.example": ["93.184.215.14"]}
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: addresses[host])
    home = family(strict_api, kids=1)
    kid = home.kids[0]
    hook = register(strict_api, home.parent, f"http://hooks.example:{receiver.port}/in")
    addresses["hooks.example"] = ["::ffff:127.0.0.1", "127.0.0.1"]  # the name now points home
    complete(strict_api, kid, chore(strict_api, home.parent, assignee_ids=[kid.id])["id"])
    strict_app = strict_api.client.app
    assert one_round(strict_app).failed == 1
    assert receiver.refused == 0 and receiver.received == []
    (logged,) = log_of(strict_api, home.parent, hook["id"])
    assert logged["last_status_code"] is None and logged["last_error"].startswith("refused: hooks.example resolves")


def test_the_connection_goes_to_the_checked_address(api, app, receiver, monkeypatch):
    """A name is resolved once per delivery and the POST goes to that address, with the name as Host."""
    from chores_tracker.notifications import webhooks

    asked: list[str] = []

    def resolve(host, port):
        asked.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(webhooks, "resolve", resolve)
    home = family(api, kids=1)
    kid = home.kids[0]
    register(api, home.parent, f"http://receiver.example:{receiver.port}/in")
    complete(api, kid, chore(api, home.parent, assignee_ids=[kid.id])["id"])
    assert one_round(app).delivered == 1
    (message,) = receiver.wait_for(1)
    assert message.headers["host"] == f"receiver.example:{receiver.port}"
    assert asked == ["receiver.example", "receiver.example"], "at registration, then at delivery"


def test_redirects_are_not_followed(api, app, monkeypatch):
    import http.server
    import threading

    hits: list[str] = []

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            hits.append(self.path)
            self.send_response(307)
            self.send_header("Location", "/elsewhere")
            self.end_headers()

        def log_message(self, *_args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        home = family(api, kids=1)
        kid = home.kids[0]
        hook = register(api, home.parent, f"http://127.0.0.1:{server.server_address[1]}/in")
        complete(api, kid, chore(api, home.parent, assignee_ids=[kid.id])["id"])
        assert one_round(app).failed == 1
    finally:
        server.shutdown()
        server.server_close()
    assert hits == ["/in"]
    (logged,) = log_of(api, home.parent, hook["id"])
    assert logged["last_status_code"] == 307 and "not followed" in logged["last_error"]


def test_a_rolled_back_change_sends_nothing_and_the_secret_is_stored_encrypted(api, app, receiver):
    from sqlalchemy import func, select

    from chores_tracker.notifications import service
    from chores_tracker.notifications.models import Webhook, WebhookDelivery

    home = family(api, kids=1)
    hook = register(api, home.parent, f"http://{receiver.url}/in")
    with app.state.session_factory() as session:
        stored = session.scalar(select(Webhook.secret_encrypted))
        assert stored is not None and hook["secret"] not in stored and hook["secret"][6:] not in stored
        service.enqueue(
            session, family_id=hook_family(api, home.parent), event="payout_recorded", actor_id=None, text="x"
        )
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1
        session.rollback()
    with app.state.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
    assert one_round(app).delivered == 0 and receiver.received == []


def hook_family(api: Api, parent) -> int:
    return api.get("/families/context", parent).json()["family"]["id"]


def test_webhooks_are_the_parents_and_one_familys(api, app, receiver):
    home = family(api, kids=1)
    other = api.parent(family_name="Others")
    hook = register(api, home.parent, f"http://{receiver.url}/in")
    assert api.post("/webhooks", home.kids[0], json={"url": f"http://{receiver.url}/in"}).status_code == 403
    assert api.get("/webhooks", home.kids[0]).status_code == 403
    assert api.get(f"/webhooks/{hook['id']}", other).status_code == 404
    assert api.get(f"/webhooks/{hook['id']}/deliveries", other).status_code == 404
    assert api.delete(f"/webhooks/{hook['id']}", other).status_code == 404
    assert api.get("/webhooks", other).json() == []
    changed = api.client.patch(
        f"/api/v1/webhooks/{hook['id']}", headers=home.parent.headers, json={"events": ["payout_recorded"]}
    )
    assert changed.status_code == 200 and changed.json()["events"] == ["payout_recorded"]
    bad = api.client.patch(f"/api/v1/webhooks/{hook['id']}", headers=home.parent.headers, json={"events": ["nope"]})
    assert bad.status_code == 422
    assert api.delete(f"/webhooks/{hook['id']}", home.parent).status_code == 204
    assert api.get("/webhooks", home.parent).json() == []
    assert json.loads(api.get("/notifications/events", home.parent).text)["events"]["webhook_disabled"]


def test_the_parents_page_shows_each_webhooks_delivery_log(api, app, receiver):
    home = family(api, kids=1)
    kid = home.kids[0]
    hook = register(api, home.parent, f"http://{receiver.url}/page")
    receiver.down = True
    complete(api, kid, chore(api, home.parent, title="Dust", assignee_ids=[kid.id])["id"])
    one_round(app)
    browser = TestClient(app)
    browser.cookies.set("ct_session", home.parent.token)
    page = browser.get("/family/webhooks")
    assert page.status_code == 200, page.text
    assert f"http://{receiver.url}/page" in page.text and f'data-webhook-id="{hook["id"]}"' in page.text
    assert "chore_completed" in page.text and "503" in page.text and "answered 503" in page.text
    assert 'href="/family/webhooks"' in browser.get("/family").text
    child = TestClient(app)
    child.cookies.set("ct_session", kid.token)
    assert child.get("/family/webhooks", follow_redirects=False).status_code == 403


def test_the_queue_metrics_count_waiting_webhook_deliveries_of_enabled_webhooks(api, app, receiver):
    from chores_tracker.notifications.delivery import queue_state

    home = family(api, kids=1)
    hook = register(api, home.parent, f"http://{receiver.url}/in", events=["adjustment_applied"])
    bonus = {"child_id": home.kids[0].id, "amount": "0.50", "reason": "kind"}
    assert api.post("/adjustments/", home.parent, json=bonus).status_code == 201
    with app.state.session_factory() as session:
        with_hook = queue_state(session).depth
    api.client.patch(f"/api/v1/webhooks/{hook['id']}", headers=home.parent.headers, json={"enabled": False})
    with app.state.session_factory() as session:
        assert queue_state(session).depth == with_hook - 1


def test_a_claim_left_by_a_dead_worker_is_sent_again_after_its_lease_with_the_same_id(api, app, receiver):
    from chores_tracker import clock
    from chores_tracker.notifications import webhook_delivery

    home = family(api, kids=1)
    kid = home.kids[0]
    hook = register(api, home.parent, f"http://{receiver.url}/in")
    complete(api, kid, chore(api, home.parent, assignee_ids=[kid.id])["id"])
    with app.state.session_factory() as session:
        _token, (claimed,) = webhook_delivery.claim(session, app.state.settings)  # and then the worker dies
    assert one_round(app).delivered == 0, "its claim holds until the lease ends"
    with clock.told(clock.now() + timedelta(seconds=app.state.settings.notification_lease_seconds + 1)):
        assert one_round(app).delivered == 1
    (message,) = receiver.wait_for(1)
    assert message.headers["webhook-id"] == claimed.message_id
    (logged,) = log_of(api, home.parent, hook["id"])
    assert (logged["state"], logged["attempts"]) == ("delivered", 2)
