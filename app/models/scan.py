"""Scans: one pass through a checkpoint, with the offline and the server's verdicts."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

DIRECTIONS = ("in", "out")
# Whether the person went through: a 禁止通行 verdict on the device is always "refused"; the warden may also
# refuse someone the code lets through (a fever, say). The direction is the way they were going either way.
OUTCOMES = ("passed", "refused")


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
    outcome: Mapped[str] = mapped_column(String(8), default="passed")
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
    # Under the checkpoint's policy (app/domain/policies.py): the device's and the server's action, and the
    # policy version the server judged under (None: the default, or a record from before policies).
    offline_action: Mapped[str | None] = mapped_column(String(8))
    server_action: Mapped[str | None] = mapped_column(String(8))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoint_policies.id"))
    blocked_at: Mapped[datetime | None]
    block_reason: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("ix_scans_person_time", "person_id", "scanned_at"),
        Index("ix_scans_checkpoint_time", "checkpoint_id", "scanned_at"),
    )
