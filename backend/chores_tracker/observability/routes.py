"""GET /metrics: Prometheus text format, closed unless METRICS_TOKEN or METRICS_PUBLIC says otherwise."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from chores_tracker.errors import NotFound, Unauthorized
from chores_tracker.paths import METRICS_PATH
from chores_tracker.settings import Settings

router = APIRouter(include_in_schema=False)


def _may_scrape(settings: Settings, authorization: str | None) -> bool:
    if settings.metrics_public:
        return True
    if not settings.metrics_token:
        # Not configured: the endpoint does not exist as far as the outside world can tell.
        raise NotFound("not found")
    scheme, _, token = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), settings.metrics_token.encode())


@router.get(METRICS_PATH)
def scrape(request: Request) -> Response:
    if not _may_scrape(request.app.state.settings, request.headers.get("authorization")):
        raise Unauthorized("metrics need the bearer token configured in METRICS_TOKEN")
    return Response(generate_latest(request.app.state.metrics_registry), media_type=CONTENT_TYPE_LATEST)
