"""Text that is not valid Unicode (a lone surrogate such as U+D800) is bad input like any other:
a 422 or a form error, never a 500.

A JSON body can carry one as the escape "\\ud800"; a multipart form can carry one in a charset
that encodes surrogates (UTF-7: "+2AA-"). Percent-encoded forms and query strings cannot: their
undecodable bytes are read as U+FFFD.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.operations.conftest import client_from
from tests.support.api import PASSWORD, Api

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


def assert_validation_error_on(response, location: list) -> None:  # noqa: ANN001
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


def test_a_page_form_with_a_lone_surrogate_shows_the_form_again(make_sqlite_app):
    browser = TestClient(make_sqlite_app(), raise_server_exceptions=False)
    page = browser.get("/signup")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    body, headers = multipart(
        {"csrf_token": token.encode(), "username": b"kid" + LONE_SURROGATE_UTF7, "password": PASSWORD.encode()}
    )
    response = browser.post("/signup", content=body, headers=headers)
    assert response.status_code == 422, response.text  # the form again: the name is not a valid username
    assert 'id="f-username-error"' in response.text
    assert "kid\ufffd" in response.text
