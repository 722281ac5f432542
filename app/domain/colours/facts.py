"""What the rule engine reads and gives: a person's facts and a verdict, frozen, with their stored (dict and
JSON) forms; and what in a check-in may trigger a rule."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import NamedTuple

from app.domain.vocabulary import COLOURS, CONTROL_STATUSES, OBSERVATION_CASE_TYPES, RISK_LEVELS

# --- facts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitFact:
    """A place the person says they went to on a day."""

    district: str
    day: date


@dataclass(frozen=True)
class Arrival:
    """Where the person came from and when, as declared at a check-in."""

    from_district: str
    day: date
    transport: str


@dataclass(frozen=True)
class CheckinFact:
    """One daily health declaration (每日打卡)."""

    day: date
    district: str
    temperature: float | None = None
    symptoms: tuple[str, ...] = ()
    visits: tuple[VisitFact, ...] = ()
    contact_with_cases: bool = False
    arrival: Arrival | None = None


@dataclass(frozen=True)
class ControlFact:
    """A control-list entry for the person; `end` None means still under control."""

    status: str
    start: date
    end: date | None = None

    def __post_init__(self):
        if self.status not in CONTROL_STATUSES:
            raise ValueError(f"unknown control status {self.status!r}")


@dataclass(frozen=True)
class RiskAreaFact:
    """A district declared a medium- or high-risk area from `start` to `end` (None = still)."""

    district: str
    level: str
    start: date
    end: date | None = None

    def __post_init__(self):
        if self.level not in RISK_LEVELS:
            raise ValueError(f"unknown risk level {self.level!r}")


@dataclass(frozen=True)
class OverrideFact:
    """A manual colour set by the authority; wins over computed colours while active."""

    colour: str
    reason_category: str
    start: date
    end: date | None = None

    def __post_init__(self):
        if self.colour not in COLOURS:
            raise ValueError(f"unknown colour {self.colour!r}")


@dataclass(frozen=True)
class FeverVisitFact:
    """A visit to a fever clinic (发热门诊就诊) registered by its staff: the day, and the temperature measured."""

    day: date
    temperature: float | None = None


@dataclass(frozen=True)
class ObservationFact:
    """A medical observation (医学观察) a clinic keeps the person under: why, its first day and its last day
    (None = still open; an observation closed on a day ended the day before)."""

    case_type: str
    start: date
    end: date | None = None

    def __post_init__(self):
        if self.case_type not in OBSERVATION_CASE_TYPES:
            raise ValueError(f"unknown observation case type {self.case_type!r}")


@dataclass(frozen=True)
class Facts:
    """Everything the engine looks at for one person.

    `checkin_days`: days with a check-in. A check-in that nothing but its day could make count (no
    fever, symptom, visit, contact or arrival, not in a risk area that day, and not the latest) may be
    given by its day alone, here, instead of in `checkins`: only the check-in streak reads it. The days of
    the check-ins in `checkins` may be here too. The latest check-in is always in `checkins`.

    `fever_visits` and `observations`: what clinics registered (read only by the rule kinds that need them)."""

    checkins: tuple[CheckinFact, ...]
    control: tuple[ControlFact, ...] = ()
    overrides: tuple[OverrideFact, ...] = ()
    checkin_days: tuple[date, ...] = ()
    fever_visits: tuple[FeverVisitFact, ...] = ()
    observations: tuple[ObservationFact, ...] = ()


# --- what in a check-in may trigger a rule ---------------------------------------------------


class TriggerTerm(NamedTuple):
    """One thing a check-in may declare that triggers a rule whatever the risk areas: the check-in's
    attribute (`CheckinFact`), its column in the checkins table, and the test ("at_least_threshold": at or
    above the fever threshold; "true"; "present": not None; "non_empty": a non-empty list)."""

    attribute: str
    column: str
    test: str


# Any of these (or) makes a check-in one that may trigger a rule: a fever, a declared contact or arrival,
# any symptom (whether it triggers is the rule set's to say). The engine's check (`may_trigger`), the full
# recompute's SQL and the partial index of such check-ins (app/models/checkin.py) are all made from it.
MAY_TRIGGER = (
    TriggerTerm("temperature", "temperature", "at_least_threshold"),
    TriggerTerm("contact_with_cases", "contact_with_cases", "true"),
    TriggerTerm("arrival", "arrival_from", "present"),
    TriggerTerm("symptoms", "symptoms", "non_empty"),
)
_TESTS = {
    "at_least_threshold": lambda value, threshold: value is not None and value >= threshold,
    "true": lambda value, threshold: bool(value),
    "present": lambda value, threshold: value is not None,
    "non_empty": lambda value, threshold: bool(value),
}
_MAY_TRIGGER_TESTS = tuple((term.attribute, _TESTS[term.test]) for term in MAY_TRIGGER)


def may_trigger(checkin: CheckinFact, fever_threshold_c: float) -> bool:
    """True if the check-in declares anything in MAY_TRIGGER."""
    return any(test(getattr(checkin, attribute), fever_threshold_c) for attribute, test in _MAY_TRIGGER_TESTS)


# --- verdict ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why a colour applies, with what to do about it, in every language."""

    rule_id: str
    colour: str
    text: dict[str, str]
    guidance: dict[str, str]
    active_until: date | None

    def to_dict(self) -> dict:
        """JSON-safe form for storage."""
        return {
            "rule_id": self.rule_id,
            "colour": self.colour,
            "text": dict(self.text),
            "guidance": dict(self.guidance),
            "active_until": _iso(self.active_until),
        }

    @classmethod
    def from_dict(cls, mapping: Mapping) -> "Reason":
        """Inverse of to_dict."""
        return cls(
            rule_id=mapping["rule_id"],
            colour=mapping["colour"],
            text=dict(mapping["text"]),
            guidance=dict(mapping["guidance"]),
            active_until=_date_or_none(mapping["active_until"]),
        )


@dataclass(frozen=True)
class ColourVerdict:
    """The colour for today (None = nothing declared yet, so no code) and its reasons, worst first."""

    colour: str | None
    reasons: tuple[Reason, ...]
    may_turn_green_on: date | None
    rule_set_version: str
    healthy_streak: int
    needed_streak: int

    def to_dict(self) -> dict:
        """JSON-safe form for storage."""
        return {
            "colour": self.colour,
            "reasons": [reason.to_dict() for reason in self.reasons],
            "may_turn_green_on": _iso(self.may_turn_green_on),
            "rule_set_version": self.rule_set_version,
            "healthy_streak": self.healthy_streak,
            "needed_streak": self.needed_streak,
        }

    @classmethod
    def from_dict(cls, mapping: Mapping) -> "ColourVerdict":
        """Inverse of to_dict."""
        return cls(
            colour=mapping["colour"],
            reasons=tuple(Reason.from_dict(reason) for reason in mapping["reasons"]),
            may_turn_green_on=_date_or_none(mapping["may_turn_green_on"]),
            rule_set_version=mapping["rule_set_version"],
            healthy_streak=mapping["healthy_streak"],
            needed_streak=mapping["needed_streak"],
        )


# --- storage snapshots -----------------------------------------------------------------------

# Verdicts' JSON as stored: compact, keys in the order of the dict forms, and Chinese as itself (far
# shorter than \u escapes). Every stored reasons and inputs text is made by this one function.
to_json = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


def inputs_to_dict(facts: Facts, risk_area_labels: list[str]) -> dict:
    """A verdict's stored inputs: the facts it was computed from and the risk areas then ('district:level')."""
    return {"facts": facts_to_dict(facts), "risk_areas": list(risk_area_labels)}


def facts_to_dict(facts: Facts) -> dict:
    """JSON-safe snapshot of the inputs a verdict was computed from. Clinic facts appear only when there are
    some (most people have none, and their stored inputs stay as they were)."""
    snapshot = {
        "checkins": [checkin_to_dict(c) for c in facts.checkins],
        "checkin_days": [day.isoformat() for day in facts.checkin_days],
        "control": [control_to_dict(e) for e in facts.control],
        "overrides": [override_to_dict(o) for o in facts.overrides],
    }
    if facts.fever_visits:
        snapshot["fever_visits"] = [fever_visit_to_dict(v) for v in facts.fever_visits]
    if facts.observations:
        snapshot["observations"] = [observation_to_dict(o) for o in facts.observations]
    return snapshot


def checkin_to_dict(c: CheckinFact) -> dict:
    """One check-in's part of `facts_to_dict`."""
    return {
        "day": c.day.isoformat(),
        "district": c.district,
        "temperature": c.temperature,
        "symptoms": list(c.symptoms),
        "visits": [{"district": v.district, "day": v.day.isoformat()} for v in c.visits],
        "contact_with_cases": c.contact_with_cases,
        "arrival": None
        if c.arrival is None
        else {
            "from_district": c.arrival.from_district,
            "day": c.arrival.day.isoformat(),
            "transport": c.arrival.transport,
        },
    }


def control_to_dict(e: ControlFact) -> dict:
    """One control entry's part of `facts_to_dict`."""
    return {"status": e.status, "start": e.start.isoformat(), "end": _iso(e.end)}


def override_to_dict(o: OverrideFact) -> dict:
    """One override's part of `facts_to_dict`."""
    return {"colour": o.colour, "reason_category": o.reason_category, "start": o.start.isoformat(), "end": _iso(o.end)}


def fever_visit_to_dict(v: FeverVisitFact) -> dict:
    """One fever-clinic visit's part of `facts_to_dict`."""
    return {"day": v.day.isoformat(), "temperature": v.temperature}


def observation_to_dict(o: ObservationFact) -> dict:
    """One observation's part of `facts_to_dict`."""
    return {"case_type": o.case_type, "start": o.start.isoformat(), "end": _iso(o.end)}


def facts_from_dict(mapping: Mapping) -> Facts:
    """Inverse of facts_to_dict; optional check-in fields may be left out."""
    return Facts(
        checkins=tuple(_checkin_from_dict(c) for c in mapping.get("checkins", ())),
        control=tuple(
            ControlFact(e["status"], date.fromisoformat(e["start"]), _date_or_none(e.get("end")))
            for e in mapping.get("control", ())
        ),
        overrides=tuple(
            OverrideFact(o["colour"], o["reason_category"], date.fromisoformat(o["start"]), _date_or_none(o.get("end")))
            for o in mapping.get("overrides", ())
        ),
        checkin_days=tuple(date.fromisoformat(day) for day in mapping.get("checkin_days", ())),
        fever_visits=tuple(
            FeverVisitFact(date.fromisoformat(v["day"]), v.get("temperature")) for v in mapping.get("fever_visits", ())
        ),
        observations=tuple(
            ObservationFact(o["case_type"], date.fromisoformat(o["start"]), _date_or_none(o.get("end")))
            for o in mapping.get("observations", ())
        ),
    )


def _checkin_from_dict(c: Mapping) -> CheckinFact:
    """One check-in from its snapshot form."""
    arrival = c.get("arrival")
    return CheckinFact(
        day=date.fromisoformat(c["day"]),
        district=c["district"],
        temperature=c.get("temperature"),
        symptoms=tuple(c.get("symptoms", ())),
        visits=tuple(VisitFact(v["district"], date.fromisoformat(v["day"])) for v in c.get("visits", ())),
        contact_with_cases=c.get("contact_with_cases", False),
        arrival=None
        if arrival is None
        else Arrival(arrival["from_district"], date.fromisoformat(arrival["day"]), arrival["transport"]),
    )


def _iso(day: date | None) -> str | None:
    """ISO date or None."""
    return None if day is None else day.isoformat()


def _date_or_none(text: str | None) -> date | None:
    """Parse an ISO date, keeping None."""
    return None if text is None else date.fromisoformat(text)
