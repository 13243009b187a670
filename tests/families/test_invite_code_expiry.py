"""An invite code's expiry: the instant the API shows is the one stored and the one the check uses.

DATETIME keeps whole seconds on MySQL/MariaDB, which round (MySQL) or truncate (MariaDB) a
fraction: an expiry computed with microseconds is stored as another instant than the one shown.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import chores_tracker.clock


class _StoppedClock(datetime):
    instant = datetime.now(UTC)

    @classmethod
    def now(cls, tz=None):
        return cls.instant.astimezone(tz)


@pytest.fixture
def stop_clock(monkeypatch: pytest.MonkeyPatch):
    """Stops the app's clock at the instant given (and again at the next one given)."""
    monkeypatch.setattr(chores_tracker.clock, "datetime", _StoppedClock)

    def stop_at(instant: datetime) -> None:
        monkeypatch.setattr(_StoppedClock, "instant", instant)

    return stop_at


def _shown_expiry(api, parent) -> datetime:
    response = api.post("/families/invite-code/generate", parent, json={"expires_in_days": 1})
    assert response.status_code == 200, response.text
    return datetime.fromisoformat(response.json()["expires_at"])


def _a_second_with_a_fraction() -> datetime:
    return datetime.now(UTC).replace(microsecond=700_000)


def _join(api, joiner, code: str):
    return api.post("/families/join", joiner, json={"invite_code": code})


def test_the_expiry_shown_when_a_code_is_made_is_the_one_stored(api):
    parent = api.parent()
    shown = _shown_expiry(api, parent)
    stored = datetime.fromisoformat(api.get("/families/context", parent).json()["family"]["invite_code_expires_at"])
    assert shown == stored


def test_a_code_lets_a_parent_in_until_the_instant_its_expiry_shows(api, stop_clock):
    first, joiner = api.parent(), api.parent(with_family=False)
    stop_clock(_a_second_with_a_fraction())
    expiry = _shown_expiry(api, first)
    code = api.get("/families/context", first).json()["family"]["invite_code"]

    stop_clock(expiry - timedelta(microseconds=1))
    response = _join(api, joiner, code)
    assert response.status_code == 200, response.text


def test_a_code_refuses_parents_from_the_instant_its_expiry_shows(api, stop_clock):
    first, joiner = api.parent(), api.parent(with_family=False)
    stop_clock(_a_second_with_a_fraction())
    expiry = _shown_expiry(api, first)
    code = api.get("/families/context", first).json()["family"]["invite_code"]

    stop_clock(expiry)
    response = _join(api, joiner, code)
    assert response.status_code == 404, response.text
