"""Return registration, invitation lists and the arrivals filter."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.web.authority.forms import DayField

HEALTH_LABELS = {
    "healthy": _l("I feel well: no fever, cough or other symptoms"),
    "fever": _l("Fever (37.3 °C or more)"),
    "respiratory": _l("Cough, sore throat or other breathing symptoms"),
    "other": _l("Other discomfort"),
}
STATUS_LABELS = {"planned": _l("Planned"), "arrived": _l("Arrived"), "cancelled": _l("Cancelled")}
UPLOAD_STATUS_LABELS = {
    "previewed": _l("Waiting to be sent"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "discarded": _l("Discarded"),
}


class ReturnForm(FlaskForm):
    """A planned return: who, when, from where to where, how, and how they feel. The lists' values are
    checked by the service (its messages name the region), so the selects accept any value here."""

    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Please enter your name as on your document (2 to 30 letters).")), Length(max=30)],
        render_kw={"autocomplete": "name"},
    )
    planned_day = DayField(
        _l("Planned arrival date"), validators=[InputRequired(_l("Please enter a date like 2026-11-22."))]
    )
    from_district = SelectField(_l("Coming from (county)"), validate_choice=False)
    destination = SelectField(_l("Where you will stay (county)"), validate_choice=False)
    transport = SelectField(_l("How you will travel"), validate_choice=False)
    trip_number = StringField(
        _l("Flight or train number"),
        validators=[Optional(), Length(max=20, message=_l("Use at most 12 letters and digits."))],
        render_kw={"autocapitalize": "characters", "autocomplete": "off"},
    )
    health = RadioField(
        _l("How do you feel?"),
        choices=[SelectChoice(k, v) for k, v in HEALTH_LABELS.items()],
        validate_choice=False,
        validators=[InputRequired(_l("Please choose how you feel."))],
    )
    promise = BooleanField(
        _l("I promise that the information I filled in is true and valid."),
        validators=[DataRequired(_l("Please confirm that the information is true."))],
    )


class ListUploadForm(FlaskForm):
    """A CSV of phone numbers (and optionally names) of people planning to return."""

    file = FileField(_l("List of people (CSV)"), validators=[FileRequired(_l("Please choose a CSV file."))])


class ArrivalsForm(FlaskForm):
    """Which days and which area the arrivals table shows (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    start = DayField(_l("From"), validators=[Optional()])
    area = SelectField(_l("Area"), validate_choice=False, validators=[Optional()])
