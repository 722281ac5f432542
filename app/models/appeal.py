"""Appeals (误伤申诉): a resident disputes their colour; a reviewer decides before a due time."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

APPEAL_GROUNDS = ("risk_area_too_broad", "not_there", "wrong_control_entry", "recovered", "other")
APPEAL_STATES = ("open", "upheld", "rejected")


class Appeal(db.Model):
    """One dispute of a colour, with the verdict it disputes and the reviewer's outcome."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # the person or their guardian
    verdict_id: Mapped[int | None] = mapped_column(ForeignKey("verdicts.id"))
    colour: Mapped[str] = mapped_column(String(6))  # the colour disputed
    ground: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(String(1000))
    filed_at: Mapped[datetime]
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(10), default="open")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(1000))  # shown to the resident

    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821

    __table_args__ = (Index("ix_appeals_state_due", "state", "due_at"), Index("ix_appeals_user", "user_id"))
