"""Access tokens expire, and a changed password ends every token issued before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from chores_tracker.identity.security import TOKEN_ALGORITHM, create_access_token
from tests.support.api import Api


def _token(user_id: int, secret: str, *, expires_in: timedelta, version: int = 0) -> str:
    now = datetime.now(UTC)
    payload = {"sub": str(user_id), "ver": version, "iat": now, "exp": now + expires_in}
    return jwt.encode(payload, secret, algorithm=TOKEN_ALGORITHM)


def _me(api: Api, token: str):
    return api.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})


def test_an_expired_token_answers_401(api: Api):
    settings = api.client.app.state.settings
    parent = api.parent(with_family=False)
    assert _me(api, _token(parent.id, settings.secret_key, expires_in=timedelta(minutes=5))).status_code == 200
    expired = _me(api, _token(parent.id, settings.secret_key, expires_in=-timedelta(seconds=1)))
    assert expired.status_code == 401
    assert expired.headers["WWW-Authenticate"] == "Bearer"


def test_tokens_carry_the_configured_lifetime(api: Api):
    settings = api.client.app.state.settings
    token = create_access_token(1, 0, "a-session-id", settings)
    claims = jwt.decode(token, settings.secret_key, algorithms=[TOKEN_ALGORITHM])
    assert claims["exp"] - claims["iat"] == settings.access_token_expire_minutes * 60


def test_a_token_signed_with_another_key_answers_401(api: Api):
    parent = api.parent(with_family=False)
    forged = _token(parent.id, "another-secret-key-that-is-long-enough-xyz", expires_in=timedelta(minutes=5))
    assert _me(api, forged).status_code == 401


def test_a_password_reset_ends_the_childs_older_tokens(api: Api):
    parent = api.parent()
    child = api.child(parent)
    assert api.get("/users/me", child).status_code == 200
    assert api.post(f"/users/children/{child.id}/reset-password", parent, json="brand-new-password").status_code == 200
    assert api.get("/users/me", child).status_code == 401
    fresh = api.token_for(child.username, "brand-new-password")
    assert _me(api, fresh).status_code == 200
    assert api.get("/users/me", parent).status_code == 200  # the parent's own token is untouched


def test_changing_ones_own_password_ends_older_tokens(api: Api):
    from chores_tracker.identity import service
    from chores_tracker.identity.models import User

    app = api.client.app
    parent = api.parent(with_family=False)
    with app.state.session_factory() as session:
        user = session.get(User, parent.id)
        service.change_own_password(session, app.state.settings, user, "correct-horse-battery", "another-horse-1")
    assert api.get("/users/me", parent).status_code == 401
    assert _me(api, api.token_for(parent.username, "another-horse-1")).status_code == 200
