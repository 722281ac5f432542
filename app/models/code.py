"""Signed health codes handed out: which person each jti belongs to, and revocations."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class IssuedCode(db.Model):
    """One signed code (the token is not personal data; the link to the person stays here)."""

    __tablename__ = "issued_codes"

    jti: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(10))  # self | dependant | paper
    colour: Mapped[str] = mapped_column(String(6))
    kid: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (Index("ix_codes_user_issued", "user_id", "issued_at"),
                      Index("ix_codes_revoked", "revoked_at"))  # the trust bundle lists the revoked few
