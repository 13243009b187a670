"""Liveness (the process answers; no database) and readiness (the database can serve this code)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from chores_tracker import __version__
from chores_tracker.health.service import readiness
from chores_tracker.http import ApiRouter
from chores_tracker.paths import API_HEALTH_PREFIX, LIVENESS_PATH

liveness_router = APIRouter(tags=["health"])
readiness_router = ApiRouter(prefix=API_HEALTH_PREFIX, tags=["health"])


@liveness_router.get(LIVENESS_PATH)
def live() -> dict[str, Any]:
    return {"status": "ok", "version": __version__}


@readiness_router.get("/ready")
def ready(request: Request) -> JSONResponse:
    report = readiness(request.app.state.readiness_probe)
    return JSONResponse(report.body(), status_code=200 if report.ready else 503, headers={"Cache-Control": "no-store"})
