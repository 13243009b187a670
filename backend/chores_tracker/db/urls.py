"""Turn the DATABASE_URL users already have into the one our drivers speak, and mask it for logs."""

from __future__ import annotations

import re

from sqlalchemy.engine import URL, make_url

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
