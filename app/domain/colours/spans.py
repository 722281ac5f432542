"""Span builders: one per rule kind, registered by kind in KINDS. A span is a rule active from a day through
a day; the engine (engine.py) works out the colour of each day from the spans."""

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, NamedTuple

from app.domain.vocabulary import SEVERITY

if TYPE_CHECKING:
    from app.domain.colours.rules import Rule


class Span(NamedTuple):
    """A rule that was active from `start` through `end` (None = open-ended); `rank` is its colour's severity."""

    rule: "Rule"
    start: date
    end: date | None
    rank: int

    def covers(self, day: date) -> bool:
        """True if the span is active on `day`."""
        return self.start <= day and (self.end is None or day <= self.end)


def span(rule: "Rule", start: date, end: date | None) -> Span:
    return Span(rule, start, end, SEVERITY[rule.colour])


class Kind(NamedTuple):
    """A rule kind: its span builder `build(rule, inputs)` (inputs: the person's check-ins up to today, sorted
    by day, their control entries, fever-clinic visits and observations, and `shared`, what the engine worked
    out once for everyone), the params its rules must have (checked by the rules file's parser: "days",
    "levels", "statuses", "case_types"), and what a person needs for it to find anything ("control": control
    entries, "checkins", "declared": a check-in in facts.MAY_TRIGGER, "areas": risk areas, "fever_visits",
    "observations"), so the engine skips it for the others."""

    build: Callable[..., Iterable[Span]]
    params: tuple[str, ...] = ()
    needs: frozenset[str] = frozenset()


def _control_spans(rule, inputs) -> Iterable[Span]:
    """Active for the whole time a matching control entry runs."""
    statuses = rule.params["statuses"]
    return [span(rule, entry.start, entry.end) for entry in inputs.control if entry.status in statuses]


def _in_risk_area_spans(rule, inputs) -> Iterable[Span]:
    """Active today when the latest check-in's district is a risk area today."""
    today = inputs.shared.today
    if inputs.checkins and inputs.shared.in_risk_area(inputs.checkins[-1].district, today, rule):
        return (span(rule, today, today),)
    return ()


def _visited_risk_area_spans(rule, inputs) -> Iterable[Span]:
    """Active for `days` days from each visit to a district that was a risk area that day."""
    shared = inputs.shared
    if not shared.risk_areas:
        return ()
    length = timedelta(days=rule.params["days"] - 1)
    spans = []
    for checkin in inputs.checkins:
        for district, day in ((checkin.district, checkin.day), *((v.district, v.day) for v in checkin.visits)):
            if day <= shared.today and shared.in_risk_area(district, day, rule):
                spans.append(span(rule, day, day + length))
    return spans


def _arrival_spans(rule, inputs) -> Iterable[Span]:
    """Active for `days` days from an arrival from another province (first two code digits differ)."""
    length = timedelta(days=rule.params["days"] - 1)
    return [
        span(rule, checkin.arrival.day, checkin.arrival.day + length)
        for checkin in inputs.checkins
        if checkin.arrival and checkin.arrival.from_district[:2] != checkin.district[:2]
    ]


def _fever_spans(rule, inputs) -> Iterable[Span]:
    """Active on the day of a check-in at or above the fever threshold."""
    threshold = inputs.shared.rules.fever_threshold_c
    return [
        span(rule, checkin.day, checkin.day)
        for checkin in inputs.checkins
        if checkin.temperature is not None and checkin.temperature >= threshold
    ]


def _symptom_spans(rule, inputs) -> Iterable[Span]:
    """Active on the day of a check-in declaring a triggering symptom."""
    triggering = inputs.shared.triggering
    return [
        span(rule, checkin.day, checkin.day)
        for checkin in inputs.checkins
        if checkin.symptoms and triggering.intersection(checkin.symptoms)
    ]


def _declared_contact_spans(rule, inputs) -> Iterable[Span]:
    """Active for `days` days from a check-in declaring contact with cases."""
    length = timedelta(days=rule.params["days"] - 1)
    return [span(rule, checkin.day, checkin.day + length) for checkin in inputs.checkins if checkin.contact_with_cases]


def _fever_clinic_visit_spans(rule, inputs) -> Iterable[Span]:
    """Active for `days` days from each fever-clinic visit (the day of the visit is the first)."""
    length = timedelta(days=rule.params["days"] - 1)
    return [span(rule, visit.day, visit.day + length) for visit in inputs.fever_visits]


def _under_observation_spans(rule, inputs) -> Iterable[Span]:
    """Active from the first day through the last of each observation of one of the rule's case types
    (open-ended while it is open; one closed before it began counts for nothing)."""
    case_types = rule.params["case_types"]
    return [
        span(rule, o.start, o.end)
        for o in inputs.observations
        if o.case_type in case_types and (o.end is None or o.end >= o.start)
    ]


def _no_spans(rule, inputs) -> Iterable[Span]:
    """Overrides are handled apart from spans."""
    return ()


_CONTROL = frozenset({"control"})
_AREA = frozenset({"checkins", "areas"})
_DECLARED = frozenset({"checkins", "declared"})  # reads only what a check-in declares
KINDS = {
    "control_status": Kind(_control_spans, ("statuses",), _CONTROL),
    "in_risk_area": Kind(_in_risk_area_spans, ("levels",), _AREA),
    "visited_risk_area": Kind(_visited_risk_area_spans, ("levels", "days"), _AREA),
    "arrival_other_province": Kind(_arrival_spans, ("days",), _DECLARED),
    "fever": Kind(_fever_spans, (), _DECLARED),
    "symptoms": Kind(_symptom_spans, (), _DECLARED),
    "declared_contact": Kind(_declared_contact_spans, ("days",), _DECLARED),
    "fever_clinic_visit": Kind(_fever_clinic_visit_spans, ("days",), frozenset({"fever_visits"})),
    "under_observation": Kind(_under_observation_spans, ("case_types",), frozenset({"observations"})),
    "override": Kind(_no_spans),
}
RULE_KINDS = tuple(KINDS)
