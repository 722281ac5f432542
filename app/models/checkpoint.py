"""Checkpoints: gates where wardens scan codes."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

CHECKPOINT_KINDS = (
    "highway_exit",
    "community_gate",
    "village_entrance",
    "mall",
    "office_building",
    "station",
    "hospital",
    "work_site",
    "other",
)


class Checkpoint(db.Model):
    """A gate where wardens scan codes; several wardens may share one."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(6), index=True)
    created_at: Mapped[datetime]
