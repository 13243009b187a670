"""ASGI middleware: request ids, the access log line and HTTP metrics; security headers.

Plain ASGI rather than BaseHTTPMiddleware: nothing is buffered, and the request's context
(its id, its user) is the same object the endpoint's worker thread sees.
"""

from __future__ import annotations

import inspect
import logging
import re
import time
import uuid

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chores_tracker.observability import metrics
from chores_tracker.observability.context import bind_request_state
from chores_tracker.observability.logs import ACCESS_LOGGER
from chores_tracker.paths import DOCS_PATH, REDOC_PATH, is_api_path

access_log = logging.getLogger(ACCESS_LOGGER)

REQUEST_ID_HEADER = "x-request-id"
# A caller's id is kept only when it cannot smuggle anything into a log line.
_ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
UNMATCHED_ROUTE = "<unmatched>"
# Any other method a client invents shares one label, so that it cannot create series at will.
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _request_id_from(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER.encode():
            candidate: str = value.decode("latin-1").strip()
            if _ACCEPTABLE_REQUEST_ID.match(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def route_template(scope: Scope, root_path: str = "") -> str:
    """The matched route's path template, never the raw path: one series per route, not per id.

    A route inside an included router knows its template only below the router's prefix, so the
    prefix is taken from the request's path, with any path parameter in it put back as {name}.
    """
    route = scope.get("route") or _plain_route_for(scope)
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if not isinstance(template, str):
        mounted_at = str(scope.get("root_path", ""))[len(root_path) :]
        # A mounted app (static files) moves the root path; its files share one series.
        return f"{mounted_at}/{{path}}" if mounted_at else UNMATCHED_ROUTE
    template_parts = [part for part in template.split("/") if part]
    path_parts = [part for part in str(scope.get("path", "")).split("/") if part]
    if ":path}" in template or len(template_parts) > len(path_parts):
        return template
    names_by_value = {str(value): name for name, value in (scope.get("path_params") or {}).items()}
    prefix = [
        f"{{{names_by_value[part]}}}" if part in names_by_value else part
        for part in path_parts[: len(path_parts) - len(template_parts)]
    ]
    full = "/" + "/".join(prefix + template_parts)
    return full + "/" if template.endswith("/") and full != "/" else full


def _plain_route_for(scope: Scope) -> object | None:
    """Routes declared on the app itself (/openapi.json, /docs) leave only their endpoint behind."""
    endpoint, app = scope.get("endpoint"), scope.get("app")
    if endpoint is None or app is None:
        return None
    return next((route for route in getattr(app, "routes", ()) if getattr(route, "endpoint", None) is endpoint), None)


class RequestObservabilityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id_from(scope)
        root_path = str(scope.get("root_path", ""))
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        bind_request_state(state)
        started = time.perf_counter()
        status = 500

        async def send_with_request_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        metrics.HTTP_IN_PROGRESS.inc()
        try:
            await self.app(scope, receive, send_with_request_id)
        finally:
            metrics.HTTP_IN_PROGRESS.dec()
            seconds = time.perf_counter() - started
            route = route_template(scope, root_path)
            method = scope["method"] if scope["method"] in _KNOWN_METHODS else "OTHER"
            metrics.record_request(method, route, status, seconds)
            client = scope.get("client")
            access_log.log(
                logging.WARNING if status >= 500 else logging.INFO,
                "%s %s %s",
                scope["method"],
                route,
                status,
                extra={
                    "method": scope["method"],
                    "route": route,
                    # The path without its query string: a query may carry something secret.
                    "path": scope.get("path"),
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                    "client": client[0] if client else None,
                    "user_id": state.get("user_id"),
                },
            )


class UnhandledErrorMiddleware:
    """Answers an error no other handler took with the app's own handler for it, from inside.

    Starlette answers such an error in its outermost layer, past the middleware that adds the
    request id, the security headers and CORS, and then re-raises it so that the server logs it
    a second time. Here the app's handler answers (and logs, once, with the request's id), and its
    500 goes out through every middleware like any other answer. An error after the answer has
    started cannot become a 500 any more; it goes on to the server, which closes the connection.
    Errors raised by middleware inside this one (admission's 503) get their own handler too.
    Add it before any other middleware but admission, so that it runs inside the rest.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def send_tracking_start(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking_start)
        except Exception as exc:
            handlers = getattr(scope.get("app"), "exception_handlers", {})
            handler = next((handlers[kind] for kind in type(exc).__mro__ if kind in handlers), None)
            if response_started or handler is None:
                raise
            request = Request(scope, receive)
            if inspect.iscoroutinefunction(handler):
                response = await handler(request, exc)
            else:
                response = await run_in_threadpool(handler, request, exc)
            await response(scope, receive, send)


API_CSP = "default-src 'none'; frame-ancestors 'none'"


class SecurityHeadersMiddleware:
    """Headers every answer carries; HTML pages get the page Content-Security-Policy.

    The interactive API docs (/docs) load Swagger UI from its CDN and start it with an inline
    script, so they get a policy that allows exactly that and nothing more.
    """

    DOCS_CSP = (
        "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
        "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
        "frame-ancestors 'none'"
    )

    def __init__(self, app: ASGIApp, page_csp: str, docs_paths: tuple[str, ...] = (DOCS_PATH, REDOC_PATH)) -> None:
        self.app = app
        self.page_csp = page_csp
        self.docs_paths = docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = self._policy_for(scope, headers.get("content-type", ""))
                if scope.get("scheme") == "https":
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
                if is_api_path(scope.get("path", "")):
                    # Answers carry tokens and family data: never keep them in a shared cache.
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _policy_for(self, scope: Scope, content_type: str) -> str:
        if not content_type.startswith("text/html"):
            return API_CSP
        if scope.get("path", "") in self.docs_paths:
            return self.DOCS_CSP
        return self.page_csp
