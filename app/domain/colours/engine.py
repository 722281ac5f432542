"""The colour rule engine: a person's facts, a rule set and the risk areas in, a verdict out; the day-state
logic (a day's colour, recovery streaks, the day the colour may turn green)."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from itertools import product
from typing import NamedTuple

from app.domain import districts
from app.domain.colours.facts import (
    CheckinFact,
    ColourVerdict,
    ControlFact,
    Facts,
    FeverVisitFact,
    ObservationFact,
    OverrideFact,
    Reason,
    RiskAreaFact,
    may_trigger,
)
from app.domain.colours.rules import RECOVERY_RULE_ID, Rule, RuleSet
from app.domain.colours.spans import KINDS, Span
from app.domain.vocabulary import COLOURS, SEVERITY

_ONE_DAY = timedelta(days=1)


class _Inputs(NamedTuple):
    """What the span builders read: check-ins up to today, sorted by day; control entries; clinics' facts."""

    checkins: tuple[CheckinFact, ...]
    control: tuple[ControlFact, ...]
    shared: "_Evaluator"
    fever_visits: tuple[FeverVisitFact, ...] = ()
    observations: tuple[ObservationFact, ...] = ()


# What a person may have that a rule kind needs (spans.Kind.needs, besides "areas"), in the order of the
# engine's key for the builders that can find something for them.
_HAVES = ("control", "checkins", "declared", "fever_visits", "observations")


class _DayState(NamedTuple):
    """The outcome for one day: colour plus what produced it."""

    colour: str
    override: OverrideFact | None
    active: tuple[Span, ...]
    pending: str | None
    recovery_base: dict[str, date]
    streaks: dict[str, int]


def evaluate(facts: Facts, rules: RuleSet, risk_areas: Sequence[RiskAreaFact], today: date) -> ColourVerdict:
    """Today's colour for one person, with reasons, the green date if known and the check-in streak."""
    return _Evaluator(rules, risk_areas, today).evaluate(facts)


def evaluate_many(
    people: Iterable[Facts], rules: RuleSet, risk_areas: Sequence[RiskAreaFact], today: date
) -> list[ColourVerdict]:
    """`evaluate` for many people at once (same results); what they share is worked out once, and people
    with equal facts share one verdict (common where check-ins that only count by their day are given by
    their days: neighbours who check in every day with nothing to declare have equal facts)."""
    evaluate_one = _Evaluator(rules, risk_areas, today).evaluate
    verdicts: dict[Facts, ColourVerdict] = {}
    found = []
    for facts in people:
        verdict = verdicts.get(facts)
        if verdict is None:
            verdict = verdicts[facts] = evaluate_one(facts)
        found.append(verdict)
    return found


class _Evaluator:
    """One rule set, risk-area list and day, prepared once for any number of people."""

    def __init__(self, rules: RuleSet, risk_areas: Sequence[RiskAreaFact], today: date):
        self.rules = rules
        self.risk_areas = tuple(risk_areas)
        self.today = today
        # Builders that can find something, by what a person has (_HAVES: any control entries, any check-ins,
        # any check-in that may trigger a rule, any fever-clinic visits, any observations): the rest are
        # skipped (spans.Kind.needs). Without risk areas none of theirs count.
        builders = [
            (rule, kind.build, kind.needs - {"areas"})
            for rule, kind in ((rule, KINDS[rule.kind]) for rule in rules.rules if rule.enabled)
            if self.risk_areas or "areas" not in kind.needs
        ]
        self.builders = {
            has: tuple(
                (rule, build)
                for rule, build, needs in builders
                if needs <= {name for name, present in zip(_HAVES, has) if present}
            )
            for has in product((False, True), repeat=len(_HAVES))
        }
        # Clinics' facts count only where an enabled rule reads them (else they give no colour of their own).
        read = frozenset().union(*(needs for _, _, needs in builders))
        self.reads_visits, self.reads_observations = "fever_visits" in read, "observations" in read
        self.override_rule = _enabled_rule(rules, "override")
        self.triggering = {symptom.code for symptom in rules.symptoms if symptom.triggers}
        self.order = {rule.id: index for index, rule in enumerate(rules.rules)}
        self._periods: dict[str, dict[str, tuple[tuple[date, date | None], ...]]] = {}
        self._texts: dict = {}
        self._day_sets: dict = {}

    def evaluate(self, facts: Facts) -> ColourVerdict:
        """Today's colour for one person (see `evaluate`)."""
        today, rules = self.today, self.rules
        checkins = tuple(facts.checkins)
        if len(checkins) != 1 or checkins[0].day > today:
            checkins = tuple(sorted((c for c in checkins if c.day <= today), key=_day_of))
        override_rule = self.override_rule
        overrides = tuple(facts.overrides) if override_rule else ()
        visits = tuple(facts.fever_visits) if self.reads_visits else ()
        observations = tuple(facts.observations) if self.reads_observations else ()
        if not checkins and not facts.control and not overrides and not visits and not observations:
            self._days(checkins, facts.checkin_days)  # only to refuse days without their latest check-in
            return ColourVerdict(None, (), None, rules.version, 0, 0)

        inputs = _Inputs(checkins, tuple(facts.control), self, visits, observations)
        spans = []
        threshold = rules.fever_threshold_c
        declared = any(may_trigger(checkin, threshold) for checkin in checkins)
        has = (bool(inputs.control), bool(checkins), declared, bool(visits), bool(observations))
        for rule, build in self.builders[has]:
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
        return ColourVerdict(
            colour=state.colour,
            reasons=reasons,
            may_turn_green_on=may_turn_green_on,
            rule_set_version=rules.version,
            healthy_streak=state.streaks[held or "yellow"],
            needed_streak=rules.recovery_checkins[held] if held else 0,
        )

    def _days(self, checkins: tuple[CheckinFact, ...], given: tuple[date, ...]):
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
        by_rule: dict[str, list[Span]] = {}
        for span in state.active:
            by_rule.setdefault(span.rule.id, []).append(span)
        reasons = []
        for spans in by_rule.values():
            ends = [span.end for span in spans]
            reasons.append(self._reason(spans[0].rule, spans[0].rule.colour, None if None in ends else max(ends)))
        worst_active = max((span.rank for span in state.active), default=0)
        if state.pending and SEVERITY[state.pending] > worst_active:
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
        reasons.sort(key=lambda r: (-SEVERITY[r.colour], order.get(r.rule_id, -1)))
        return tuple(reasons)

    def _override_reason(self, rule: Rule, override: OverrideFact) -> Reason:
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


def _day_of(checkin: CheckinFact) -> date:
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
        last_active = _last_active_day(spans, SEVERITY[colour], cutoff, day)
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
        colour = COLOURS[max([SEVERITY[pending or "green"]] + [span.rank for span in active])]
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
        last_active = _last_active_day(spans, SEVERITY[colour], cutoff, day)
        if last_active is not None:
            base = gap if gap > last_active else last_active
            needed = rules.recovery_checkins[colour]
            if max(0, (day - base).days) < needed and not runs.recovered(last_active, needed):
                return False
    return True


def _active_override(overrides: Iterable[OverrideFact], day: date) -> OverrideFact | None:
    """The override in force on `day`: the latest started, the worst on a tie."""
    current = [o for o in overrides if o.start <= day and (o.end is None or day <= o.end)]
    return max(current, key=lambda o: (o.start, SEVERITY[o.colour]), default=None)


def _cutoff(overrides: Iterable[OverrideFact], day: date) -> date | None:
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


def risk_areas_on(district: str, day: date, risk_areas: Iterable[RiskAreaFact]) -> list[RiskAreaFact]:
    """The risk areas covering `district` on `day` (a city or province area covers its counties)."""
    return [
        area
        for area in risk_areas
        if districts.within(district, area.district) and area.start <= day and (area.end is None or day <= area.end)
    ]
