"""The colour rule engine: a person's facts, a versioned rule set and the risk areas in, a verdict out."""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import NamedTuple

from app.domain import districts

COLOURS = ("green", "yellow", "red")
CONTROL_STATUSES = ("confirmed", "suspected", "asymptomatic", "close_contact", "secondary_contact")
RISK_LEVELS = ("high", "medium")
RULE_KINDS = (
    "control_status",
    "in_risk_area",
    "visited_risk_area",
    "arrival_other_province",
    "fever",
    "symptoms",
    "declared_contact",
    "override",
)
RECOVERY_RULE_ID = "recovery.pending"
LANGUAGES = ("zh", "en")

_DEFAULT_RULES = Path(__file__).resolve().parent / "rules" / "default.json"
_SEVERITY = {colour: rank for rank, colour in enumerate(COLOURS)}
_ONE_DAY = timedelta(days=1)


# --- facts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
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
class Checkin:
    """One daily health declaration (每日打卡)."""

    day: date
    district: str
    temperature: float | None = None
    symptoms: tuple[str, ...] = ()
    visits: tuple[Visit, ...] = ()
    contact_with_cases: bool = False
    arrival: Arrival | None = None


@dataclass(frozen=True)
class ControlEntry:
    """A control-list entry for the person; `end` None means still under control."""

    status: str
    start: date
    end: date | None = None

    def __post_init__(self):
        if self.status not in CONTROL_STATUSES:
            raise ValueError(f"unknown control status {self.status!r}")


@dataclass(frozen=True)
class RiskArea:
    """A district declared a medium- or high-risk area from `start` to `end` (None = still)."""

    district: str
    level: str
    start: date
    end: date | None = None

    def __post_init__(self):
        if self.level not in RISK_LEVELS:
            raise ValueError(f"unknown risk level {self.level!r}")


@dataclass(frozen=True)
class Override:
    """A manual colour set by the authority; wins over computed colours while active."""

    colour: str
    reason_category: str
    start: date
    end: date | None = None

    def __post_init__(self):
        if self.colour not in COLOURS:
            raise ValueError(f"unknown colour {self.colour!r}")


@dataclass(frozen=True)
class Facts:
    """Everything the engine looks at for one person.

    `checkin_days`: days with a check-in. A check-in that nothing but its day could make count (no
    fever, symptom, visit, contact or arrival, not in a risk area that day, and not the latest) may be
    given by its day alone, here, instead of in `checkins`: only the check-in streak reads it. The days of
    the check-ins in `checkins` may be here too. The latest check-in is always in `checkins`."""

    checkins: tuple[Checkin, ...]
    control: tuple[ControlEntry, ...] = ()
    overrides: tuple[Override, ...] = ()
    checkin_days: tuple[date, ...] = ()


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
class Verdict:
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
    def from_dict(cls, mapping: Mapping) -> "Verdict":
        """Inverse of to_dict."""
        return cls(
            colour=mapping["colour"],
            reasons=tuple(Reason.from_dict(reason) for reason in mapping["reasons"]),
            may_turn_green_on=_date_or_none(mapping["may_turn_green_on"]),
            rule_set_version=mapping["rule_set_version"],
            healthy_streak=mapping["healthy_streak"],
            needed_streak=mapping["needed_streak"],
        )


# --- rule set --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Symptom:
    """A symptom a check-in form offers; `triggers` says whether declaring it turns the code yellow."""

    code: str
    label: dict[str, str]
    triggers: bool


@dataclass(frozen=True)
class Rule:
    """One rule: a kind the engine knows, the colour it gives, its data parameters and its texts."""

    id: str
    kind: str
    colour: str | None
    enabled: bool
    params: dict = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)
    guidance: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSet:
    """A parsed, validated rule set file."""

    version: str
    fever_threshold_c: float
    recovery_checkins: dict[str, int]
    symptoms: tuple[Symptom, ...]
    rules: tuple[Rule, ...]
    recovery_text: dict[str, str]
    recovery_guidance: dict[str, str]


def load_rule_set(path) -> RuleSet:
    """Read and validate a rule set JSON file."""
    with open(path, encoding="utf-8") as f:
        return parse_rule_set(json.load(f))


@cache
def default_rule_set() -> RuleSet:
    """The rule set shipped with the app (rules/default.json), parsed once."""
    return load_rule_set(_DEFAULT_RULES)


def parse_rule_set(mapping: Mapping) -> RuleSet:
    """Validate a rule set mapping; anything unknown or malformed raises ValueError."""
    version = mapping.get("version")
    if not isinstance(version, str) or not version:
        raise ValueError("rule set needs a version string")
    threshold = mapping.get("fever_threshold_c")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise ValueError("fever_threshold_c must be a number")
    recovery = mapping.get("recovery_checkins")
    if not isinstance(recovery, Mapping) or set(recovery) != {"yellow", "red"}:
        raise ValueError("recovery_checkins needs exactly 'yellow' and 'red'")
    for colour, count in recovery.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"recovery_checkins[{colour!r}] must be a whole number >= 0")
    symptoms = tuple(_parse_symptom(item) for item in mapping.get("symptoms", ()))
    _require_unique([s.code for s in symptoms], "symptom code")
    context = {"threshold": threshold}
    rules = tuple(_parse_rule(item, context) for item in mapping.get("rules", ()))
    _require_unique([r.id for r in rules] + [RECOVERY_RULE_ID], "rule id")
    recovery_reason = mapping.get("recovery_reason", {})
    recovery_text, recovery_guidance = (
        _parse_texts(recovery_reason.get(part), f"recovery_reason.{part}", {"remaining": 0})
        for part in ("text", "guidance")
    )
    return RuleSet(
        version=version,
        fever_threshold_c=float(threshold),
        recovery_checkins=dict(recovery),
        symptoms=symptoms,
        rules=rules,
        recovery_text=recovery_text,
        recovery_guidance=recovery_guidance,
    )


def symptom_labels(rules: RuleSet, lang: str) -> list[tuple[str, str]]:
    """(code, label) pairs for a check-in form, in the rule set's order."""
    lang = _language(lang)
    return [(symptom.code, symptom.label[lang]) for symptom in rules.symptoms]


def _parse_symptom(item: Mapping) -> Symptom:
    """One symptom entry: code, zh, en, triggers."""
    code = item.get("code")
    if not isinstance(code, str) or not code:
        raise ValueError(f"symptom without a code: {item!r}")
    if not isinstance(item.get("triggers"), bool):
        raise ValueError(f"symptom {code!r}: triggers must be true or false")
    label = _parse_texts({lang: item.get(lang) for lang in LANGUAGES}, f"symptom {code!r}", {})
    return Symptom(code=code, label=label, triggers=item["triggers"])


def _parse_rule(item: Mapping, context: Mapping) -> Rule:
    """One rule entry, checked against what its kind needs."""
    rule_id = item.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise ValueError(f"rule without an id: {item!r}")
    kind = item.get("kind")
    if kind not in RULE_KINDS:
        raise ValueError(f"rule {rule_id!r}: unknown kind {kind!r}")
    colour = item.get("colour")
    if kind == "override":
        if colour is not None:
            raise ValueError(f"rule {rule_id!r}: an override rule has no colour (each override carries one)")
    elif colour not in ("yellow", "red"):
        raise ValueError(f"rule {rule_id!r}: unknown colour {colour!r}")
    enabled = item.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ValueError(f"rule {rule_id!r}: enabled must be true or false")
    params = item.get("params", {})
    if not isinstance(params, Mapping):
        raise ValueError(f"rule {rule_id!r}: params must be an object")
    _check_params(rule_id, kind, params)
    format_context = {**context, **params}
    if kind == "override":  # its text may name the override's category, from params.categories
        format_context["category"] = ""
    return Rule(
        id=rule_id,
        kind=kind,
        colour=colour,
        enabled=enabled,
        params=dict(params),
        text=_parse_texts(item.get("text"), f"rule {rule_id!r} text", format_context),
        guidance=_parse_texts(item.get("guidance"), f"rule {rule_id!r} guidance", format_context),
    )


def _check_params(rule_id: str, kind: str, params: Mapping) -> None:
    """Each kind's required parameters, with their types."""
    needs = {
        "control_status": ("statuses",),
        "in_risk_area": ("levels",),
        "visited_risk_area": ("levels", "days"),
        "arrival_other_province": ("days",),
        "declared_contact": ("days",),
    }.get(kind, ())
    for name in needs:
        if name not in params:
            raise ValueError(f"rule {rule_id!r}: missing param {name!r}")
    if "days" in needs:
        days = params["days"]
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise ValueError(f"rule {rule_id!r}: days must be a whole number >= 1")
    if "levels" in needs:
        _check_choices(rule_id, "levels", params["levels"], RISK_LEVELS)
    if "statuses" in needs:
        _check_choices(rule_id, "statuses", params["statuses"], CONTROL_STATUSES)


def _check_choices(rule_id: str, name: str, values, allowed: tuple[str, ...]) -> None:
    """A non-empty list drawn from `allowed`."""
    if not isinstance(values, list) or not values or any(value not in allowed for value in values):
        raise ValueError(f"rule {rule_id!r}: {name} must be a non-empty list from {allowed}")


def _parse_texts(texts, where: str, context: Mapping) -> dict[str, str]:
    """A {zh, en} pair whose placeholders all resolve from `context`."""
    if not isinstance(texts, Mapping) or any(not isinstance(texts.get(lang), str) for lang in LANGUAGES):
        raise ValueError(f"{where}: needs 'zh' and 'en' strings")
    for lang in LANGUAGES:
        try:
            texts[lang].format_map(context)
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(f"{where}: bad placeholder in {lang!r}: {error}") from None
    return {lang: texts[lang] for lang in LANGUAGES}


def _require_unique(values: list[str], what: str) -> None:
    """Raise on the first repeated value."""
    seen = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what} {value!r}")
        seen.add(value)


def _language(lang: str) -> str:
    """'zh_Hans_CN' → 'zh'; anything unknown falls back to Chinese."""
    base = (lang or "").replace("-", "_").split("_")[0].lower()
    return base if base in LANGUAGES else "zh"


# --- evaluation ------------------------------------------------------------------------------


class _Span(NamedTuple):
    """A rule that was active from `start` through `end` (None = open-ended); `rank` is its colour's severity."""

    rule: Rule
    start: date
    end: date | None
    rank: int

    def covers(self, day: date) -> bool:
        """True if the span is active on `day`."""
        return self.start <= day and (self.end is None or day <= self.end)


def _span(rule: Rule, start: date, end: date | None) -> _Span:
    return _Span(rule, start, end, _SEVERITY[rule.colour])


class _Inputs(NamedTuple):
    """What the span builders read: check-ins up to today, sorted by day."""

    checkins: tuple[Checkin, ...]
    control: tuple[ControlEntry, ...]
    shared: "_Evaluator"


class _DayState(NamedTuple):
    """The outcome for one day: colour plus what produced it."""

    colour: str
    override: Override | None
    active: tuple[_Span, ...]
    pending: str | None
    recovery_base: dict[str, date]
    streaks: dict[str, int]


def evaluate(facts: Facts, rules: RuleSet, risk_areas: Sequence[RiskArea], today: date) -> Verdict:
    """Today's colour for one person, with reasons, the green date if known and the check-in streak."""
    return _Evaluator(rules, risk_areas, today).evaluate(facts)


def evaluate_many(
    people: Iterable[Facts], rules: RuleSet, risk_areas: Sequence[RiskArea], today: date
) -> list[Verdict]:
    """`evaluate` for many people at once (same results); what they share is worked out once, and people
    with equal facts share one verdict (common where check-ins that only count by their day are given by
    their days: neighbours who check in every day with nothing to declare have equal facts)."""
    evaluate_one = _Evaluator(rules, risk_areas, today).evaluate
    verdicts: dict[Facts, Verdict] = {}
    found = []
    for facts in people:
        verdict = verdicts.get(facts)
        if verdict is None:
            verdict = verdicts[facts] = evaluate_one(facts)
        found.append(verdict)
    return found


class _Evaluator:
    """One rule set, risk-area list and day, prepared once for any number of people."""

    def __init__(self, rules: RuleSet, risk_areas: Sequence[RiskArea], today: date):
        self.rules = rules
        self.risk_areas = tuple(risk_areas)
        self.today = today
        builders = [(rule, _SPAN_BUILDERS[rule.kind]) for rule in rules.rules if rule.enabled]
        # Builders that can find something, by (any control entries, any check-ins, any check-in declaring a
        # fever, symptom, contact or arrival): the rest are skipped.
        self.builders = {
            (control, checked, declared): tuple(
                (rule, build)
                for rule, build in builders
                if (control or rule.kind != "control_status")
                and (checked or rule.kind not in _CHECKIN_KINDS)
                and (declared or rule.kind not in _DECLARED_KINDS)
                and (self.risk_areas or rule.kind not in _AREA_KINDS)
            )
            for control in (False, True)
            for checked in (False, True)
            for declared in (False, True)
        }
        self.override_rule = _enabled_rule(rules, "override")
        self.triggering = {symptom.code for symptom in rules.symptoms if symptom.triggers}
        self.order = {rule.id: index for index, rule in enumerate(rules.rules)}
        self._periods: dict[str, dict[str, tuple[tuple[date, date | None], ...]]] = {}
        self._texts: dict = {}
        self._day_sets: dict = {}

    def evaluate(self, facts: Facts) -> Verdict:
        """Today's colour for one person (see `evaluate`)."""
        today, rules = self.today, self.rules
        checkins = tuple(facts.checkins)
        if len(checkins) != 1 or checkins[0].day > today:
            checkins = tuple(sorted((c for c in checkins if c.day <= today), key=_day_of))
        override_rule = self.override_rule
        overrides = tuple(facts.overrides) if override_rule else ()
        if not checkins and not facts.control and not overrides:
            self._days(checkins, facts.checkin_days)  # only to refuse days without their latest check-in
            return Verdict(None, (), None, rules.version, 0, 0)

        inputs = _Inputs(checkins, tuple(facts.control), self)
        spans = []
        threshold = rules.fever_threshold_c
        declared = False
        for checkin in checkins:
            if (
                checkin.arrival
                or checkin.symptoms
                or checkin.contact_with_cases
                or (checkin.temperature is not None and checkin.temperature >= threshold)
            ):
                declared = True
                break
        for rule, build in self.builders[bool(inputs.control), bool(checkins), declared]:
            spans.extend(build(rule, inputs))
        checked_days, gap, runs = self._days(checkins, facts.checkin_days)
        state = _day_state(today, spans, overrides, today in checked_days, gap, rules, runs)

        if state.override:
            reasons = (self._override_reason(override_rule, state.override),)
        else:
            reasons = self._reasons(state)
        if state.colour == "green":
            may_turn_green_on = None
        else:
            may_turn_green_on = _green_day(today, spans, overrides, gap, rules, runs)
        held = state.colour if state.colour in ("yellow", "red") and not state.override else None
        return Verdict(
            colour=state.colour,
            reasons=reasons,
            may_turn_green_on=may_turn_green_on,
            rule_set_version=rules.version,
            healthy_streak=state.streaks[held or "yellow"],
            needed_streak=rules.recovery_checkins[held] if held else 0,
        )

    def _days(self, checkins: tuple[Checkin, ...], given: tuple[date, ...]):
        """The days checked in (up to today), the latest day before today without one, and the finished runs
        of check-in days; worked out once per distinct `given` that holds the check-ins' own days too
        (people who check in on the same days share them)."""
        found = self._day_sets.get(given) if given else None
        if found is None:
            days = frozenset([day for day in given if day <= self.today])
            gap = _last_gap(self.today, days)
            found = (days, gap, _Runs(days, gap), max(days, default=None))
            if given:
                self._day_sets[given] = found
        days, gap, runs, latest = found
        if latest is not None and (not checkins or latest > checkins[-1].day):
            raise ValueError("the latest check-in must be given in full, not by its day alone")
        for checkin in checkins:
            if checkin.day not in days:  # some check-in days not given: this person's days are their own
                days = days.union([c.day for c in checkins])
                gap = _last_gap(self.today, days)
                return days, gap, _Runs(days, gap)
        return days, gap, runs

    def in_risk_area(self, district: str, day: date, rule: Rule) -> bool:
        """True if `district` lies in a risk area of one of the rule's levels on `day`."""
        by_district = self._periods.get(rule.id)
        if by_district is None:
            by_district = self._periods[rule.id] = {}
        periods = by_district.get(district)
        if periods is None:
            levels = rule.params["levels"]
            periods = by_district[district] = tuple(
                (area.start, area.end)
                for area in self.risk_areas
                if area.level in levels and districts.within(district, area.district)
            )
        return any(start <= day and (end is None or day <= end) for start, end in periods)

    def _reasons(self, state: _DayState) -> tuple[Reason, ...]:
        """One reason per active rule, plus the recovery requirement when it holds a worse colour."""
        rules, order = self.rules, self.order
        by_rule: dict[str, list[_Span]] = {}
        for span in state.active:
            by_rule.setdefault(span.rule.id, []).append(span)
        reasons = []
        for spans in by_rule.values():
            ends = [span.end for span in spans]
            reasons.append(self._reason(spans[0].rule, spans[0].rule.colour, None if None in ends else max(ends)))
        worst_active = max((span.rank for span in state.active), default=0)
        if state.pending and _SEVERITY[state.pending] > worst_active:
            needed = rules.recovery_checkins[state.pending]
            remaining = needed - state.streaks[state.pending]
            key = (RECOVERY_RULE_ID, remaining)
            if key not in self._texts:
                context = {"remaining": remaining}
                self._texts[key] = (_fill(rules.recovery_text, context), _fill(rules.recovery_guidance, context))
            text, guidance = self._texts[key]
            reasons.append(
                Reason(
                    RECOVERY_RULE_ID,
                    state.pending,
                    dict(text),
                    dict(guidance),
                    state.recovery_base[state.pending] + timedelta(days=needed),
                )
            )
        reasons.sort(key=lambda r: (-_SEVERITY[r.colour], order.get(r.rule_id, -1)))
        return tuple(reasons)

    def _override_reason(self, rule: Rule, override: Override) -> Reason:
        """The reason shown while a manual override is in force, in its colour, naming its category."""
        key = (rule.id, "category", override.reason_category)
        texts = self._texts.get(key)
        if texts is None:
            labels = rule.params.get("categories", {}).get(override.reason_category, {})
            text = {
                lang: template.format_map({"category": labels.get(lang, override.reason_category)})
                for lang, template in rule.text.items()
            }
            texts = self._texts[key] = (text, _fill(rule.guidance, {}))
        return Reason(rule.id, override.colour, dict(texts[0]), dict(texts[1]), override.end)

    def _reason(self, rule: Rule, colour: str, active_until: date | None) -> Reason:
        """A rule's reason, its texts filled from its params (and the fever threshold) once per rule."""
        texts = self._texts.get(rule.id)
        if texts is None:
            context = {"threshold": self.rules.fever_threshold_c, **rule.params}
            texts = self._texts[rule.id] = (_fill(rule.text, context), _fill(rule.guidance, context))
        return Reason(rule.id, colour, dict(texts[0]), dict(texts[1]), active_until)


def _day_of(checkin: Checkin) -> date:
    return checkin.day


def _last_gap(day: date, checked_days) -> date:
    """The latest day before `day` without a check-in."""
    probe = day - _ONE_DAY
    while probe in checked_days:
        probe -= _ONE_DAY
    return probe


def _finished_runs(checked_days, gap: date) -> tuple[tuple[date, date], ...]:
    """The runs of consecutive check-in days (first, last) that ended before `gap`, oldest first."""
    runs, first, previous = [], None, None
    for day in sorted(d for d in checked_days if d < gap):
        if previous is None or day - previous != _ONE_DAY:
            if first is not None:
                runs.append((first, previous))
            first = day
        previous = day
    if first is not None:
        runs.append((first, previous))
    return tuple(runs)


class _Runs:
    """The runs of consecutive check-in days (first, last) that ended before `gap`, oldest first; worked out
    the first time they are asked about, if ever (they matter only for a colour last active before them)."""

    __slots__ = ("days", "gap", "runs")

    def __init__(self, checked_days, gap: date):
        self.days, self.gap, self.runs = checked_days, gap, None

    def recovered(self, last_active: date, needed: int) -> bool:
        """True if an earlier run of `needed` consecutive check-ins after `last_active` already ended the
        colour: once recovered, a later missed check-in does not bring the colour back."""
        if last_active + _ONE_DAY >= self.gap:  # every run ends before the gap, so none after last_active
            return False
        if self.runs is None:
            self.runs = _finished_runs(self.days, self.gap)
        for first, last in self.runs:
            if last > last_active and (last - max(first, last_active + _ONE_DAY)).days + 1 >= needed:
                return True
        return False


def _day_state(day: date, spans, overrides, checked: bool, gap: date, rules: RuleSet, runs: _Runs) -> _DayState:
    """Colour on `day`, given whether the person checked in that day and the latest day before it without one.

    The recovery semantics live here: the healthy streak counts the check-in days after the later of the
    last day a rule of that colour (or worse) was active and the latest day without a check-in; a colour
    whose recovery streak was completed earlier (an unbroken run after its last active day) stays ended."""
    override = _active_override(overrides, day) if overrides else None
    cutoff = _cutoff(overrides, day) if overrides else None
    active = tuple(span for span in spans if span.covers(day))
    recovery_base, streaks, pending = {}, {}, None
    for colour in ("red", "yellow"):
        last_active = _last_active_day(spans, _SEVERITY[colour], cutoff, day)
        since = cutoff if last_active is None else last_active
        base = gap if since is None or gap > since else since
        recovery_base[colour] = base
        streaks[colour] = max(0, (day - base).days - (0 if checked else 1))
        if (
            pending is None
            and last_active is not None
            and streaks[colour] < rules.recovery_checkins[colour]
            and not runs.recovered(last_active, rules.recovery_checkins[colour])
        ):
            pending = colour
    if override:
        colour = override.colour
    else:
        colour = COLOURS[max([_SEVERITY[pending or "green"]] + [span.rank for span in active])]
    return _DayState(colour, override, active, pending, recovery_base, streaks)


def _is_green(day: date, spans, overrides, gap: date, rules: RuleSet, runs: _Runs) -> bool:
    """`_day_state(day, ...).colour == "green"` for a day with a check-in, without building the state."""
    if overrides:
        override = _active_override(overrides, day)
        if override:
            return override.colour == "green"
    for span in spans:
        if span.rank and span.start <= day and (span.end is None or day <= span.end):
            return False
    cutoff = _cutoff(overrides, day) if overrides else None
    for colour in ("red", "yellow"):
        last_active = _last_active_day(spans, _SEVERITY[colour], cutoff, day)
        if last_active is not None:
            base = gap if gap > last_active else last_active
            needed = rules.recovery_checkins[colour]
            if max(0, (day - base).days) < needed and not runs.recovered(last_active, needed):
                return False
    return True


def _active_override(overrides: Iterable[Override], day: date) -> Override | None:
    """The override in force on `day`: the latest started, the worst on a tie."""
    current = [o for o in overrides if o.start <= day and (o.end is None or day <= o.end)]
    return max(current, key=lambda o: (o.start, _SEVERITY[o.colour]), default=None)


def _cutoff(overrides: Iterable[Override], day: date) -> date | None:
    """Last day of the latest override that ended before `day`; history up to it is settled."""
    return max((o.end for o in overrides if o.end is not None and o.start <= o.end < day), default=None)


def _last_active_day(spans, rank: int, cutoff: date | None, day: date) -> date | None:
    """Latest day in (cutoff, day] on which a rule of severity `rank` or worse was active."""
    latest = None
    after = None if cutoff is None else cutoff + _ONE_DAY
    for span in spans:
        if span.rank < rank:
            continue
        last = day if span.end is None or span.end > day else span.end
        first = span.start if after is None or span.start > after else after
        if first <= last and (latest is None or last > latest):
            latest = last
    return latest


def _green_day(today: date, spans, overrides, gap: date, rules: RuleSet, runs: _Runs) -> date | None:
    """First day from today that would be green if the person checks in every day; None if never.

    From today on every day counts as checked, so the latest day without a check-in stays `gap`."""
    if not overrides:
        settled = _green_day_settled(today, spans, gap, rules, runs)
        if settled is not _UNSETTLED:
            return settled
    # Green can only begin today, when a span or override starts or ends, or N days after a streak base.
    turning_points = {today}
    bases = {gap}
    for item in (*spans, *overrides):
        turning_points.add(item.start)
        if item.end is not None:
            turning_points.add(item.end + _ONE_DAY)
            bases.add(item.end)
    waits = [timedelta(days=n) for n in rules.recovery_checkins.values()]
    turning_points.update([base + wait for base in bases for wait in waits])
    for day in sorted([day for day in turning_points if day >= today]):
        if _is_green(day, spans, overrides, gap, rules, runs):
            return day
    return None


_UNSETTLED = object()


def _green_day_settled(today: date, spans, gap: date, rules: RuleSet, runs: _Runs):
    """`_green_day` in closed form when there are no overrides and every rule that counts has already begun.

    Then the spans still running cover today through the latest end E without a break: no day up to E
    is green, and after E each colour's streak only grows, so green begins on the latest of E + 1 and,
    per colour, N days after the later of `gap` and the last day a rule of that colour (or worse) ran.
    An open-ended span never ends: never green. A span that starts later: _UNSETTLED (use the general way).
    """
    last = {1: None, 2: None}  # by rank: latest end of a span of that colour or worse
    for span in spans:
        if not span.rank:
            continue
        if span.start > today:
            return _UNSETTLED
        if span.end is None:
            return None
        for rank in (1, 2):
            if span.rank >= rank and (last[rank] is None or span.end > last[rank]):
                last[rank] = span.end
    day = today
    if last[1] is not None and last[1] >= day:
        day = last[1] + _ONE_DAY
    for rank, colour in ((1, "yellow"), (2, "red")):
        if last[rank] is not None and not runs.recovered(last[rank], rules.recovery_checkins[colour]):
            base = gap if gap > last[rank] else last[rank]
            earliest = base + timedelta(days=rules.recovery_checkins[colour])
            if earliest > day:
                day = earliest
    return day


def _fill(texts: Mapping[str, str], context: Mapping) -> dict[str, str]:
    """Texts with their placeholders filled in."""
    return {lang: text.format_map(context) for lang, text in texts.items()}


def _enabled_rule(rules: RuleSet, kind: str) -> Rule | None:
    """The first enabled rule of a kind, if any."""
    return next((rule for rule in rules.rules if rule.kind == kind and rule.enabled), None)


# --- span builders: one per rule kind; params are data ---------------------------------------


def _control_spans(rule: Rule, inputs: _Inputs) -> Iterable[_Span]:
    """Active for the whole time a matching control entry runs."""
    statuses = rule.params["statuses"]
    return [_span(rule, entry.start, entry.end) for entry in inputs.control if entry.status in statuses]


def _in_risk_area_spans(rule: Rule, inputs: _Inputs) -> Iterable[_Span]:
    """Active today when the latest check-in's district is a risk area today."""
    today = inputs.shared.today
    if inputs.checkins and inputs.shared.in_risk_area(inputs.checkins[-1].district, today, rule):
        return (_span(rule, today, today),)
    return ()


def _visited_risk_area_spans(rule: Rule, inputs: _Inputs) -> Iterable[_Span]:
    """Active for `days` days from each visit to a district that was a risk area that day."""
    shared = inputs.shared
    if not shared.risk_areas:
        return ()
    length = timedelta(days=rule.params["days"] - 1)
    spans = []
    for checkin in inputs.checkins:
        for district, day in ((checkin.district, checkin.day), *((v.district, v.day) for v in checkin.visits)):
            if day <= shared.today and shared.in_risk_area(district, day, rule):
                spans.append(_span(rule, day, day + length))
    return spans


def _arrival_spans(rule: Rule, inputs: _Inputs) -> Iterable[_Span]:
    """Active for `days` days from an arrival from another province (first two code digits differ)."""
    length = timedelta(days=rule.params["days"] - 1)
    return [
        _span(rule, checkin.arrival.day, checkin.arrival.day + length)
        for checkin in inputs.checkins
        if checkin.arrival and checkin.arrival.from_district[:2] != checkin.district[:2]
    ]


def _fever_spans(rule: Rule, inputs: _Inputs) -> Iterable[_Span]:
    """Active on the day of a check-in at or above the fever threshold."""
    threshold = inputs.shared.rules.fever_threshold_c
    return [
        _span(rule, checkin.day, checkin.day)
        for checkin in inputs.checkins
        if checkin.temperature is not None and checkin.temperature >= threshold
    ]


def _symptom_spans(rule: Rule, inputs: _Inputs) -> Iterable[_Span]:
    """Active on the day of a check-in declaring a triggering symptom."""
    triggering = inputs.shared.triggering
    return [
        _span(rule, checkin.day, checkin.day)
        for checkin in inputs.checkins
        if checkin.symptoms and triggering.intersection(checkin.symptoms)
    ]


def _declared_contact_spans(rule: Rule, inputs: _Inputs) -> Iterable[_Span]:
    """Active for `days` days from a check-in declaring contact with cases."""
    length = timedelta(days=rule.params["days"] - 1)
    return [_span(rule, checkin.day, checkin.day + length) for checkin in inputs.checkins if checkin.contact_with_cases]


def _no_spans(rule: Rule, inputs: _Inputs) -> Iterable[_Span]:
    """Overrides are handled apart from spans."""
    return ()


_CHECKIN_KINDS = (
    "in_risk_area",
    "visited_risk_area",
    "arrival_other_province",
    "fever",
    "symptoms",
    "declared_contact",
)
_AREA_KINDS = ("in_risk_area", "visited_risk_area")
_DECLARED_KINDS = ("arrival_other_province", "fever", "symptoms", "declared_contact")  # read only what is declared
_SPAN_BUILDERS = {
    "control_status": _control_spans,
    "in_risk_area": _in_risk_area_spans,
    "visited_risk_area": _visited_risk_area_spans,
    "arrival_other_province": _arrival_spans,
    "fever": _fever_spans,
    "symptoms": _symptom_spans,
    "declared_contact": _declared_contact_spans,
    "override": _no_spans,
}


def risk_areas_on(district: str, day: date, risk_areas: Iterable[RiskArea]) -> list[RiskArea]:
    """The risk areas covering `district` on `day` (a city or province area covers its counties)."""
    return [
        area
        for area in risk_areas
        if districts.within(district, area.district) and area.start <= day and (area.end is None or day <= area.end)
    ]


# --- storage snapshots -----------------------------------------------------------------------


def facts_to_dict(facts: Facts) -> dict:
    """JSON-safe snapshot of the inputs a verdict was computed from."""
    return {
        "checkins": [checkin_to_dict(c) for c in facts.checkins],
        "checkin_days": [day.isoformat() for day in facts.checkin_days],
        "control": [control_to_dict(e) for e in facts.control],
        "overrides": [override_to_dict(o) for o in facts.overrides],
    }


def checkin_to_dict(c: Checkin) -> dict:
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


def control_to_dict(e: ControlEntry) -> dict:
    """One control entry's part of `facts_to_dict`."""
    return {"status": e.status, "start": e.start.isoformat(), "end": _iso(e.end)}


def override_to_dict(o: Override) -> dict:
    """One override's part of `facts_to_dict`."""
    return {"colour": o.colour, "reason_category": o.reason_category, "start": o.start.isoformat(), "end": _iso(o.end)}


def facts_from_dict(mapping: Mapping) -> Facts:
    """Inverse of facts_to_dict; optional check-in fields may be left out."""
    return Facts(
        checkins=tuple(_checkin_from_dict(c) for c in mapping.get("checkins", ())),
        control=tuple(
            ControlEntry(e["status"], date.fromisoformat(e["start"]), _date_or_none(e.get("end")))
            for e in mapping.get("control", ())
        ),
        overrides=tuple(
            Override(o["colour"], o["reason_category"], date.fromisoformat(o["start"]), _date_or_none(o.get("end")))
            for o in mapping.get("overrides", ())
        ),
        checkin_days=tuple(date.fromisoformat(day) for day in mapping.get("checkin_days", ())),
    )


def _checkin_from_dict(c: Mapping) -> Checkin:
    """One check-in from its snapshot form."""
    arrival = c.get("arrival")
    return Checkin(
        day=date.fromisoformat(c["day"]),
        district=c["district"],
        temperature=c.get("temperature"),
        symptoms=tuple(c.get("symptoms", ())),
        visits=tuple(Visit(v["district"], date.fromisoformat(v["day"])) for v in c.get("visits", ())),
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
