from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from chores_tracker import currencies, timezones
from chores_tracker.http import Input, RowId

INVITE_CODE_HELP = (
    "The code another parent joins the family with. Always an empty string for a child: children "
    "never see it (with it, a child could sign up again and join as a parent)."
)


class FamilyOut(BaseModel):
    id: int
    name: str | None = None
    invite_code: str = Field(description=INVITE_CODE_HELP)
    invite_code_expires_at: datetime | None = Field(
        default=None, description="When the code stops working; null for a child."
    )
    invite_code_uses_left: int = Field(
        default=0,
        description="How many more parents the code lets in now (0 once expired or used up); 0 for a child.",
    )
    owner_id: int | None = Field(
        default=None,
        description="The parent who owns the family: only the owner removes a parent or hands ownership over.",
    )
    timezone: str = Field(
        default=timezones.DEFAULT,
        description="The family's IANA time zone: pages show times in it and schedules follow its calendar.",
    )
    currency: str = Field(
        default=currencies.DEFAULT,
        description="The family's ISO 4217 currency (USD unless the owner chose another): pages show amounts in it, "
        "and amounts entered for the family have its minor units (none with decimals in JPY). JSON amounts are "
        "unchanged by it.",
    )
    created_at: datetime
    updated_at: datetime


TIMEZONE_HELP = "An IANA time zone name, e.g. America/Chicago."


def known_timezone(name: str) -> str:
    if not timezones.is_known(name):
        raise PydanticCustomError("timezone_unknown", timezones.UNKNOWN, {"name": name})
    return name


class FamilyCreateIn(Input):
    name: str | None = Field(default=None, max_length=120)
    timezone: str | None = Field(
        default=None,
        max_length=timezones.MAX_LENGTH,
        description=f"{TIMEZONE_HELP} Unless given: {timezones.DEFAULT}.",
    )

    @field_validator("timezone")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        return None if value is None else known_timezone(value)


class FamilyTimezoneIn(Input):
    timezone: str = Field(min_length=1, max_length=timezones.MAX_LENGTH, description=TIMEZONE_HELP)

    @field_validator("timezone")
    @classmethod
    def _known(cls, value: str) -> str:
        return known_timezone(value)


class FamilyCurrencyIn(Input):
    currency: str = Field(
        min_length=3,
        max_length=3,
        description="An ISO 4217 code in use today with at most two decimals, e.g. USD, EUR, GBP or JPY.",
        examples=["EUR"],
    )

    @field_validator("currency")
    @classmethod
    def _known(cls, value: str) -> str:
        if not currencies.is_known(value.upper()):
            raise PydanticCustomError("currency_unknown", currencies.UNKNOWN)
        return value.upper()


class FamilyLanguageIn(Input):
    language: Literal["en", "es"] | None = Field(
        description="en or es; null: each reader's browser chooses (Accept-Language), else English.",
        examples=["es"],
    )


class FamilyLanguageOut(BaseModel):
    language: Literal["en", "es"] | None = Field(
        description="The language of the family's pages; null: each reader's browser's (Accept-Language), else English."
    )


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
    display_name: str | None = Field(default=None, description="The name the family sees; null: none chosen.")
    name: str = Field(default="", description="What pages show: the display name, or the username without one.")
    avatar: str | None = Field(default=None, description="A colour name or one emoji; null: the default.")
    joined_at: datetime | None = None
    is_owner: bool = Field(default=False, description="Whether this member owns the family.")


class FamilyMembersOut(BaseModel):
    family_id: int
    family_name: str | None = None
    total_members: int
    parents: list[MemberOut]
    children: list[MemberOut]


class OwnerIn(Input):
    user_id: RowId = Field(description="Another parent of the family, who becomes its owner.")


DEFAULT_CODE_USES = 1


class InviteCodeIn(Input):
    expires_in_days: int | None = Field(default=None, ge=1, le=365)
    max_uses: int = Field(
        default=DEFAULT_CODE_USES, ge=1, le=20, description="How many parents may join with the code."
    )


class InviteCodeOut(BaseModel):
    invite_code: str
    expires_at: datetime | None = None
    family_name: str | None = None
    max_uses: int = Field(description="How many parents may join with the code.")


class FamilyStatsOut(BaseModel):
    family_id: int
    name: str | None = None
    invite_code: str = Field(description=INVITE_CODE_HELP)
    created_at: datetime
    total_members: int
    total_parents: int
    total_children: int
    total_chores: int
    completed_chores: int
    approved_chores: int
    total_rewards_earned: float


class StreakBonusIn(Input):
    """The family's streak bonus on chore rewards (docs/chores.md#streaks-and-badges); percent 0: none."""

    percent: int = Field(ge=0, le=100, description="Percent added per step of a child's day streak; 0 turns it off.")
    step_days: int = Field(default=7, ge=1, le=365, description="Days of streak per step.")
    cap_percent: int = Field(default=50, ge=0, le=100, description="The most the bonus adds, in percent.")


class StreakBonusOut(BaseModel):
    percent: int
    step_days: int
    cap_percent: int
