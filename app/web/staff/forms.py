"""The enrolment form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.web.warden.forms import CHECKPOINT_KIND_LABELS


class EnrolForm(FlaskForm):
    """The staff member's name and, for a warden whose link names no checkpoint, their checkpoint."""

    name = StringField(
        _l("Your name"), validators=[InputRequired(_l("Please enter your name.")), Length(min=2, max=30)]
    )
    checkpoint_name = StringField(_l("Checkpoint name"), validators=[Optional(), Length(min=2, max=100)])
    kind = SelectField(
        _l("Type of checkpoint"), choices=[SelectChoice(k, v) for k, v in CHECKPOINT_KIND_LABELS.items()]
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(min=4, max=200)])
    district = SelectField(_l("District"), validators=[Optional()])
