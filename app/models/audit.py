"""The audit log: who looked at whose data, when and why."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


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
