"""Several time steps at the same instant, each in its own thread (the concurrency tests of the
time step's writers: missed penalties, reminders, allowances)."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from chores_tracker.chores.timestep import TimeStepSummary, run_time_step

RUNNERS = 4


def run_time_steps_at_once(
    session_factory: sessionmaker[Session], at: datetime, runners: int = RUNNERS
) -> list[TimeStepSummary]:
    """`runners` time steps released together at `at`; their summaries. A runner's exception fails the caller."""
    barrier = threading.Barrier(runners)
    results: list[TimeStepSummary] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(run_time_step(session_factory, at))
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    return results
