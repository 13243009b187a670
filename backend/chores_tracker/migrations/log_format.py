"""Log lines for the migration runner: text or one JSON object per line, never a password.

The runner's output is what an operator reads in `kubectl logs` when a deploy is stuck, and what a
log pipeline parses. JSON lines come from the app's own formatter (chores_tracker.observability.logs):
the same fields, the same masking, exception text included. Structured fields go in
`extra={"fields": {...}}`; they appear on JSON lines only, the text line's message says it all.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from chores_tracker.observability.logs import JsonFormatter, mask_secrets, timestamp

# The runner's loggers kept the names they had when it lived in chores_tracker.db: log queries and
# alerts select on the `logger` field.
LOGGER_NAMES = ("chores_tracker.db", "alembic")


class TextFormatter(logging.Formatter):
    """For an operator at a terminal: time, level, message; a failure's traceback below it."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{timestamp(record)} {record.levelname:<7} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return mask_secrets(line)


class _AlembicChatter(logging.Filter):
    """Alembic's start-up remarks say nothing an operator needs; its "Running upgrade" lines stay."""

    _NOISE = ("Context impl ", "Will assume ", "setting up autogenerate plugin", "Detected sequence named")

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("alembic") and str(record.msg).startswith(self._NOISE))


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever sys.stderr is when a record is emitted (test runners swap it)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
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
        # A mark read back (getattr above) on the handlers a later call must replace; Handler declares no such field.
        handler._chores_tracker_migrations = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(level.upper())
        logger.propagate = False
    _configured = True


def logging_configured() -> bool:
    return _configured


def configure_logging_from_settings() -> None:
    from chores_tracker.migrations.config import migration_settings

    settings = migration_settings()
    configure_logging(settings.json_logs, settings.log_level)
