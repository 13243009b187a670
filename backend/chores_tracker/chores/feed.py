"""A chore's rows in the activity feed: in the chore's family, with its id and its title as it is now."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from chores_tracker.activity import service as activity
from chores_tracker.activity.models import Activity, ActivityType
from chores_tracker.chores.models import Chore
from chores_tracker.identity.models import User


def record(
    session: Session, chore: Chore, *, actor: User, activity_type: ActivityType, description: str, **details: Any
) -> Activity:
    """Adds the feed row to the caller's transaction; the caller commits it with the change itself."""
    return activity.record(
        session,
        family_id=chore.family_id,
        actor=actor,
        activity_type=activity_type,
        description=description,
        chore_id=chore.id,
        chore_title=chore.title,
        **details,
    )
