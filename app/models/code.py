"""Signed health codes handed out: which person each jti belongs to, and revocations."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, exists, insert, literal, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class CodeRevocation(db.Model):
    """A signed code withdrawn before it expires: its holder's colour changed, or a paper code was reprinted.

    Kept apart from the codes and only ever appended: revoking the codes of 10,000 people writes a few
    pages of new rows, where marking each code's own row rewrote (and often split) 10,000 scattered pages.
    The trust bundle lists those not yet expired."""

    __tablename__ = "code_revocations"
    __table_args__ = {"sqlite_with_rowid": False}  # found by jti alone: one B-tree, not a table and its key index

    jti: Mapped[str] = mapped_column(ForeignKey("issued_codes.jti"), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)  # the code's own expiry
    revoked_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(32))  # colour_changed | reprinted


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
    revocation: Mapped[CodeRevocation | None] = relationship(viewonly=True, lazy="joined")  # part of its state

    # A person's codes by expiry: revoking their valid codes (user, expiry, jti: all in the index) visits
    # neither their expired codes nor the codes' rows.
    __table_args__ = (Index("ix_codes_user_expires", "user_id", "expires_at", "jti"),)

    @hybrid_property
    def revoked_at(self) -> datetime | None:
        """When the code was revoked (None: it was not); also usable in queries."""
        return self.revocation.revoked_at if self.revocation else None

    @revoked_at.inplace.expression
    @classmethod
    def _revoked_at_in_sql(cls):
        return select(CodeRevocation.revoked_at).where(CodeRevocation.jti == cls.jti).scalar_subquery()

    @property
    def revoked_reason(self) -> str | None:
        return self.revocation.reason if self.revocation else None


def revoke_codes(executor, where: list, reason: str, now: datetime) -> None:
    """Revoke the codes matching `where` (conditions on issued_codes) that are still valid and not yet
    revoked, in one statement on `executor` (a session or a connection; the caller commits)."""
    codes, revocations = IssuedCode.__table__, CodeRevocation.__table__
    chosen = select(codes.c.jti, codes.c.expires_at, literal(now, DateTime()), literal(reason, String())).where(
        *where, codes.c.expires_at > now, ~exists().where(revocations.c.jti == codes.c.jti)
    )
    executor.execute(insert(revocations).from_select(["jti", "expires_at", "revoked_at", "reason"], chosen))
