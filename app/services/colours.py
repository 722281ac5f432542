"""Recolouring: load people's facts in a few set-based queries, evaluate, store changes, revoke codes.

`recolour` re-evaluates the people it is given, a chunk of CHUNK people per round of queries (Core
statements on the session's connection, executemany for the writes). `recolour_all` is the daily full
recompute: a set-based SQL prefilter picks the people whose colour could differ from the stored one and
only they are evaluated; everyone else is green with nothing that could change that, and is left alone.
"""

import gc
import json
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from flask import current_app
from sqlalchemy import (
    ARRAY,
    JSON,
    Integer,
    String,
    TypeDecorator,
    and_,
    bindparam,
    case,
    cast,
    func,
    insert,
    null,
    or_,
    select,
    true,
    type_coerce,
    union,
    update,
)

from app.domain import colours, districts
from app.extensions import db
from app.infra import clock, prepared
from app.models import Checkin, ControlEntry, IssuedCode, Override, RiskArea, User, Verdict, Visit
from app.models.checkin import FEVER_FLOOR_C, MAY_TRIGGER
from app.models.code import revoke_codes

CHUNK = 2000  # people per round of queries
AREAS_PER_QUERY = 100  # risk areas per query (SQLite allows 500 parts in a UNION, 1,000 levels of OR)
_SEVERITY = {None: -1, "green": 0, "yellow": 1, "red": 2}
# Verdicts' JSON as stored: compact, and Chinese as itself (a third of the bytes of \u escapes)
_json = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
_users, _verdicts, _checkins, _visits = User.__table__, Verdict.__table__, Checkin.__table__, Visit.__table__
_control, _overrides, _codes = ControlEntry.__table__, Override.__table__, IssuedCode.__table__


@dataclass
class Recoloured:
    """What a recolouring did: new verdicts stored, and how many people's colour got worse or better."""

    changed: int = 0
    worsened: int = 0
    improved: int = 0
    evaluated: int = 0  # people whose facts were evaluated

    def add(self, other: "Recoloured") -> None:
        self.changed += other.changed
        self.worsened += other.worsened
        self.improved += other.improved
        self.evaluated += other.evaluated


@dataclass(frozen=True)
class _Round:
    """What every chunk of one recolouring shares."""

    today: date
    now: datetime
    window_start: date
    rules: colours.RuleSet
    areas: list
    trigger: str
    actor_id: int | None
    reasons_json: "_ReasonsJSON"
    inputs_json: "_InputsJSON"
    symptoms: "_Symptoms"
    days: "_Days"
    same_reasons: "_SameReasons"
    mark_unchanged: bool  # set evaluated_on for people whose verdict stands


def rule_set() -> colours.RuleSet:
    """The configured rule set (the shipped one unless RULES_FILE points elsewhere)."""
    path = current_app.config["RULES_FILE"]
    return colours.load_rule_set(path) if path else colours.default_rule_set()


def active_risk_areas(today: date, window_start: date) -> list[colours.RiskArea]:
    """Risk areas that overlap the facts window."""
    rows = db.session.scalars(
        select(RiskArea).where(or_(RiskArea.end.is_(None), RiskArea.end >= window_start), RiskArea.start <= today)
    )
    return [colours.RiskArea(district=r.district, level=r.level, start=r.start, end=r.end) for r in rows]


def facts_window_start(today: date) -> date:
    """First day whose check-ins count."""
    return today - timedelta(days=current_app.config["FACTS_WINDOW_DAYS"])


def recolour(user_ids, trigger: str, actor_id: int | None = None) -> Recoloured:
    """Re-evaluate these people; store a verdict for each whose colour or reasons changed.

    Codes of people whose colour changed are revoked. The caller commits.
    """
    return _recolour(user_ids, trigger, actor_id, mark_unchanged=True)


def recolour_all(trigger: str = "daily", actor_id: int | None = None) -> Recoloured:
    """The full recompute: re-evaluate exactly the people `candidates()` names; the caller commits.

    Unchanged people keep their `evaluated_on` (like everyone the prefilter skipped): their first code
    request today re-evaluates them alone, which costs less than rewriting their rows here.
    """
    return _recolour(candidates(), trigger, actor_id, mark_unchanged=False)


def _recolour(user_ids, trigger: str, actor_id: int | None, mark_unchanged: bool) -> Recoloured:
    ids = sorted(set(user_ids))  # in id order each chunk reads and writes neighbouring pages
    if not ids:
        return Recoloured()
    db.session.flush()  # the caller's pending changes are facts too
    today = clock.local_today()
    window_start = facts_window_start(today)
    areas = active_risk_areas(today, window_start)
    days = _Days()
    context = _Round(
        today=today,
        now=clock.now_utc(),
        window_start=window_start,
        rules=rule_set(),
        areas=areas,
        trigger=trigger,
        actor_id=actor_id,
        reasons_json=_ReasonsJSON(),
        inputs_json=_InputsJSON([a.district + ":" + a.level for a in areas], days),
        same_reasons=_SameReasons(),
        symptoms=_Symptoms(),
        days=days,
        mark_unchanged=mark_unchanged,
    )
    connection = db.session.connection()
    result = Recoloured()
    with _cycle_collector_paused():
        for start in range(0, len(ids), CHUNK):
            result.add(_recolour_chunk(connection, ids[start : start + CHUNK], context))
    db.session.expire_all()
    return result


@contextmanager
def _cycle_collector_paused():
    """Pause Python's cycle collector while recolouring: it makes many short-lived objects (some 30 per
    check-in in the facts window, freed by reference counting, no cycles), and the collector would
    otherwise scan them over and over (a third of the time for people with a month of daily check-ins)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def candidates() -> list[int]:
    """People whose colour could differ from the stored one today: a set-based superset (the engine decides).

    Everyone else is green, checked in within the facts window, and has nothing in that window (or on
    the control list, or in an approved override) that could make them anything else, so their verdict
    stands without evaluating them.
    """
    db.session.flush()
    today = clock.local_today()
    window_start = facts_window_start(today)
    rules = rule_set()
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
            _triggering(rules),
            *([MAY_TRIGGER] if rules.fever_threshold_c >= FEVER_FLOOR_C else []),
        ),
    ]
    areas = active_risk_areas(today, window_start)
    queries += [
        union(*_area_queries(areas[start : start + AREAS_PER_QUERY], today, window_start))
        for start in range(0, len(areas), AREAS_PER_QUERY)
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
        first, last = _risk_days(area, today, window_start)
        for table, lookback in ((_checkins, current), (_visits, False)):
            queries.append(
                select(table.c.user_id).where(
                    district_in_area(table.c.district, area.district),
                    table.c.day.between(window_start if lookback else first, last),
                )
            )
    return queries


def _risk_days(area, today: date, window_start: date) -> tuple[date, date]:
    """The first and last day of the facts window on which `area` was a risk area."""
    return max(area.start, window_start), today if area.end is None else min(area.end, today)


def district_in_area(column, area: str):
    """SQL: a county code column lies in `area` (a county, or a city or province covering its counties).

    The same as `LIKE 'prefix%'`, written as a range so that an index on the column is used."""
    prefix = districts.prefix_of(area)
    return and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))


def _recolour_chunk(connection, ids: list[int], context: _Round) -> Recoloured:
    people = connection.execute(
        select(_users.c.id, _users.c.colour, _users.c.verdict_id, _users.c.evaluated_on).where(
            _users.c.id.in_(_id_values(connection, ids))
        )
    ).all()
    facts = _load_facts(connection, [p.id for p in people], context)
    verdicts = colours.evaluate_many([facts[p.id] for p in people], context.rules, context.areas, context.today)
    # Stored reasons matter only where the colour stays (after a change touching many, few of them).
    kept = [p.verdict_id for p, verdict in zip(people, verdicts) if p.verdict_id and p.colour == verdict.colour]
    stored = (
        dict(
            connection.execute(
                select(_verdicts.c.id, type_coerce(_verdicts.c.reasons, String)).where(
                    _verdicts.c.id.in_(_id_values(connection, kept))
                )
            ).all()
        )
        if kept
        else {}
    )
    new_rows, old_colours, stale = _changes(people, verdicts, stored, facts, context)
    return _store(connection, new_rows, old_colours, stale, context, len(people))


def _changes(people, verdicts, stored: dict, facts, context: _Round):
    """Verdict rows for people whose colour or reasons changed; the ids of the others not yet marked today.

    `stored`: the reasons of the stored verdicts (by verdict id) of the people whose colour stays."""
    new_rows, old_colours, stale = [], {}, []
    reasons_json, reasons_of = context.reasons_json, {}  # by verdict (people with equal facts share one)
    for person, verdict in zip(people, verdicts):
        reasons = reasons_of.get(id(verdict))  # every verdict lives as long as `verdicts`: ids stay theirs
        if reasons is None:
            reasons = reasons_of[id(verdict)] = "[" + ",".join([reasons_json(r) for r in verdict.reasons]) + "]"
        if (
            person.verdict_id
            and person.colour == verdict.colour
            and context.same_reasons(stored.get(person.verdict_id), reasons)
        ):
            if context.mark_unchanged and person.evaluated_on != context.today:
                stale.append(person.id)
            continue
        old_colours[person.id] = person.colour
        new_rows.append(
            {
                "user_id": person.id,
                "colour": verdict.colour,
                "reasons_json": reasons,
                "may_turn_green_on": verdict.may_turn_green_on,
                "healthy_streak": verdict.healthy_streak,
                "needed_streak": verdict.needed_streak,
                "rule_set_version": verdict.rule_set_version,
                "inputs_json": context.inputs_json(facts[person.id]),
                "trigger": context.trigger,
                "triggered_by_id": context.actor_id,
                "computed_at": context.now,
            }
        )
    return new_rows, old_colours, stale


def _store(connection, new_rows, old_colours, stale, context: _Round, evaluated: int) -> Recoloured:
    """Insert the new verdicts, point their people at them, mark the others evaluated today, revoke codes."""
    if stale:
        connection.execute(
            update(_users).where(_users.c.id.in_(_id_values(connection, stale))).values(evaluated_on=context.today)
        )
    if not new_rows:
        return Recoloured(evaluated=evaluated)
    # Each person now points at their new verdict; a changed colour drops today's code from the code
    # page, and its signed codes are revoked below.
    recoloured, reasons_only = [], []
    for row, verdict_id in zip(new_rows, _insert_verdicts(connection, new_rows)):
        moved = old_colours[row["user_id"]] != row["colour"]
        (recoloured if moved else reasons_only).append(
            {"person": row["user_id"], "verdict": verdict_id, "new_colour": row["colour"], "today": context.today}
        )
    prepared.execute_many(connection, _POINT, reasons_only)
    prepared.execute_many(connection, _POINT_AND_DROP_CODE, recoloured)
    if recoloured:
        recoloured = [row["person"] for row in recoloured]
        revoke_codes(
            connection, [_codes.c.user_id.in_(_id_values(connection, recoloured))], "colour_changed", context.now
        )
    # A first colour, or none any more (no check-in left in the window), is neither better nor worse.
    moves = [
        (_SEVERITY[old_colours[row["user_id"]]], _SEVERITY[row["colour"]])
        for row in new_rows
        if old_colours[row["user_id"]] is not None and row["colour"] is not None
    ]
    worsened = sum(1 for old, new in moves if new > old)
    improved = sum(1 for old, new in moves if new < old)
    return Recoloured(changed=len(new_rows), worsened=worsened, improved=improved, evaluated=evaluated)


def _insert_verdicts(connection, rows: list[dict]) -> list[int]:
    """Insert verdict rows with ids chosen first; their ids, in the rows' order.

    On SQLite the ids follow the largest: only one connection writes at a time, and this transaction
    writes (if another commits after it began reading, SQLite refuses its write rather than let it use a
    stale largest id). On PostgreSQL they come from the table's sequence, all in one query, and the rows
    are then sent as one batch, without an answer per row."""
    if connection.dialect.name == "sqlite":
        first = connection.execute(select(func.coalesce(func.max(_verdicts.c.id), 0))).scalar() + 1
        ids = range(first, first + len(rows))
    else:
        ids = (
            connection.execute(
                select(func.nextval(func.pg_get_serial_sequence(_verdicts.name, "id"))).select_from(
                    func.generate_series(1, len(rows))
                )
            )
            .scalars()
            .all()
        )
    for row, verdict_id in zip(rows, ids):
        row["id"] = verdict_id
    prepared.execute_many(connection, _INSERT_VERDICT, rows)
    return list(ids)


class _SameReasons(dict):
    """Whether stored reasons (JSON text, or already decoded by the driver) equal new ones (JSON text).

    Equal text is equal; otherwise both are decoded, each distinct text once per recolouring."""

    def __call__(self, stored, reasons: str) -> bool:
        if stored is None:
            return False
        if stored == reasons:
            return True
        return (self._decoded(stored) if isinstance(stored, str) else stored) == self._decoded(reasons)

    def _decoded(self, text: str):
        value = self.get(text)
        if value is None:
            value = self[text] = json.loads(text)
        return value


class _JSONText(TypeDecorator):
    """A JSON column written from text that is already JSON (serialised once, and compared as text)."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect):
        return None


_INSERT_VERDICT = insert(_verdicts).values(
    {
        "reasons": bindparam("reasons_json", type_=_JSONText()),
        "inputs": bindparam("inputs_json", type_=_JSONText()),
        **{
            name: bindparam(name)
            for name in (
                "id",
                "user_id",
                "colour",
                "may_turn_green_on",
                "healthy_streak",
                "needed_streak",
                "rule_set_version",
                "trigger",
                "triggered_by_id",
                "computed_at",
            )
        },
    }
)
_POINT = (
    update(_users)
    .where(_users.c.id == bindparam("person"))
    .values(verdict_id=bindparam("verdict"), colour=bindparam("new_colour"), evaluated_on=bindparam("today"))
)
_POINT_AND_DROP_CODE = _POINT.values(code_jti=null())


def _id_values(connection, ids: list[int]):
    """What `column.in_()` takes for many ids, as one parameter rather than one per id: on SQLite a JSON
    array (json_each), on PostgreSQL an array (unnest)."""
    if connection.dialect.name == "sqlite":
        return select(func.json_each(json.dumps(ids)).table_valued("value").c.value).scalar_subquery()
    return select(func.unnest(bindparam(None, list(ids), type_=ARRAY(Integer)))).scalar_subquery()


class _ReasonsJSON(dict):
    """Each distinct reason's JSON, worked out once per recolouring (many people share a reason)."""

    def __call__(self, reason: colours.Reason) -> str:
        key = (reason.rule_id, reason.colour, reason.active_until, *reason.text.items(), *reason.guidance.items())
        text = self.get(key)
        if text is None:
            text = self[key] = _json(reason.to_dict())
        return text


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


class _InputsJSON(dict):
    """A verdict's inputs as JSON text, exactly `_json({"facts": facts_to_dict(facts), "risk_areas": labels})`,
    put together from each check-in's JSON, worked out once per distinct check-in (people who checked in
    on the same day in the same county with the same answers share it), and likewise each distinct list of
    check-in days (usually put together by `_Days` as it read them)."""

    def __init__(self, area_labels: list[str], days: "_Days"):
        super().__init__()
        self.tail = '},"risk_areas":' + _json(area_labels) + "}"
        self.days = days.json  # the JSON of the check-in days `days` has read

    def __call__(self, facts: colours.Facts) -> str:
        checkins = []
        for checkin in facts.checkins:
            text = self.get(checkin)
            if text is None:
                text = self[checkin] = _json(colours.checkin_to_dict(checkin))
            checkins.append(text)
        days = self.days.get(facts.checkin_days)
        if days is None:
            days = self.days[facts.checkin_days] = _json([day.isoformat() for day in facts.checkin_days])
        control = self.get(facts.control) if facts.control else "[]"  # people listed alike share it too
        if control is None:
            control = self[facts.control] = _json([colours.control_to_dict(e) for e in facts.control])
        overrides = self.get(facts.overrides) if facts.overrides else "[]"
        if overrides is None:
            overrides = self[facts.overrides] = _json([colours.override_to_dict(o) for o in facts.overrides])
        return (
            '{"facts":{"checkins":['
            + ",".join(checkins)
            + '],"checkin_days":'
            + days
            + ',"control":'
            + control
            + ',"overrides":'
            + overrides
            + self.tail
        )


def _load_facts(connection, ids: list[int], context: _Round) -> dict[int, colours.Facts]:
    """Check-ins (with visits), control entries and approved overrides of these people, in a few queries.

    Check-ins come in full only where a rule may read more than their day (see `colours.Facts`): those
    that trigger a rule, those in a risk area on their day, those with visits, and each person's latest;
    of the rest only the days, one text per person. A month of daily check-ins is a row or two per person."""
    today, window_start, symptoms_of = context.today, context.window_start, context.symptoms
    people = _id_values(connection, ids)
    in_window = and_(_checkins.c.user_id.in_(people), _checkins.c.day.between(window_start, today))
    visits = defaultdict(list)
    for checkin_id, district, day in connection.execute(  # a visit's day is never after its check-in's
        select(_visits.c.checkin_id, _visits.c.district, _visits.c.day)
        .select_from(_visits.join(_checkins, _checkins.c.id == _visits.c.checkin_id))
        .where(_visits.c.user_id.in_(people), _visits.c.day >= window_start, _checkins.c.day <= today)
        .order_by(_visits.c.checkin_id, _visits.c.day, _visits.c.id)
    ).all():
        visits[checkin_id].append(colours.Visit(district=district, day=day))
    # One pass over their check-ins in the window: each person's days, and the ids of those read in full
    # that a condition finds (those that trigger a rule, those in a risk area on their day).
    read_in_full = [_triggering(context.rules)] + [
        and_(
            district_in_area(_checkins.c.district, area.district),
            _checkins.c.day.between(*_risk_days(area, today, window_start)),
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
        union(select(*columns).where(_checkins.c.id.in_(_id_values(connection, full_ids))), latest)
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
            colours.Checkin(
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
        control[user_id].append(colours.ControlEntry(status=status, start=start, end=end))
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
        overrides[user_id].append(colours.Override(colour=colour, reason_category=category, start=start, end=end))
    empty = ()
    return {
        user_id: colours.Facts(
            checkins=tuple(checkins.get(user_id, empty)),
            control=tuple(control.get(user_id, empty)),
            overrides=tuple(overrides.get(user_id, empty)),
            checkin_days=days.get(user_id, empty),
        )
        for user_id in ids
    }


def _triggering(rules: colours.RuleSet):
    """SQL: a check-in that triggers a rule whatever the risk areas (or may: any symptom, any arrival)."""
    return or_(
        _checkins.c.temperature >= rules.fever_threshold_c,
        _checkins.c.contact_with_cases.is_(True),
        _checkins.c.arrival_from.is_not(None),
        cast(_checkins.c.symptoms, String) != "[]",
    )


class _Days(dict):
    """A person's check-in days (ISO dates, comma-separated, in any order) as a sorted tuple of dates, each
    distinct text worked out once per recolouring (many people check in on the same days); `json` holds
    each tuple's JSON text for the verdict's inputs, put together from the text."""

    def __init__(self):
        super().__init__()
        self.json: dict[tuple[date, ...], str] = {}

    def __call__(self, text: str) -> tuple[date, ...]:
        value = self.get(text)
        if value is None:
            days = sorted(set(text.split(",")))
            value = self[text] = tuple([date.fromisoformat(day) for day in days])
            self.json[value] = '["' + '","'.join(days) + '"]'
        return value
