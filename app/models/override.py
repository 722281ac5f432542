"""Manual colour overrides, counted only once a second reviewer approved them."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

OVERRIDE_CATEGORIES = ("appeal_upheld", "data_correction", "medical_assessment", "isolation_order")
OVERRIDE_STATES = ("pending", "approved", "rejected", "withdrawn")


class Override(db.Model):
    """A manual colour override; it counts only once a second reviewer approved it (state "approved")."""

    __tablename__ = "overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    colour: Mapped[str] = mapped_column(String(6))
    reason_category: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(500))
    start: Mapped[date]
    end: Mapped[date | None]
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # approver or rejecter
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(String(500))
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"))
