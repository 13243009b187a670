from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, false, func, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chores_tracker import clock
from chores_tracker.db.base import Base, TimestampMixin, UTCDateTime


class User(TimestampMixin, Base):
    """A parent or a child. Children are created by a parent (parent_id) and live in its family."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(255))
    hashed_password: Mapped[str] = mapped_column(String(255))
    is_parent: Mapped[bool] = mapped_column(Boolean, server_default=false())
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    family_id: Mapped[int | None] = mapped_column(ForeignKey("families.id", ondelete="SET NULL"), index=True)
    family_joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped when the password changes: tokens carry it, so older tokens stop working.
    token_version: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # What the family sees (pages, the device picker) instead of the server-wide username; None: the username.
    display_name: Mapped[str | None] = mapped_column(String(40))
    # A colour name (avatars.COLOURS) or one emoji; None: a colour chosen from the username.
    avatar: Mapped[str | None] = mapped_column(String(32))
    # A child's PIN for a family device (identity.devices), hashed as passwords are; None: no PIN.
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    # Wrong PINs in a row (None: none); PIN sign-in is refused until pin_locked_until once they reach the limit.
    pin_failures: Mapped[int | None] = mapped_column(Integer)
    pin_locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    family = relationship("Family", back_populates="members", lazy="raise")

    @property
    def name(self) -> str:
        """The name pages show: the display name, or the username when none was chosen."""
        return self.display_name or self.username

    @property
    def has_pin(self) -> bool:
        return self.pin_hash is not None


class AuthSession(Base):
    """One log-in (a browser or an app). Its token carries the id, so logging out can end just this one."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PersonalAccessToken(Base):
    """A member's token for an automation (identity.tokens): only the secret's SHA-256 is kept.

    It speaks for its member while the member keeps the password (token_version), the family it was
    made in (family_id) and stays active; its scopes limit which calls it may make."""

    __tablename__ = "personal_access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[int | None] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(64))  # space-separated, from tokens.SCOPES
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class FamilyDevice(Base):
    """A browser a parent turned into the family's shared device (identity.devices): its cookie holds a
    random token of which only the SHA-256 is kept. On it, a child signs in with a PIN."""

    __tablename__ = "family_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
