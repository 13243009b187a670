from __future__ import annotations

from fastapi import Request, Response, status

from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.families import service
from chores_tracker.families.models import Family
from chores_tracker.families.schemas import (
    FamilyContextOut,
    FamilyCreateIn,
    FamilyCurrencyIn,
    FamilyJoinIn,
    FamilyJoinOut,
    FamilyLanguageIn,
    FamilyLanguageOut,
    FamilyMembersOut,
    FamilyOut,
    FamilyTimezoneIn,
    InviteCodeIn,
    InviteCodeOut,
    MemberOut,
    OwnerIn,
    StreakBonusIn,
    StreakBonusOut,
)
from chores_tracker.http import ApiRouter, RowId
from chores_tracker.identity.deps import CurrentParent, CurrentUser
from chores_tracker.identity.limits import count_attempt
from chores_tracker.identity.models import User
from chores_tracker.identity.schemas import ChildCreateIn, ProfileIn, UserOut
from chores_tracker.ratelimit.service import JOIN

router = ApiRouter(prefix="/families", tags=["families"])
users_router = ApiRouter(prefix="/users", tags=["users"])


def _member(user: User, owner_id: int | None) -> MemberOut:
    return MemberOut.model_validate(user).model_copy(
        update={"joined_at": user.family_joined_at, "is_owner": user.id == owner_id}
    )


def _family(family: Family, viewer: User, owner_id: int | None) -> FamilyOut:
    shown = service.sees_invite_code(viewer)
    return FamilyOut(
        id=family.id,
        name=family.name,
        invite_code=family.invite_code if shown else "",
        invite_code_expires_at=family.invite_code_expires_at if shown else None,
        invite_code_uses_left=service.invite_code_uses_left(family) if shown else 0,
        owner_id=owner_id,
        timezone=family.timezone,
        currency=family.currency,
        created_at=family.created_at,
        updated_at=family.updated_at,
    )


@router.get("/context", response_model=FamilyContextOut)
def context(user: CurrentUser, session: DbSession) -> FamilyContextOut:
    """The caller's family and role. A child gets the family without its invite code."""
    family = service.get_family(session, user)
    return FamilyContextOut(
        has_family=family is not None,
        family=_family(family, user, service.owner_of(session, family)) if family else None,
        role=service.role_of(user),
        can_invite=bool(family and user.is_parent),
        can_manage=bool(family and user.is_parent),
    )


@router.post("/create", response_model=FamilyOut, status_code=status.HTTP_201_CREATED)
def create(data: FamilyCreateIn, parent: CurrentParent, session: DbSession, settings: SettingsDep) -> FamilyOut:
    """A new family owned by the caller. `timezone` (an IANA name, e.g. America/Chicago; UTC unless
    given) is the family's zone; 422 for a name that is not a known zone."""
    family = service.create_family(
        session,
        parent,
        data.name,
        invite_days=settings.invite_code_default_days,
        timezone=data.timezone,
        currency=settings.currency,
    )
    return _family(family, parent, parent.id)


@router.put("/timezone", response_model=FamilyOut, summary="Set the family's time zone")
def set_timezone(data: FamilyTimezoneIn, parent: CurrentParent, session: DbSession) -> FamilyOut:
    """Any parent of the family sets its IANA time zone (`{"timezone": "America/Chicago"}`): pages
    show times in it and schedules follow its calendar, daylight saving included; stored times stay
    UTC. 422 for a name that is not a known zone, 403 for a child, 404 without a family. The change
    is in the family's activity feed (`timezone_changed`)."""
    family = service.set_timezone(session, parent, data.timezone)
    return _family(family, parent, service.owner_of(session, family))


@router.put(
    "/currency",
    response_model=FamilyOut,
    summary="Set the family's currency",
    responses={403: {"description": "Not the family's owner"}, 404: {"description": "No family"}},
)
def set_currency(data: FamilyCurrencyIn, parent: CurrentParent, session: DbSession) -> FamilyOut:
    """The family's owner sets its ISO 4217 currency (`{"currency": "JPY"}`; USD until then): pages
    show amounts with its symbol and digits, in the reader's locale ("¥500", "1.234,50 €"), and
    amounts entered from then on have its minor units: in JPY an amount with decimals is refused
    (422 on its field). Stored amounts and the JSON's amounts stay as they are (numbers with at
    most two decimals). 422 for a code that is not a currency in use or has more than two decimals
    (KWD), 403 for a parent who is not the owner or a child, 404 without a family. The change is in
    the family's activity feed (`currency_changed`)."""
    family = service.set_currency(session, parent, data.currency)
    return _family(family, parent, service.owner_of(session, family))


@router.put(
    "/language",
    response_model=FamilyLanguageOut,
    summary="Set the language of the family's pages",
    responses={403: {"description": "Not the family's owner"}, 404: {"description": "No family"}},
)
def set_language(data: FamilyLanguageIn, parent: CurrentParent, session: DbSession) -> FamilyLanguageOut:
    """The family's owner sets the language its web pages are shown in (`{"language": "es"}`: en or
    es), for every member whatever their browser says; `{"language": null}` lets each reader's
    browser choose again (Accept-Language among en and es, else English, as before any choice).
    Amounts on the pages are formatted in the same language. The API's JSON, this answer's included,
    stays English. 422 for another value, 403 for a parent who is not the owner or a child, 404
    without a family."""
    family = service.set_language(session, parent, data.language)
    return FamilyLanguageOut(language=family.language)


@router.post("/join", response_model=FamilyJoinOut)
def join(request: Request, data: FamilyJoinIn, parent: CurrentParent, session: DbSession) -> FamilyJoinOut:
    """Joins the family as a parent; spends one of the code's uses. 404 for a code that is unknown,
    expired or used up (alike). Attempts are limited per client address and per account
    (RATE_LIMIT_JOIN_PER_HOUR): 429 with Retry-After."""
    count_attempt(request, JOIN, parent.username)
    family = service.join_family(session, parent, data.invite_code)
    return FamilyJoinOut(
        success=True, family_id=family.id, family_name=family.name, message=f"You joined {family.name}."
    )


@router.get("/members", response_model=FamilyMembersOut)
def members(user: CurrentUser, session: DbSession) -> FamilyMembersOut:
    found = service.members(session, user)
    return FamilyMembersOut(
        family_id=found.family.id,
        family_name=found.family.name,
        total_members=len(found.parents) + len(found.children),
        parents=[_member(p, found.owner_id) for p in found.parents],
        children=[_member(c, found.owner_id) for c in found.children],
    )


@router.post("/invite-code/generate", response_model=InviteCodeOut)
def generate_invite_code(
    parent: CurrentParent, session: DbSession, settings: SettingsDep, data: InviteCodeIn | None = None
) -> InviteCodeOut:
    """A new code (the old one stops working) for `max_uses` parents (1 unless said), valid for
    `expires_in_days` (INVITE_CODE_DEFAULT_DAYS unless said)."""
    data = data or InviteCodeIn()
    days = data.expires_in_days or settings.invite_code_default_days
    family = service.regenerate_invite_code(session, parent, days, data.max_uses)
    return InviteCodeOut(
        invite_code=family.invite_code,
        expires_at=family.invite_code_expires_at,
        family_name=family.name,
        max_uses=data.max_uses,
    )


@router.delete("/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(user_id: RowId, parent: CurrentParent, session: DbSession) -> Response:
    """Any parent removes a child (who is also logged out); only the owner removes a parent (403
    for the others), and the owner cannot be removed (409: transfer ownership first)."""
    service.remove_member(session, parent, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/owner", response_model=FamilyOut)
def transfer_ownership(data: OwnerIn, parent: CurrentParent, session: DbSession) -> FamilyOut:
    """The owner hands the family to another of its parents (403 for anyone but the owner; 422
    when `user_id` is a child)."""
    family = service.transfer_ownership(session, parent, data.user_id)
    return _family(family, parent, data.user_id)


@users_router.post("/", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_child(data: ChildCreateIn, parent: CurrentParent, session: DbSession, settings: SettingsDep) -> UserOut:
    """A parent creates a child account; the child joins the parent's family."""
    return UserOut.model_validate(service.add_child(session, settings, parent, data))


@users_router.patch("/me", response_model=UserOut, summary="Change your display name or avatar")
def change_own_profile(data: ProfileIn, user: CurrentUser, session: DbSession) -> UserOut:
    """The caller's display name (what the family sees instead of the username, which stays for
    signing in) and avatar (a colour name or one emoji). A field left out stays; null or "" clears
    it. 422 for an avatar that is neither. In the family's feed as `profile_changed`."""
    return UserOut.model_validate(service.change_profile(session, user, data))


@users_router.patch("/children/{child_id}", response_model=UserOut, summary="Rename a child or change its avatar")
def change_child_profile(child_id: RowId, data: ProfileIn, parent: CurrentParent, session: DbSession) -> UserOut:
    """Any parent of the family sets a child's display name and avatar, as `PATCH /users/me` does
    for the caller (404 for a child of another family). In the family's feed as `profile_changed`."""
    return UserOut.model_validate(service.change_profile(session, parent, data, child_id))


@users_router.post("/children/{child_id}/deactivate", response_model=UserOut, summary="Deactivate a child")
def deactivate_child(child_id: RowId, parent: CurrentParent, session: DbSession) -> UserOut:
    """The child stays in the family with all its history (chores, money, feed) but can no longer
    sign in, and every session of it ends at once; it gets no new chores and misses none. Doing it
    again changes nothing. `POST /users/children/{child_id}/reactivate` undoes it."""
    return UserOut.model_validate(service.set_child_active(session, parent, child_id, active=False))


@users_router.post("/children/{child_id}/reactivate", response_model=UserOut, summary="Let a child sign in again")
def reactivate_child(child_id: RowId, parent: CurrentParent, session: DbSession) -> UserOut:
    """A deactivated child of the family may sign in again (with its password as it was)."""
    return UserOut.model_validate(service.set_child_active(session, parent, child_id, active=True))


def _streak_bonus(family: Family) -> StreakBonusOut:
    percent, step_days, cap_percent = family.streak_bonus
    return StreakBonusOut(percent=percent, step_days=step_days, cap_percent=cap_percent)


@router.get("/streak-bonus", response_model=StreakBonusOut, summary="See the family's streak bonus")
def streak_bonus(user: CurrentUser, session: DbSession) -> StreakBonusOut:
    """The family's streak bonus on chore rewards: `percent` more per `step_days` of a child's day
    streak, at most `cap_percent`; percent 0: none (docs/chores.md#streaks-and-badges)."""
    return _streak_bonus(service.require_family(session, user))


@router.put(
    "/streak-bonus",
    response_model=StreakBonusOut,
    summary="Set the family's streak bonus",
    responses={404: {"description": "The parent has no family yet."}},
)
def set_streak_bonus(data: StreakBonusIn, parent: CurrentParent, session: DbSession) -> StreakBonusOut:
    """Any parent sets it: from then on each approval pays the bonus of the child's day streak at that
    moment, rounded down to a whole cent, as part of its earning. `{"percent": 0}` turns it off."""
    family = service.set_streak_bonus(session, parent, data.percent, data.step_days, data.cap_percent)
    return _streak_bonus(family)
