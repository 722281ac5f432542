"""The enrolment form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.domain.vocabulary import INSTITUTION_KINDS
from app.web.places import PlaceField
from app.web.warden.forms import CHECKPOINT_KIND_LABELS

INSTITUTION_KIND_LABELS = {
    "fever_clinic": _l("Fever clinic"),
    "general_hospital": _l("General hospital"),
    "community_health_centre": _l("Community health centre"),
    "pharmacy": _l("Pharmacy"),
}
assert tuple(INSTITUTION_KIND_LABELS) == INSTITUTION_KINDS


class EnrolForm(FlaskForm):
    """The staff member's name; a warden's checkpoint when the link names none; a clinician's or pharmacist's
    institution (an existing one, or a new one's details)."""

    name = StringField(
        _l("Your name"), validators=[InputRequired(_l("Please enter your name.")), Length(min=2, max=30)]
    )
    checkpoint_name = StringField(_l("Checkpoint name"), validators=[Optional(), Length(min=2, max=100)])
    kind = SelectField(
        _l("Type of checkpoint"), choices=[SelectChoice(k, v) for k, v in CHECKPOINT_KIND_LABELS.items()]
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(min=4, max=200)])
    district = PlaceField(_l("District"), validators=[Optional()])
    # Clinicians and pharmacists: join a registered institution, or register theirs.
    institution_id = SelectField(_l("Your institution"), validators=[Optional()])
    institution_name = StringField(_l("Institution's full name"), validators=[Optional(), Length(min=2, max=100)])
    institution_kind = SelectField(_l("Type of institution"), validators=[Optional()])
    licence_number = StringField(
        _l("Drug trade licence number (药品经营许可证编号)"), validators=[Optional(), Length(max=32)]
    )
