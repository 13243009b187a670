"""create_app(): routers, middleware, error handlers."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from chores_tracker import __version__, clock, web
from chores_tracker.activity.routes import router as activities_router
from chores_tracker.admission import AdmissionMiddleware
from chores_tracker.chores.routes import assignments_router, calendar_router, occurrences_router, pauses_router
from chores_tracker.chores.routes import router as chores_router
from chores_tracker.chores.routes import users_router as children_chores_router
from chores_tracker.chores.timestep import run_time_step
from chores_tracker.db.engine import Timeouts, make_engine, make_session_factory
from chores_tracker.errors import DomainError, ServerBusy
from chores_tracker.families.routes import router as families_router
from chores_tracker.families.routes import users_router as new_child_router
from chores_tracker.health.routes import liveness_router, readiness_router
from chores_tracker.health.service import ReadinessProbe
from chores_tracker.http import LONE_SURROGATE, AnswerCache, ErrorHandler
from chores_tracker.identity.routes import devices_router, tokens_router
from chores_tracker.identity.routes import router as users_router
from chores_tracker.identity.sessions import TokenCache
from chores_tracker.ledger.routes import entries_router as ledger_entries_router
from chores_tracker.ledger.routes import payouts_router
from chores_tracker.ledger.routes import router as adjustments_router
from chores_tracker.notifications.delivery import run_round
from chores_tracker.notifications.routes import router as notifications_router
from chores_tracker.notifications.webhook_routes import router as webhooks_router
from chores_tracker.observability import setup as operations
from chores_tracker.observability.logs import configure_logging
from chores_tracker.observability.middleware import UnhandledErrorMiddleware
from chores_tracker.paths import (
    API_DOCUMENTS,
    API_HEALTH_PREFIX,
    API_PREFIX,
    DOCS_PATH,
    LIVENESS_PATH,
    METRICS_PATH,
    OPENAPI_PATH,
    REDOC_PATH,
    STATIC_PATH,
)
from chores_tracker.reports.digest import send_digests
from chores_tracker.reports.routes import families_router as family_stats_router
from chores_tracker.reports.routes import router as reports_router
from chores_tracker.reports.routes import statistics_router
from chores_tracker.reports.routes import users_router as balances_router
from chores_tracker.rewards.routes import allowances_router, goals_router
from chores_tracker.rewards.routes import router as rewards_router
from chores_tracker.settings import Settings, get_settings
from chores_tracker.web.errors import error_handlers

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from chores_tracker.migrations.revisions import CodeRevisions

log = logging.getLogger(__name__)

# Worker threads beyond one per admitted request, for what admission lets through (health, metrics, files).
SPARE_THREADS = 10


def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
    if exc.status_code == 422 and exc.field:
        # The same shape as FastAPI's own validation errors, so clients need one parser.
        body: dict[str, object] = {"detail": [{"loc": ["body", exc.field], "msg": exc.message, "type": exc.code}]}
    else:
        body = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["field"] = exc.field
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    if exc.status_code == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


def _encodable(value: Any) -> Any:
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, float) and not math.isfinite(value):
        # JSON has no such numbers; echoed as the client spelled them.
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {_encodable(key): _encodable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encodable(item) for item in value]
    return value


def _invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's own 422, with the echoed input made encodable: text that is not Unicode shows as U+FFFD,
    a number that is not finite as its name."""
    return JSONResponse({"detail": _encodable(jsonable_encoder(exc.errors()))}, status_code=422)


def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", type(exc).__name__)
    return JSONResponse(
        {"detail": "the database is not reachable right now; try again shortly", "code": "database_unavailable"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


def _pool_exhausted(request: Request, exc: PoolTimeout) -> JSONResponse:
    log.warning("no database connection became free in time: %s", type(exc).__name__)
    return _domain_error(request, ServerBusy())


def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc)
    return JSONResponse({"detail": "internal error", "code": "internal_error"}, status_code=500)


def _is_connection_error(exc: DBAPIError) -> bool:
    return bool(exc.connection_invalidated) or isinstance(exc, OperationalError)


def _value_out_of_range(_request: Request, exc: Exception) -> JSONResponse:
    # A number or text the database cannot hold (an id past INTEGER, a string past its column).
    log.info("value refused by the database: %s", type(exc).__name__)
    detail = [{"loc": ["request"], "msg": "a value is out of range or too long", "type": "value_out_of_range"}]
    return JSONResponse({"detail": detail}, status_code=422)


def _dbapi_error(request: Request, exc: DBAPIError) -> JSONResponse:
    if _is_connection_error(exc):
        return _database_unavailable(request, exc)
    if isinstance(exc, DataError):
        return _value_out_of_range(request, exc)
    return _unexpected(request, exc)


# The API's answer to each error, in JSON; web.errors.error_handlers answers page paths with a page.
API_ERROR_HANDLERS: dict[type[Exception], ErrorHandler] = {
    StarletteHTTPException: http_exception_handler,  # FastAPI's own: 404, 405, ...
    RequestValidationError: _invalid_request,
    DomainError: _domain_error,
    DBAPIError: _dbapi_error,
    PoolTimeout: _pool_exhausted,
    OverflowError: _value_out_of_range,  # SQLite's driver, before the database
    Exception: _unexpected,
}


def _code_revisions() -> CodeRevisions | None:
    """The schema this build expects, read once per process; readiness compares the database with it."""
    from chores_tracker.migrations.revisions import load_code_revisions

    try:
        return load_code_revisions()
    except Exception:
        log.exception("cannot read the migration scripts; readiness will answer schema_unknown")
        return None


def install_state(app: FastAPI, settings: Settings, engine: Engine) -> None:
    """Everything an app holds besides its routes and middleware, new: the state a fresh app starts with.

    The test suite builds an app once per database and calls this before each test, because building
    the routes costs more than most tests do."""
    configure_logging(settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.token_cache = TokenCache(settings.token_cache_seconds)
    app.state.answer_cache = AnswerCache(settings.answer_cache_bytes)
    app.state.readiness_probe = ReadinessProbe(engine, settings.readiness_cache_seconds, _code_revisions())
    operations.install_state(app, settings)


async def _time_steps(app: FastAPI, interval: int) -> None:
    """The time step in the serve process (TIME_STEP_INTERVAL_SECONDS, as ./scripts/run sets it): at
    start, then every `interval` seconds, in a worker thread. A failed step is logged; the next one
    catches up."""
    while True:
        try:
            summary = await anyio.to_thread.run_sync(run_time_step, app.state.session_factory)
            log.info("time step: %s", summary.as_text())
            await anyio.to_thread.run_sync(send_digests, app.state.session_factory)
        except Exception:
            log.exception("the time step failed; the next one catches up")
        await asyncio.sleep(interval)


async def _deliveries(app: FastAPI, interval: float) -> None:
    """The notification worker's rounds in the serve process (NOTIFICATION_WORKER_INTERVAL_SECONDS,
    as ./scripts/run sets it): the single-machine default, where no `chores-tracker worker` runs."""
    while True:
        try:
            result = await anyio.to_thread.run_sync(run_round, app.state.session_factory, app.state.settings)
            if result.dispatched or result.delivered or result.failed:
                log.info("notifications: %s", result.as_text())
        except Exception:
            log.exception("a notification round failed; the next one tries again")
        await asyncio.sleep(interval)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    clock.follow_file(settings.test_clock_file)  # None but in tests: the real clock
    engine = make_engine(
        settings.resolved_database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_recycle=settings.db_pool_recycle_seconds,
        pool_timeout=settings.db_pool_timeout_seconds,
        timeouts=Timeouts(settings.db_statement_timeout_seconds, settings.db_network_timeout_seconds),
    )
    # A request holds at most one connection (one session per request): as many requests as the
    # pool has connections may use the database at once.
    database_permits = settings.db_pool_size + settings.db_max_overflow

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # An admitted request must never wait for a worker thread; anyio's default (40) could cap a larger pool.
        threads = anyio.to_thread.current_default_thread_limiter()
        threads.total_tokens = max(threads.total_tokens, database_permits + SPARE_THREADS)
        background = []
        if settings.time_step_interval_seconds:
            background.append(asyncio.create_task(_time_steps(app, settings.time_step_interval_seconds)))
        if settings.notification_worker_interval_seconds:
            background.append(asyncio.create_task(_deliveries(app, settings.notification_worker_interval_seconds)))
        yield
        for task in background:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        engine.dispose()

    app = FastAPI(
        title="Chores Tracker",
        version=__version__,
        description="A family chores and allowance tracker.",
        docs_url=DOCS_PATH,
        redoc_url=REDOC_PATH,
        openapi_url=OPENAPI_PATH,
        lifespan=lifespan,
        max_body_size=settings.max_request_body_bytes,
    )
    install_state(app, settings, engine)

    # Innermost: UnhandledErrorMiddleware answers its ServerBusy with the app's handler, like any error.
    app.add_middleware(
        AdmissionMiddleware,
        permits=database_permits,
        wait_seconds=settings.db_admission_timeout_seconds,
        # Liveness, metrics, static files and the docs never touch the database. Readiness does,
        # but a probe must not queue behind the traffic it is judging; it has its own cache.
        exempt=(LIVENESS_PATH, METRICS_PATH, STATIC_PATH, *API_DOCUMENTS, API_PREFIX + API_HEALTH_PREFIX),
    )
    # An unexpected error's 500 then passes through CORS, security headers and request ids.
    app.add_middleware(UnhandledErrorMiddleware)
    if settings.backend_cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.backend_cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
            # Browser clients may read these: the id to quote in a report, and when to retry.
            expose_headers=["X-Request-ID", "Retry-After"],
        )

    operations.install(app, settings)

    for error, handler in error_handlers(API_ERROR_HANDLERS).items():
        app.add_exception_handler(error, handler)

    # Each router straight into the app under the API's prefix, rather than through one APIRouter of
    # them all: FastAPI checks an include without a prefix by building every route's handling once
    # more (the requests build their own anyway), which cost a good part of start-up.
    # The routers of the busiest requests first: a request is matched against each router in turn,
    # and every route of each router whose prefix fits the path (http.ApiRouter passes over the
    # others). Matching an approval with its router third rather than eleventh takes two thirds of
    # the time (bench/statement_cpu.py).
    # No other router's prefix is /chores, /reports or /assignments, so the order changes no match.
    for router in (
        chores_router,
        reports_router,
        assignments_router,
        users_router,
        tokens_router,
        devices_router,
        new_child_router,
        families_router,
        family_stats_router,
        children_chores_router,
        balances_router,
        occurrences_router,
        pauses_router,
        calendar_router,
        adjustments_router,
        payouts_router,
        ledger_entries_router,
        rewards_router,
        goals_router,
        allowances_router,
        activities_router,
        notifications_router,
        webhooks_router,
        statistics_router,
        readiness_router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(liveness_router)
    web.install(app)
    return app
