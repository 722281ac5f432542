"""Forms for binding a relative and confirming their consent."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp

from app.web.auth.forms import PHONE_PATTERN
from app.web.resident.forms import DOC_KIND_LABELS

RELATIONSHIP_LABELS = {
    "child": _l("My child"),
    "parent": _l("My parent"),
    "grandparent": _l("My grandparent"),
    "grandchild": _l("My grandchild"),
    "spouse": _l("My spouse"),
    "sibling": _l("My brother or sister"),
    "other": _l("Other relative"),
}


class RelativeForm(FlaskForm):
    """Who the relative is; their own phone (if they have one) receives the consent code."""

    relationship = SelectField(_l("Relationship"), choices=[SelectChoice(k, v) for k, v in RELATIONSHIP_LABELS.items()])
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Please enter the relative's name.")),
            Length(min=2, max=30, message=_l("The name must have 2 to 30 characters.")),
        ],
    )
    doc_kind = SelectField(
        _l("Document"), choices=[SelectChoice(k, v) for k, v in DOC_KIND_LABELS.items()], default="resident_id"
    )
    doc_number = StringField(_l("Document number"), validators=[Length(max=32)])
    phone = StringField(
        _l("The relative's own mobile number (if they have one)"),
        validators=[
            Optional(),
            Regexp(PHONE_PATTERN, message=_l("Please enter an 11-digit mainland mobile number starting with 1.")),
        ],
        render_kw={"inputmode": "numeric", "maxlength": 11},
    )


class ConsentForm(FlaskForm):
    """The code the relative received and read out."""

    code = StringField(
        _l("Code the relative received"),
        validators=[
            InputRequired(_l("Please enter the 6-digit code from the text message.")),
            Regexp(r"^\d{6}$", message=_l("The code has 6 digits.")),
        ],
        render_kw={"inputmode": "numeric", "maxlength": 6, "autocomplete": "one-time-code"},
    )
