"""The app's route table, flattened: FastAPI keeps included routers nested, so app.routes alone
lists only the routers, not their routes."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts


def routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path template) the app answers."""
    found = {
        (method, context.path)
        for context in iter_route_contexts(app.routes)
        if context.path
        for method in context.methods or ()
        if method != "HEAD"
    }
    assert found, "no routes found: has FastAPI changed how it keeps them?"
    return found


def get_routes(app: FastAPI) -> set[str]:
    return {path for method, path in routes(app) if method == "GET"}
