"""The facts query: people's check-ins (with visits), control entries, approved overrides, fever-clinic visits
and medical observations, read in a few set-based queries per chunk of people, as the rule engine takes them
(`colours.Facts`)."""

import json
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import ARRAY, Integer, String, and_, bindparam, case, cast, func, or_, select, true, type_coerce, union

from app.domain import colours
from app.models import Checkin, ControlEntry, FeverVisit, Observation, Override, User, Visit
from app.models.checkin import may_trigger
from app.models.districts import district_in_area
from app.services.colours.rule_sets import risk_days

_ONE_DAY = timedelta(days=1)
AREAS_PER_QUERY = 100  # risk areas per query (SQLite allows 500 parts in a UNION, 1,000 levels of OR)
_users, _checkins, _visits = User.__table__, Checkin.__table__, Visit.__table__
_control, _overrides = ControlEntry.__table__, Override.__table__
_fever_visits, _observations = FeverVisit.__table__, Observation.__table__


class FactsQuery:
    """Reads people's facts for one recolouring (one day, rule set and list of risk areas); what many people
    share (a list of symptoms, a list of check-in days) is decoded once."""

    def __init__(self, today: date, window_start: date, rules: colours.RuleSet, areas: list):
        self.today, self.window_start, self.rules, self.areas = today, window_start, rules, areas
        self.symptoms = _Symptoms()
        self.days = _Days()

    def __call__(self, connection, ids: list[int]) -> dict[int, colours.Facts]:
        """The facts of these people, by id (everyone in `ids`, with or without facts)."""
        return _load_facts(connection, ids, self)


def _load_facts(connection, ids: list[int], context: "FactsQuery") -> dict[int, colours.Facts]:
    """Check-ins (with visits), control entries and approved overrides of these people, in a few queries.

    Check-ins come in full only where a rule may read more than their day (see `colours.Facts`): those
    that trigger a rule, those in a risk area on their day, those with visits, and each person's latest;
    of the rest only the days, one text per person. A month of daily check-ins is a row or two per person."""
    today, window_start, symptoms_of = context.today, context.window_start, context.symptoms
    people = id_values(connection, ids)
    in_window = and_(_checkins.c.user_id.in_(people), _checkins.c.day.between(window_start, today))
    visits = defaultdict(list)
    for checkin_id, district, day in connection.execute(  # a visit's day is never after its check-in's
        select(_visits.c.checkin_id, _visits.c.district, _visits.c.day)
        .select_from(_visits.join(_checkins, _checkins.c.id == _visits.c.checkin_id))
        .where(_visits.c.user_id.in_(people), _visits.c.day >= window_start, _checkins.c.day <= today)
        .order_by(_visits.c.checkin_id, _visits.c.day, _visits.c.id)
    ).all():
        visits[checkin_id].append(colours.VisitFact(district=district, day=day))
    # One pass over their check-ins in the window: each person's days, and the ids of those read in full
    # that a condition finds (those that trigger a rule, those in a risk area on their day).
    read_in_full = [may_trigger(context.rules.fever_threshold_c)] + [
        and_(
            district_in_area(_checkins.c.district, area.district),
            _checkins.c.day.between(*risk_days(area, today, window_start)),
        )
        for area in context.areas
    ]
    if len(context.areas) > AREAS_PER_QUERY:  # a condition too long for SQLite: every check-in in full
        read_in_full = [true()]
    full_ids, days, days_of = list(visits), {}, context.days  # those with visits too
    for user_id, checkin_days, found in connection.execute(
        select(
            _checkins.c.user_id,
            func.aggregate_strings(cast(_checkins.c.day, String), ","),
            func.aggregate_strings(case((or_(*read_in_full), cast(_checkins.c.id, String))), ","),
        )
        .where(in_window)
        .group_by(_checkins.c.user_id)
    ):
        days[user_id] = days_of(checkin_days)
        if found:
            full_ids.extend(map(int, found.split(",")))
    # Those, and each person's latest.
    columns = (
        _checkins.c.id,
        _checkins.c.user_id,
        _checkins.c.day,
        type_coerce(_checkins.c.checked_at, String),
        _checkins.c.district,
        _checkins.c.temperature,
        type_coerce(_checkins.c.symptoms, String),
        _checkins.c.contact_with_cases,
        _checkins.c.arrival_from,
        _checkins.c.arrival_day,
        _checkins.c.arrival_transport,
    )
    earlier = _checkins.alias("earlier")
    latest_day = (
        select(func.max(earlier.c.day))
        .where(earlier.c.user_id == _users.c.id, earlier.c.day.between(window_start, today))
        .scalar_subquery()
    )
    latest = (
        select(*columns)
        .select_from(_users.join(_checkins, and_(_checkins.c.user_id == _users.c.id, _checkins.c.day == latest_day)))
        .where(_users.c.id.in_(people))
    )
    found = (
        union(select(*columns).where(_checkins.c.id.in_(id_values(connection, full_ids))), latest)
        if full_ids
        else latest
    ).subquery()  # once each, if both
    checkins = defaultdict(list)
    for (
        checkin_id,
        user_id,
        day,
        _,
        district,
        temperature,
        symptoms,
        contact,
        arrival_from,
        arrival_day,
        transport,
    ) in connection.execute(select(found).order_by(found.c.user_id, found.c.day, found.c.checked_at)):
        arrival = (
            colours.Arrival(from_district=arrival_from, day=arrival_day, transport=transport) if arrival_from else None
        )
        checkins[user_id].append(
            colours.CheckinFact(
                day=day,
                district=district,
                temperature=temperature,
                symptoms=symptoms_of(symptoms),
                visits=tuple(visits.get(checkin_id, ())),
                contact_with_cases=contact,
                arrival=arrival,
            )
        )
    control = defaultdict(list)
    for user_id, status, start, end in connection.execute(
        select(_users.c.id, _control.c.status, _control.c.start, _control.c.end)
        .select_from(
            _users.join(
                _control, and_(_control.c.doc_kind == _users.c.doc_kind, _control.c.doc_hash == _users.c.doc_hash)
            )
        )
        .where(_users.c.id.in_(people))
        .order_by(_control.c.id)
    ).all():
        control[user_id].append(colours.ControlFact(status=status, start=start, end=end))
    overrides = defaultdict(list)
    for user_id, colour, category, start, end in connection.execute(
        select(
            _overrides.c.user_id,
            _overrides.c.colour,
            _overrides.c.reason_category,
            _overrides.c.start,
            _overrides.c.end,
        )
        .where(_overrides.c.user_id.in_(people), _overrides.c.state == "approved")
        .order_by(_overrides.c.id)
    ).all():
        overrides[user_id].append(colours.OverrideFact(colour=colour, reason_category=category, start=start, end=end))
    fever_visits, observations = _clinic_facts(connection, people, window_start, today)
    empty = ()
    return {
        user_id: colours.Facts(
            checkins=tuple(checkins.get(user_id, empty)),
            control=tuple(control.get(user_id, empty)),
            overrides=tuple(overrides.get(user_id, empty)),
            checkin_days=days.get(user_id, empty),
            fever_visits=tuple(fever_visits.get(user_id, empty)),
            observations=tuple(observations.get(user_id, empty)),
        )
        for user_id in ids
    }


def _clinic_facts(connection, people, window_start: date, today: date):
    """Fever-clinic visits in the facts window, and the observations that ran in it (open, or closed within
    it), of these people, by person; one query each."""
    visits = defaultdict(list)
    for user_id, day, temperature in connection.execute(
        select(_fever_visits.c.person_id, _fever_visits.c.day, _fever_visits.c.temperature)
        .where(_fever_visits.c.person_id.in_(people), _fever_visits.c.day.between(window_start, today))
        .order_by(_fever_visits.c.person_id, _fever_visits.c.day, _fever_visits.c.id)
    ):
        visits[user_id].append(colours.FeverVisitFact(day=day, temperature=temperature))
    observations = defaultdict(list)
    for user_id, case_type, start, end in connection.execute(
        select(
            _observations.c.person_id, _observations.c.case_type, _observations.c.start_date, _observations.c.closed_on
        )
        .where(
            _observations.c.person_id.in_(people),
            or_(_observations.c.closed_on.is_(None), _observations.c.closed_on >= window_start),
        )
        .order_by(_observations.c.person_id, _observations.c.start_date, _observations.c.id)
    ):
        last = None if end is None else end - _ONE_DAY  # closed on a day: no longer under observation that day
        observations[user_id].append(colours.ObservationFact(case_type=case_type, start=start, end=last))
    return visits, observations


class _Symptoms(dict):
    """A check-in's symptoms (JSON text, or already decoded by the driver) as a tuple; each distinct text
    decoded once per recolouring (most check-ins declare none, or the same few)."""

    def __call__(self, stored) -> tuple[str, ...]:
        if not isinstance(stored, str):
            return tuple(stored or ())
        value = self.get(stored)
        if value is None:
            value = self[stored] = tuple(json.loads(stored) or ())
        return value


class _Days(dict):
    """A person's check-in days (ISO dates, comma-separated, in any order) as a sorted tuple of dates, each
    distinct text worked out once per recolouring (many people check in on the same days)."""

    def __call__(self, text: str) -> tuple[date, ...]:
        value = self.get(text)
        if value is None:
            value = self[text] = tuple([date.fromisoformat(day) for day in sorted(set(text.split(",")))])
        return value


def id_values(connection, ids: list[int]):
    """What `column.in_()` takes for many ids, as one parameter rather than one per id: on SQLite a JSON
    array (json_each), on PostgreSQL an array (unnest)."""
    if connection.dialect.name == "sqlite":
        return select(func.json_each(json.dumps(ids)).table_valued("value").c.value).scalar_subquery()
    return select(func.unnest(bindparam(None, list(ids), type_=ARRAY(Integer)))).scalar_subquery()
