"""Turn the DATABASE_URL users already have into the one our drivers speak, and mask it for logs."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

# The app is synchronous; whatever async or default driver a URL names, we use these.
_DRIVERS = {
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "sqlite": "sqlite",
}


class UnsupportedDatabaseURL(ValueError):
    pass


def normalize_database_url(raw: str | URL) -> URL:
    from sqlalchemy.engine import make_url

    url = make_url(raw) if isinstance(raw, str) else raw
    backend = url.get_backend_name()
    if backend not in _DRIVERS:
        raise UnsupportedDatabaseURL(f"unsupported database {backend!r}: use mysql://, postgresql:// or sqlite:///path")
    url = url.set(drivername=_DRIVERS[backend])
    if url.get_backend_name() == "mysql" and "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    return url


def mask_url(url: str | URL) -> str:
    """The URL with its password hidden: safe for every log line."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url) if isinstance(url, str) else url
        return parsed.render_as_string(hide_password=True)
    except Exception:
        return mask_secrets_in_text(str(url))


_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)(?P<password>[^@\s]+)(?P<tail>@)")
# libpq-style "key=value" connection strings, which some driver errors quote.
_DSN_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<password>'(?:[^'\\]|\\.)*'|[^\s,;)]+)", re.IGNORECASE)


def mask_secrets_in_text(text: str) -> str:
    """Hide any password embedded in a URL inside free text (error messages included)."""
    text = _URL_PASSWORD.sub(lambda m: f"{m['head']}***{m['tail']}", text)
    return _DSN_PASSWORD.sub(lambda m: f"{m['head']}***", text)


# The head of SQLAlchemy's own URL pattern (sqlalchemy.engine.url._parse_url): `serve` registers the
# database's password for masking before anything imports SQLAlchemy (tests/operations/test_logging.py
# checks that both read the same password).
_URL_CREDENTIALS = re.compile(r"[\w+]+://(?:[^:/]*(?::(?P<password>[^@]*))?@)?")


def url_password(url: str) -> str | None:
    """The password in a URL (a database's, Redis's), unquoted, as `make_url(url).password` reads it."""
    match = _URL_CREDENTIALS.match(url)
    if match is None or match["password"] is None:
        return None
    return unquote(match["password"])
