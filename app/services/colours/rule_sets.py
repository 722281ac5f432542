"""What every recolouring starts from: the configured rule set, the facts window and the risk areas in it."""

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import or_, select

from app.domain import colours
from app.extensions import db
from app.models import RiskArea


def rule_set() -> colours.RuleSet:
    """The configured rule set (the shipped one unless RULES_FILE points elsewhere)."""
    path = current_app.config["RULES_FILE"]
    return colours.load_rule_set(path) if path else colours.default_rule_set()


def active_risk_areas(today: date, window_start: date) -> list[colours.RiskAreaFact]:
    """Risk areas that overlap the facts window."""
    rows = db.session.scalars(
        select(RiskArea).where(or_(RiskArea.end.is_(None), RiskArea.end >= window_start), RiskArea.start <= today)
    )
    return [colours.RiskAreaFact(district=r.district, level=r.level, start=r.start, end=r.end) for r in rows]


def facts_window_start(today: date) -> date:
    """First day whose check-ins count."""
    return today - timedelta(days=current_app.config["FACTS_WINDOW_DAYS"])


def risk_days(area: colours.RiskAreaFact, today: date, window_start: date) -> tuple[date, date]:
    """The first and last day of the facts window on which `area` was a risk area."""
    return max(area.start, window_start), today if area.end is None else min(area.end, today)
