from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, field_validator

from chores_tracker.http import Input
from chores_tracker.identity.avatars import AVATAR_HELP, DISPLAY_NAME_MAX, check_avatar, check_display_name
from chores_tracker.identity.usernames import check_username

NAME_HELP = f"The name the family sees instead of the username (at most {DISPLAY_NAME_MAX} characters); empty for none."


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    email: str | None = None
    is_active: bool
    is_parent: bool
    parent_id: int | None = None
    display_name: str | None = Field(default=None, description="The name the family sees; null: none chosen.")
    name: str = Field(default="", description="What pages show: the display name, or the username without one.")
    avatar: str | None = Field(default=None, description=f"The avatar: {AVATAR_HELP}")


class ProfileIn(Input):
    """A person's display name and avatar. A field left out stays as it is; null or "" clears it."""

    display_name: str | None = Field(default=None, max_length=200, description=NAME_HELP)
    avatar: str | None = Field(default=None, max_length=64, description=AVATAR_HELP)

    _display_name = field_validator("display_name")(classmethod(lambda cls, v: check_display_name(v)))
    _avatar = field_validator("avatar")(classmethod(lambda cls, v: check_avatar(v)))


class RegisterIn(Input):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)
    is_parent: bool = True
    email: EmailStr | None = None
    registration_code: str | None = Field(default=None, max_length=128)

    _username = field_validator("username")(classmethod(lambda cls, v: check_username(v)))

    @field_validator("email", mode="before")
    @classmethod
    def _blank_email_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class ChildCreateIn(Input):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)
    is_parent: bool = False
    email: EmailStr | None = None
    display_name: str | None = Field(default=None, max_length=200, description=NAME_HELP)
    avatar: str | None = Field(default=None, max_length=64, description=AVATAR_HELP)

    _username = field_validator("username")(classmethod(lambda cls, v: check_username(v)))
    _display_name = field_validator("display_name")(classmethod(lambda cls, v: check_display_name(v)))
    _avatar = field_validator("avatar")(classmethod(lambda cls, v: check_avatar(v)))


class LoginIn(Input):
    """The log-in form, as OAuth2's password flow sends it (its other fields are ignored)."""

    username: str
    password: str = Field(json_schema_extra={"format": "password"})


class PasswordChangeIn(Input):
    """Changing one's own password: the current one, and the new one (the server's password rules)."""

    current_password: str = Field(max_length=256, json_schema_extra={"format": "password"})
    new_password: str = Field(max_length=256, json_schema_extra={"format": "password"})


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)


class TokenIn(Input):
    """A new personal access token for an automation."""

    name: str = Field(min_length=1, max_length=64, description="What the token is for, e.g. 'Home Assistant'.")
    scopes: list[Literal["read", "complete", "review", "manage"]] = Field(
        min_length=1,
        max_length=4,
        description="read: GET only; complete: + a child's complete and take-back; review: + approve and reject; "
        "manage: everything the member may do. Never more than the member's role.",
    )
    expires_at: AwareDatetime | None = Field(default=None, description="When it stops working; null: never.")


class PersonalTokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = Field(default=None, description="Written at most once a minute.")

    @field_validator("scopes", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return value.split() if isinstance(value, str) else value


class NewPersonalTokenOut(PersonalTokenOut):
    token: str = Field(description="The secret (`ctpat_...`), shown only now: send it as `Authorization: Bearer`.")


class DeviceIn(Input):
    """A new family device: this browser or app, named so that parents know it in the list."""

    name: str = Field(min_length=1, max_length=64, description="What the device is, e.g. 'Kitchen tablet'.")


class DeviceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: datetime
    created_by_id: int | None = Field(
        default=None, description="The parent who made it; null once that parent is gone."
    )
    last_used_at: datetime | None = Field(default=None, description="The last PIN sign-in on it; null: none yet.")


class NewDeviceOut(DeviceOut):
    token: str = Field(
        description="The device's secret (`ctdev_...`), shown only now. A browser keeps it in the `ct_device` "
        "cookie (the API sets it on this answer); an app sends it as the `X-Device-Token` header."
    )


class DeviceChildOut(BaseModel):
    """A child as a family device's picker shows it: no username."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str = Field(description="The display name, or the username without one.")
    avatar: str | None = Field(default=None, description=f"The avatar: {AVATAR_HELP}")
    has_pin: bool = Field(description="Whether a parent has set a PIN: without one the child cannot sign in here.")


class PinIn(Input):
    """A child's PIN for the family's devices."""

    pin: str = Field(pattern=r"^[0-9]{4,6}$", description="4 to 6 digits.", json_schema_extra={"format": "password"})


class PinSignInIn(Input):
    """A child signing in on a family device."""

    child_id: int = Field(ge=1, le=2**31 - 1)
    pin: str = Field(max_length=16, json_schema_extra={"format": "password"})
