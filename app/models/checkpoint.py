"""Checkpoints, the scans recorded at them, and the audit log of looks at people's trails."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

CHECKPOINT_KINDS = ("highway_exit", "community_gate", "village_entrance", "mall", "office_building", "station",
                    "other")
DIRECTIONS = ("in", "out")


class Checkpoint(db.Model):
    """A gate where wardens scan codes; several wardens may share one."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(6), index=True)
    created_at: Mapped[datetime]


class Scan(db.Model):
    """One pass through a checkpoint, stored once per client UUID, with both verdicts."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"))
    warden_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scanned_at: Mapped[datetime]  # device time (UTC)
    received_at: Mapped[datetime]
    direction: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(100), default="")
    temperature: Mapped[float | None]
    plate: Mapped[str | None] = mapped_column(String(16))
    jti: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))  # code | id_only
    person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    offline_result: Mapped[str] = mapped_column(String(12))
    offline_reason: Mapped[str] = mapped_column(String(16))
    offline_colour: Mapped[str | None] = mapped_column(String(6))
    bundle_iat: Mapped[datetime | None]
    server_result: Mapped[str] = mapped_column(String(12))
    server_reason: Mapped[str] = mapped_column(String(16))
    server_colour: Mapped[str | None] = mapped_column(String(6))
    disagreement: Mapped[bool] = mapped_column(default=False)
    blocked_at: Mapped[datetime | None]
    block_reason: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_scans_person_time", "person_id", "scanned_at"),
                      Index("ix_scans_checkpoint_time", "checkpoint_id", "scanned_at"))


class AuditEntry(db.Model):
    """Who looked at whom, when and why; written by the app, never edited or deleted through it."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    why: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
