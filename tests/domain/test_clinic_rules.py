"""The clinics' rule kinds (fever_clinic_visit, under_observation) beyond their vectors: the green date they
give matches replaying healthy days, their facts' stored form, and the rule-set parser's checks."""

import copy
import json
import random
from datetime import date, timedelta

import pytest

from app.domain.colours import (
    CheckinFact,
    Facts,
    FeverVisitFact,
    ObservationFact,
    default_rule_set,
    evaluate,
    evaluate_many,
    facts_from_dict,
    facts_to_dict,
    parse_rule_set,
)
from tests.domain.test_colours import RULES_JSON, TODAY


def _day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def random_clinic_case(rng) -> Facts:
    """Random check-ins with fever-clinic visits and observations (open or closed) around TODAY."""
    checkins = tuple(
        CheckinFact(_day(offset), "460108", rng.choice([36.4, 36.6, 36.8, 38.2]))
        for offset in sorted(rng.sample(range(-25, 1), rng.randint(0, 20)))
    )
    visits = tuple(
        sorted((FeverVisitFact(_day(rng.randint(-25, 0)), 38.0) for _ in range(rng.randint(0, 2))), key=lambda v: v.day)
    )
    observations = []
    for _ in range(rng.randint(0, 2)):
        start = _day(rng.randint(-25, 0))
        end = None if rng.random() < 0.3 else start + timedelta(days=rng.randint(-1, 12))
        observations.append(ObservationFact(rng.choice(["fever_screening", "close_contact", "suspected"]), start, end))
    return Facts(checkins, fever_visits=visits, observations=tuple(observations))


def first_green_by_replay(facts: Facts, horizon: int = 60) -> date | None:
    """Oracle: add a healthy check-in every day from TODAY and re-evaluate until green."""
    checkins = list(facts.checkins)
    for offset in range(horizon):
        on = _day(offset)
        if all(c.day != on for c in checkins):
            checkins.append(CheckinFact(on, "460108", 36.5))
        future = Facts(tuple(checkins), fever_visits=facts.fever_visits, observations=facts.observations)
        if evaluate(future, default_rule_set(), [], on).colour == "green":
            return on
    return None


def test_may_turn_green_on_after_visits_and_observations_matches_replaying_healthy_checkins():
    rng = random.Random(20261204)
    clinic_held = 0
    for _ in range(300):
        facts = random_clinic_case(rng)
        verdict = evaluate(facts, default_rule_set(), [], TODAY)
        if verdict.colour in ("yellow", "red"):
            if any(r.rule_id.startswith(("clinic.", "observation.")) for r in verdict.reasons):
                clinic_held += 1
            assert verdict.may_turn_green_on == first_green_by_replay(facts), facts
    assert clinic_held > 50  # the clinics' rules were really exercised


def test_clinic_facts_round_trip_and_stay_out_of_snapshots_without_them():
    facts = Facts(
        (CheckinFact(TODAY, "460108", 36.5),),
        fever_visits=(FeverVisitFact(_day(-2), 38.5),),
        observations=(
            ObservationFact("suspected", _day(-1), None),
            ObservationFact("fever_screening", _day(-9), _day(-5)),
        ),
    )
    snapshot = json.loads(json.dumps(facts_to_dict(facts)))
    assert snapshot["fever_visits"] == [{"day": "2026-11-18", "temperature": 38.5}]
    assert snapshot["observations"][0] == {"case_type": "suspected", "start": "2026-11-19", "end": None}
    assert facts_from_dict(snapshot) == facts
    plain = facts_to_dict(Facts((CheckinFact(TODAY, "460108", 36.5),)))
    assert set(plain) == {"checkins", "checkin_days", "control", "overrides"}  # stored inputs as before


def test_an_unknown_case_type_is_refused():
    with pytest.raises(ValueError):
        ObservationFact("cured", TODAY)


def _rules_with(rule_id: str, **changes):
    mapping = copy.deepcopy(RULES_JSON)
    for rule in mapping["rules"]:
        if rule["id"] == rule_id:
            rule.update(changes)
    return mapping


@pytest.mark.parametrize(
    ("rule_id", "changes"),
    [
        ("clinic.fever_visit", {"params": {}}),
        ("clinic.fever_visit", {"params": {"days": 0}}),
        ("clinic.fever_visit", {"params": {"days": "7"}}),
        ("observation.fever", {"params": {}}),
        ("observation.fever", {"params": {"case_types": []}}),
        ("observation.fever", {"params": {"case_types": ["secondary_contact"]}}),
        ("observation.case", {"params": {"case_types": "suspected"}}),
        ("clinic.fever_visit", {"text": {"zh": "{weeks}周内", "en": "in {weeks} weeks"}}),
    ],
)
def test_the_parser_refuses_malformed_clinic_rules(rule_id, changes):
    with pytest.raises(ValueError):
        parse_rule_set(_rules_with(rule_id, **changes))


def test_people_differing_only_in_clinic_facts_get_their_own_verdicts():
    checkins = (CheckinFact(TODAY, "460108", 36.5),)
    people = [
        Facts(checkins),
        Facts(checkins, fever_visits=(FeverVisitFact(TODAY, 38.5),)),
        Facts(checkins, observations=(ObservationFact("confirmed", TODAY),)),
        Facts(checkins),
    ]
    colours = [v.colour for v in evaluate_many(people, default_rule_set(), [], TODAY)]
    assert colours == ["green", "yellow", "red", "green"]


def test_switching_the_visit_rule_off_keeps_people_without_check_ins_without_a_code():
    rules = parse_rule_set(_rules_with("clinic.fever_visit", enabled=False))
    facts = Facts((), fever_visits=(FeverVisitFact(TODAY, 38.5),))
    assert evaluate(facts, rules, [], TODAY).colour is None
    assert evaluate(facts, default_rule_set(), [], TODAY).colour == "yellow"
