"""Routing: the API's routers are passed over for a path outside their prefix (http.ApiRouter), and
that changes no request's route.

SQLite only: which route answers a path is a property of the HTTP layer, not of the database.
"""

from __future__ import annotations

import re

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from chores_tracker.http import ApiRouter
from chores_tracker.paths import API_PREFIX

# Paths no route has, inside and outside the API, with and without a router's prefix.
UNKNOWN = ["/api/v1/chores/1/no-such-thing", "/api/v1/choresx", "/api/v1/no-such-thing", "/api/v2/chores", "/nowhere"]


def _concrete(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", template)


def _requests(app: FastAPI) -> list[tuple[str, str]]:
    """A request for every route of the app (its path's parameters as 1), the same path with its
    trailing slash added or taken away (answered by a redirect when the other form has a route), and
    paths no route has."""
    found = [
        (method, _concrete(context.path))
        for context in iter_route_contexts(app.routes)
        if context.path
        for method in sorted(context.methods or ())
    ]
    assert len(found) > 150, "too few routes found: has FastAPI changed how it keeps them?"
    other_slash = [(method, path[:-1] if path.endswith("/") else path + "/") for method, path in found]
    return found + other_slash + [(method, path) for path in UNKNOWN for method in ("GET", "POST")]


def _routes_taken(app: FastAPI, requests: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[object, int]]:
    """Each request's route, as FastAPI records it in the request's scope (None: no route), and its status."""
    taken: dict[tuple[str, str], tuple[object, int]] = {}
    last: dict[str, object] = {}

    async def recording(scope: Scope, receive: Receive, send: Send) -> None:
        last.clear()
        await app(scope, receive, send)
        if scope["type"] == "http":
            last["route"] = scope.get("route")

    with TestClient(recording, follow_redirects=False) as client:
        for method, path in requests:
            status = client.request(method, path).status_code
            taken[(method, path)] = (last["route"], status)
    return taken


def test_every_router_of_the_api_is_passed_over_outside_its_prefix(make_sqlite_app):
    app = make_sqlite_app()
    included = [route for route in app.router.routes if hasattr(route, "original_router")]
    under_api = [route.original_router for route in included if route.include_context.prefix == API_PREFIX]
    assert under_api, "no router included under the API's prefix: has FastAPI changed how it keeps them?"
    assert [router for router in under_api if not isinstance(router, ApiRouter)] == []
    # An ApiRouter anywhere else would never match: it takes the API's prefix for granted.
    elsewhere = [route.original_router for route in included if route.include_context.prefix != API_PREFIX]
    assert [router for router in elsewhere if isinstance(router, ApiRouter)] == []


def test_passing_routers_over_changes_no_requests_route(make_sqlite_app, monkeypatch: pytest.MonkeyPatch):
    app = make_sqlite_app()
    requests = _requests(app)
    passed_over = _routes_taken(app, requests)
    monkeypatch.setattr(ApiRouter, "matches", APIRouter.matches)  # every route of every router tried
    every_route_tried = _routes_taken(app, requests)
    assert passed_over == every_route_tried
    # And the comparison sees routes: most requests reached one, the unknown paths none.
    assert sum(route is not None for route, _status in passed_over.values()) > 150
    assert all(passed_over[(method, path)][0] is None for path in UNKNOWN for method in ("GET", "POST"))


def test_an_api_router_needs_a_prefix_of_its_own():
    with pytest.raises(ValueError, match="prefix"):
        ApiRouter(prefix="")
