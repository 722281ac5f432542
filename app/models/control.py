"""Facts the authority supplies: risk areas, the control list and manual overrides."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
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
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: imported by CLI
    ended_early_at: Mapped[datetime | None]  # set when staff ended it before its planned end
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    planned_end: Mapped[date | None]  # the end before it was ended early (history)


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
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("control_uploads.id"))

    __table_args__ = (Index("ix_control_doc", "doc_kind", "doc_hash"),)


OVERRIDE_CATEGORIES = ("appeal_upheld", "data_correction", "medical_assessment", "isolation_order")
OVERRIDE_STATES = ("pending", "approved", "rejected", "withdrawn")
UPLOAD_STATES = ("previewed", "applied", "discarded")


class ControlUpload(db.Model):
    """An uploaded control-list CSV: checked and previewed first, applied in one transaction later."""

    __tablename__ = "control_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)  # the file as uploaded, re-checked when applied
    rows: Mapped[int]
    valid_rows: Mapped[int]
    rejected_rows: Mapped[int]
    rejected: Mapped[list] = mapped_column(JSON)  # the first rejected rows: [line, message]
    matched_people: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(10), default="previewed")
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime | None]
    recoloured: Mapped[int | None]
    worsened: Mapped[int | None]


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
