"""Checkpoint policies: what scanners show for each kind of code, by checkpoint kind and area, kept as versions."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.policies import STATUSES  # noqa: F401  (the statuses `steps` holds, app/domain/policies.py)
from app.extensions import db


class CheckpointPolicy(db.Model):
    """One version of the policy for a scope (a checkpoint kind or every kind; an area or everywhere), in force
    from `valid_from` until a later version of the same scope begins. Versions are never changed or deleted:
    scans are judged again under the version that held when they were made."""

    __tablename__ = "checkpoint_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str | None] = mapped_column(String(20))  # None: every kind of checkpoint
    area: Mapped[str | None] = mapped_column(String(6))  # None: everywhere; else a province, city or county
    valid_from: Mapped[datetime]  # naive UTC
    checking: Mapped[bool] = mapped_column(default=True)  # False: a low-risk area, codes are not checked
    steps: Mapped[dict] = mapped_column(JSON)  # {status: {"action", "text"}} for every status
    retired: Mapped[bool] = mapped_column(default=False)  # True: from valid_from the scope has no policy of its own
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (Index("ix_checkpoint_policies_scope", "kind", "area", "valid_from"),)
