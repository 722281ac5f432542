"""The control list: entries by document number, and the uploads that add them."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

UPLOAD_STATES = ("previewed", "applied", "discarded")


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
