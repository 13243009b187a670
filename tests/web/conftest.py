"""A visitor that uses the pages as a browser without JavaScript would: GET a page, submit its form."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support.api import PASSWORD, unique

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Visitor:
    """One person on one device: its own cookies."""

    def __init__(self, app) -> None:
        self.client = TestClient(app, raise_server_exceptions=False)
        self.page = None

    def get(self, path: str, **kwargs):
        self.page = self.client.get(path, **kwargs)
        return self.page

    def csrf_token(self) -> str:
        assert self.page is not None, "open a page with a form first"
        found = _CSRF.search(self.page.text)
        assert found, f"no form on {self.page.url}"
        return found.group(1)

    def submit(self, path: str, data: dict | None = None, *, token: str | None = None, **kwargs):
        """Post a form the way the page's own form would, with the page's CSRF token."""
        fields = {"csrf_token": token if token is not None else self.csrf_token(), **(data or {})}
        self.page = self.client.post(path, data=fields, **kwargs)
        return self.page

    def sign_up(self, username: str | None = None, password: str = PASSWORD) -> str:
        username = username or unique("parent")
        self.get("/signup")
        response = self.submit("/signup", {"username": username, "password": password})
        assert response.status_code == 200 and response.url.path == "/family/setup", response.text
        return username

    def parent_with_family(self, family_name: str = "The Pages") -> str:
        username = self.sign_up()
        response = self.submit("/family/create", {"name": family_name})
        assert response.url.path == "/family", response.text
        return username

    def add_child(self, username: str | None = None, password: str = PASSWORD) -> str:
        username = username or unique("kid")
        self.get("/family")
        response = self.submit("/family/children", {"username": username, "password": password})
        assert response.url.path == "/family", response.text
        return username

    def log_in(self, username: str, password: str = PASSWORD):
        self.get("/login")
        return self.submit("/login", {"username": username, "password": password})

    def api(self, method: str, path: str, **kwargs):
        """The JSON API with this browser's session as the bearer token: the same identity."""
        token = self.client.cookies.get("ct_session")
        return self.client.request(method, f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, **kwargs)

    def flash(self) -> str | None:
        found = re.search(
            r'class="alert alert-(?:success|error)" role="(?:status|alert)">.*?<span>([^<]*)</span>',
            self.page.text,
            re.DOTALL,
        )
        return found.group(1) if found else None

    def close(self) -> None:
        self.client.close()


def field_error(html: str, field: str) -> str | None:
    """The error message shown next to a field (by the field's id, f-<name> unless given), if any."""
    prefixes = ("reward-", "reason-", "adjustment-", "payout-", "reset-", "goal-", "decline-", "allowance-")
    field_id = field if field.startswith(prefixes) else f"f-{field}"
    found = re.search(rf'id="{re.escape(field_id)}-error">([^<]*)<', html)
    return found.group(1) if found else None


def user_id(app, username: str) -> int:
    from chores_tracker.identity.models import User

    with app.state.session_factory() as session:
        return session.query(User).filter_by(username=username).one().id


@pytest.fixture
def app(database_factory, build_app):
    """Pages on SQLite only: they call the same services the API tests exercise on every backend."""
    from tests.support.databases import clear_all_tables

    database = database_factory("sqlite")
    clear_all_tables(database.engine)
    return build_app(database)


@pytest.fixture
def visitor(app) -> Iterator:
    """Makes visitors: each call is another browser."""
    made: list[Visitor] = []

    def make() -> Visitor:
        person = Visitor(app)
        made.append(person)
        return person

    yield make
    for person in made:
        person.close()
