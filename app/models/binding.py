"""Guardians and the relatives they act for (children, elderly people without smartphones)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

RELATIONSHIPS = ("child", "parent", "grandparent", "grandchild", "spouse", "sibling", "other")
BINDING_STATES = ("pending_consent", "pending_approval", "active", "ended")


class Binding(db.Model):
    """A guardian acting for a dependant; active once consented (or declared, for a child under 14)."""

    __tablename__ = "bindings"

    id: Mapped[int] = mapped_column(primary_key=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    dependant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    relationship_: Mapped[str] = mapped_column("relationship", String(16))
    status: Mapped[str] = mapped_column(String(16))
    consent_phone: Mapped[str | None] = mapped_column(String(11))  # the relative's own phone, for consent
    consent_method: Mapped[str | None] = mapped_column(String(24))  # guardian_declaration | sms | approval
    created_at: Mapped[datetime]
    active_since: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(64))
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    end_reason: Mapped[str | None] = mapped_column(String(16))  # guardian | dependant | withdrawn

    guardian = relationship("User", foreign_keys=[guardian_id])
    dependant = relationship("User", foreign_keys=[dependant_id])

    __table_args__ = (Index("ix_bindings_pair", "guardian_id", "dependant_id"),)
