"""Arrivals: the check-in that declares a planned return's arrival (the arrival fact the colour rules read)
links to it; the authority sees the expected arrivals per district and day."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import case, func, or_, select

from app.domain import districts
from app.extensions import db
from app.infra import clock
from app.models import Checkin, ReturnRegistration, User
from app.models.districts import district_in_area
from app.services.returning import ReturnError

TABLE_DAYS = 14
WIDE_ROLES = ("admin", "reviewer")  # any area; handlers and supervisors see their own


def registrations_query(user: User):
    """The person's registrations: their own, and those made from an invitation to their phone number before
    they had signed in with it."""
    mine = ReturnRegistration.user_id == user.id
    if user.phone:
        mine = or_(mine, (ReturnRegistration.user_id.is_(None)) & (ReturnRegistration.phone == user.phone))
    return select(ReturnRegistration).where(mine)


def open_registration(user: User) -> ReturnRegistration | None:
    """The person's planned return (one at a time: a newer plan cancels the older one)."""
    return db.session.scalars(
        registrations_query(user)
        .where(ReturnRegistration.status == "planned")
        .order_by(ReturnRegistration.id.desc())
        .limit(1)
    ).first()


def link_arrivals(subject: User, rows: list[Checkin]) -> None:
    """Called with the check-ins just stored (flushed, not committed): the first that declares an arrival
    links the person's planned return to it, which is then arrived. Nothing is read unless one declares it."""
    declared = [row for row in rows if row.arrival_from is not None]
    if not declared:
        return
    registration = open_registration(subject)
    if registration is None:
        return
    first = min(declared, key=lambda row: (row.checked_at, row.id))
    registration.status, registration.checkin_id, registration.arrived_on = "arrived", first.id, first.day
    registration.user_id, registration.updated_at = subject.id, clock.now_utc()


# --- expected arrivals -------------------------------------------------------------------------------------


@dataclass
class DistrictRow:
    district: str
    counts: list[int]
    total: int = 0


@dataclass
class DayTotal:
    day: date
    expected: int = 0
    unwell: int = 0
    arrived: int = 0


@dataclass
class ArrivalsTable:
    """Expected arrivals in an area: one row per district, one column per day, and each day's totals."""

    area: str
    days: list[date]
    rows: list[DistrictRow] = field(default_factory=list)
    totals: list[DayTotal] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(day.expected for day in self.totals)

    @property
    def busiest(self) -> int:
        return max((day.expected for day in self.totals), default=0)


def viewer_area(viewer: User, requested: str | None) -> str:
    """The area a viewer looks at: admins and reviewers any in the region (the whole region by default),
    handlers and supervisors their own or one inside it. ReturnError "area" (field) otherwise."""
    region = current_app.config["HOME_REGION"]
    own = region if viewer.role in WIDE_ROLES else viewer.scope_district
    if not own:
        raise ReturnError("area", "area")
    if not requested:
        return own
    if not (districts.is_area(requested) and districts.within(requested, own) and districts.within(requested, region)):
        raise ReturnError("area", "area")
    return requested


def area_choices(viewer: User, lang: str) -> list[tuple[str, str]]:
    """The areas a viewer may pick: the region's cities and counties within their own area."""
    own = viewer_area(viewer, None)
    return [(code, name) for code, name in districts.area_choices(lang) if districts.within(code, own)]


def expected_arrivals(viewer: User, start: date | None = None, area: str | None = None) -> ArrivalsTable:
    """Planned returns (not cancelled) per destination district and day, for TABLE_DAYS days from `start`
    (today by default), with how many declared feeling unwell and how many have arrived: one GROUP BY."""
    area = viewer_area(viewer, area)
    start = start or clock.local_today()
    days = [start + timedelta(days=n) for n in range(TABLE_DAYS)]
    table = ArrivalsTable(area=area, days=days, totals=[DayTotal(day) for day in days])
    found = db.session.execute(
        select(
            ReturnRegistration.destination,
            ReturnRegistration.planned_day,
            func.count(),
            func.sum(case((ReturnRegistration.health != "healthy", 1), else_=0)),
            func.sum(case((ReturnRegistration.status == "arrived", 1), else_=0)),
        )
        .where(
            ReturnRegistration.planned_day.between(days[0], days[-1]),
            ReturnRegistration.status != "cancelled",
            district_in_area(ReturnRegistration.destination, area),
        )
        .group_by(ReturnRegistration.destination, ReturnRegistration.planned_day)
    ).all()
    rows: dict[str, DistrictRow] = {}
    for district, day, expected, unwell, arrived in found:
        row = rows.setdefault(district, DistrictRow(district, [0] * TABLE_DAYS))
        index = (day - start).days
        row.counts[index] += expected
        row.total += expected
        total = table.totals[index]
        total.expected, total.unwell, total.arrived = (
            total.expected + expected,
            total.unwell + (unwell or 0),
            total.arrived + (arrived or 0),
        )
    table.rows = sorted(rows.values(), key=lambda row: row.district)
    return table
