"""The public information document: app.services.info's data with the interface's words in both languages
and the links. The page renders it in the user's language; /api/info answers it as JSON for other systems."""

import hashlib
import json

from flask import url_for
from flask_babel import gettext as _

from app.services.info import public_info
from app.web.authority.forms import LEVEL_LABELS
from app.web.i18n import colour_word
from app.web.info.words import both, kind_label, policy_words


def public_document() -> dict:
    """The public information with its words and links, and `version`, a hash of all of it but the time."""
    doc = public_info()
    for area in doc["risk_areas"]:
        area["level_name"] = both(lambda area=area: LEVEL_LABELS[area["level"]])
    rules = doc["colour_rules"]
    for rule in rules["rules"]:
        rule["colour_name"] = both(
            lambda rule=rule: colour_word(rule["colour"]) if rule["colour"] else _("The colour a review decides")
        )
    rules["back_to_green"] = [
        {
            "colour": colour,
            "checkins": count,
            "text": both(
                lambda colour=colour, count=count: _(
                    "%(colour)s: once none of its reasons applies any more, %(n)s consecutive daily check-ins with"
                    " nothing to report turn it green.",
                    colour=colour_word(colour),
                    n=count,
                )
            ),
        }
        for colour, count in sorted(rules["recovery"]["checkins"].items(), key=lambda item: item[0] != "yellow")
    ]
    checkpoints = doc["checkpoints"]
    for entry in checkpoints["kinds"]:
        entry["name"] = both(lambda entry=entry: kind_label(entry["kind"]))
        entry["summary"] = both(lambda entry=entry: policy_words(entry["policy"]))
    for entry in checkpoints["areas"]:
        entry["kind_name"] = both(lambda entry=entry: kind_label(entry["kind"]))
        entry["summary"] = both(lambda entry=entry: policy_words(entry["policy"]))
    doc["links"] = {
        "page": url_for("info.index", _external=True),
        "clue_report": url_for("reports.new_clue", _external=True),
        "appeal": url_for("resident.appeals", _external=True),
    }
    unchanging = {key: value for key, value in doc.items() if key != "generated_at"}
    doc["version"] = hashlib.sha256(
        json.dumps(unchanging, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()[:20]
    return doc
