from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from chores_tracker.http import Input


class FamilyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str | None = None
    invite_code: str
    invite_code_expires_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class FamilyCreateIn(Input):
    name: str | None = Field(default=None, max_length=120)


class FamilyJoinIn(Input):
    invite_code: str = Field(min_length=4, max_length=32)


class FamilyJoinOut(BaseModel):
    success: bool
    family_id: int
    family_name: str | None = None
    message: str


class FamilyContextOut(BaseModel):
    has_family: bool
    family: FamilyOut | None = None
    role: str
    can_invite: bool
    can_manage: bool


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    email: str | None = None
    is_parent: bool
    is_active: bool
    parent_id: int | None = None
    joined_at: datetime | None = None


class FamilyMembersOut(BaseModel):
    family_id: int
    family_name: str | None = None
    total_members: int
    parents: list[MemberOut]
    children: list[MemberOut]


class InviteCodeIn(Input):
    expires_in_days: int | None = Field(default=None, ge=1, le=365)


class InviteCodeOut(BaseModel):
    invite_code: str
    expires_at: datetime | None = None
    family_name: str | None = None


class FamilyStatsOut(BaseModel):
    family_id: int
    name: str | None = None
    invite_code: str
    created_at: datetime
    total_members: int
    total_parents: int
    total_children: int
    total_chores: int
    completed_chores: int
    approved_chores: int
    total_rewards_earned: float
