"""The clinic desk's server forms (an observation's daily entry and its closing) and the words for the clinic's
choices (case types, outcomes) that the queued forms and the pages show."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.domain.vocabulary import BODY_TEMPERATURE_C, OBSERVATION_CASE_TYPES
from app.models.clinic import OBSERVATION_OUTCOMES
from app.services.checkins import TEMPERATURE_MESSAGE
from app.services.clinic.fields import NOTE_LENGTH, SYMPTOMS_LENGTH

CASE_TYPE_LABELS = {
    "suspected": _l("Suspected case"),
    "confirmed": _l("Confirmed case"),
    "asymptomatic": _l("Asymptomatic infection"),
    "close_contact": _l("Close contact"),
    "fever_screening": _l("Fever, cause not yet known"),
}
assert tuple(CASE_TYPE_LABELS) == OBSERVATION_CASE_TYPES
OUTCOME_LABELS = {
    "released": _l("Released from observation"),
    "transferred": _l("Transferred to a designated hospital"),
    "confirmed": _l("Confirmed as a case"),
}
assert tuple(OUTCOME_LABELS) == OBSERVATION_OUTCOMES
YES_NO = [SelectChoice("no", _l("No")), SelectChoice("yes", _l("Yes"))]


class EntryForm(FlaskForm):
    """Today's entry of an observation (the service checks the values: its messages go beside the fields)."""

    temperature = StringField(
        _l("Body temperature (°C)"),
        validators=[InputRequired(TEMPERATURE_MESSAGE), Length(max=8, message=TEMPERATURE_MESSAGE)],
        render_kw={
            "type": "number",
            "inputmode": "decimal",
            "step": "0.1",
            "min": BODY_TEMPERATURE_C[0],
            "max": BODY_TEMPERATURE_C[1],
            "required": True,
        },
    )
    dry_cough = RadioField(
        _l("Dry cough"),
        choices=YES_NO,
        validate_choice=False,
        validators=[InputRequired(_l("Please answer whether the person has a dry cough."))],
    )
    other_symptoms = StringField(
        _l("Other symptoms"),
        validators=[Optional(), Length(max=SYMPTOMS_LENGTH, message=_l("Please keep this under %(max)d characters."))],
        render_kw={"maxlength": SYMPTOMS_LENGTH},
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=NOTE_LENGTH, message=_l("Please keep this under %(max)d characters."))],
        render_kw={"maxlength": NOTE_LENGTH},
    )


class CloseForm(FlaskForm):
    """How an observation ends."""

    outcome = SelectField(
        _l("Outcome"),
        choices=[SelectChoice("", _l("Choose…"))] + [SelectChoice(k, v) for k, v in OUTCOME_LABELS.items()],
        validate_choice=False,
        validators=[InputRequired(_l("Please choose how the observation ends."))],
    )
    closing_note = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=NOTE_LENGTH, message=_l("Please keep this under %(max)d characters."))],
        render_kw={"maxlength": NOTE_LENGTH},
    )
