"""Text that is not valid Unicode (a lone surrogate such as U+D800) is bad input like any other:
one rule for every field of every route and every page form refuses it with a 422, never a 500.

A JSON body can carry one as the escape "\\ud800"; a multipart form can carry one in a charset
that encodes surrogates (UTF-7: "+2AA-"). Percent-encoded forms and query strings cannot: their
undecodable bytes are read as U+FFFD.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from tests.operations.conftest import client_from
from tests.support.api import PASSWORD, Api, unique
from tests.support.openapi import body_fields
from tests.support.valid_requests import scene

LONE_SURROGATE_JSON = '"\\ud800"'
LONE_SURROGATE_UTF7 = b"+2AA-"


def multipart(fields: dict[str, bytes], charset: str = "utf-7") -> tuple[bytes, dict[str, str]]:
    boundary = "surrogate-boundary"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
        for name, value in fields.items()
    )
    body += f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}; charset={charset}"}


@pytest.fixture
def client(make_sqlite_app) -> TestClient:
    return client_from(make_sqlite_app(), raise_server_exceptions=False)


def assert_validation_error_on(response, location: list) -> None:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail, detail
    assert {"loc", "msg", "type"} <= detail[0].keys()
    assert [error["loc"] for error in detail] == [location]
    assert "X-Request-ID" in response.headers


def test_a_json_body_with_a_lone_surrogate_is_a_422(client: TestClient):
    parent = Api(client).parent()
    response = client.post(
        "/api/v1/chores",
        content=f'{{"title": {LONE_SURROGATE_JSON}, "reward": 1}}'.encode(),
        headers={**parent.headers, "Content-Type": "application/json"},
    )
    assert_validation_error_on(response, ["body", "title"])
    assert response.json()["detail"][0]["input"] == "\ufffd"  # echoed, as far as it can be


def test_a_json_registration_with_a_lone_surrogate_is_a_422(client: TestClient):
    response = client.post(
        "/api/v1/users/register",
        content=f'{{"username": {LONE_SURROGATE_JSON}, "password": "{PASSWORD}", "is_parent": true}}'.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert_validation_error_on(response, ["body", "username"])


def test_a_form_registration_with_a_lone_surrogate_is_a_422(client: TestClient):
    body, headers = multipart({"username": LONE_SURROGATE_UTF7, "password": PASSWORD.encode(), "is_parent": b"true"})
    response = client.post("/api/v1/users/register", content=body, headers=headers)
    assert_validation_error_on(response, ["body", "username"])


def test_a_surrogate_nested_in_the_echoed_input_is_made_safe_too(client: TestClient):
    parent = Api(client).parent()
    # The chore is missing its title: the error echoes the whole body, surrogate key included.
    response = client.post(
        "/api/v1/chores",
        content=f'{{{LONE_SURROGATE_JSON}: {LONE_SURROGATE_JSON}, "reward": 1}}'.encode(),
        headers={**parent.headers, "Content-Type": "application/json"},
    )
    assert_validation_error_on(response, ["body", "title"])
    assert response.json()["detail"][0]["input"] == {"\ufffd": "\ufffd", "reward": 1}


def test_an_encoded_surrogate_in_a_query_string_is_a_422(client: TestClient):
    parent = Api(client).parent()
    # The UTF-8-style encoding of U+D800 (ED A0 80), which no decoder turns into a surrogate.
    response = client.get("/api/v1/reports/allowance-summary?date_from=%ED%A0%80", headers=parent.headers)
    assert_validation_error_on(response, ["query", "date_from"])


def test_text_beyond_ascii_where_a_secret_is_compared_is_refused_not_a_500(make_sqlite_app):
    # hmac.compare_digest raises TypeError for str that is not ASCII: a code, a form token, a cookie.
    app = make_sqlite_app(signup_mode="codes", registration_codes="garden-gate")
    client = client_from(app, raise_server_exceptions=False)
    response = Api(client).register(registration_code="g\u00e4rden-gate")
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "registration_code"]
    client.get("/login")
    assert client.post("/login", data={"csrf_token": "\u00e9", "username": "a", "password": "b"}).status_code == 403
    # A cookie is read as Latin-1: any byte beyond ASCII is a character beyond ASCII.
    assert client.get("/login", headers=[(b"Cookie", b"ct_flash=abc.\xe9")]).status_code == 200


# --- every field of every route, and every page form ----------------------------------------------

SURROGATE_TEXT = "\ud800x"  # json.dumps writes it as the escape "\\ud800x"
SURROGATE_TEXT_UTF7 = b"+2AA-x"
# What static/app.js puts in the notification centre's "Turn on notifications here" form.
PUSH_FORM = {
    "endpoint": "https://push.example.com/send/x",
    "p256dh": "BPNmBsL8s9CYOdzxVXvR00NB6c_sLBxZI1Wc_LQsHM_jidJT444cqEioAdladSbmdgoUe2RIyP9p8mvbgA1Vn7Y",
    "auth": "c2l4dGVlbi1ieXRlcy0xMg",
    "name": "Phone",
}


def test_a_lone_surrogate_in_any_text_field_of_any_route_is_a_422(make_app):
    """Issue 16.7: a chore's description, an adjustment's reason and a payout's note reached the
    database with it (500). Each field gets it in an otherwise valid request; the fields come from
    the OpenAPI schema, the valid requests from a table that must know every route."""
    client = client_from(make_app(), raise_server_exceptions=False)
    family = scene(Api(client))
    fields = body_fields(client.app)
    assert {(field.method, field.path) for field in fields} == set(family.bodies)
    text_fields = [field for field in fields if field.admits("string")]
    assert {"description", "reason", "note"} <= {field.name for field in text_fields}

    failures = []
    for field in text_fields:
        body = family.bodies[field.method, field.path]
        if field.media_type == "application/json":
            content = json.dumps({**body, field.name: SURROGATE_TEXT} if field.name else SURROGATE_TEXT).encode()
            headers = {**family.parent.headers, "Content-Type": "application/json"}
        else:
            others = {name: str(value).encode() for name, value in body.items() if name != field.name}
            content, headers = multipart({field.name: SURROGATE_TEXT_UTF7, **others})
            headers = {**family.parent.headers, **headers}
        response = client.request(field.method, family.url(field), content=content, headers=headers)
        where = ["body", field.name] if field.name else ["body"]
        if response.status_code != 422:
            failures.append(f"{field}: {response.status_code}")
        elif "must be valid Unicode text" not in [e["msg"] for e in response.json()["detail"] if e["loc"] == where]:
            failures.append(f"{field}: {[e['msg'] for e in response.json()['detail']]}")
    assert not failures, "\n".join(failures)


class _Forms(HTMLParser):
    """The POST forms of a page: action -> the names of their fields (the CSRF token aside)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: dict[str, set[str]] = {}
        self._action: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self._action = attributes.get("action") if attributes.get("method") == "post" else None
            if self._action:
                self.forms.setdefault(self._action, set())
        elif (
            tag in ("input", "textarea", "select")
            and self._action
            and attributes.get("name") not in (None, "csrf_token")
        ):
            self.forms[self._action].add(attributes["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._action = None


def test_a_lone_surrogate_in_any_field_of_any_page_form_is_refused(make_sqlite_app):
    """The pages' forms follow the API's rule: each field of each form gets the surrogate in an
    otherwise valid submission, and the page refuses it with a 422 that says why."""
    from tests.web.conftest import Visitor, user_id

    app = make_sqlite_app()
    parent, newcomer, stranger = Visitor(app), Visitor(app), Visitor(app)
    parent_name = parent.parent_with_family()
    kid_name = parent.add_child()
    kid = user_id(app, kid_name)
    newcomer.sign_up()
    parent.get("/chores/new")
    parent.submit("/chores/new", {"title": "Rake", "reward_kind": "range", "min_reward": "1", "max_reward": "2",
                                  "assignment_mode": "single", "single_assignee": str(kid)})  # fmt: skip
    chore = parent.api("GET", "/chores").json()[0]["id"]
    kid_visitor = Visitor(app)
    kid_visitor.log_in(kid_name)
    kid_visitor.get("/")
    kid_visitor.submit(f"/chores/{chore}/complete")
    assignment = parent.api("GET", "/chores/pending-approval").json()[0]["assignment_id"]
    parent.get(f"/children/{kid}")
    parent.submit(f"/children/{kid}/adjustments", {"kind": "bonus", "amount": "5", "reason": "a start"})
    reward = parent.api("POST", "/rewards", json={"title": "Kite", "cost": "1"}).json()["id"]
    claim = kid_visitor.api("POST", f"/rewards/{reward}/claim").json()["id"]
    chore_form = {"title": "Dishes", "description": "all of them", "reward_kind": "fixed", "reward": "1",
                  "assignment_mode": "single", "single_assignee": str(kid), "is_recurring": "true", "cooldown_days": "2"}  # fmt: skip
    # Who submits each form, from which page, and a submission that would succeed.
    valid = {
        "/login": (stranger, "/login", {"username": parent_name, "password": PASSWORD}),
        "/signup": (stranger, "/signup", {"username": unique("new"), "password": PASSWORD}),
        "/family/create": (newcomer, "/family/setup", {"name": "Another family"}),
        "/family/join": (newcomer, "/family/setup", {"invite_code": "ABCDEFGH"}),
        "/family/invite-code": (parent, "/family", {"max_uses": "1"}),
        "/family/timezone": (parent, "/family", {"timezone": "Europe/Paris"}),
        "/family/currency": (parent, "/family", {"currency": "EUR"}),
        "/family/language": (parent, "/family", {"language": "es"}),
        "/family/children": (parent, "/family", {"username": unique("kid"), "password": PASSWORD}),
        f"/family/children/{kid}/password": (parent, "/family", {"password": "another-password"}),
        f"/family/children/{kid}/profile": (parent, "/family", {"display_name": "Kiddo", "avatar": "🦊"}),
        f"/family/children/{kid}/pin": (parent, "/family", {"pin": "2468"}),
        "/family/devices": (parent, "/family", {"name": "Kitchen tablet"}),
        "/family/streak-bonus": (parent, "/family", {"percent": "10", "step_days": "7", "cap_percent": "50"}),
        "/chores/new": (parent, "/chores/new", chore_form),
        f"/chores/{chore}/edit": (parent, f"/chores/{chore}/edit", chore_form),
        f"/approvals/{assignment}/approve": (parent, "/approvals", {"reward_value": "1.50"}),
        f"/approvals/{assignment}/reject": (parent, "/approvals", {"rejection_reason": "more leaves"}),
        f"/children/{kid}/adjustments": (
            parent,
            f"/children/{kid}",
            {"kind": "bonus", "amount": "1", "reason": "kind"},
        ),
        f"/children/{kid}/payouts": (parent, f"/children/{kid}", {"amount": "1", "note": "pocket money"}),
        f"/children/{kid}/allowance": (
            parent,
            f"/children/{kid}",
            {"amount": "2", "period": "week", "weekday": "5", "day_of_month": "", "at": "09:00"},
        ),
        f"/children/{kid}/goals": (parent, f"/children/{kid}", {"title": "Bike", "target": "40"}),
        "/account/tokens": (parent, "/account/password", {"name": "Home Assistant", "scopes": "read"}),
        "/notifications/push": (parent, "/notifications", PUSH_FORM),
        "/rewards/new": (
            parent,
            "/rewards",
            {"title": "Cinema", "cost": "5", "stock": "2", "limit_count": "1", "limit_period": "week"},
        ),
        f"/rewards/claims/{claim}/decline": (parent, "/rewards", {"reason": "rain"}),
        "/me/goals": (kid_visitor, "/me/rewards", {"title": "Bike", "target": "12"}),
        "/account/password": (
            parent,
            "/account/password",
            {"current_password": PASSWORD, "new_password": "new-pass-1"},
        ),
    }
    forms: dict[str, set[str]] = {}
    for who, page, _ in valid.values():
        forms.update({action: names for action, names in _Forms(who.get(page).text).forms.items() if names})
    assert set(forms) == set(valid)

    failures = []
    for action, names in forms.items():
        who, page, fields = valid[action]
        for name in sorted(names):
            who.get(page)
            others = {key: value.encode() for key, value in fields.items() if key != name}
            body, headers = multipart({"csrf_token": who.csrf_token().encode(), name: SURROGATE_TEXT_UTF7, **others})
            response = who.client.post(action, content=body, headers=headers, follow_redirects=False)
            if response.status_code != 422 or "must be valid Unicode text" not in response.text:
                failures.append(f"{action} {name}: {response.status_code}")
    for visitor in (parent, newcomer, stranger, kid_visitor):
        visitor.close()
    assert not failures, "\n".join(failures)
