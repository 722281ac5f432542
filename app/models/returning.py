"""Residents coming home (返琼登记): the authority's lists of people planning to return, the invitation
texted to each of them, and the pre-arrival registrations (from an invitation or from the app)."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

UPLOAD_STATES = ("previewed", "sending", "sent", "discarded")
# waiting: not texted yet | sending: handed to an outside gateway, not yet recorded | sent | failed (the
# gateway refused) | unsure: a run stopped while the gateway had it; never texted again (no double texts)
INVITATION_STATES = ("waiting", "sending", "sent", "failed", "unsure")
REGISTRATION_STATES = ("planned", "arrived", "cancelled")
HEALTH_STATES = ("healthy", "fever", "respiratory", "other")


class ReturnUpload(db.Model):
    """A CSV of phone numbers (and names) of people planning to return: previewed, then texted in batches."""

    __tablename__ = "return_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]
    filename: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int]
    valid_rows: Mapped[int]
    rejected_rows: Mapped[int]
    rejected: Mapped[list] = mapped_column(JSON)  # the first rejected rows: [line, code, params]
    status: Mapped[str] = mapped_column(String(10), default="previewed")
    # Sending: who started it, from which address (the links' base), the run holding it and its last sign of life.
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None]
    link_base: Mapped[str | None] = mapped_column(String(200))
    runner: Mapped[str | None] = mapped_column(String(32))
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    sent: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    unsure: Mapped[int] = mapped_column(default=0)


class ReturnInvitation(db.Model):
    """One person on an uploaded list, and whether their invitation went out."""

    __tablename__ = "return_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("return_uploads.id"))
    line: Mapped[int]
    phone: Mapped[str] = mapped_column(String(11), index=True)
    name: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(8), default="waiting")
    sent_at: Mapped[datetime | None]

    # The next batch to send: an upload's waiting invitations in order, found without reading the others.
    __table_args__ = (Index("ix_return_invitations_upload_status", "upload_id", "status", "id"),)


class ReturnRegistration(db.Model):
    """A planned return: who, when, from where to where, how, and how they feel; linked to the first
    check-in that declared the arrival (the arrival fact the colour rules read)."""

    __tablename__ = "return_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The resident, once known: None for a registration made from an invitation link without signing in
    # (it becomes theirs when they sign in with that phone number).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("return_invitations.id"), unique=True)
    phone: Mapped[str | None] = mapped_column(String(11), index=True)
    name: Mapped[str] = mapped_column(String(30))
    planned_day: Mapped[date]
    from_district: Mapped[str] = mapped_column(String(6))
    destination: Mapped[str] = mapped_column(String(6))
    transport: Mapped[str] = mapped_column(String(16))
    trip_number: Mapped[str | None] = mapped_column(String(12))  # flight, train or ship number
    health: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default="planned")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The check-in that declared the arrival; kept as a day when retention deletes the check-in.
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id", ondelete="SET NULL"), unique=True)
    arrived_on: Mapped[date | None]

    # Expected arrivals per district and day: one range scan of the index, no table rows read.
    __table_args__ = (Index("ix_return_registrations_day", "planned_day", "destination", "status", "health"),)
