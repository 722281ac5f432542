"""Every colour change, with the rule set version, the reasons and a snapshot of the inputs."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Verdict(db.Model):
    """A person's colour as evaluated at one moment, kept for explanation and audit."""

    __tablename__ = "verdicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    colour: Mapped[str | None] = mapped_column(String(6))
    reasons: Mapped[list] = mapped_column(JSON)
    may_turn_green_on: Mapped[date | None]
    healthy_streak: Mapped[int] = mapped_column(default=0)
    needed_streak: Mapped[int] = mapped_column(default=0)
    rule_set_version: Mapped[str] = mapped_column(String(32))
    inputs: Mapped[dict] = mapped_column(JSON)
    # What caused the evaluation: checkin | daily | risk_area:<id> | control_upload:<id> | override:<id> | ...
    trigger: Mapped[str] = mapped_column(String(32))
    triggered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the staff member, if any
    computed_at: Mapped[datetime]
