"""Channels through Apprise, with real receivers on this machine: an SMTP server (aiosmtpd) gets the
email sent with only the SMTP_* settings; a local HTTP receiver gets the ntfy post and the JSON
webhook. URLs are stored encrypted and shown masked; parents see dead letters and try them again."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes

import pytest
from sqlalchemy import select, update

from tests.support.family import chore, complete, family
from tests.support.receivers import http_receiver


@pytest.fixture
def receiver():
    with http_receiver() as running:
        yield running


class Mailbox:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, _server, _session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Mailbox]]:
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()


def one_round(app):
    from chores_tracker.notifications.delivery import run_round

    return run_round(app.state.session_factory, app.state.settings)


def test_a_channel_is_added_listed_masked_and_removed_and_its_secrets_never_logged(api, app, caplog):
    from chores_tracker.notifications.models import NotificationChannel

    home = family(api, kids=1)
    secret_url = "ntfys://ana:tk_token123@ntfy.example.com/family-topic-s3cr3t"
    made = api.post("/notifications/channels", home.parent, json={"name": "Phone", "url": secret_url})
    assert made.status_code == 201, made.text
    shown = made.json()
    assert shown["url"] == "ntfys://ntfy.example.com/…" and shown["events"] is None and shown["enabled"] is True
    listed = api.get("/notifications/channels", home.parent)
    assert listed.json() == [shown] and "s3cr3t" not in listed.text and "tk_token" not in listed.text
    with app.state.session_factory() as session:
        stored = session.scalar(select(NotificationChannel.url_encrypted))
    assert stored is not None and "s3cr3t" not in stored and "ntfy" not in stored
    assert api.get("/notifications/channels", home.kids[0]).json() == []
    assert api.delete(f"/notifications/channels/{shown['id']}", home.kids[0]).status_code == 404
    assert api.delete(f"/notifications/channels/{shown['id']}", home.parent).status_code == 204
    assert api.get("/notifications/channels", home.parent).json() == []
    logged = caplog.text
    assert "s3cr3t" not in logged and "tk_token" not in logged


def test_bad_channels_are_refused_with_the_field(api):
    home = family(api, kids=0)
    for body, field in (
        ({"name": "x", "url": "nonsense://what"}, "url"),
        ({"name": "x", "url": "email:ana@example.com"}, "url"),  # no SMTP_HOST on this server
        ({"name": "x", "url": "json://127.0.0.1/h", "events": ["chore_eaten"]}, "events"),
        ({"name": "", "url": "json://127.0.0.1/h"}, "name"),
    ):
        answer = api.post("/notifications/channels", home.parent, json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert field in answer.text, (body, answer.text)
    events = api.get("/notifications/events", home.parent).json()["events"]
    assert "chore_completed" in events and "payout_recorded" in events


def test_an_email_reaches_the_smtp_server_with_only_the_smtp_settings(api, database, build_app, smtp_server):
    from tests.support.api import Api
    from tests.support.databases import clear_all_tables

    port, mailbox = smtp_server
    clear_all_tables(database.engine)
    app = build_app(
        database, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", smtp_from="chores@example.com"
    )
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        mailed = Api(client)
        home = family(mailed, kids=1)
        kid = home.kids[0]
        made = mailed.post(
            "/notifications/channels", home.parent, json={"name": "Mail", "url": "email:ana@example.com"}
        )
        assert made.status_code == 201, made.text
        assert made.json()["url"] == "email:…@example.com"
        complete(mailed, kid, chore(mailed, home.parent, title="Fold the laundry", assignee_ids=[kid.id])["id"])
        assert one_round(app).delivered == 1
    (envelope,) = mailbox.envelopes
    assert envelope.mail_from == "chores@example.com" and envelope.rcpt_tos == ["ana@example.com"]
    mail = message_from_bytes(envelope.content)
    assert "A chore is done" in mail["Subject"]
    body = mail.get_payload(decode=True) if not mail.is_multipart() else mail.get_payload(0).get_payload(decode=True)
    assert b"Fold the laundry" in body


def test_ntfy_and_json_webhooks_reach_a_local_receiver(api, app, receiver):
    home = family(api, kids=1)
    kid = home.kids[0]
    for name, url in (("ntfy", f"ntfy://{receiver.url}/chores-family"), ("json", f"json://{receiver.url}/hook")):
        assert api.post("/notifications/channels", home.parent, json={"name": name, "url": url}).status_code == 201
    complete(api, kid, chore(api, home.parent, title="Empty the bins", assignee_ids=[kid.id])["id"])
    assert one_round(app).delivered == 2
    by_path = {item.path.split("?")[0]: item for item in receiver.wait_for(2)}
    ntfy = by_path.get("/chores-family") or by_path["/"]
    assert b"Empty the bins" in ntfy.body
    assert "Empty the bins" in by_path["/hook"].json()["message"]


def test_a_parent_sees_the_dead_letters_and_tries_one_again(api, app, receiver):
    from chores_tracker.notifications.models import NotificationDelivery

    home = family(api, kids=1)
    kid = home.kids[0]
    assert (
        api.post("/notifications/channels", kid, json={"name": "h", "url": f"json://{receiver.url}/h"}).status_code
        == 201
    )
    bonus = {"child_id": kid.id, "amount": "2.00", "reason": "tidy room"}
    assert api.post("/adjustments/", home.parent, json=bonus).status_code == 201
    receiver.down = True
    settings = app.state.settings.model_copy(update={"notification_max_attempts": 1})
    from chores_tracker.notifications.delivery import run_round

    assert run_round(app.state.session_factory, settings).dead == 1
    (dead,) = api.get("/notifications/deliveries", home.parent).json()
    assert dead["state"] == "dead" and dead["event"] == "adjustment_applied" and dead["recipient_id"] == kid.id
    assert dead["channel_name"] == "h" and dead["attempts"] == 1 and dead["last_error"]
    assert api.get("/notifications/deliveries", kid).status_code == 403
    assert api.get("/notifications/deliveries", home.parent, params={"state": "delivered"}).json() == []
    receiver.down = False
    assert api.post(f"/notifications/deliveries/{dead['id']}/retry", home.parent).status_code == 204
    assert api.post(f"/notifications/deliveries/{dead['id']}/retry", home.parent).status_code == 409
    assert one_round(app).delivered == 1
    assert api.get("/notifications/deliveries", home.parent).json() == []
    with app.state.session_factory() as session:
        session.execute(update(NotificationDelivery).values(state="delivered"))
        session.commit()
    assert len(receiver.received) == 1


def test_quiet_hours_hold_a_delivery_until_they_end_but_not_the_notification_centre(api, app, receiver):
    from datetime import timedelta

    from chores_tracker import clock

    home = family(api, kids=1)
    kid = home.kids[0]
    assert api.put("/families/timezone", home.parent, json={"timezone": "UTC"}).status_code == 200
    assert (
        api.post(
            "/notifications/channels", home.parent, json={"name": "h", "url": f"json://{receiver.url}/h"}
        ).status_code
        == 201
    )
    now = clock.now()
    start, end = (now - timedelta(hours=1)), (now + timedelta(hours=2))
    body = {"quiet_start": f"{start:%H:%M}", "quiet_end": f"{end:%H:%M}"}
    assert api.put("/notifications/preferences", home.parent, json=body).json() == body
    assert api.get("/notifications/preferences", home.parent).json() == body
    complete(api, kid, chore(api, home.parent, assignee_ids=[kid.id])["id"])
    assert api.get("/notifications/unread-count", home.parent).json() == {"unread_count": 1}
    assert one_round(app).delivered == 0 and receiver.received == []
    with clock.told(end.replace(second=0) + timedelta(seconds=1)):
        assert one_round(app).delivered == 1
    assert len(receiver.received) == 1
    half = api.put("/notifications/preferences", home.parent, json={"quiet_start": "22:00"})
    assert half.status_code == 422 and "quiet_end" in half.text
    assert (
        api.put(
            "/notifications/preferences", home.parent, json={"quiet_start": "25:00", "quiet_end": "07:00"}
        ).status_code
        == 422
    )
    assert api.put("/notifications/preferences", home.parent, json={}).json() == {
        "quiet_start": None,
        "quiet_end": None,
    }
