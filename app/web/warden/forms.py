"""Warden forms: enrolment with the checkpoint, why a trail is opened, why a pass is blocked."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

CHECKPOINT_KIND_LABELS = {
    "highway_exit": _l("Highway exit"),
    "community_gate": _l("Community gate"),
    "village_entrance": _l("Village entrance"),
    "mall": _l("Shopping mall"),
    "office_building": _l("Office building"),
    "station": _l("Station"),
    "hospital": _l("Hospital"),
    "work_site": _l("Work site"),
    "other": _l("Other"),
}
TRAIL_WHY_LABELS = {
    "non_green": _l("The code is not green"),
    "suspicious": _l("The person's account of their trip is doubtful"),
    "risk_area": _l("The person may have come from a risk area"),
    "spot_check": _l("Spot check ordered by the authority"),
}


class TrailForm(FlaskForm):
    """Why the warden needs to see the person's trail (written to the audit log)."""

    why = SelectField(
        _l("Why do you need the 14-day trail?"), choices=[SelectChoice(k, v) for k, v in TRAIL_WHY_LABELS.items()]
    )


class BlockForm(FlaskForm):
    """Why the pass is blocked and reported."""

    reason = StringField(
        _l("Reason for blocking and reporting"),
        validators=[InputRequired(_l("Please say why the person is stopped.")), Length(max=200)],
    )
