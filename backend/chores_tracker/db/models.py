"""Imports every domain's models so that Base.metadata is complete (for Alembic and tests)."""

from chores_tracker.db.base import Base
from chores_tracker.families.models import Family
from chores_tracker.identity.models import User

__all__ = ["Base", "Family", "User"]
