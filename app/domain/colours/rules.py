"""Rule sets: the versioned rules file (rules/default.json unless RULES_FILE names another), parsed and
validated; the symptoms a check-in form offers."""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from app.domain.colours.spans import KINDS, RULE_KINDS
from app.domain.vocabulary import CONTROL_STATUSES, NOT_GREEN, OBSERVATION_CASE_TYPES, RISK_LEVELS

RECOVERY_RULE_ID = "recovery.pending"
LANGUAGES = ("zh", "en")
DEFAULT_RULES = Path(__file__).resolve().parents[1] / "rules" / "default.json"


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
    return load_rule_set(DEFAULT_RULES)


def parse_rule_set(mapping: Mapping) -> RuleSet:
    """Validate a rule set mapping; anything unknown or malformed raises ValueError."""
    version = mapping.get("version")
    if not isinstance(version, str) or not version:
        raise ValueError("rule set needs a version string")
    threshold = mapping.get("fever_threshold_c")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise ValueError("fever_threshold_c must be a number")
    recovery = mapping.get("recovery_checkins")
    if not isinstance(recovery, Mapping) or set(recovery) != set(NOT_GREEN):
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
    elif colour not in NOT_GREEN:
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
    """Each kind's required parameters (spans.KINDS), with their types."""
    needs = KINDS[kind].params
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
    if "case_types" in needs:
        _check_choices(rule_id, "case_types", params["case_types"], OBSERVATION_CASE_TYPES)


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
