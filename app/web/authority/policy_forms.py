"""The checkpoint-policy form: the scope (kind, area), checking on or off, each status's action and text, from when.

Choices are checked by the service (app.services.policies), which names the field at fault in the user's
language; the form only carries what was chosen."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from app.domain.policies import DEFAULT_ACTIONS, MAX_TEXT, STATUSES, allowed_actions
from app.web.authority.forms import DayField
from app.web.info.words import ACTION_LABELS, STATUS_LABELS
from app.web.warden.forms import CHECKPOINT_KIND_LABELS

CHECKING_LABELS = {
    "on": _l("Check codes"),
    "off": _l("Do not check codes: the area is marked low-risk"),
}
STATUS_FIELD_LABELS = {
    "green": "绿码 · green",
    "yellow": "黄码 · yellow",
    "red": "红码 · red",
    **STATUS_LABELS,
}
TEXT_LABELS = {
    status: _l("%(status)s: the note, or where the channel is (optional)", status=label)
    for status, label in STATUS_FIELD_LABELS.items()
}


class PolicyForm(FlaskForm):
    """A new version of the policy for a scope, holding from now or from the start of a later day."""

    kind = SelectField(
        _l("Kind of checkpoint"),
        choices=[SelectChoice("", _l("All kinds of checkpoint"))]
        + [SelectChoice(k, v) for k, v in CHECKPOINT_KIND_LABELS.items()],
        validate_choice=False,
    )
    area = SelectField(_l("Area"), validate_choice=False)
    checking = RadioField(
        _l("Checking"),
        choices=[SelectChoice(k, v) for k, v in CHECKING_LABELS.items()],
        default="on",
        validate_choice=False,
    )
    start = DayField(_l("From (leave empty: from now)"), validators=[Optional()])

    def steps(self) -> dict:
        """{status: {"action", "text"}} as chosen (checked by the service)."""
        return {
            status: {"action": self[f"{status}_action"].data, "text": self[f"{status}_text"].data or ""}
            for status in STATUSES
        }

    def step_fields(self):
        """(status, action field, text field) for the template."""
        return [(status, self[f"{status}_action"], self[f"{status}_text"]) for status in STATUSES]


for _status in STATUSES:
    setattr(
        PolicyForm,
        f"{_status}_action",
        SelectField(
            STATUS_FIELD_LABELS[_status],
            choices=[SelectChoice(action, ACTION_LABELS[action]) for action in allowed_actions(_status)],
            default=DEFAULT_ACTIONS[_status],
            validate_choice=False,
        ),
    )
    setattr(
        PolicyForm,
        f"{_status}_text",
        StringField(TEXT_LABELS[_status], render_kw={"maxlength": MAX_TEXT, "autocomplete": "off"}),
    )
