"""Sign-in forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Regexp

PHONE_PATTERN = r"^1[3-9]\d{9}$"


class PhoneForm(FlaskForm):
    """Step 1: the phone number to send a code to."""

    phone = StringField(
        _l("Mobile number"),
        validators=[
            InputRequired(_l("Please enter your mobile number.")),
            Regexp(PHONE_PATTERN, message=_l("Please enter an 11-digit mainland mobile number starting with 1.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "tel", "maxlength": 11},
    )


class CodeForm(FlaskForm):
    """Step 2: the code from the text message."""

    code = StringField(
        _l("SMS code"),
        validators=[
            InputRequired(_l("Please enter the 6-digit code from the text message.")),
            Regexp(r"^\d{6}$", message=_l("The code has 6 digits.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6},
    )


class PhoneHelpFindForm(FlaskForm):
    """Staff help: the person's document (seen in person) and the number their account should move to."""

    doc_kind = SelectField(_l("Document"), choices=[])
    doc_number = StringField(
        _l("Document number"),
        validators=[InputRequired(_l("Please enter the document number.")), Length(max=32)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    new_phone = StringField(
        _l("New mobile number"),
        validators=[
            InputRequired(_l("Please enter the new mobile number.")),
            Regexp(PHONE_PATTERN, message=_l("Please enter an 11-digit mainland mobile number starting with 1.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 11},
    )


class PhoneHelpCodeForm(FlaskForm):
    """Staff help, step 2: the code the person received on the new number, and the signed step-1 answer."""

    ticket = HiddenField()
    code = StringField(
        _l("Code the person received on the new number"),
        validators=[
            InputRequired(_l("Please enter the 6-digit code from the text message.")),
            Regexp(r"^\d{6}$", message=_l("The code has 6 digits.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 6},
    )
