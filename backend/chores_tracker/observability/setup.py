"""Wire the operating concerns into an app: state, middleware, the metrics route."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from chores_tracker.db.urls import mask_url
from chores_tracker.observability.metrics import build_registry, observe_readiness
from chores_tracker.observability.middleware import RequestObservabilityMiddleware, SecurityHeadersMiddleware
from chores_tracker.observability.routes import router as metrics_router
from chores_tracker.ratelimit.service import RateLimiter
from chores_tracker.settings import Settings

log = logging.getLogger("chores_tracker.app")


def install_state(app: FastAPI, settings: Settings) -> None:
    """The operating state an app starts with: its metrics, its rate limits' counts, readiness observed."""
    app.state.metrics_registry = build_registry(app.state.engine)
    app.state.rate_limiter = RateLimiter.from_settings(settings)
    app.state.readiness_probe.listeners.append(observe_readiness)


def install(app: FastAPI, settings: Settings) -> None:
    """Call after the app's other middleware: what is added here wraps it (last added runs first)."""
    app.add_middleware(SecurityHeadersMiddleware, page_csp=settings.content_security_policy)
    if settings.trusted_proxies:
        # X-Forwarded-For/-Proto are believed only from these peers; from anyone else they are ignored.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.add_middleware(RequestObservabilityMiddleware)
    app.include_router(metrics_router)

    log.info(
        "app created",
        extra={
            "environment": settings.environment.value,
            "database": mask_url(settings.resolved_database_url),
            "rate_limit_store": "redis" if settings.redis_url else "memory",
            "metrics": "public" if settings.metrics_public else ("token" if settings.metrics_token else "closed"),
        },
    )
