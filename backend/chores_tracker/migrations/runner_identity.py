"""Who is running a migration: recorded in the schema history and shown to anyone waiting for the lock."""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class RunnerIdentity:
    host: str
    job: str | None
    pid: int

    def describe(self) -> str:
        parts = [f"host={self.host}"]
        if self.job:
            parts.append(f"job={self.job}")
        parts.append(f"pid={self.pid}")
        return " ".join(parts)


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry for the uid (common in containers)
        return None


@lru_cache
def current_identity() -> RunnerIdentity:
    # In Kubernetes HOSTNAME is the pod name; the Job passes its name as JOB_NAME (downward API).
    host = os.environ.get("HOSTNAME") or socket.gethostname()
    job = os.environ.get("JOB_NAME") or os.environ.get("MIGRATION_JOB_NAME")
    if not job:
        user = _os_user()
        job = f"manual:{user}" if user else None
    return RunnerIdentity(host=host[:255], job=job[:255] if job else None, pid=os.getpid())
