"""One failure, two answers: a page path gets an HTML page, an API path the API's JSON.

The same service call fails under the family page (/family) and the members endpoint
(/api/v1/families/members); what the caller gets back depends only on the path.
"""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from chores_tracker.errors import InvalidInput, NotFound
from chores_tracker.families import service
from chores_tracker.paths import API_PREFIX, is_page_path

FAILURES = {
    404: (NotFound("member not found"), "not_found"),
    422: (InvalidInput("that did not add up"), "invalid_input"),
    500: (RuntimeError("secret internals"), "internal_error"),
    503: (OperationalError("SELECT 1", {}, Exception("connection refused")), "database_unavailable"),
}
PAGE_TITLES = {
    404: "We could not find that page",
    422: "That did not work",
    500: "Something went wrong on our side",
    503: "We cannot reach the database right now",
}


@pytest.fixture
def failing(visitor, monkeypatch: pytest.MonkeyPatch):
    """A parent in a family whose members cannot be read: each call raises the error given."""
    person = visitor()
    person.parent_with_family()

    def fail_with(error: Exception):
        def members(*_args, **_kwargs):
            raise error

        monkeypatch.setattr(service, "members", members)
        return person

    return fail_with


@pytest.mark.parametrize("status", FAILURES)
def test_a_page_answers_its_error_with_a_page(failing, status):
    error, _ = FAILURES[status]
    response = failing(error).get("/family")
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert PAGE_TITLES[status] in response.text
    assert "secret internals" not in response.text and "connection refused" not in response.text


@pytest.mark.parametrize("status", FAILURES)
def test_an_api_path_answers_its_error_as_json(failing, status):
    error, code = FAILURES[status]
    response = failing(error).api("GET", "/families/members")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["code"] == code


def test_an_unknown_path_is_a_404_page_or_the_apis_404(visitor):
    person = visitor()
    page = person.get("/no-such-page")
    assert (page.status_code, page.headers["content-type"].split(";")[0]) == (404, "text/html")
    api = person.client.get(f"{API_PREFIX}/no-such-thing")
    assert (api.status_code, api.json()) == (404, {"detail": "Not Found"})


def test_a_malformed_api_request_is_the_apis_422(visitor):
    person = visitor()
    person.parent_with_family()
    response = person.api("POST", "/families/join", json={})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "invite_code"]


@pytest.mark.parametrize("path", ["/", "/family", "/chores/3/edit", "/apiary", "/static/nothing.css"])
def test_pages_are_every_path_but_the_apis_and_the_operating_ones(path):
    assert is_page_path(path)


@pytest.mark.parametrize(
    "path",
    [
        "/api",
        "/api/",
        "/api/v1/users/me",
        "/api/v2/x",
        "/health",
        "/health/ready",
        "/metrics",
        "/docs",
        "/redoc",
        "/openapi.json",
    ],
)
def test_the_api_probes_metrics_and_api_docs_are_not_pages(path):
    assert not is_page_path(path)
