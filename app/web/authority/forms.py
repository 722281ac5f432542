"""Console forms: enrolment, staff invitations, risk areas, control-list uploads, overrides, appeals."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.domain.vocabulary import COLOURS, RISK_LEVELS
from app.infra.outbox import YEARS, in_calendar
from app.web.i18n import COLOUR_WORDS
from app.web.resident.forms import DOC_KIND_LABELS

ROLE_LABELS = {
    "admin": _l("Authority administrator"),
    "reviewer": _l("Reviewer"),
    "handler": _l("Report handler (网格员)"),
    "supervisor": _l("Supervisor (市县监督员)"),
    "warden": _l("Checkpoint warden"),
    "clinician": _l("Clinician (医护人员)"),
    "pharmacist": _l("Pharmacist (药店人员)"),
}


class InviteForm(FlaskForm):
    """Which role (and, for handlers and supervisors, which area) a new enrolment link grants."""

    role = SelectField(_l("Role"), choices=[SelectChoice(k, v) for k, v in ROLE_LABELS.items()])
    scope_district = SelectField(
        _l("Area (handlers: a district; supervisors: a city or district)"), validators=[Optional()]
    )


LEVEL_LABELS = dict(zip(RISK_LEVELS, (_l("High risk"), _l("Medium risk")), strict=True))  # high, medium


class DayField(DateField):
    """A date field whose errors speak the user's language; only years within outbox.YEARS are dates here."""

    parse_message = _l("Please enter a date like 2026-11-22.")

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.parse_message) from None
        if self.data is not None and not in_calendar(self.data):
            self.data = None
            raise ValueError(
                _l("Please enter a date between the years %(first)s and %(last)s.", first=YEARS[0], last=YEARS[1])
            )


class RiskAreaForm(FlaskForm):
    """A new risk area: where, how risky, from when, until when (open-ended if left empty)."""

    district = SelectField(_l("Area"), validators=[InputRequired(_l("Please choose an area."))])
    level = SelectField(_l("Risk level"), choices=[SelectChoice(k, v) for k, v in LEVEL_LABELS.items()])
    start = DayField(_l("From"), validators=[InputRequired(_l("Please enter a date like 2026-11-22."))])
    end = DayField(_l("Until (leave empty while in force)"), validators=[Optional()])


class UploadForm(FlaskForm):
    """A control-list CSV file (UTF-8 or GBK, as spreadsheet programs save it)."""

    file = FileField(_l("Control-list file (CSV)"), validators=[FileRequired(_l("Please choose a CSV file."))])


COLOUR_CHOICES = [SelectChoice(colour, f"{COLOUR_WORDS[colour]} · {colour}") for colour in COLOURS]
CATEGORY_LABELS = {
    "appeal_upheld": _l("Appeal upheld"),
    "data_correction": _l("Data correction"),
    "medical_assessment": _l("Medical assessment"),
    "isolation_order": _l("Isolation order"),
}


class OverrideRequestForm(FlaskForm):
    """A manual colour for the holder of a document; it needs a second reviewer's approval."""

    doc_kind = SelectField(_l("Document"), choices=[SelectChoice(k, v) for k, v in DOC_KIND_LABELS.items()])
    doc_number = StringField(
        _l("Document number"), validators=[InputRequired(_l("Please enter the document number.")), Length(max=32)]
    )
    colour = SelectField(_l("Colour"), choices=COLOUR_CHOICES)
    category = SelectField(_l("Reason category"), choices=[SelectChoice(k, v) for k, v in CATEGORY_LABELS.items()])
    reason = TextAreaField(
        _l("Reason (kept in the record; the holder sees only the category)"),
        validators=[InputRequired(_l("Please give the reason.")), Length(min=5, max=500)],
    )
    start = DayField(_l("From"), validators=[InputRequired(_l("Please enter a date like 2026-11-22."))])
    end = DayField(_l("Until"), validators=[InputRequired(_l("Please enter a date like 2026-11-22."))])


class DecisionForm(FlaskForm):
    """A second reviewer's note on approving or rejecting an override."""

    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])


APPEAL_OUTCOMES = {"upheld": _l("Upheld: the appeal is right"), "rejected": _l("Rejected: the colour stands")}


class AppealDecisionForm(FlaskForm):
    """The reviewer's outcome, shown to the resident, and an optional manual colour (four eyes)."""

    outcome = RadioField(
        _l("Outcome"),
        choices=[SelectChoice(k, v) for k, v in APPEAL_OUTCOMES.items()],
        validators=[InputRequired(_l("Please choose an outcome."))],
    )
    message = TextAreaField(
        _l("Message to the resident"),
        validators=[InputRequired(_l("Please write the message.")), Length(min=5, max=1000)],
    )
    override_colour = SelectField(
        _l("Also ask for a manual colour (a second reviewer must approve)"),
        choices=[SelectChoice("", _l("No manual colour"))] + COLOUR_CHOICES[:2],
    )
    override_days = IntegerField(
        _l("For how many days"), default=7, validators=[Optional(), NumberRange(1, 28, _l("Between 1 and 28 days."))]
    )
