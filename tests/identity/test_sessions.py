"""Each log-in is a session on the server: logging out ends it, so its cookie and its token are refused from then on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from chores_tracker.identity.security import TOKEN_ALGORITHM
from tests.support.api import PASSWORD, Api
from tests.test_statement_counts import counting_statements

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf(page) -> str:
    found = _CSRF.search(page.text)
    assert found, f"no form on {page.url}"
    return found.group(1)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def browsers(app) -> Iterator:
    """Makes browsers (each its own cookies), optionally starting from a given session cookie."""
    made: list[TestClient] = []

    def make(session_cookie: str | None = None) -> TestClient:
        browser = TestClient(app, cookies={"ct_session": session_cookie} if session_cookie else None)
        made.append(browser)
        return browser

    yield make
    for browser in made:
        browser.close()


def _log_in_on_the_web(browser: TestClient, username: str):
    form = {"csrf_token": _csrf(browser.get("/login")), "username": username, "password": PASSWORD}
    page = browser.post("/login", data=form)
    assert page.url.path == "/", page.text
    return page


def test_after_a_web_logout_the_old_cookie_and_its_token_are_refused(api: Api, browsers):
    parent = api.parent()
    browser = browsers()
    home = _log_in_on_the_web(browser, parent.username)
    copied = browser.cookies.get("ct_session")
    assert api.client.get("/api/v1/users/me", headers=_bearer(copied)).status_code == 200

    out = browser.post("/logout", data={"csrf_token": _csrf(home)})
    assert out.url.path == "/login"

    replayed = browsers(session_cookie=copied).get("/", follow_redirects=False)
    assert replayed.status_code == 303 and replayed.headers["location"] == "/login"
    assert api.client.get("/api/v1/users/me", headers=_bearer(copied)).status_code == 401


def test_api_logout_ends_that_token_and_no_other(api: Api):
    parent = api.parent(with_family=False)
    other_device = api.token_for(parent.username)

    assert api.post("/users/logout", parent).status_code == 204
    refused = api.get("/users/me", parent)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
    assert api.post("/users/logout", parent).status_code == 401
    assert api.client.get("/api/v1/users/me", headers=_bearer(other_device)).status_code == 200
    assert api.client.get("/api/v1/users/me", headers=_bearer(api.token_for(parent.username))).status_code == 200


def _token_without_session(user_id: int, settings, lifetime: timedelta) -> str:
    """A token as the release before server-side sessions issued it: no `sid`."""
    now = datetime.now(UTC)
    payload = {"sub": str(user_id), "ver": 0, "iat": now, "exp": now + lifetime}
    return jwt.encode(payload, settings.secret_key, algorithm=TOKEN_ALGORITHM)


def test_a_token_from_before_sessions_works_until_logging_out_with_it_ends_all_the_users_tokens(api: Api):
    settings = api.client.app.state.settings
    parent = api.parent(with_family=False)
    old_app = _token_without_session(parent.id, settings, timedelta(minutes=5))
    old_browser = _token_without_session(parent.id, settings, timedelta(minutes=6))
    assert api.client.get("/api/v1/users/me", headers=_bearer(old_app)).status_code == 200

    assert api.client.post("/api/v1/users/logout", headers=_bearer(old_app)).status_code == 204
    for token in (old_app, old_browser, parent.token):
        assert api.client.get("/api/v1/users/me", headers=_bearer(token)).status_code == 401
    assert api.client.get("/api/v1/users/me", headers=_bearer(api.token_for(parent.username))).status_code == 200


def test_logging_in_clears_the_users_expired_sessions(api: Api, app):
    from chores_tracker.identity.models import AuthSession

    parent = api.parent(with_family=False)
    with app.state.session_factory() as session:
        (old,) = session.scalars(select(AuthSession.id).where(AuthSession.user_id == parent.id))
        expired = datetime.now(UTC) - timedelta(seconds=1)
        session.execute(update(AuthSession).where(AuthSession.id == old).values(expires_at=expired))
        session.commit()

    fresh = api.token_for(parent.username)
    with app.state.session_factory() as session:
        remaining = list(session.scalars(select(AuthSession.id).where(AuthSession.user_id == parent.id)))
    assert old not in remaining and len(remaining) == 1
    assert api.client.get("/api/v1/users/me", headers=_bearer(fresh)).status_code == 200


def test_checking_a_token_and_its_session_is_one_statement(api: Api, app):
    parent = api.parent(with_family=False)
    api.get("/users/me", parent)  # warm: the pool's first connection may run set-up statements
    with counting_statements(app.state.engine) as seen:
        assert api.get("/users/me", parent).status_code == 200
    assert len(seen) == 1, seen
