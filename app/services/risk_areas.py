"""Risk areas kept by the authority: add, end early, history; each change recolours the people it touches."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, union

from app.domain import districts
from app.domain.vocabulary import RISK_LEVELS
from app.extensions import db
from app.infra import audit, clock
from app.models import Checkin, RiskArea, Visit
from app.models.districts import district_in_area
from app.services.colours import Recoloured, recolour
from app.services.errors import DomainError


class RiskAreaError(DomainError):
    """A risk area the console cannot declare or end."""

    messages = {
        "unknown_area": _l("Please choose an area."),
        "unknown_level": _l("Please check what you entered."),
        "end_before_start": _l("The end date is before the start date."),
        "ended": _l("This risk area has already ended."),
    }
    statuses = {"ended": 409}


@dataclass
class RiskAreaChange:
    """What adding or ending a risk area did."""

    area: RiskArea
    recoloured: Recoloured


def people_who_were_in(areas: set[str]) -> list[int]:
    """Everyone who checked in or declared a visit within the facts window in any of these areas."""
    window_start = clock.local_today() - timedelta(days=current_app.config["FACTS_WINDOW_DAYS"])
    checkin_match = or_(*[district_in_area(Checkin.district, area) for area in areas])
    visit_match = or_(*[district_in_area(Visit.district, area) for area in areas])
    affected = union(
        select(Checkin.user_id).where(checkin_match, Checkin.day >= window_start),
        select(Visit.user_id).where(visit_match, Visit.day >= window_start),
    )
    return db.session.scalars(affected).all()


def add_risk_area(district: str, level: str, start: date, end: date | None, actor_id: int) -> RiskAreaChange:
    """Declare an area (a county, city or province) at a risk level and recolour the people it touches."""
    if not districts.is_area(district):
        raise RiskAreaError("unknown_area", "district")
    if level not in RISK_LEVELS:
        raise RiskAreaError("unknown_level", "level")
    if end is not None and end < start:
        raise RiskAreaError("end_before_start", "end")
    area = RiskArea(
        district=district,
        level=level,
        start=start,
        end=end,
        created_at=clock.now_utc(),
        source="console",
        created_by_id=actor_id,
    )
    db.session.add(area)
    db.session.flush()
    audit.record(
        actor_id,
        "risk_area_added",
        None,
        level,
        risk_area_id=area.id,
        district=district,
        start=start.isoformat(),
        end=end.isoformat() if end else None,
    )
    result = recolour(people_who_were_in({district}), trigger=f"risk_area:{area.id}", actor_id=actor_id)
    db.session.commit()
    return RiskAreaChange(area, result)


def end_risk_area(area_id: int, actor_id: int) -> RiskAreaChange:
    """End an area early (its last day becomes yesterday); RiskAreaError "ended" when it had already ended."""
    area = db.session.get(RiskArea, area_id)
    today = clock.local_today()
    if area is None or area.ended_early_at is not None or (area.end is not None and area.end < today):
        raise RiskAreaError("ended")
    area.planned_end, area.end = area.end, today - timedelta(days=1)
    area.ended_early_at, area.ended_by_id = clock.now_utc(), actor_id
    audit.record(actor_id, "risk_area_ended", None, area.level, risk_area_id=area.id, district=area.district)
    result = recolour(people_who_were_in({area.district}), trigger=f"risk_area:{area.id}", actor_id=actor_id)
    db.session.commit()
    return RiskAreaChange(area, result)


def risk_area_lists() -> tuple[list[RiskArea], list[RiskArea]]:
    """(in force or upcoming, history), newest first."""
    today = clock.local_today()
    rows = db.session.scalars(select(RiskArea).order_by(RiskArea.start.desc(), RiskArea.id.desc())).all()
    current = [r for r in rows if r.end is None or r.end >= today]
    return current, [r for r in rows if r not in current]
