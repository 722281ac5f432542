"""Risk areas: districts declared high or medium risk for a period."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class RiskArea(db.Model):
    """A district declared high or medium risk for a period (end None = until further notice)."""

    __tablename__ = "risk_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    district: Mapped[str] = mapped_column(String(6), index=True)
    level: Mapped[str] = mapped_column(String(6))
    start: Mapped[date]
    end: Mapped[date | None]
    created_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: imported by CLI
    ended_early_at: Mapped[datetime | None]  # set when staff ended it before its planned end
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    planned_end: Mapped[date | None]  # the end before it was ended early (history)
