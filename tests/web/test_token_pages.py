"""The account page's "API tokens" section: make one (its secret shown once), see it listed, revoke it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_a_token_made_on_the_account_page_is_shown_once_works_and_can_be_revoked(visitor, app):
    person = visitor()
    person.parent_with_family()
    person.get("/account/password")
    assert "API tokens" in person.page.text and "No tokens yet." in person.page.text

    made = person.submit("/account/tokens", {"name": "Home Assistant", "scopes": ["read", "review"]})
    assert made.status_code == 200, made.text
    secret = re.search(r"<code data-new-token>(ctpat_[^<]+)</code>", made.text)
    assert secret, made.text
    assert "Home Assistant" in made.text and "read review" in made.text

    with TestClient(app) as automation:
        me = automation.get("/api/v1/users/me", headers={"Authorization": f"Bearer {secret.group(1)}"})
        assert me.status_code == 200, me.text

        again = person.get("/account/password")
        assert secret.group(1) not in again.text  # shown once only
        token_id = person.api("GET", "/tokens").json()[0]["id"]
        revoked = person.submit(f"/account/tokens/{token_id}/revoke")
        assert revoked.url.path == "/account/password" and person.flash() == "The token is revoked."
        assert "No tokens yet." in revoked.text
        gone = automation.get("/api/v1/users/me", headers={"Authorization": f"Bearer {secret.group(1)}"})
        assert gone.status_code == 401


def test_a_token_without_a_scope_is_refused_with_a_message(visitor):
    person = visitor()
    person.parent_with_family()
    person.get("/account/password")
    refused = person.submit("/account/tokens", {"name": "Script"})
    assert refused.status_code == 422
    assert "Scopes must be some of read, complete, review, manage." in refused.text
