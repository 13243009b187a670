from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chores_tracker import currencies, timezones
from chores_tracker.db.base import Base, TimestampMixin, UTCDateTime

# The streak bonus's step and cap when a family chose a percent but not these (chores/streaks.py).
STREAK_STEP_DAYS_DEFAULT = 7
STREAK_CAP_PERCENT_DEFAULT = 50


class Family(TimestampMixin, Base):
    __tablename__ = "families"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120))
    invite_code: Mapped[str] = mapped_column(String(16), unique=True)
    invite_code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # How many parents the code lets in. NULL (every code from before use limits) lets nobody in.
    invite_code_max_uses: Mapped[int | None] = mapped_column(Integer)
    invite_code_uses: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # Read through families.service.owner_of, which takes the earliest-joined parent when this is
    # NULL (a family the previous release created) or names someone no longer a parent here. No
    # foreign key: SQLite adds one to an existing table only by rebuilding it (see revision 0008).
    owner_id: Mapped[int | None] = mapped_column(Integer)
    # An IANA name (timezones.py). The server default covers families the previous release creates.
    timezone: Mapped[str] = mapped_column(
        String(timezones.MAX_LENGTH), default=timezones.DEFAULT, server_default=text(f"'{timezones.DEFAULT}'")
    )
    # An ISO 4217 code (currencies.py): how pages show amounts and which amounts may be entered
    # (none with decimals in JPY). The ledger keeps hundredths whatever it is. Chosen by the owner.
    currency: Mapped[str] = mapped_column(
        String(3), default=currencies.DEFAULT, server_default=text(f"'{currencies.DEFAULT}'")
    )
    # The pages' language ("en" or "es", web/i18n.py), chosen by the owner; NULL: each reader's browser's.
    language: Mapped[str | None] = mapped_column(String(8))
    # Bumped by every write to the family, in its transaction (db.revisions): the answers' ETags
    # carry it. Written only by that UPDATE; the server default covers families the release before makes.
    revision: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))

    # The optional streak bonus on chore rewards (chores/streaks.py): streak_bonus_percent more per
    # streak_bonus_step_days of a child's day streak, at most streak_bonus_cap_percent. NULL or 0
    # percent: none (every family of the release before).
    streak_bonus_percent: Mapped[int | None] = mapped_column(Integer)
    streak_bonus_step_days: Mapped[int | None] = mapped_column(Integer)
    streak_bonus_cap_percent: Mapped[int | None] = mapped_column(Integer)

    @property
    def streak_bonus(self) -> tuple[int, int, int]:
        """(percent per step, step days, cap percent) with the defaults filled in; percent 0: none."""
        cap = self.streak_bonus_cap_percent
        return (
            self.streak_bonus_percent or 0,
            self.streak_bonus_step_days or STREAK_STEP_DAYS_DEFAULT,
            STREAK_CAP_PERCENT_DEFAULT if cap is None else cap,
        )

    members = relationship("User", back_populates="family", lazy="raise")
