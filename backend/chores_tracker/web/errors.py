"""Errors on pages answer with a page: a friendly 404, a clear 403, never a stack trace.

Every other path (paths.is_page_path) keeps the JSON answer the API gives: error_handlers builds,
from the API's handler for each error, the one handler the app installs for it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from chores_tracker.errors import DomainError, ServerBusy
from chores_tracker.http import ErrorHandler
from chores_tracker.paths import is_page_path
from chores_tracker.web.csrf import CsrfRejected
from chores_tracker.web.i18n import _
from chores_tracker.web.rendering import page_error, render
from chores_tracker.web.session import LoginRequired, RedirectTo, optional_user

log = logging.getLogger(__name__)

_TITLES = {
    400: _("That did not work"),
    403: _("Not for this account"),
    404: _("We could not find that page"),
    409: _("That changed in the meantime"),
    422: _("That did not work"),
    429: _("Slow down a little"),
    500: _("Something went wrong on our side"),
    503: _("We cannot reach the database right now"),
}


def _identify(request: Request) -> None:
    """Errors raised before a page's own dependencies ran still show the right header and menu."""
    if hasattr(request.state, "user"):
        return
    request.state.user = None
    try:
        with request.app.state.session_factory() as session:
            optional_user(request, session, request.app.state.settings)
    except Exception:  # an error page must render even when the database is down
        request.state.user = None
        request.state.family = None


def error_page(request: Request, status_code: int, message: str | None = None, *, title: str | None = None) -> Response:
    if status_code != 503:  # the database cannot serve now: asking it who is signed in would wait again
        _identify(request)
    return render(
        request,
        "error.html",
        {
            "status_code": status_code,
            "title": title or _TITLES.get(status_code, _("That did not work")),
            "message": message,
        },
        status_code=status_code,
    )


def _page_or_api(api_handler: ErrorHandler, page_handler: Callable[[Request, Any], Response]) -> ErrorHandler:
    async def handler(request: Request, exc: Exception) -> Response:
        if is_page_path(request.url.path):
            return page_handler(request, exc)
        result = api_handler(request, exc)
        if isinstance(result, Awaitable):
            result = await result
        return result

    return handler


def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code == 404:
        return error_page(request, 404, _("The page may have moved, or the link has a typo."))
    if exc.status_code == 405:
        return error_page(request, 404, _("The page may have moved, or the link has a typo."))
    return error_page(request, exc.status_code, None)


def _domain_error(request: Request, exc: DomainError) -> Response:
    if isinstance(exc, ServerBusy):
        return _busy(request, exc)
    response = error_page(request, exc.status_code, page_error(request, exc.message))
    if exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _busy(request: Request, _exc: Exception) -> Response:
    response = error_page(
        request,
        503,
        _("Many people are using the app at this moment. Please try again shortly."),
        title=_("We are busy right now"),
    )
    response.headers["Retry-After"] = str(ServerBusy.retry_after)
    return response


def _bad_path(request: Request, _exc: RequestValidationError) -> Response:
    # Pages read their forms themselves; a validation error here is a malformed link (/chores/abc).
    return error_page(request, 404, _("The page may have moved, or the link has a typo."))


def _database_error(request: Request, exc: DBAPIError) -> Response:
    log.warning("database error on a page: %s", type(exc).__name__)
    return error_page(request, 503, _("Please try again in a moment."))


def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on a page", exc_info=exc)
    return error_page(request, 500, _("Please try again. If it keeps happening, tell whoever runs this server."))


def _login_required(request: Request, exc: LoginRequired) -> Response:
    target = "/login"
    if exc.next_url not in ("/", ""):
        target += "?" + urlencode({"next": exc.next_url})
    return RedirectResponse(target, status_code=303)


def _redirect(_request: Request, exc: RedirectTo) -> Response:
    return RedirectResponse(exc.url, status_code=303)


def _csrf(request: Request, _exc: CsrfRejected) -> Response:
    return error_page(
        request,
        403,
        _("This form was open too long or came from another site. Go back, reload the page and try again."),
    )


_PAGE_HANDLERS: dict[type[Exception], Callable[[Request, Any], Response]] = {
    StarletteHTTPException: _http_error,
    DomainError: _domain_error,
    RequestValidationError: _bad_path,
    DBAPIError: _database_error,
    PoolTimeout: _busy,
    Exception: _unexpected,
}


def error_handlers(api_handlers: Mapping[type[Exception], ErrorHandler]) -> dict[type[Exception], ErrorHandler]:
    """The app's one handler for each error: on a page path the page's answer, on any other the API's.

    Built from the API's handlers (`api_handlers`, which must cover every error a page answers), so
    no order of installing them matters. An error only the API answers keeps its answer on pages
    too; the pages' own errors (log-in, redirects, CSRF) are answered alike on every path.
    """
    handlers = {
        **api_handlers,
        **{error: _page_or_api(api_handlers[error], page) for error, page in _PAGE_HANDLERS.items()},
    }
    handlers.update({LoginRequired: _login_required, RedirectTo: _redirect, CsrfRejected: _csrf})
    return handlers
