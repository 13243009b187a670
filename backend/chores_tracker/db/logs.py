"""Log lines for the migration runner: text or one JSON object per line, never a password.

The runner's output is what an operator reads in `kubectl logs` when a deploy is stuck, and what a
log pipeline parses. Every line goes through the same masking, exception text included.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import traceback
from datetime import datetime, timezone
from typing import Any

from chores_tracker.db.urls import mask_secrets_in_text

LOGGER_NAMES = ("chores_tracker.db", "alembic")

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """A literal (a database password) to hide wherever it shows up, whatever the surrounding text."""
    if value and len(value) >= 3:
        with _secrets_lock:
            _secrets.add(value)


def mask(text: str) -> str:
    text = mask_secrets_in_text(text)
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, (list, tuple)):
        return [_mask_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _mask_value(item) for key, item in value.items()}
    return value


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the record's structured fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                data.setdefault(key, _mask_value(value))
        if record.exc_info:
            data["error"] = mask("".join(traceback.format_exception(*record.exc_info)).rstrip())
        return json.dumps(data, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = f"{_timestamp(record)} {record.levelname:<7} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return mask(line)


class _AlembicChatter(logging.Filter):
    """Alembic's start-up remarks say nothing an operator needs; its "Running upgrade" lines stay."""

    _NOISE = ("Context impl ", "Will assume ", "setting up autogenerate plugin", "Detected sequence named")

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("alembic") and str(record.msg).startswith(self._NOISE))


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record is emitted (test runners swap it)."""

    @property  # type: ignore[override]
    def stream(self):  # noqa: ANN201
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:  # noqa: ANN001
        pass


_configured = False


def configure_logging(json_logs: bool, level: str = "INFO") -> None:
    """Route the runner's and Alembic's loggers to stderr in the chosen format (idempotent)."""
    global _configured
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter() if json_logs else TextFormatter())
    handler.addFilter(_AlembicChatter())
    for name in LOGGER_NAMES:
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            if getattr(old, "_chores_tracker_migrations", False):
                logger.removeHandler(old)
        handler._chores_tracker_migrations = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(level.upper())
        logger.propagate = False
    _configured = True


def logging_configured() -> bool:
    return _configured


def configure_logging_from_settings() -> None:
    from chores_tracker.settings import get_settings

    settings = get_settings()
    configure_logging(settings.json_logs, settings.log_level)
