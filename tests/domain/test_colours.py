"""The colour rule engine against its shipped test vectors, plus parsing and snapshot round-trips."""

import copy
import json
import random
from datetime import date, timedelta

import pytest

from app.domain import colours
from app.domain.colours import (
    Arrival,
    CheckinFact,
    ColourVerdict,
    ControlFact,
    Facts,
    OverrideFact,
    RiskAreaFact,
    VisitFact,
    default_rule_set,
    evaluate,
    facts_from_dict,
    facts_to_dict,
    load_rule_set,
    parse_rule_set,
    symptom_labels,
)

RULES_DIR = colours.DEFAULT_RULES.parent
RULES_JSON = json.loads((RULES_DIR / "default.json").read_text(encoding="utf-8"))
VECTORS = json.loads((RULES_DIR / "default.vectors.json").read_text(encoding="utf-8"))
TODAY = date(2026, 11, 20)


def rules_with(patch: dict | None):
    """The default rule set with per-rule field changes, e.g. {"arrival.other_province": {"enabled": False}}."""
    if not patch:
        return default_rule_set()
    mapping = copy.deepcopy(RULES_JSON)
    for rule in mapping["rules"]:
        rule.update(patch.get(rule["id"], {}))
    return parse_rule_set(mapping)


def risk_area(mapping: dict) -> RiskAreaFact:
    """A risk area from a vector."""
    end = mapping.get("end")
    start = date.fromisoformat(mapping["start"])
    return RiskAreaFact(mapping["district"], mapping["level"], start, end and date.fromisoformat(end))


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector(vector):
    verdict = evaluate(
        facts_from_dict(vector["facts"]),
        rules_with(vector.get("rules_patch")),
        [risk_area(a) for a in vector["risk_areas"]],
        date.fromisoformat(vector["today"]),
    )
    expect = vector["expect"]
    assert verdict.colour == expect["colour"]
    assert sorted(r.rule_id for r in verdict.reasons) == sorted(expect["rule_ids"])
    if "reasons_in_order" in expect:
        assert [r.rule_id for r in verdict.reasons] == expect["reasons_in_order"]
    if "may_turn_green_on" in expect:
        assert verdict.to_dict()["may_turn_green_on"] == expect["may_turn_green_on"]
    for key in ("healthy_streak", "needed_streak"):
        if key in expect:
            assert getattr(verdict, key) == expect[key], key
    assert verdict.rule_set_version == "2026.11-3"


def test_vector_names_are_unique():
    names = [v["name"] for v in VECTORS]
    assert len(names) == len(set(names)) >= 25


def test_vectors_cover_every_rule():
    expected = {rule_id for v in VECTORS for rule_id in v["expect"]["rule_ids"]}
    assert {rule["id"] for rule in RULES_JSON["rules"]} | {"recovery.pending"} <= expected


def test_default_rule_set_is_cached_and_parsed():
    rules = default_rule_set()
    assert rules is default_rule_set()
    assert rules.version == "2026.11-3"
    assert rules.fever_threshold_c == 37.3
    assert rules.recovery_checkins == {"yellow": 7, "red": 14}
    assert len(rules.symptoms) == 19
    assert load_rule_set(RULES_DIR / "default.json") == rules


def test_symptom_labels():
    rules = default_rule_set()
    assert symptom_labels(rules, "zh")[0] == ("fever", "发热")
    assert symptom_labels(rules, "en")[-1] == ("diarrhoea", "Diarrhoea")
    assert symptom_labels(rules, "zh_Hans_CN") == symptom_labels(rules, "zh")
    assert symptom_labels(rules, "fr") == symptom_labels(rules, "zh")
    triggering = {s.code for s in rules.symptoms if s.triggers}
    assert triggering == {
        "fever",
        "chills",
        "dry_cough",
        "sputum",
        "nasal_congestion",
        "runny_nose",
        "sore_throat",
        "shortness_of_breath",
        "difficulty_breathing",
        "chest_tightness",
    }


def broken(change) -> dict:
    """A copy of the default rule set mapping with `change` applied to it."""
    mapping = copy.deepcopy(RULES_JSON)
    change(mapping)
    return mapping


def rule(mapping: dict, rule_id: str) -> dict:
    """The rule entry with that id."""
    return next(r for r in mapping["rules"] if r["id"] == rule_id)


@pytest.mark.parametrize(
    "change",
    [
        lambda m: rule(m, "health.fever").update(kind="telepathy"),
        lambda m: rule(m, "health.fever").update(colour="purple"),
        lambda m: rule(m, "health.fever").update(colour="green"),
        lambda m: rule(m, "override").update(colour="red"),
        lambda m: rule(m, "area.visited")["params"].pop("days"),
        lambda m: rule(m, "area.visited")["params"].update(days=0),
        lambda m: rule(m, "area.visited")["params"].update(levels=["low"]),
        lambda m: rule(m, "control.confirmed")["params"].update(statuses=["cured"]),
        lambda m: rule(m, "health.fever")["text"].pop("en"),
        lambda m: rule(m, "health.fever")["text"].update(zh="{unknown}"),
        lambda m: rule(m, "health.fever").update(enabled="yes"),
        lambda m: m["rules"].append(copy.deepcopy(m["rules"][0])),
        lambda m: m["symptoms"].append(copy.deepcopy(m["symptoms"][0])),
        lambda m: m["symptoms"][0].update(triggers="yes"),
        lambda m: m.update(version=""),
        lambda m: m.update(fever_threshold_c="37.3"),
        lambda m: m["recovery_checkins"].pop("red"),
        lambda m: m["recovery_checkins"].update(yellow=-1),
    ],
)
def test_parse_rejects_malformed_rule_sets(change):
    with pytest.raises(ValueError):
        parse_rule_set(broken(change))


def test_reason_texts_are_filled_from_params():
    facts = Facts((CheckinFact(TODAY, "460108", 37.5, contact_with_cases=True),))
    verdict = evaluate(facts, default_rule_set(), [], TODAY)
    texts = {r.rule_id: r for r in verdict.reasons}
    assert texts["health.fever"].text["zh"] == "打卡体温达到37.3℃或以上"
    assert "14 days" in texts["contact.declared"].guidance["en"]
    assert texts["contact.declared"].active_until == date(2026, 12, 3)
    assert texts["health.fever"].active_until == TODAY


def test_recovery_reason_counts_the_days_left():
    checkins = (CheckinFact(date(2026, 11, d), "460108", 38.0 if d == 15 else 36.5) for d in range(15, 21))
    facts = Facts(tuple(checkins))
    verdict = evaluate(facts, default_rule_set(), [], TODAY)
    (reason,) = verdict.reasons
    assert reason.rule_id == "recovery.pending"
    assert reason.text == {"zh": "还需连续健康打卡 2 天", "en": "Consecutive healthy daily check-ins still needed: 2"}
    assert reason.active_until == verdict.may_turn_green_on == date(2026, 11, 22)
    assert (verdict.healthy_streak, verdict.needed_streak) == (5, 7)


def test_override_reason_takes_the_override_colour():
    override = OverrideFact("green", "data_correction", TODAY, TODAY)
    facts = Facts((CheckinFact(TODAY, "460108", 39.0),), overrides=(override,))
    (reason,) = evaluate(facts, default_rule_set(), [], TODAY).reasons
    assert (reason.rule_id, reason.colour, reason.active_until) == ("override", "green", TODAY)


def test_disabled_override_rule_ignores_overrides():
    rules = rules_with({"override": {"enabled": False}})
    facts = Facts((), overrides=(OverrideFact("red", "data_correction", TODAY),))
    assert evaluate(facts, rules, [], TODAY).colour is None


def test_invalid_fact_values_are_rejected():
    with pytest.raises(ValueError):
        ControlFact("cured", TODAY)
    with pytest.raises(ValueError):
        OverrideFact("blue", "x", TODAY)
    with pytest.raises(ValueError):
        RiskAreaFact("460108", "low", TODAY)


def sample_facts() -> Facts:
    """Facts using every field."""
    return Facts(
        checkins=(
            CheckinFact(
                day=date(2026, 11, 19),
                district="460108",
                temperature=37.6,
                symptoms=("dry_cough", "fatigue"),
                visits=(VisitFact("420106", date(2026, 11, 17)),),
                contact_with_cases=True,
                arrival=Arrival("110105", date(2026, 11, 18), "flight"),
            ),
            CheckinFact(day=TODAY, district="460108"),
        ),
        control=(ControlFact("close_contact", date(2026, 11, 18), None),),
        overrides=(OverrideFact("yellow", "appeal_review", date(2026, 11, 19), date(2026, 11, 19)),),
        checkin_days=(date(2026, 11, 17), date(2026, 11, 19), TODAY),
    )


def test_facts_snapshot_round_trips_through_json():
    facts = sample_facts()
    snapshot = json.loads(json.dumps(facts_to_dict(facts)))
    arrival = {"from_district": "110105", "day": "2026-11-18", "transport": "flight"}
    assert snapshot["checkins"][0]["arrival"] == arrival
    assert snapshot["control"][0]["end"] is None
    assert snapshot["checkin_days"] == ["2026-11-17", "2026-11-19", "2026-11-20"]
    assert facts_from_dict(snapshot) == facts


def test_verdict_round_trips_through_json():
    areas = [RiskAreaFact("420106", "high", date(2026, 11, 1))]
    verdict = evaluate(sample_facts(), default_rule_set(), areas, TODAY)
    assert verdict.colour == "red"
    stored = json.loads(json.dumps(verdict.to_dict(), ensure_ascii=False))
    assert stored["reasons"][0]["rule_id"] == "control.close_contact"
    assert stored["reasons"][0]["active_until"] is None
    assert ColourVerdict.from_dict(stored) == verdict


def test_evaluation_is_pure():
    facts, areas = sample_facts(), (RiskAreaFact("420106", "high", date(2026, 11, 1)),)
    first = evaluate(facts, default_rule_set(), areas, TODAY)
    assert evaluate(facts, default_rule_set(), areas, TODAY) == first
    assert facts == sample_facts()


def random_case(rng) -> tuple[Facts, list[RiskAreaFact]]:
    """Random facts around TODAY; risk areas only ever cover visited districts, never check-in districts."""

    def day(low, high):
        return date.fromordinal(TODAY.toordinal() + rng.randint(low, high))

    checkins = []
    for offset in sorted(rng.sample(range(-25, 1), rng.randint(0, 20))):
        on = date.fromordinal(TODAY.toordinal() + offset)
        checkins.append(
            CheckinFact(
                day=on,
                district="460108",
                temperature=rng.choice([36.4, 36.8, 37.2, 37.3, 38.5]),
                symptoms=tuple(rng.sample(["dry_cough", "headache", "diarrhoea"], rng.randint(0, 1))),
                visits=(VisitFact("420106", on - timedelta(days=rng.randint(0, 5))),) if rng.random() < 0.15 else (),
                contact_with_cases=rng.random() < 0.05,
                arrival=Arrival(rng.choice(["110105", "460202"]), on, "train") if rng.random() < 0.1 else None,
            )
        )
    control = []
    for _ in range(rng.randint(0, 2)):
        start = day(-30, 5)
        end = None if rng.random() < 0.3 else date.fromordinal(start.toordinal() + rng.randint(0, 20))
        control.append(ControlFact(rng.choice(colours.CONTROL_STATUSES), start, end))
    overrides = []
    for _ in range(rng.randint(0, 2) if rng.random() < 0.3 else 0):
        start = day(-20, 3)
        end = None if rng.random() < 0.2 else date.fromordinal(start.toordinal() + rng.randint(0, 5))
        overrides.append(OverrideFact(rng.choice(colours.COLOURS), "data_correction", start, end))
    areas = [RiskAreaFact("420106", rng.choice(["high", "medium"]), day(-40, 0), rng.choice([None, day(-10, 10)]))]
    return Facts(tuple(checkins), tuple(control), tuple(overrides)), areas


def first_green_by_replay(facts: Facts, areas, horizon: int = 45) -> date | None:
    """Oracle: add a healthy check-in every day from TODAY and re-evaluate until green (cases end by day 39)."""
    checkins = list(facts.checkins)
    for offset in range(horizon):
        on = date.fromordinal(TODAY.toordinal() + offset)
        if all(c.day != on for c in checkins):
            checkins.append(CheckinFact(on, "460108", 36.5))
        future = Facts(tuple(checkins), facts.control, facts.overrides)
        if evaluate(future, default_rule_set(), areas, on).colour == "green":
            return on
    return None


def test_may_turn_green_on_matches_replaying_healthy_checkins():
    rng = random.Random(20261120)
    non_green = 0
    for _ in range(250):
        facts, areas = random_case(rng)
        verdict = evaluate(facts, default_rule_set(), areas, TODAY)
        if verdict.colour in ("yellow", "red"):
            non_green += 1
            assert verdict.may_turn_green_on == first_green_by_replay(facts, areas), facts
    assert non_green > 80


def test_risk_areas_on_covers_counties_of_a_city_or_province_area():
    from datetime import date as _date

    from app.domain.colours import RiskAreaFact, risk_areas_on

    city = RiskAreaFact(district="460100", level="medium", start=_date(2026, 11, 1), end=None)
    county = RiskAreaFact(district="110105", level="high", start=_date(2026, 11, 1), end=_date(2026, 11, 5))
    assert risk_areas_on("460105", _date(2026, 11, 20), [city, county]) == [city]
    assert risk_areas_on("110105", _date(2026, 11, 20), [city, county]) == []
    assert risk_areas_on("110105", _date(2026, 11, 3), [city, county]) == [county]


def by_day_where_enough(facts: Facts, areas) -> Facts:
    """The same facts with every check-in that only its day can make count given by its day alone, as
    `Facts.checkin_days` allows: no fever, symptom, visit, contact or arrival, not in a risk area that
    day, and not the latest."""
    checkins = sorted(facts.checkins, key=lambda c: c.day)
    threshold = default_rule_set().fever_threshold_c
    full = [
        c
        for index, c in enumerate(checkins)
        if index == len(checkins) - 1
        or (c.temperature is not None and c.temperature >= threshold)
        or c.symptoms
        or c.visits
        or c.contact_with_cases
        or c.arrival
        or colours.risk_areas_on(c.district, c.day, areas)
    ]
    return Facts(tuple(full), facts.control, facts.overrides, tuple(c.day for c in checkins))


def test_check_ins_given_by_their_day_alone_give_the_same_verdict():
    rng = random.Random(20261122)
    reduced = 0
    for _ in range(400):
        facts, areas = random_case(rng)
        if rng.random() < 0.5:  # sometimes the check-ins' own county is a risk area too, for a while
            start = date.fromordinal(TODAY.toordinal() - rng.randint(0, 20))
            areas.append(
                RiskAreaFact(
                    "460108",
                    rng.choice(["high", "medium"]),
                    start,
                    rng.choice([None, start + timedelta(days=rng.randint(0, 5))]),
                )
            )
        lean = by_day_where_enough(facts, areas)
        reduced += len(facts.checkins) - len(lean.checkins)
        assert evaluate(lean, default_rule_set(), areas, TODAY) == evaluate(facts, default_rule_set(), areas, TODAY)
    assert reduced > 500


def test_the_latest_check_in_cannot_be_given_by_its_day_alone():
    earlier = CheckinFact(TODAY - timedelta(days=2), "460108", 36.5)
    with pytest.raises(ValueError):
        evaluate(Facts((earlier,), checkin_days=(TODAY,)), default_rule_set(), [], TODAY)
    with pytest.raises(ValueError):
        evaluate(Facts((), checkin_days=(TODAY,)), default_rule_set(), [], TODAY)
    # Also for the second person with those days, whose days were worked out for the first.
    latest = CheckinFact(TODAY, "460108", 36.5)
    with pytest.raises(ValueError):
        colours.evaluate_many(
            [Facts((latest,), checkin_days=(earlier.day, TODAY)), Facts((earlier,), checkin_days=(earlier.day, TODAY))],
            default_rule_set(),
            [],
            TODAY,
        )
    # Days after today are not counted yet, like check-ins dated after today.
    verdict = evaluate(Facts((earlier,), checkin_days=(TODAY + timedelta(days=1),)), default_rule_set(), [], TODAY)
    assert verdict.colour == "green"


def test_evaluating_many_at_once_gives_each_person_their_own_verdict():
    """evaluate_many shares work between people (and one verdict between people with equal facts): the
    verdicts must be exactly those of evaluating each person alone, in the people's order."""
    rng = random.Random(20261123)
    areas = [RiskAreaFact("420106", "high", TODAY - timedelta(days=6)), RiskAreaFact("460108", "medium", TODAY)]
    people = [random_case(rng)[0] for _ in range(150)]
    people += [Facts(p.checkins, p.control, p.overrides) for p in people[:50]]  # equal facts, other objects
    rng.shuffle(people)
    alone = [evaluate(facts, default_rule_set(), areas, TODAY) for facts in people]
    assert colours.evaluate_many(people, default_rule_set(), areas, TODAY) == alone
    assert {v.colour for v in alone} == {"green", "yellow", "red", None}
