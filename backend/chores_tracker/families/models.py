from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chores_tracker.db.base import Base, TimestampMixin, UTCDateTime


class Family(TimestampMixin, Base):
    __tablename__ = "families"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120))
    invite_code: Mapped[str] = mapped_column(String(16), unique=True)
    invite_code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    members = relationship("User", back_populates="family", lazy="raise")
