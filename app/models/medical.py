"""The code as the medical card (一码就医): the cards handed out, and the visits registered with them."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.medical_card import DEPARTMENTS  # noqa: F401  (the departments a visit may name)
from app.extensions import db

CARD_KINDS = ("live", "printed")  # live: shown on a phone, minutes; printed: on paper, a year, with an SMS code


class MedicalCard(db.Model):
    """One 就医码 handed out: only the hash of its random token, whose card it is and who asked for it.

    A live card (the phone's QR, rotated while shown) lasts MEDICAL_CARD_SECONDS; a printed one for an elderly
    person lasts MEDICAL_CARD_PRINTED_DAYS and resolves only with a one-time code texted to the holder or a
    guardian. Printing a new card revokes the person's earlier printed cards."""

    __tablename__ = "medical_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # one of CARD_KINDS
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The device user who showed it (the holder or a guardian), or who printed it (a guardian or desk staff).
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    person = relationship("User", foreign_keys=[person_id])
    requested_by = relationship("User", foreign_keys=[requested_by_id])

    # A person's cards by kind and expiry: revoking the printed ones, dropping the expired live ones.
    __table_args__ = (Index("ix_medical_cards_person", "person_id", "kind", "expires_at"),)


class MedicalVisit(db.Model):
    """A visit registered by clinic staff with the medical card (no hospital card needed), stored once per
    client UUID (the care outbox, app.services.care_records)."""

    __tablename__ = "medical_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    department: Mapped[str] = mapped_column(String(32))  # one of DEPARTMENTS
    reason: Mapped[str] = mapped_column(String(200))
    visited_at: Mapped[datetime]  # the staff device's time (UTC)
    received_at: Mapped[datetime]

    institution = relationship("Institution")
    staff = relationship("User", foreign_keys=[staff_id])
    person = relationship("User", foreign_keys=[person_id])

    # A resident's visits across every institution, and an institution's own, newest first.
    __table_args__ = (
        Index("ix_medical_visits_person", "person_id", "visited_at"),
        Index("ix_medical_visits_institution", "institution_id", "visited_at"),
    )
