"""Recolouring: load people's facts, evaluate, store the verdicts that changed, revoke changed codes.

`recolour` re-evaluates the people it is given, a chunk of CHUNK people per round of queries (Core
statements on the session's connection, executemany for the writes). `recolour_all` is the daily full
recompute: the prefilter (prefilter.py) picks the people whose colour could differ from the stored one and
only they are evaluated; everyone else is green with nothing that could change that, and is left alone.
"""

import gc
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import JSON, String, TypeDecorator, bindparam, func, insert, null, select, type_coerce, update

from app.domain import colours
from app.domain.vocabulary import SEVERITY
from app.extensions import db
from app.infra import clock, prepared
from app.models import IssuedCode, User, Verdict
from app.models.code import revoke_codes
from app.services.colours import prefilter, rule_sets
from app.services.colours.facts_query import FactsQuery, id_values

CHUNK = 2000  # people per round of queries
_users, _verdicts, _codes = User.__table__, Verdict.__table__, IssuedCode.__table__


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
    facts: FactsQuery
    reasons_json: "_ReasonsJSON"
    inputs_json: "_InputsJSON"
    same_reasons: "_SameReasons"
    mark_unchanged: bool  # set evaluated_on for people whose verdict stands


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
    return _recolour(prefilter.candidates(), trigger, actor_id, mark_unchanged=False)


def _recolour(user_ids, trigger: str, actor_id: int | None, mark_unchanged: bool) -> Recoloured:
    ids = sorted(set(user_ids))  # in id order each chunk reads and writes neighbouring pages
    if not ids:
        return Recoloured()
    db.session.flush()  # the caller's pending changes are facts too
    today = clock.local_today()
    window_start = rule_sets.facts_window_start(today)
    areas = rule_sets.active_risk_areas(today, window_start)
    rules = rule_sets.rule_set()
    context = _Round(
        today=today,
        now=clock.now_utc(),
        window_start=window_start,
        rules=rules,
        areas=areas,
        trigger=trigger,
        actor_id=actor_id,
        facts=FactsQuery(today, window_start, rules, areas),
        reasons_json=_ReasonsJSON(),
        inputs_json=_InputsJSON([a.district + ":" + a.level for a in areas]),
        same_reasons=_SameReasons(),
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
    """Pause Python's cycle collector while recolouring: it makes many short-lived objects (dozens per
    check-in in the facts window, freed by reference counting, no cycles), and the collector would
    otherwise scan them over and over, most for people with a month of daily check-ins."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _recolour_chunk(connection, ids: list[int], context: _Round) -> Recoloured:
    people = connection.execute(
        select(_users.c.id, _users.c.colour, _users.c.verdict_id, _users.c.evaluated_on).where(
            _users.c.id.in_(id_values(connection, ids))
        )
    ).all()
    facts = context.facts(connection, [p.id for p in people])
    verdicts = colours.evaluate_many([facts[p.id] for p in people], context.rules, context.areas, context.today)
    # Stored reasons matter only where the colour stays (after a change touching many, few of them).
    kept = [p.verdict_id for p, verdict in zip(people, verdicts) if p.verdict_id and p.colour == verdict.colour]
    stored = (
        dict(
            connection.execute(
                select(_verdicts.c.id, type_coerce(_verdicts.c.reasons, String)).where(
                    _verdicts.c.id.in_(id_values(connection, kept))
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
            reasons = reasons_of[id(verdict)] = reasons_json.of(verdict.reasons)
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
            update(_users).where(_users.c.id.in_(id_values(connection, stale))).values(evaluated_on=context.today)
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
            connection, [_codes.c.user_id.in_(id_values(connection, recoloured))], "colour_changed", context.now
        )
    # A first colour, or none any more (no check-in left in the window), is neither better nor worse.
    moves = [
        (SEVERITY[old_colours[row["user_id"]]], SEVERITY[row["colour"]])
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


class _ReasonsJSON(dict):
    """Each distinct reason's JSON, worked out once per recolouring (many people share a reason); `of` puts a
    verdict's list together from them, exactly `colours.to_json([r.to_dict() for r in reasons])`."""

    def of(self, reasons) -> str:
        return "[" + ",".join([self(reason) for reason in reasons]) + "]"

    def __call__(self, reason: colours.Reason) -> str:
        key = (reason.rule_id, reason.colour, reason.active_until, *reason.text.items(), *reason.guidance.items())
        text = self.get(key)
        if text is None:
            text = self[key] = colours.to_json(reason.to_dict())
        return text


class _InputsJSON(dict):
    """A verdict's inputs as stored (`colours.to_json(colours.inputs_to_dict(facts, labels))`), once per
    distinct facts per recolouring (people with equal facts share a verdict, and its inputs)."""

    def __init__(self, area_labels: list[str]):
        super().__init__()
        self.labels = area_labels

    def __call__(self, facts: colours.Facts) -> str:
        text = self.get(facts)
        if text is None:
            text = self[facts] = colours.to_json(colours.inputs_to_dict(facts, self.labels))
        return text
