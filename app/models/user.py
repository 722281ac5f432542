"""People who sign in: residents and staff, with their real-name profile and current colour."""

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

ROLES = ("resident", "warden", "handler", "supervisor", "reviewer", "admin", "clinician", "pharmacist")
STAFF_ROLES = ("admin", "reviewer", "handler", "supervisor", "warden", "clinician", "pharmacist")
# Staff who may turn a code or an ID number into a person's identity (authorised terminals, audited).
IDENTIFYING_ROLES = ("clinician", "pharmacist")


class User(UserMixin, db.Model):
    """A person signed in by phone; the profile is filled after the first sign-in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(11), unique=True)  # None: a relative without a phone
    role: Mapped[str] = mapped_column(String(16), default="resident")
    created_at: Mapped[datetime]
    last_sign_in_at: Mapped[datetime | None]

    name: Mapped[str | None] = mapped_column(String(64))
    doc_kind: Mapped[str | None] = mapped_column(String(16))
    # Keyed hash of the document number: control lists match on it, nobody reads it back.
    doc_hash: Mapped[str | None] = mapped_column(String(64))
    doc_masked: Mapped[str | None] = mapped_column(String(32))
    # The number itself, sealed (app.infra.sealed): only enrolled clinic and pharmacy staff see it, audited.
    doc_sealed: Mapped[str | None] = mapped_column(String(200))
    birth_date: Mapped[date | None]
    address: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(6))
    promised_at: Mapped[datetime | None]
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"))  # wardens
    checkpoint: Mapped["Checkpoint | None"] = relationship()  # noqa: F821
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))  # clinicians, pharmacists
    institution: Mapped["Institution | None"] = relationship()  # noqa: F821
    # Staff scope: a handler's county, a supervisor's city or county (an area code, see domain.districts).
    scope_district: Mapped[str | None] = mapped_column(String(6))

    colour: Mapped[str | None] = mapped_column(String(6))
    verdict_id: Mapped[int | None]  # the latest Verdict row (no FK: verdicts point back at users)
    evaluated_on: Mapped[date | None]
    last_checkin_at: Mapped[datetime | None]
    # Today's self code, kept here so the daily code request needs no further query.
    code_jti: Mapped[str | None] = mapped_column(String(32))
    code_issued_at: Mapped[datetime | None]
    code_expires_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_users_doc", "doc_kind", "doc_hash", unique=True),)

    sign_in_id = None  # not a column: the SignIn this request was opened with (app.services.accounts)

    def get_id(self) -> str | None:
        """What the session and remember-me cookies carry: the device's sign-in, not the user's id, so
        ending that sign-in makes both cookies worthless."""
        return self.sign_in_id

    @property
    def has_profile(self) -> bool:
        """True once the real-name profile and the promise are on record."""
        return self.promised_at is not None
