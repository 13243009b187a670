from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, false, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

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

    family = relationship("Family", back_populates="members", lazy="raise")
