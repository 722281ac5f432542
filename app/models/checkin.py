"""Health declarations and daily check-ins (每日健康打卡); the first one is the declaration."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.colours.facts import MAY_TRIGGER as _MAY_TRIGGER_TERMS
from app.extensions import db

# The index of check-ins that may trigger a colour rule (ix_checkins_may_trigger) holds those that do under
# any rule set whose fever threshold is at least FEVER_FLOOR_C. Few check-ins are; the full recompute's
# prefilter finds them through it instead of reading a month of everyone's check-ins. The query must say
# exactly what the index says for SQLite to use it: both are `may_trigger(...)`, and the migration that built
# the index (b5d2e8f1c3a7) wrote `may_trigger(FEVER_FLOOR_C)` out in full.
FEVER_FLOOR_C = 37.0
_SQL_TESTS = {
    "at_least_threshold": "{column} >= {threshold!r}",
    "true": "{column} IS TRUE",
    "present": "{column} IS NOT NULL",
    "non_empty": "CAST({column} AS TEXT) != '[]'",
}


def may_trigger(fever_threshold_c: float):
    """SQL on the checkins table (columns unqualified): a check-in that may trigger a rule under a rule set
    with this fever threshold (app.domain.colours.facts.MAY_TRIGGER)."""
    threshold = float(fever_threshold_c)
    terms = [_SQL_TESTS[term.test].format(column=term.column, threshold=threshold) for term in _MAY_TRIGGER_TERMS]
    return text("(" + " OR ".join(terms) + ")")


MAY_TRIGGER = may_trigger(FEVER_FLOOR_C)


class Checkin(db.Model):
    """One check-in, stored once per client-generated UUID."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[date]
    checked_at: Mapped[datetime]  # device time (UTC)
    received_at: Mapped[datetime] = mapped_column(index=True)
    district: Mapped[str] = mapped_column(String(6))
    temperature: Mapped[float | None]
    # JSONB on PostgreSQL, whose json type has no B-tree ordering: ix_checkins_user_day carries the symptoms
    symptoms: Mapped[list] = mapped_column(JSON().with_variant(JSONB(), "postgresql"), default=list)
    contact_with_cases: Mapped[bool] = mapped_column(default=False)
    arrival_from: Mapped[str | None] = mapped_column(String(6))
    arrival_day: Mapped[date | None]
    arrival_transport: Mapped[str | None] = mapped_column(String(16))
    # Filed at a green-channel desk on the person's behalf (流行病学史调查): the staff member and where they
    # worked (None for a community worker, who works for a district); shown to the holder and guardians.
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filed_at_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))

    # A person's check-ins, in order, with what the colour rules read: their month of daily check-ins is
    # a few neighbouring index pages instead of a row on each of 28 pages (recolouring reads only this).
    __table_args__ = (
        Index(
            "ix_checkins_user_day",
            "user_id",
            "day",
            "checked_at",
            "id",
            "district",
            "temperature",
            "symptoms",
            "contact_with_cases",
            "arrival_from",
            "arrival_day",
            "arrival_transport",
        ),
        Index("ix_checkins_district_day", "district", "day"),
        Index("ix_checkins_may_trigger", "day", "user_id", sqlite_where=MAY_TRIGGER, postgresql_where=MAY_TRIGGER),
    )

    visits: Mapped[list["Visit"]] = relationship(
        back_populates="checkin", order_by="Visit.day", cascade="all, delete-orphan"
    )


class Visit(db.Model):
    """A district visited in the 14 days before a check-in (kept as rows so risk areas can find people)."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    district: Mapped[str] = mapped_column(String(6))
    day: Mapped[date]
    checkin: Mapped[Checkin] = relationship(back_populates="visits")

    __table_args__ = (
        Index("ix_visits_district_day", "district", "day"),
        Index("ix_visits_user_day", "user_id", "day"),
    )  # a person's visits, for recolouring
