"""Staff invitations: signed, expiring, single-use enrolment links and who used them."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class StaffInvite(db.Model):
    """One enrolment link: the role and scope it grants, who issued it, and who used it."""

    __tablename__ = "staff_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    scope_district: Mapped[str | None] = mapped_column(String(6))
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the CLI
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
