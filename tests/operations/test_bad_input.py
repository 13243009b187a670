"""Bad input, tried for real: generated requests over the whole OpenAPI schema, as a parent and as
a child, never get a 5xx or an answer that breaks its own schema; and a batch of invalid requests
leaves nothing half-written.

The generated run uses SQLite only. Its point is the app's handling of input (validation, rules,
error mapping), which is the same code whatever the database; the batch test below checks what is
left in the database, on every backend.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.operations.conftest import client_from
from tests.support.api import PASSWORD, Api, Person
from tests.support.databases import TestDatabase, clear_all_tables

# Examples per operation and caller; enough to find the edges, bounded so the run stays ~1 minute.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


class Family:
    """A parent and a child whose tokens stay valid whatever the generated requests did."""

    def __init__(self, client: TestClient) -> None:
        self.api = Api(client)
        self.parent = self.api.parent()
        self.child = self.api.child(self.parent)

    def callers(self) -> dict[str, dict[str, str]]:
        # A generated reset-password call may have changed the child's password, or a generated
        # removal may have taken it out of the family: then the parent makes a new child.
        login = self.api.login(self.child.username, PASSWORD)
        if login.status_code == 200:
            self.child = Person(self.child.id, self.child.username, login.json()["access_token"], False)
        else:
            self.child = self.api.child(self.parent)
        return {"parent": self.parent.headers, "child": self.child.headers}


@pytest.fixture(scope="module")
def fuzzed_app(database_factory):
    from chores_tracker.app import create_app

    database = database_factory("sqlite")
    clear_all_tables(database.engine)
    app = create_app(database.settings())
    yield app
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def family(fuzzed_app) -> Family:
    return Family(client_from(fuzzed_app))


@pytest.fixture
def api_schema(fuzzed_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_generated_requests_get_no_5xx_and_answers_that_match_the_schema(case, family: Family):
    for headers in family.callers().values():
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)


# --- nothing half-written -------------------------------------------------------------------------


def row_counts(engine: sa.Engine) -> dict[str, int]:
    from chores_tracker.db.models import Base

    with engine.connect() as connection:
        return {
            table.name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def test_a_batch_of_invalid_requests_leaves_every_table_as_it_was(database: TestDatabase, make_app):
    app = make_app(max_request_body_bytes=4096)
    api = Api(client_from(app))
    parent = api.parent()
    child = api.child(parent)
    other_parent = api.parent()
    code = api.invite_code(parent)  # a new code is a change (and a feed row): made before counting
    before = row_counts(database.engine)

    invalid = [
        api.register(parent.username.upper()),  # taken, whatever its case
        api.register("x"),  # too short a name
        api.register("has spaces"),
        api.register("shortpw", password="short"),
        api.register("not-a-parent", is_parent="false"),
        api.register("bad-email", email="not-an-email"),
        api.client.post("/api/v1/users/register", content=b"{not json", headers={"Content-Type": "application/json"}),
        api.client.post("/api/v1/users/register", content=b"[1, 2]", headers={"Content-Type": "application/json"}),
        api.client.post("/api/v1/users/register", content=b"username=a", headers={"Content-Type": "text/plain"}),
        api.client.post("/api/v1/users/register", data={"username": "huge", "password": "p" * 5000}),  # over 4 KiB
        api.post("/users/", parent, json={"username": child.username, "password": PASSWORD}),  # taken
        api.post("/users/", parent, json={"username": "kid-short-pw", "password": "short"}),
        api.post("/users/", parent, json={"username": "kid-parent", "password": PASSWORD, "is_parent": True}),
        api.post("/users/", child, json={"username": "kid-by-kid", "password": PASSWORD}),  # a child may not
        api.post("/users/", None, json={"username": "kid-anon", "password": PASSWORD}),
        api.post("/users/", parent, json={"username": 12, "password": None}),
        api.post(f"/users/children/{child.id}/reset-password", parent, json="short"),
        api.post(f"/users/children/{child.id}/reset-password", parent, json={"password": "not-a-bare-string"}),
        api.post(f"/users/children/{child.id}/reset-password", other_parent, json="another-family-1"),
        api.post(f"/users/children/{parent.id}/reset-password", parent, json="a-parent-is-no-child"),
        api.post("/users/children/999999/reset-password", parent, json="nobody-here-1"),
        api.post("/users/children/not-a-number/reset-password", parent, json="whatever-1"),
        api.post("/families/create", parent, json={"name": "a second family"}),  # already has one
        api.post("/families/create", child, json={"name": "a child's family"}),
        api.post("/families/join", other_parent, json={"invite_code": "NOT-A-CODE"}),
        api.post("/families/join", parent, json={"invite_code": code}),  # already a member
        api.post("/families/invite-code/generate", parent, json={"expires_in_days": -3}),
        api.post("/families/invite-code/generate", child, json={}),
        api.delete(f"/families/members/{child.id}", other_parent),
        api.delete("/families/members/999999", parent),
        api.delete(f"/families/members/{child.id}", child),
    ]
    for response in invalid:
        assert 400 <= response.status_code < 500, (response.request.method, response.request.url, response.status_code)

    after = row_counts(database.engine)
    # A new invite code replaces the family's old one in place: no row appears or disappears.
    assert after == before


def test_an_id_past_what_the_database_holds_is_refused_not_a_500(make_app):
    from chores_tracker.deps import DbSession
    from chores_tracker.errors import NotFound
    from chores_tracker.identity.models import User

    app = make_app()

    # A route declared without a bound on its id: the database layer's refusal must still be a 4xx.
    @app.get("/unbounded/{user_id}")
    def unbounded(user_id: int, session: DbSession) -> dict:
        if session.get(User, user_id) is None:
            raise NotFound("no such user")
        return {}

    api = Api(client_from(app))
    parent = api.parent()
    too_big = 2**63
    bounded = api.post(f"/users/children/{too_big}/reset-password", parent, json="whatever-password")
    assert bounded.status_code == 422
    assert bounded.json()["detail"][0]["loc"] == ["path", "child_id"]
    assert api.delete(f"/families/members/{2**31}", parent).status_code == 422

    for user_id in (too_big, 2**31, -(2**63) - 1):
        response = api.client.get(f"/unbounded/{user_id}")
        assert response.status_code in (404, 422), response.text
