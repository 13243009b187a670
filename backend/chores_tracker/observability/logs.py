"""Logging for the whole process: one JSON object per line in production, readable text elsewhere.

Every line carries the request id and user id of the request it belongs to, and passes through
`mask_secrets` first: passwords and tokens never reach the output, whoever wrote the line.
The migration runner (chores_tracker.migrations.log_format) writes its JSON lines with this same formatter.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from typing import IO, Any

from chores_tracker.db.urls import mask_secrets_in_text, url_password
from chores_tracker.observability.context import current_request_id, current_user_id
from chores_tracker.settings import Settings

MASK = "***"
ACCESS_LOGGER = "chores_tracker.access"

_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/-]+=*")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+")
# The words that name a secret, in every pattern below: a word added here is masked everywhere.
_SECRET_WORDS = "password|passwd|secret|token|api_key"  # noqa: S105 (names of secrets, not one)
# password=..., "password": "...", token: ... in free text, query strings, reprs and JSON.
_SECRET_FIELD = re.compile(
    r"""(?ix)
    (?P<key>["']?[a-z_]*(?:"""
    + _SECRET_WORDS
    + r""")[a-z_]*["']?\s*[:=]\s*)
    (?P<quote>["']?)
    (?P<value>[^"'\s,&;}\]]+)
    """
)

# A field with one of these names is masked whatever its value looks like.
_SECRET_NAME = re.compile(rf"(?i){_SECRET_WORDS}|authorization|cookie")

# Values known at start-up (the DB password, the signing key, the metrics token) are masked
# wherever they show up, even outside any recognisable pattern. Longest first, so that a secret
# containing another is masked whole; replaced as a whole tuple, so readers need no lock.
_known_secrets: tuple[str, ...] = ()
_registering = threading.Lock()

# `extra={"fields": {...}}` (the migration runner's way) puts each key on the JSON line as it is,
# None included; other `extra=` keys are fields too, left out when None.
STRUCTURED_FIELDS = "fields"

# LogRecord's own attributes; anything else on a record was passed with `extra=` and is a field.
# uvicorn adds color_message, the same text with terminal colours.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "color_message",
}


def register_secret(value: str | None) -> None:
    """A literal (a database password, a signing key) to hide wherever it shows up."""
    global _known_secrets
    if value and len(value) >= 3:
        with _registering:
            if value not in _known_secrets:
                _known_secrets = tuple(sorted({*_known_secrets, value}, key=len, reverse=True))


# What every pattern below (and db.urls') needs to find: text without any of these (most lines: an
# access log line's route, path and method) is let through after one scan instead of five.
_MAY_HOLD_A_SECRET = re.compile(rf"(?i)://|{_SECRET_WORDS}|bearer|eyJ")


def mask_secrets(text: str) -> str:
    for secret in _known_secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    if not _MAY_HOLD_A_SECRET.search(text):
        return text
    text = mask_secrets_in_text(text)
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    text = _JWT.sub(MASK, text)
    return _SECRET_FIELD.sub(lambda m: f"{m['key']}{m['quote']}{MASK}", text)


def _masked(value: Any, name: str = "") -> Any:
    if name and _SECRET_NAME.search(name) and value is not None:
        return MASK
    if isinstance(value, str):
        return mask_secrets(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {key: _masked(item, str(key)) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(item) for item in value]
    return mask_secrets(str(value))


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    request_id = getattr(record, "request_id", None) or current_request_id()
    user_id = getattr(record, "user_id", None) or current_user_id()
    if request_id:
        fields["request_id"] = request_id
    if user_id is not None:
        fields["user_id"] = user_id
    structured = getattr(record, STRUCTURED_FIELDS, None)
    if isinstance(structured, dict):
        for key, value in structured.items():
            fields.setdefault(str(key), _masked(value, str(key)))
    for key, value in record.__dict__.items():
        if key == STRUCTURED_FIELDS and isinstance(value, dict):
            continue
        if key not in _RECORD_ATTRIBUTES and key not in fields and not key.startswith("_") and value is not None:
            fields[key] = _masked(value, key)
    return fields


def timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log pipelines."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_secrets(record.getMessage()),
        }
        for key, value in _fields(record).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = mask_secrets(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = mask_secrets(self.formatStack(record.stack_info))
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """For people at a terminal: time, level, request id, message, then key=value fields."""

    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        request_id = fields.pop("request_id", None)
        if record.name == ACCESS_LOGGER:
            for already_in_the_message in ("method", "route", "status"):
                fields.pop(already_in_the_message, None)
        line = f"{timestamp(record)} {record.levelname:<7} {record.name}"
        if request_id:
            line += f" [{request_id}]"
        line += f" {mask_secrets(record.getMessage())}"
        if fields:
            line += " " + " ".join(f"{key}={value}" for key, value in fields.items())
        if record.exc_info:
            line += "\n" + mask_secrets(self.formatException(record.exc_info))
        return line


class _OurHandler(logging.StreamHandler[IO[str]]):
    """Marks the handler this module installed, so a second configuration replaces it."""


_configured: tuple[bool, str, int] | None = None


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> None:
    """Set up the root logger once per process; calling again with the same setup does nothing.

    Without a stream, the stream already in use is kept (standard error the first time).

    uvicorn's own access log is switched off: the request middleware writes a richer line.
    """
    global _configured
    register_secret(settings.secret_key)
    register_secret(settings.metrics_token)
    for url in (settings.database_url, settings.redis_url):
        if url:
            # An unparsable URL is reported by whoever uses it.
            register_secret(url_password(url))
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, _OurHandler)]
    if stream is None:
        stream = ours[0].stream if ours else sys.stderr
    key = (settings.json_logs, settings.log_level.upper(), id(stream))
    if _configured == key and ours:
        return
    handler = _OurHandler(stream)
    handler.setFormatter(JsonFormatter() if settings.json_logs else TextFormatter())
    for existing in ours:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
    _configured = key
