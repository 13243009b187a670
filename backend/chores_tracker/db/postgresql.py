"""The psycopg connection class PostgreSQL engines use (chores_tracker.db.engine); kept apart so that
only a PostgreSQL engine imports psycopg."""

from __future__ import annotations

from typing import Any, TypeVar

import psycopg
from psycopg.abc import PQGen

RV = TypeVar("RV")


class AnswerDeadlineConnection(psycopg.Connection[Any]):
    """A psycopg connection that waits at most `answer_timeout` seconds for the server's answer.

    libpq has no such limit. TCP keepalives and TCP_USER_TIMEOUT end a connection whose peer
    stopped acknowledging, but a peer that still acknowledges and never answers (a proxy or load
    balancer whose database went quiet) would hold the request and its connection for good.
    """

    answer_timeout: float | None = None

    # psycopg names the options (interval, timeout); whichever it passes go on as they are.
    def wait(self, gen: PQGen[RV], **options: Any) -> RV:  # type: ignore[override]
        if self.answer_timeout is None or options.get("timeout") is not None:
            return super().wait(gen, **options)
        try:
            return super().wait(gen, **{**options, "timeout": self.answer_timeout})
        except psycopg.errors._WaitTimeout:  # raised only for a timeout given to wait(): ours
            # Mid-exchange, the connection cannot be used again; closed, SQLAlchemy discards it.
            self.close()
            raise psycopg.OperationalError(
                f"no answer from the database within {self.answer_timeout:g} seconds"
            ) from None
