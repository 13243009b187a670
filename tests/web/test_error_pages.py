"""Unknown pages get a friendly page; nothing ever shows a stack trace; the API keeps answering JSON."""

from __future__ import annotations

import pytest


def test_an_unknown_page_gets_a_friendly_404(visitor):
    response = visitor().get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "We could not find that page" in response.text
    assert 'href="/"' in response.text


def test_the_404_page_knows_who_is_logged_in(visitor):
    person = visitor()
    username = person.parent_with_family()
    response = person.get("/no-such-page")
    assert response.status_code == 404
    assert username in response.text and 'aria-label="Main"' in response.text


def test_a_malformed_link_is_a_404_page_not_a_validation_error(visitor):
    person = visitor()
    person.parent_with_family()
    person.get("/family")
    response = person.submit("/family/children/not-a-number/password", {"password": "whatever-123"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_api_errors_stay_json(visitor):
    person = visitor()
    assert person.client.get("/api/v1/no-such-thing").json() == {"detail": "Not Found"}
    assert person.client.get("/api/v1/users/me").status_code == 401
    assert person.client.get("/api/v1/users/me").headers["content-type"] == "application/json"


def test_a_child_opening_a_parent_page_is_told_so(visitor):
    parent = visitor()
    parent.parent_with_family()
    name = parent.add_child()
    child = visitor()
    child.log_in(name)
    response = child.get("/family")
    assert response.status_code == 403
    assert "This page is for parents." in response.text


def test_a_parent_without_a_family_is_asked_to_set_one_up(visitor):
    person = visitor()
    person.sign_up()
    assert person.get("/family").url.path == "/family/setup"


def test_an_unexpected_failure_shows_a_calm_page_without_a_stack_trace(visitor, monkeypatch: pytest.MonkeyPatch):
    from chores_tracker.families import service

    person = visitor()
    person.parent_with_family()

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals: /srv/app/db.py line 42")

    monkeypatch.setattr(service, "members", broken)
    response = person.get("/family")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_the_database_going_away_is_a_503_page(visitor, monkeypatch: pytest.MonkeyPatch):
    from sqlalchemy.exc import OperationalError

    from chores_tracker.families import service

    person = visitor()
    person.parent_with_family()

    def unreachable(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused to 10.0.0.5"))

    monkeypatch.setattr(service, "members", unreachable)
    response = person.get("/family")
    assert response.status_code == 503
    assert "connection refused" not in response.text


def test_ids_no_database_can_hold_are_a_404_page_not_a_failure(visitor):
    person = visitor()
    person.parent_with_family()
    huge = 2**70
    for path in (f"/chores/{huge}/edit", f"/children/{huge}"):
        response = person.get(path)
        assert response.status_code == 404, path
    person.get("/family")
    assert person.submit(f"/approvals/{huge}/approve").status_code == 404
    assert person.get(f"/reports?child_id={huge}").status_code == 200
