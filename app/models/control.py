"""Facts the authority supplies: risk areas, the control list and manual overrides."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

CONTROL_STATUSES = ("confirmed", "suspected", "asymptomatic", "close_contact", "secondary_contact")
RISK_LEVELS = ("high", "medium")


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


class ControlEntry(db.Model):
    """A control-list entry for a document number (matched through its keyed hash)."""

    __tablename__ = "control_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_kind: Mapped[str] = mapped_column(String(16))
    doc_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    start: Mapped[date]
    end: Mapped[date | None]
    created_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_control_doc", "doc_kind", "doc_hash"),)


class Override(db.Model):
    """A manual colour override; it counts only once a second reviewer approved it."""

    __tablename__ = "overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    colour: Mapped[str] = mapped_column(String(6))
    reason_category: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(500))
    start: Mapped[date]
    end: Mapped[date | None]
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
