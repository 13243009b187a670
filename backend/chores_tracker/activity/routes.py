from __future__ import annotations

from typing import Annotated

from fastapi import Query

from chores_tracker.activity import service
from chores_tracker.activity.models import ActivityType
from chores_tracker.activity.schemas import ActivityOut, ActivityPageOut, ActivitySummaryOut, ActivityTypesOut, present
from chores_tracker.deps import DbSession
from chores_tracker.http import MAX_ROW_ID, ApiRouter, RowId
from chores_tracker.identity.deps import CurrentUser

router = ApiRouter(prefix="/activities", tags=["activities"])


@router.get("/recent", response_model=ActivityPageOut)
def recent(
    user: CurrentUser,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
    activity_type: ActivityType | None = None,
) -> ActivityPageOut:
    """Newest first. A child sees what it did and what was done for it; a parent the family's feed."""
    page = service.recent(
        session, user, limit=limit, offset=offset, activity_type=activity_type.value if activity_type else None
    )
    return ActivityPageOut(
        activities=[present(a) for a in page.activities], total_count=page.total_count, has_more=page.has_more
    )


@router.get("/summary", response_model=ActivitySummaryOut)
def summary(
    user: CurrentUser, session: DbSession, days_back: Annotated[int, Query(ge=1, le=365)] = 7
) -> ActivitySummaryOut:
    """How many activities of each type the caller may see, over the last `days_back` days."""
    counts = service.summary(session, user, days_back=days_back)
    return ActivitySummaryOut(activity_counts=counts, total_activities=sum(counts.values()), period_days=days_back)


@router.get("/types", response_model=ActivityTypesOut)
def types(_user: CurrentUser) -> ActivityTypesOut:
    described = service.types()
    return ActivityTypesOut(activity_types=list(described), descriptions=described)


@router.get("/{activity_id}", response_model=ActivityOut)
def get_activity(activity_id: RowId, user: CurrentUser, session: DbSession) -> ActivityOut:
    return present(service.get(session, user, activity_id))
