from __future__ import annotations

from fastapi import APIRouter, Response, status

from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.families import service
from chores_tracker.http import RowId
from chores_tracker.families.schemas import (
    FamilyContextOut,
    FamilyCreateIn,
    FamilyJoinIn,
    FamilyJoinOut,
    FamilyMembersOut,
    FamilyOut,
    InviteCodeIn,
    InviteCodeOut,
    MemberOut,
)
from chores_tracker.identity.deps import CurrentParent, CurrentUser
from chores_tracker.identity.schemas import ChildCreateIn, UserOut

router = APIRouter(prefix="/families", tags=["families"])
users_router = APIRouter(prefix="/users", tags=["users"])


def _member(user) -> MemberOut:  # noqa: ANN001
    return MemberOut.model_validate(user).model_copy(update={"joined_at": user.family_joined_at})


@router.get("/context", response_model=FamilyContextOut)
def context(user: CurrentUser, session: DbSession) -> FamilyContextOut:
    family = service.get_family(session, user)
    return FamilyContextOut(
        has_family=family is not None,
        family=FamilyOut.model_validate(family) if family else None,
        role=service.role_of(user),
        can_invite=bool(family and user.is_parent),
        can_manage=bool(family and user.is_parent),
    )


@router.post("/create", response_model=FamilyOut, status_code=status.HTTP_201_CREATED)
def create(data: FamilyCreateIn, parent: CurrentParent, session: DbSession, settings: SettingsDep) -> FamilyOut:
    family = service.create_family(session, parent, data.name, invite_days=settings.invite_code_default_days)
    return FamilyOut.model_validate(family)


@router.post("/join", response_model=FamilyJoinOut)
def join(data: FamilyJoinIn, parent: CurrentParent, session: DbSession) -> FamilyJoinOut:
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
        parents=[_member(p) for p in found.parents],
        children=[_member(c) for c in found.children],
    )


@router.post("/invite-code/generate", response_model=InviteCodeOut)
def generate_invite_code(
    parent: CurrentParent, session: DbSession, settings: SettingsDep, data: InviteCodeIn | None = None
) -> InviteCodeOut:
    days = (data.expires_in_days if data else None) or settings.invite_code_default_days
    family = service.regenerate_invite_code(session, parent, days)
    return InviteCodeOut(
        invite_code=family.invite_code, expires_at=family.invite_code_expires_at, family_name=family.name
    )


@router.delete("/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(user_id: RowId, parent: CurrentParent, session: DbSession) -> Response:
    service.remove_member(session, parent, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@users_router.post("/", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_child(data: ChildCreateIn, parent: CurrentParent, session: DbSession, settings: SettingsDep) -> UserOut:
    """A parent creates a child account; the child joins the parent's family."""
    return UserOut.model_validate(service.add_child(session, settings, parent, data))
