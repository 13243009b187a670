"""Imports every domain's models so that Base.metadata is complete (for Alembic and tests)."""

from chores_tracker.activity.models import Activity
from chores_tracker.chores.models import (
    Assignment,
    CalendarFeed,
    ChildPause,
    Chore,
    ChoreOccurrence,
    Completion,
)
from chores_tracker.db.base import Base
from chores_tracker.families.models import Family
from chores_tracker.identity.models import AuthSession, FamilyDevice, User
from chores_tracker.ledger.models import LedgerEntry, LedgerMarker, RunningTotals
from chores_tracker.notifications.models import (
    Notification,
    NotificationChannel,
    NotificationDelivery,
    NotificationPreferences,
    Webhook,
    WebhookDelivery,
)
from chores_tracker.rewards.models import Allowance, AllowanceRun, Reward, RewardClaim, SavingsGoal

__all__ = [
    "Activity",
    "Allowance",
    "AllowanceRun",
    "Assignment",
    "AuthSession",
    "Base",
    "CalendarFeed",
    "ChildPause",
    "Chore",
    "ChoreOccurrence",
    "Completion",
    "Family",
    "FamilyDevice",
    "LedgerEntry",
    "LedgerMarker",
    "Notification",
    "NotificationChannel",
    "NotificationDelivery",
    "NotificationPreferences",
    "Reward",
    "RewardClaim",
    "RunningTotals",
    "SavingsGoal",
    "User",
    "Webhook",
    "WebhookDelivery",
]
