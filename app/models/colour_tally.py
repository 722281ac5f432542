"""Daily colour counts per district, for the overview charts (one row per day, district and colour)."""

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class ColourTally(db.Model):
    """How many people of a district held a colour on a day (taken by a set-based count)."""

    __tablename__ = "colour_tallies"

    day: Mapped[date] = mapped_column(primary_key=True)
    district: Mapped[str] = mapped_column(String(6), primary_key=True)
    colour: Mapped[str] = mapped_column(String(6), primary_key=True)
    people: Mapped[int]
