"""The full recompute's prefilter: a set-based SQL superset of the people whose colour could differ from the
stored one today (the engine decides); everyone else is green with nothing that could change that."""

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, union

from app.extensions import db
from app.infra import clock
from app.models import Checkin, ControlEntry, FeverVisit, Observation, Override, User, Visit
from app.models.checkin import FEVER_FLOOR_C, MAY_TRIGGER, may_trigger
from app.models.districts import district_in_area
from app.services.colours import facts_query, rule_sets

_users, _checkins, _visits = User.__table__, Checkin.__table__, Visit.__table__
_control, _overrides = ControlEntry.__table__, Override.__table__
_fever_visits, _observations = FeverVisit.__table__, Observation.__table__


def candidates() -> list[int]:
    """People whose colour could differ from the stored one today: a set-based superset (the engine decides).

    Everyone else is green, checked in within the facts window, and has nothing in that window (or on
    the control list, or in an approved override) that could make them anything else, so their verdict
    stands without evaluating them.
    """
    db.session.flush()
    today = clock.local_today()
    window_start = rule_sets.facts_window_start(today)
    rules = rule_sets.rule_set()
    # A green person lapses (no colour) once their newest check-in leaves the window or is purged;
    # users.last_checkin_at is the newest check-in's time (services/checkins.py keeps it).
    kept_from = max(window_start, today - timedelta(days=current_app.config["RETENTION_DAYS"]))
    recent_from, tomorrow = clock.local_midnight_utc(kept_from), clock.local_midnight_utc(today + timedelta(days=1))
    colour, last_checkin = _users.c.colour, _users.c.last_checkin_at
    recent = and_(last_checkin >= recent_from, last_checkin < tomorrow)
    queries = [
        # One pass over users: not green (they may recover, or their days left change); green but lapsing
        # (no check-in left in the window); no colour yet but checked in.
        select(_users.c.id).where(
            or_(
                and_(colour.is_not(None), colour != "green"),
                and_(colour == "green", or_(last_checkin.is_(None), ~recent)),
                and_(colour.is_(None), recent),
            )
        ),
        # Anyone on the control list, whenever: after an entry ends, a missed check-in restarts recovery.
        select(_users.c.id).join(
            _control, and_(_control.c.doc_kind == _users.c.doc_kind, _control.c.doc_hash == _users.c.doc_hash)
        ),
        select(_overrides.c.user_id).where(_overrides.c.state == "approved"),
        # Check-ins in the window that trigger a rule (or may: any symptom, any arrival); through the partial
        # index of such check-ins, unless the rule set's fever threshold is below the index's.
        select(_checkins.c.user_id).where(
            _checkins.c.day.between(window_start, today),
            may_trigger(rules.fever_threshold_c),
            *([MAY_TRIGGER] if rules.fever_threshold_c >= FEVER_FLOOR_C else []),
        ),
        # What clinics registered in the window, whatever the stored colour: a visit leaving its rule's
        # window (or an observation closed) starts the recovery whose end is the green date, and a rule set
        # with a longer window, or the rule switched back on, must find the visits it now counts.
        select(_fever_visits.c.person_id).where(_fever_visits.c.day.between(window_start, today)),
        select(_observations.c.person_id).where(
            or_(_observations.c.closed_on.is_(None), _observations.c.closed_on >= window_start)
        ),
    ]
    areas = rule_sets.active_risk_areas(today, window_start)
    queries += [
        union(*_area_queries(areas[start : start + facts_query.AREAS_PER_QUERY], today, window_start))
        for start in range(0, len(areas), facts_query.AREAS_PER_QUERY)
    ]
    found = set()
    for query in queries:
        found.update(db.session.scalars(query).all())
    return sorted(found)


def _area_queries(areas, today: date, window_start: date) -> list:
    """Who checked in (or declared a visit) in each area while it was a risk area, or at all if it is one today."""
    queries = []
    for area in areas:
        current = area.end is None or area.end >= today
        first, last = rule_sets.risk_days(area, today, window_start)
        for table, lookback in ((_checkins, current), (_visits, False)):
            queries.append(
                select(table.c.user_id).where(
                    district_in_area(table.c.district, area.district),
                    table.c.day.between(window_start if lookback else first, last),
                )
            )
    return queries
