"""Where the app serves what: the JSON API under API_PREFIX, the operating endpoints, and the pages.

The one place that tells a page from the rest: the routes mount the API at API_PREFIX, the error
handlers answer a page's error with a page and any other with JSON, and the security headers keep
API answers out of caches.
"""

from __future__ import annotations

API_PREFIX = "/api/v1"
# Any version: an unknown path there answers as the API does.
_API_ROOT = "/api"
OPENAPI_PATH = "/openapi.json"
DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"
LIVENESS_PATH = "/health"
METRICS_PATH = "/metrics"
STATIC_PATH = "/static"
# The API's health routes (readiness) sit under this prefix, inside API_PREFIX.
API_HEALTH_PREFIX = "/health"
READINESS_PATH = API_PREFIX + API_HEALTH_PREFIX + "/ready"
API_DOCUMENTS = (OPENAPI_PATH, DOCS_PATH, REDOC_PATH)
# Probes, metrics and the API's documents are not pages either.
_NOT_PAGES = (LIVENESS_PATH, METRICS_PATH, *API_DOCUMENTS)


def is_api_path(path: str) -> bool:
    return path == _API_ROOT or path.startswith(_API_ROOT + "/")


def is_page_path(path: str) -> bool:
    return not is_api_path(path) and not path.startswith(_NOT_PAGES)
