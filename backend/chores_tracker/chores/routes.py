"""Chores and assignments (and the children's chore lists under /users). Thin: parse, call, shape."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Path, Query, Response, status
from sqlalchemy.orm import Session

from chores_tracker import clock
from chores_tracker.chores import calendar, lifecycle, occurrences, pauses, queries, reads, service, streaks
from chores_tracker.chores.models import AssignmentState, ChildPause, Chore
from chores_tracker.chores.schemas import (
    ApproveIn,
    ApproveManyIn,
    ApproveManyOut,
    AvailableOut,
    BadgeOut,
    CalendarFeedIn,
    CalendarFeedOut,
    ChildChoreOut,
    ChildWithChoresOut,
    ChoreCreate,
    ChoreOut,
    ChoreUpdate,
    CompleteOut,
    NewCalendarFeedOut,
    OccurrenceOut,
    PauseIn,
    PauseOut,
    PendingApprovalOut,
    RejectIn,
    ReviewOut,
    SkippedOut,
    SnoozeIn,
    StreaksOut,
    present_chore,
)
from chores_tracker.chores.states import ChoreStatus, effective_state
from chores_tracker.deps import DbSession
from chores_tracker.http import MAX_ROW_ID, ApiRouter, OrjsonResponse, RowId
from chores_tracker.identity import service as identity
from chores_tracker.identity.deps import ChildRead, CurrentChild, CurrentParent, CurrentUser, ParentRead
from chores_tracker.identity.models import User
from chores_tracker.identity.schemas import UserOut
from chores_tracker.money import from_cents
from chores_tracker.paths import API_PREFIX

router = ApiRouter(prefix="/chores", tags=["chores"])
assignments_router = ApiRouter(prefix="/assignments", tags=["chores"])
users_router = ApiRouter(prefix="/users", tags=["users"])
occurrences_router = ApiRouter(prefix="/occurrences", tags=["schedules"])
pauses_router = ApiRouter(prefix="/children", tags=["schedules"])
calendar_router = ApiRouter(prefix="/calendar", tags=["schedules"])


Skip = Annotated[int, Query(ge=0, le=MAX_ROW_ID)]
Limit = Annotated[int, Query(ge=1, le=queries.MAX_LIST)]


def _chores(chores: list[Chore], viewer: User) -> list[ChoreOut]:
    now = clock.now()
    return [present_chore(chore, viewer, now) for chore in chores]


def _changed(session: Session, result: lifecycle.LifecycleResult, viewer: User) -> dict[str, object]:
    """CompleteOut / ReviewOut of a change, read lean (chores/reads.py) and not validated again:
    the answer is our own output, its bytes those of the models (tests/chores/test_lean_reads.py)."""
    chore, assignment = reads.changed(session, viewer, result.chore_id, result.assignment_id)
    return {"chore": chore, "assignment": assignment, "message": result.message}


def _review_out(session: Session, result: lifecycle.LifecycleResult, viewer: User) -> dict[str, object]:
    """ReviewOut, its fields in the model's order (the same bytes as before)."""
    chore, assignment = reads.changed(session, viewer, result.chore_id, result.assignment_id)
    return {"assignment": assignment, "chore": chore, "message": result.message}


@router.post("", response_model=ChoreOut, status_code=status.HTTP_201_CREATED)
def create_chore(data: ChoreCreate, parent: CurrentParent, session: DbSession) -> ChoreOut:
    return present_chore(service.create_chore(session, parent, data), parent, clock.now())


@router.get("", response_model=list[ChoreOut])
def list_chores(
    user: CurrentUser,
    session: DbSession,
    status: ChoreStatus | None = None,
    skip: Skip = 0,
    limit: Limit = queries.MAX_LIST,
) -> list[ChoreOut]:
    """The chores the caller may see. `status` filters by the caller's assignments (a parent: any).
    available: may be done now; active: not paused; completed: done (waiting or approved, not yet
    available again); pending_approval: waiting for review; approved: approved and not yet available again."""
    found = queries.list_chores(session, user, status=status, skip=skip, limit=limit)
    return _chores(found, user)


available_doc = "What the child may do now: its own assignments, and the family's pool chores nobody holds."
pending_doc = "Completions waiting for review in the family, oldest first."
_CONDITIONAL = (
    " Carries an ETag: sent back in If-None-Match, it is answered 304 with no body while the answer is the same."
)


@router.get("/available", response_model=AvailableOut, description=f"{available_doc}{_CONDITIONAL}")
async def available(read: ChildRead) -> Response:
    # The lean read path (chores.reads): the same answer as AvailableOut, without the ORM or pydantic.
    def make(session: Session, child: User) -> tuple[Response, datetime | None]:
        answer, until = reads.available_for_child(session, child)
        return OrjsonResponse(answer), until

    return await read.answer(make)


@router.get("/pending-approval", response_model=list[PendingApprovalOut], description=f"{pending_doc}{_CONDITIONAL}")
async def pending_approval(read: ParentRead, skip: Skip = 0, limit: Limit = queries.MAX_LIST) -> Response:
    def make(session: Session, parent: User) -> tuple[Response, datetime | None]:
        answer, until = reads.pending_approvals(session, parent, skip=skip, limit=limit)
        return OrjsonResponse(answer), until

    return await read.answer(make)


@router.get("/child/{child_id}", response_model=list[ChoreOut])
def chores_of_child(
    child_id: RowId, parent: CurrentParent, session: DbSession, skip: Skip = 0, limit: Limit = queries.MAX_LIST
) -> list[ChoreOut]:
    return _chores(queries.chores_of_child(session, parent, child_id, skip=skip, limit=limit), parent)


@router.get("/child/{child_id}/completed", response_model=list[ChoreOut])
def chores_completed_by_child(
    child_id: RowId, parent: CurrentParent, session: DbSession, skip: Skip = 0, limit: Limit = queries.MAX_LIST
) -> list[ChoreOut]:
    """Chores the child has completed at least once (waiting for review or approved)."""
    return _chores(queries.chores_completed_by_child(session, parent, child_id, skip=skip, limit=limit), parent)


@router.get("/{chore_id}", response_model=ChoreOut)
def get_chore(chore_id: RowId, user: CurrentUser, session: DbSession) -> ChoreOut:
    return present_chore(queries.get_chore(session, user, chore_id), user, clock.now())


@router.put("/{chore_id}", response_model=ChoreOut)
def update_chore(chore_id: RowId, data: ChoreUpdate, parent: CurrentParent, session: DbSession) -> ChoreOut:
    """Changes the fields sent. Money already earned never changes; an assignment waiting for
    approval must be reviewed before its child is taken off the chore."""
    return present_chore(service.update_chore(session, parent, chore_id, data), parent, clock.now())


@router.delete("/{chore_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_chore(chore_id: RowId, parent: CurrentParent, session: DbSession) -> Response:
    """Removes the chore from every list. Its history and every amount earned stay."""
    service.delete_chore(session, parent, chore_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{chore_id}/complete", response_model=CompleteOut)
def complete_chore(chore_id: RowId, child: CurrentChild, session: DbSession) -> Response:
    """Marks the child's assignment done (for a pool chore: claims it). 409 when it is not available now."""
    return OrjsonResponse(_changed(session, lifecycle.complete_chore(session, child, chore_id), child))


@router.post("/{chore_id}/take-back", response_model=CompleteOut, summary="Take back a 'done' waiting for review")
def take_back(chore_id: RowId, child: CurrentChild, session: DbSession) -> Response:
    """The child takes back its "done" (an accidental tap) while it still waits for review: the
    chore is the child's to do again (a pool chore: anyone's), nothing was paid, and the feed says
    so (`chore_taken_back`). 409 when nothing waits for review, or when a parent reviewed it first
    (of a take-back and an approval at the same moment, exactly one happens)."""
    return OrjsonResponse(_changed(session, lifecycle.take_back(session, child, chore_id), child))


@router.post("/{chore_id}/disable", response_model=ChoreOut)
def disable_chore(chore_id: RowId, parent: CurrentParent, session: DbSession) -> ChoreOut:
    return present_chore(service.set_disabled(session, parent, chore_id, True), parent, clock.now())


@router.post("/{chore_id}/enable", response_model=ChoreOut)
def enable_chore(chore_id: RowId, parent: CurrentParent, session: DbSession) -> ChoreOut:
    return present_chore(service.set_disabled(session, parent, chore_id, False), parent, clock.now())


@router.post("/{chore_id}/approve", response_model=ChoreOut)
def approve_chore(
    chore_id: RowId, parent: CurrentParent, session: DbSession, data: ApproveIn | None = None
) -> Response:
    """For older clients: approves the chore's one assignment waiting for approval."""
    result = lifecycle.approve_chore(session, parent, chore_id, data.reward_value if data else None)
    return OrjsonResponse(_changed(session, result, parent)["chore"])


@router.post("/{chore_id}/reject", response_model=ChoreOut)
def reject_chore(chore_id: RowId, data: RejectIn, parent: CurrentParent, session: DbSession) -> Response:
    """For older clients: sends back the chore's one assignment waiting for approval."""
    result = lifecycle.reject_chore(session, parent, chore_id, data.rejection_reason)
    return OrjsonResponse(_changed(session, result, parent)["chore"])


@assignments_router.post("/{assignment_id}/approve", response_model=ReviewOut)
def approve_assignment(
    assignment_id: RowId, parent: CurrentParent, session: DbSession, data: ApproveIn | None = None
) -> Response:
    """Approves a completion: the reward (fixed, or `reward_value` within a range) is earned.
    A recurring chore is available again `cooldown_days` after this moment."""
    result = lifecycle.approve_assignment(session, parent, assignment_id, data.reward_value if data else None)
    return OrjsonResponse(_review_out(session, result, parent))


@assignments_router.post("/approve-many", response_model=ApproveManyOut, summary="Approve several, or all, at once")
def approve_many(parent: CurrentParent, session: DbSession, data: ApproveManyIn | None = None) -> ApproveManyOut:
    """Approves `assignment_ids` (or, without them, every completion waiting for review in the
    family), each at its fixed reward and each on its own, as `POST /assignments/{id}/approve`
    would: one that was reviewed meanwhile (by another parent, or taken back by its child), a range
    chore (it needs its amount) or one not found is skipped with the reason. Each is paid at most
    once, however many approvals run at the same moment."""
    wanted = data.assignment_ids if data else None
    result = lifecycle.approve_many(session, parent, wanted, lambda item: _review_out(session, item, parent))
    return ApproveManyOut(
        approved=result.approved,
        skipped=[SkippedOut(assignment_id=i, reason=why) for i, why in result.skipped],
        total_approved=from_cents(result.total_cents) or 0,
    )


@assignments_router.post("/{assignment_id}/reject", response_model=ReviewOut)
def reject_assignment(assignment_id: RowId, data: RejectIn, parent: CurrentParent, session: DbSession) -> Response:
    """Sends a completion back with the reason; the assignment is available again (a pool chore
    goes back to the pool)."""
    result = lifecycle.reject_assignment(session, parent, assignment_id, data.rejection_reason)
    return OrjsonResponse(_review_out(session, result, parent))


def _children_out(found: list[queries.ChildChores]) -> list[ChildWithChoresOut]:
    now = clock.now()
    out = []
    for entry in found:
        chores = []
        for slot, chore in entry.assignments:
            state = effective_state(slot, now)
            approved = state == AssignmentState.approved
            chores.append(
                ChildChoreOut(
                    id=slot.id,
                    chore_id=chore.id,
                    chore_title=chore.title,
                    reward=from_cents(slot.approval_reward_cents if approved else chore.reward_cents),
                    is_completed=state != AssignmentState.available,
                    is_approved=approved,
                )
            )
        out.append(ChildWithChoresOut(**UserOut.model_validate(entry.child).model_dump(), chores=chores))
    return out


@users_router.get("/my-children", response_model=list[ChildWithChoresOut])
def my_children(parent: CurrentParent, session: DbSession) -> list[ChildWithChoresOut]:
    """The children this parent created, each with its assignments."""
    return _children_out(queries.children_with_chores(session, parent, whole_family=False))


@users_router.get("/my-family-children", response_model=list[ChildWithChoresOut])
def my_family_children(parent: CurrentParent, session: DbSession) -> list[ChildWithChoresOut]:
    """Every child of the family, each with its assignments."""
    return _children_out(queries.children_with_chores(session, parent, whole_family=True))


# -- schedules: occurrences and pauses ------------------------------------------------------------


@occurrences_router.get("", response_model=list[OccurrenceOut])
def list_occurrences(
    user: CurrentUser,
    session: DbSession,
    date_from: Annotated[date | None, Query(description="family-local date, YYYY-MM-DD; default today")] = None,
    date_to: Annotated[
        date | None, Query(description="family-local date, included; default a week after date_from")
    ] = None,
    child_id: Annotated[RowId | None, Query(description="a parent: one child's; a child: its own")] = None,
) -> list[OccurrenceOut]:
    """Each due date of the family's chores in the range (at most 93 days), by due time, with its
    state now and its due time in UTC and in the family's zone. A parent sees the family's, a child
    its own and the pool's. Occurrences are made up to 28 days ahead."""
    found = occurrences.list_occurrences(session, user, date_from, date_to, child_id)
    return [OccurrenceOut.of(view) for view in found]


@occurrences_router.post("/{occurrence_id}/skip", response_model=OccurrenceOut)
def skip_occurrence(occurrence_id: RowId, parent: CurrentParent, session: DbSession) -> OccurrenceOut:
    """This one time the chore is not due: never overdue or missed, no penalty. 409 once it is done,
    approved, missed or skipped."""
    return OccurrenceOut.of(occurrences.skip_occurrence(session, parent, occurrence_id))


@occurrences_router.post("/{occurrence_id}/snooze", response_model=OccurrenceOut)
def snooze_occurrence(occurrence_id: RowId, data: SnoozeIn, parent: CurrentParent, session: DbSession) -> OccurrenceOut:
    """This one time the chore is due `days` days later, at the same local time. 409 once it is
    done, approved, missed or skipped."""
    return OccurrenceOut.of(occurrences.snooze_occurrence(session, parent, occurrence_id, data.days))


def _pause_out(pause: ChildPause) -> PauseOut:
    return PauseOut.model_validate(pause, from_attributes=True)


@pauses_router.post("/{child_id}/pauses", response_model=PauseOut, status_code=status.HTTP_201_CREATED)
def add_pause(child_id: RowId, data: PauseIn, parent: CurrentParent, session: DbSession) -> PauseOut:
    """The child is away from first_day through last_day (family-local dates): nothing falls due for
    it and no penalty is charged; a rotation's turns those days go to the other children."""
    return _pause_out(pauses.add_pause(session, parent, child_id, data.first_day, data.last_day))


@pauses_router.get("/{child_id}/pauses", response_model=list[PauseOut])
def list_pauses(child_id: RowId, parent: CurrentParent, session: DbSession) -> list[PauseOut]:
    return [_pause_out(pause) for pause in pauses.list_pauses(session, parent, child_id)]


@pauses_router.delete("/{child_id}/pauses/{pause_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_pause(child_id: RowId, pause_id: RowId, parent: CurrentParent, session: DbSession) -> Response:
    pauses.delete_pause(session, parent, child_id, pause_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- calendar feeds -------------------------------------------------------------------------------


@calendar_router.post("/feeds", response_model=NewCalendarFeedOut, status_code=status.HTTP_201_CREATED)
def make_calendar_feed(data: CalendarFeedIn, parent: CurrentParent, session: DbSession) -> NewCalendarFeedOut:
    """A new private feed URL for the family's occurrences (or one child's); it replaces the one
    made before for the same family or child, which stops working. The token is shown only here."""
    feed, token = calendar.make_feed(session, parent, data.child_id)
    return NewCalendarFeedOut(
        id=feed.id,
        child_id=feed.child_id,
        created_at=feed.created_at,
        token=token,
        path=f"{API_PREFIX}/calendar/{token}.ics",
    )


@calendar_router.get("/feeds", response_model=list[CalendarFeedOut])
def list_calendar_feeds(parent: CurrentParent, session: DbSession) -> list[CalendarFeedOut]:
    """The family's live feeds (their tokens are never shown again)."""
    return [CalendarFeedOut.model_validate(feed, from_attributes=True) for feed in calendar.list_feeds(session, parent)]


@calendar_router.delete("/feeds/{feed_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_calendar_feed(feed_id: RowId, parent: CurrentParent, session: DbSession) -> Response:
    """The feed's URL stops working at once."""
    calendar.revoke_feed(session, parent, feed_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@calendar_router.get(
    "/{token}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "an iCalendar (RFC 5545) feed"}},
)
def calendar_feed(token: Annotated[str, Path(min_length=20, max_length=100)], session: DbSession) -> Response:
    """The feed's occurrences (a week back through four weeks ahead) in the family's time zone, for
    calendar apps: no log-in, the URL's token is the key. Unknown or revoked: 404."""
    body = calendar.feed_ics(session, token)
    return Response(
        content=body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


def _streaks_out(child: User, found: streaks.Streaks) -> StreaksOut:
    return StreaksOut(
        child_id=child.id,
        day_streak=found.days,
        best_day_streak=found.best_days,
        on_time_streak=found.on_time,
        best_on_time_streak=found.best_on_time,
        badges=[BadgeOut(kind=b.kind, milestone=b.milestone, title=b.title) for b in found.badges],
        next_day_milestone=found.next_day_milestone,
        bonus_percent=found.bonus_percent,
    )


@pauses_router.get(
    "/{child_id}/streaks", response_model=StreaksOut, responses={404: {"description": "No such child in the family."}}
)
def child_streaks(child_id: RowId, parent: CurrentParent, session: DbSession) -> StreaksOut:
    """A child's day and on-time streaks and its badges (paused days neither break nor extend them)."""
    child = identity.child_of_family(session, parent, child_id)
    return _streaks_out(child, streaks.streaks_of(session, child))


@users_router.get("/me/streaks", response_model=StreaksOut)
def my_streaks(child: CurrentChild, session: DbSession) -> StreaksOut:
    """The calling child's own streaks and badges."""
    return _streaks_out(child, streaks.streaks_of(session, child))
