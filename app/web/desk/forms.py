"""Desk forms: finding a person by ID number (a card reader types it), registering a person without a phone, the
epidemiological survey filed on a person's behalf. Values are checked by the services (app.services.desk and
app.services.checkins), which put their messages beside the fields."""

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, HiddenField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields import FieldList, FormField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, DateInput, ListWidget, NumberInput

from app.domain.medical_card import DEPARTMENTS
from app.domain.vocabulary import BODY_TEMPERATURE_C
from app.infra import clock
from app.web.places import PlaceField

DEPARTMENT_LABELS = {
    "internal_medicine": _l("Internal medicine"),
    "surgery": _l("Surgery"),
    "paediatrics": _l("Paediatrics"),
    "obstetrics_gynaecology": _l("Obstetrics and gynaecology"),
    "ent": _l("Ear, nose and throat"),
    "ophthalmology": _l("Ophthalmology"),
    "stomatology": _l("Stomatology (dental)"),
    "dermatology": _l("Dermatology"),
    "emergency": _l("Emergency"),
    "fever_clinic": _l("Fever clinic"),
    "tcm": _l("Traditional Chinese medicine"),
    "other": _l("Other"),
}
assert tuple(DEPARTMENT_LABELS) == DEPARTMENTS
VISIT_ROWS = 3  # places visited in the last 14 days the survey asks for (empty rows are ignored)
ID_INPUT = {
    "autofocus": True,
    "autocomplete": "off",
    "autocapitalize": "characters",
    "spellcheck": "false",
    "maxlength": 40,
    "enterkeyhint": "search",
}


class FindForm(FlaskForm):
    """One field, so the Enter a card reader types after the number submits the form."""

    id_number = StringField(
        _l("Resident ID number (type it, or read the card with the card reader)"),
        validators=[InputRequired(_l("Please enter the 18-character ID number.")), Length(max=64)],
        render_kw=ID_INPUT,
    )


class RegisterForm(FlaskForm):
    """A person without a phone, from their ID card."""

    doc_number = StringField(
        _l("Resident ID number"),
        validators=[InputRequired(_l("Please enter the 18-character ID number.")), Length(max=64)],
        render_kw={**ID_INPUT, "autofocus": False},
    )
    name = StringField(
        _l("Name as on the ID card"),
        validators=[InputRequired(_l("Please enter the person's name.")), Length(max=60)],
        render_kw={"autofocus": True, "autocomplete": "off"},
    )
    district = PlaceField(_l("District where the person lives"), check=False)
    address = StringField(
        _l("Current address"),
        validators=[InputRequired(_l("Please enter the current address.")), Length(max=300)],
        render_kw={"autocomplete": "off"},
    )


class VisitRowForm(Form):
    """One district visited in the last 14 days."""

    district = PlaceField(_l("District"), check=False)
    day = StringField(_l("Date"), widget=DateInput())


class SurveyForm(FlaskForm):
    """流行病学史调查: the check-in's questions, answered for the person by staff."""

    uuid = HiddenField()
    district = PlaceField(_l("Where is the person now (district)"), check=False)
    temperature = StringField(
        _l("Body temperature (°C)"),
        widget=NumberInput(step="0.1", min=BODY_TEMPERATURE_C[0], max=BODY_TEMPERATURE_C[1]),
        render_kw={"inputmode": "decimal", "placeholder": "36.5"},
    )
    symptoms = SelectMultipleField(
        _l("Symptoms today (tick all that apply; none if empty)"),
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    contact_with_cases = RadioField(
        _l("In the last 14 days, was the person in contact with a confirmed or suspected case?"),
        choices=[SelectChoice("no", _l("No")), SelectChoice("yes", _l("Yes"))],
        validate_choice=False,
    )
    visits = FieldList(FormField(VisitRowForm), min_entries=VISIT_ROWS, max_entries=VISIT_ROWS)
    arrived = BooleanField(_l("Arrived from another province in the last 14 days"))
    arrival_from = PlaceField(_l("Came from (district)"), check=False, local=False)
    arrival_day = StringField(_l("Arrival date"), widget=DateInput())
    arrival_transport = SelectField(_l("How the person travelled"), validate_choice=False)

    def set_choices(self, options: dict, choose: str) -> None:
        """The select lists, from app.services.profiles.checkin_options."""
        # Place fields list the local area's places themselves and have the picker for the rest (app/web/places.py).
        self.symptoms.choices = [SelectChoice(code, label) for code, label in options["symptoms"]]
        self.arrival_transport.choices = [SelectChoice("", choose)] + [
            SelectChoice(code, label) for code, label in options["transports"]
        ]

    def start(self, district: str | None) -> None:
        """A new survey: a fresh record id (a repeated submission is then stored once) and the person's district."""
        self.uuid.data = str(uuid.uuid4())
        self.district.data = district or ""

    def record(self) -> dict:
        """The answers as a check-in record (app.services.checkins.parse_checkin checks every value)."""
        contact = {"yes": True, "no": False}.get(self.contact_with_cases.data)
        visits = [
            {"district": row.form.district.data, "day": row.form.day.data}
            for row in self.visits
            if row.form.district.data or row.form.day.data
        ]
        arrival = (
            {
                "from_district": self.arrival_from.data,
                "day": self.arrival_day.data,
                "transport": self.arrival_transport.data,
            }
            if self.arrived.data
            else None
        )
        return {
            "uuid": self.uuid.data,
            "checked_at": clock.now_utc().isoformat() + "Z",
            "district": self.district.data,
            "temperature": (self.temperature.data or "").strip(),
            "symptoms": list(self.symptoms.data or []),
            "contact_with_cases": contact,
            "visits": visits,
            "arrival": arrival,
        }
