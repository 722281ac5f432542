"""Public information (防疫信息查询), open to everyone: the risk areas in force, the colour rules in plain words
from the rule set's own data, what each kind of checkpoint checks (from the policies) and the hotlines.

The answer holds data only (codes, both languages of every text the data carries, dates); the page and
/api/info put the interface's words around it (app/web/info/document.py). Nothing in it concerns a person.
"""

import logging
import re
from datetime import date

from flask import current_app
from sqlalchemy import or_, select

from app.domain import districts, policies
from app.domain.colours import LANGUAGES, Rule, RuleSet
from app.extensions import db
from app.infra import clock
from app.models import RiskArea
from app.models.checkpoint import CHECKPOINT_KINDS
from app.services.colours import rule_set
from app.services.policies import all_versions

log = logging.getLogger(__name__)
PHONE_NUMBER = re.compile(r"^[0-9][0-9 \-]{2,19}$")
LIST_SEPARATOR = {"zh": "、", "en": ", "}


def public_info() -> dict:
    """Everything /info shows, as of now."""
    today, now = clock.local_today(), clock.now_utc()
    return {
        "generated_at": clock.epoch(now),
        "today": today.isoformat(),
        "risk_areas": risk_areas(today),
        "colour_rules": colour_rules(rule_set()),
        "checkpoints": checkpoint_policies(clock.epoch(now), today),
        "hotlines": hotlines(),
    }


def names(code: str) -> dict[str, str]:
    """An area's name in both languages."""
    return {language: districts.name_of(code, language) for language in LANGUAGES}


def risk_areas(today: date) -> list[dict]:
    """Risk areas in force today or announced for later, high risk first."""
    rows = db.session.scalars(
        select(RiskArea)
        .where(or_(RiskArea.end.is_(None), RiskArea.end >= today))
        .order_by(RiskArea.start, RiskArea.district, RiskArea.id)
    ).all()
    rows = sorted(rows, key=lambda row: row.level != "high")
    return [
        {
            "district": row.district,
            "name": names(row.district),
            "level": row.level,
            "start": row.start.isoformat(),
            "end": row.end.isoformat() if row.end else None,
            "in_force": row.start <= today,
        }
        for row in rows
    ]


class _Placeholders(dict):
    """A rule's text context: its params and the fever threshold; a name the data leaves open (an override's
    category) reads as the list of what it can be, and anything else as an ellipsis."""

    def __init__(self, rule: Rule, rules: RuleSet, language: str):
        super().__init__({"threshold": rules.fever_threshold_c, **rule.params})
        self.rule, self.language = rule, language

    def __missing__(self, key):
        labels = self.rule.params.get("categories") if key == "category" else None
        if isinstance(labels, dict):
            return LIST_SEPARATOR[self.language].join(
                str(label.get(self.language, code)) if isinstance(label, dict) else code
                for code, label in labels.items()
            )
        return "…"


def _filled(texts: dict[str, str], rule: Rule, rules: RuleSet) -> dict[str, str]:
    filled = {}
    for language in LANGUAGES:
        try:
            filled[language] = texts[language].format_map(_Placeholders(rule, rules, language))
        except (IndexError, ValueError, AttributeError):  # the parser checks them; a stranger field reads as is
            filled[language] = texts[language]
    return filled


def colour_rules(rules: RuleSet) -> dict:
    """The rule set in words: each enabled rule's colour, text and guidance (from the data, so a new rule shows
    without a change here), the symptoms that count, and how each colour returns to green."""
    return {
        "version": rules.version,
        "fever_threshold_c": rules.fever_threshold_c,
        "rules": [
            {
                "id": rule.id,
                "kind": rule.kind,
                "colour": rule.colour,
                "text": _filled(rule.text, rule, rules),
                "guidance": _filled(rule.guidance, rule, rules),
            }
            for rule in sorted(
                (rule for rule in rules.rules if rule.enabled),
                key=lambda rule: (rule.colour != "red", rule.colour is None),
            )
        ],
        "triggering_symptoms": [
            {"code": symptom.code, **symptom.label} for symptom in rules.symptoms if symptom.triggers
        ],
        "recovery": {
            "checkins": dict(rules.recovery_checkins),
            "guidance": dict(rules.recovery_guidance),
        },
    }


def checkpoint_policies(now: int, today: date) -> dict:
    """What checkpoints check now: for each kind, the policy that holds across the region, and the areas
    whose checkpoints follow a policy of their own (with the risk areas where checking resumes)."""
    versions = all_versions()
    region_wide = [policy for policy in versions if policy.area is None]
    current = policies.current_versions(versions, now)
    areas_in_force = [row for row in risk_areas(today) if row["in_force"]]
    exceptions = []
    for policy in sorted(current.values(), key=lambda p: (p.area or "", p.kind or "")):
        if policy.retired or policy.area is None:
            continue
        resumes = [
            row["district"]
            for row in areas_in_force
            if districts.within(row["district"], policy.area) or districts.within(policy.area, row["district"])
        ]
        exceptions.append(
            {
                "area": policy.area,
                "name": names(policy.area),
                "kind": policy.kind,
                "policy": policies.to_dict(policy),
                "checked_in_risk_areas": []
                if policy.checking
                else [{"district": d, "name": names(d)} for d in resumes],
            }
        )
    return {
        "kinds": [
            {"kind": kind, "policy": policies.to_dict(policies.in_force(region_wide, kind, "", now, today, []))}
            for kind in CHECKPOINT_KINDS
        ],
        "areas": exceptions,
    }


def hotlines() -> list[dict]:
    """The configured hotlines (INFO_HOTLINES: [{"number", "zh", "en"}]); a malformed entry is left out and logged."""
    shown = []
    for entry in current_app.config.get("INFO_HOTLINES") or []:
        if (
            isinstance(entry, dict)
            and isinstance(entry.get("number"), str)
            and PHONE_NUMBER.match(entry["number"])
            and all(isinstance(entry.get(language), str) and entry[language] for language in LANGUAGES)
        ):
            shown.append({"number": entry["number"], "name": {language: entry[language] for language in LANGUAGES}})
        else:
            log.warning("INFO_HOTLINES: entry left out, it needs a number and names in %s", "/".join(LANGUAGES))
    return shown
