"""The notification centre offers Web Push where the server sends it: the key to subscribe with, a
form that turns a browser's subscription into a channel, and the service worker at the app's root."""

from __future__ import annotations

import re

from chores_tracker.notifications import webpush
from tests.operations.test_unencodable_input import PUSH_FORM
from tests.support.databases import TEST_VAPID_KEY


def test_the_centre_carries_the_servers_key_and_its_form_subscribes_this_browser(visitor):
    parent = visitor()
    parent.parent_with_family()
    page = parent.get("/notifications")
    found = re.search(r'data-push-key="([^"]+)"', page.text)
    assert found and found.group(1) == webpush.public_key_for(TEST_VAPID_KEY)
    parent.submit("/notifications/push", PUSH_FORM)
    assert parent.flash() == "This device will get your notifications."
    (channel,) = parent.api("GET", "/notifications/channels").json()
    assert channel["url"] == "webpush://push.example.com/…" and channel["name"] == "Phone"
    parent.get("/notifications")
    parent.submit("/notifications/push", {**PUSH_FORM, "auth": "short"})
    refused = parent.flash() or ""
    assert refused.startswith("Could not turn them on: auth must be") and "16-byte secret" in refused


def test_the_service_worker_is_served_at_the_root_and_shows_push_messages(visitor):
    answer = visitor().get("/sw.js")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/javascript")
    assert "showNotification" in answer.text and "notificationclick" in answer.text


def test_without_a_vapid_key_the_centre_offers_nothing(database_factory, build_app):
    from tests.support.databases import clear_all_tables
    from tests.web.conftest import Visitor

    database = database_factory("sqlite")
    clear_all_tables(database.engine)
    parent = Visitor(build_app(database, vapid_private_key=""))
    parent.parent_with_family()
    assert "data-push-key" not in parent.get("/notifications").text
