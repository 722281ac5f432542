"""What clinics register about the people they serve: fever-clinic visits (发热门诊登记) and medical
observations (医学观察) with their daily entries. Rows belong to the institution whose staff made them."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.vocabulary import OBSERVATION_CASE_TYPES  # noqa: F401  (the case types a row may hold)
from app.extensions import db

OBSERVATION_OUTCOMES = ("released", "transferred", "confirmed")  # how an observation may be closed


class FeverVisit(db.Model):
    """One fever-clinic visit, stored once per client-generated UUID (the staff device queues it)."""

    __tablename__ = "fever_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]  # device time (UTC)
    received_at: Mapped[datetime]
    day: Mapped[date]  # the local day of recorded_at: what the colour rules read
    temperature: Mapped[float]
    symptoms: Mapped[list] = mapped_column(JSON, default=list)  # codes from the rule set
    address: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(6))
    guardian_name: Mapped[str | None] = mapped_column(String(30))  # children under CHILD_AGE
    notes: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        Index("ix_fever_visits_person_day", "person_id", "day"),  # recolouring: a person's visits
        Index("ix_fever_visits_day", "day", "person_id"),  # the full recompute's prefilter
        Index("ix_fever_visits_institution", "institution_id", "recorded_at"),
    )


class Observation(db.Model):
    """A person under medical observation at an institution: opened from the staff device (queued, like a
    visit), followed by daily entries, closed with an outcome."""

    __tablename__ = "observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]  # device time (UTC)
    received_at: Mapped[datetime]
    age: Mapped[int | None]
    case_number: Mapped[str | None] = mapped_column(String(32))
    case_type: Mapped[str] = mapped_column(String(16))  # one of OBSERVATION_CASE_TYPES
    onset_date: Mapped[date | None]
    address: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(6))
    start_date: Mapped[date]
    dry_cough: Mapped[bool]
    temperature: Mapped[float]
    other_symptoms: Mapped[str | None] = mapped_column(String(200))
    opinion: Mapped[str | None] = mapped_column(String(500))
    closed_at: Mapped[datetime | None]
    closed_on: Mapped[date | None]  # the local day it was closed: the last day the colour rules count it
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(16))  # one of OBSERVATION_OUTCOMES
    closing_note: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        Index("ix_observations_person", "person_id", "closed_on"),  # recolouring and the prefilter
        Index("ix_observations_institution", "institution_id", "closed_at"),  # the institution's list
    )

    person: Mapped["User"] = relationship(foreign_keys=[person_id])  # noqa: F821
    entries: Mapped[list["ObservationEntry"]] = relationship(
        back_populates="observation", order_by="ObservationEntry.day.desc()"
    )


class ObservationEntry(db.Model):
    """One day's entry of an observation (at most one a day)."""

    __tablename__ = "observation_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]
    day: Mapped[date]
    temperature: Mapped[float]
    dry_cough: Mapped[bool]
    other_symptoms: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (UniqueConstraint("observation_id", "day", name="uq_observation_entries_day"),)

    observation: Mapped[Observation] = relationship(back_populates="entries")
