"""Report forms: an epidemic clue, a supervision report, and a handler's progress or result."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from app.services.reports import CONDITION_LABELS, TYPE_LABELS
from app.web.places import PlaceField


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _PlaceForm(FlaskForm):
    """Where: the district (for routing) and the place within it."""

    district = PlaceField(
        _l("District"),
        validators=[InputRequired(_l("Please choose the district."))],
        message=_l("Please choose the district."),
    )
    place = StringField(
        _l("Place"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Please enter where it is (street, community, building or shop).")),
            Length(min=2, max=200, message=_l("The place must have 2 to 200 characters.")),
        ],
    )


class ClueForm(_PlaceForm):
    """疫情线索提供: who, where, and which of the four conditions applies."""

    suspect_name = StringField(
        _l("Name of the person"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Please enter the person's name (a surname or what people call them is enough).")),
            Length(max=64, message=_l("The name must have at most 64 characters.")),
        ],
    )
    condition = RadioField(
        _l("Their situation"),
        validate_choice=False,
        choices=[SelectChoice(code, label) for code, label in CONDITION_LABELS.items()],
        validators=[InputRequired(_l("Please choose one of the options."))],
    )
    description = TextAreaField(
        _l("Anything else the handler should know (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=2000, message=_l("Please keep it under 2000 characters."))],
    )

    def validate_condition(self, field):
        if field.data not in CONDITION_LABELS:
            raise ValidationError(_l("Please choose one of the options."))


class SupervisionForm(_PlaceForm):
    """疫情群众监督举报: the type, where, and what happened."""

    report_type = RadioField(
        _l("What are you reporting?"),
        validate_choice=False,
        choices=[SelectChoice(code, label) for code, label in TYPE_LABELS.items()],
        validators=[InputRequired(_l("Please choose one of the options."))],
    )
    description = TextAreaField(
        _l("What happened"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Please describe what you saw.")),
            Length(min=5, max=2000, message=_l("Please describe it in 5 to 2000 characters.")),
        ],
    )

    def validate_report_type(self, field):
        if field.data not in TYPE_LABELS:
            raise ValidationError(_l("Please choose one of the options."))


class UpdateForm(FlaskForm):
    """A handler's step: progress while verifying, or the result that closes the report."""

    state = RadioField(
        _l("Step"),
        validate_choice=False,
        choices=[
            SelectChoice("verifying", _l("Verifying on site (progress note)")),
            SelectChoice("resolved", _l("Result: dealt with")),
            SelectChoice("unfounded", _l("Result: not confirmed")),
        ],
        validators=[InputRequired(_l("Please choose a step."))],
    )
    note = TextAreaField(
        _l("Note or result"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Please write what was done or found.")),
            Length(max=2000, message=_l("Please keep it under 2000 characters.")),
        ],
    )

    def validate_state(self, field):
        if field.data not in ("verifying", "resolved", "unfounded"):
            raise ValidationError(_l("Please choose a step."))
