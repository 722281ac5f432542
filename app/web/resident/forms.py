"""Resident forms: the real-name profile and appeals against a colour."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

DOC_KIND_LABELS = {
    "resident_id": _l("Resident ID card"),
    "passport": _l("Passport"),
    "hk_macao_permit": _l("Mainland travel permit for Hong Kong and Macao residents"),
    "taiwan_permit": _l("Mainland travel permit for Taiwan residents"),
}


class ProfileForm(FlaskForm):
    """Name, document, address, district and the promise that it is all true."""

    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Please enter your name as on your document.")),
            Length(min=2, max=30, message=_l("The name must have 2 to 30 characters.")),
            Regexp(r"^[\u3400-\u9fffA-Za-z·.\- ]+$", message=_l("The name may contain only Chinese or Latin letters.")),
        ],
        render_kw={"autocomplete": "name"},
    )
    doc_kind = SelectField(
        _l("Document"),
        choices=[SelectChoice(kind, label) for kind, label in DOC_KIND_LABELS.items()],
        default="resident_id",
    )
    doc_number = StringField(
        _l("Document number"),
        validators=[Length(max=32)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    address = StringField(
        _l("Current address"),
        validators=[
            InputRequired(_l("Please enter your current address.")),
            Length(min=4, max=200, message=_l("The address must have 4 to 200 characters.")),
        ],
    )
    district = SelectField(_l("District"), validators=[InputRequired(_l("Please choose your district."))])
    promise = BooleanField(
        _l("I promise that the information I filled in is true and valid."),
        validators=[DataRequired(_l("Please confirm that the information is true."))],
    )


APPEAL_GROUND_LABELS = {
    "risk_area_too_broad": _l(
        "The risk area is drawn too broadly (for example a whole city) and I was not in the affected place"
    ),
    "not_there": _l("I was not in the place the record says"),
    "wrong_control_entry": _l("I am on the control list by mistake"),
    "recovered": _l("I have finished isolation or recovered"),
    "other": _l("Another reason"),
}


class AppealForm(FlaskForm):
    """A dispute of the current colour, with the grounds and an explanation."""

    ground = SelectField(
        _l("Why is the colour wrong?"), choices=[SelectChoice(k, v) for k, v in APPEAL_GROUND_LABELS.items()]
    )
    reason = TextAreaField(
        _l("Explain what happened"),
        validators=[
            InputRequired(_l("Please explain what happened.")),
            Length(min=10, max=1000, message=_l("Please write 10 to 1000 characters.")),
        ],
    )


# --- account management ------------------------------------------------------------------------------------

SIX_DIGITS = Regexp(r"^\d{6}$", message=_l("The code has 6 digits."))


def _code_field(label):
    return StringField(
        label,
        validators=[InputRequired(_l("Please enter the 6-digit code from the text message.")), SIX_DIGITS],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6},
    )


class NewPhoneForm(FlaskForm):
    """The number the account should move to."""

    new_phone = StringField(
        _l("New mobile number"),
        validators=[
            InputRequired(_l("Please enter your new mobile number.")),
            Regexp(r"^1[3-9]\d{9}$", message=_l("Please enter an 11-digit mainland mobile number starting with 1.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "tel", "maxlength": 11},
    )


class PhoneCodesForm(FlaskForm):
    """The codes texted to the current and to the new number."""

    old_code = _code_field(_l("Code sent to your current number"))
    new_code = _code_field(_l("Code sent to your new number"))


class NewPhoneCodeForm(FlaskForm):
    """Only the new number's code (the current number's was already accepted)."""

    new_code = _code_field(_l("Code sent to your new number"))


class DeleteAccountForm(FlaskForm):
    """The texted code, and that the person understood what is deleted and what is kept."""

    code = _code_field(_l("SMS code"))
    understood = BooleanField(
        _l("I understand that my account and data are deleted and cannot be restored."),
        validators=[DataRequired(_l("Please confirm that you understand."))],
    )
