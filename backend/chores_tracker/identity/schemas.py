from __future__ import annotations

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from chores_tracker.http import Input
from chores_tracker.identity.usernames import check_username


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    email: str | None = None
    is_active: bool
    is_parent: bool
    parent_id: int | None = None


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

    _username = field_validator("username")(classmethod(lambda cls, v: check_username(v)))


class LoginIn(Input):
    """The log-in form, as OAuth2's password flow sends it (its other fields are ignored)."""

    username: str
    password: str = Field(json_schema_extra={"format": "password"})


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
