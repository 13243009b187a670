"""FastAPI dependencies shared by every route and page: the settings and the database session.

The API's caller (the current user, parent or child) is identity.deps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from chores_tracker.db.engine import close_session
from chores_tracker.db.revisions import mark_writing
from chores_tracker.settings import Settings

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` one in a worker thread, and
# each such hop cost more than the work it carried (see bench/README.md, reads.py).


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_db(request: Request) -> AsyncIterator[Session]:
    """A session per request. Making it does no I/O; closing it does (the rollback of the connection it
    used) only when it began a transaction, and then in a worker thread, as the endpoint runs."""
    session = request.app.state.session_factory()
    if request.method in MUTATING_METHODS:
        mark_writing(session)
    try:
        yield session
    finally:
        if session.in_transaction():
            await anyio.to_thread.run_sync(close_session, session)
        else:
            close_session(session)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
DbSession = Annotated[Session, Depends(get_db)]
