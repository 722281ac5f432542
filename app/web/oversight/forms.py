"""Oversight forms: the audit-log search (a GET form, no CSRF token needed) and the words for actions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from app.services.oversight import AuditFilters
from app.web.authority.forms import ROLE_LABELS as STAFF_ROLE_LABELS
from app.web.authority.forms import DayField

ROLE_LABELS = {**STAFF_ROLE_LABELS, "resident": _l("Resident")}
# What each audited action means (grep `audit.record(`); an action without words here shows its bare name.
ACTION_LABELS = {
    "trail": _l("Opened a 14-day trail"),
    "id_lookup": _l("Checked a person by ID number"),
    "block": _l("Blocked and reported a pass"),
    "person_lookup": _l("Looked a person up for an override"),
    "override_requested": _l("Requested a colour override"),
    "override_approved": _l("Approved a colour override"),
    "override_rejected": _l("Rejected a colour override"),
    "appeal_review": _l("Opened an appeal"),
    "appeal_decided": _l("Decided an appeal"),
    "risk_area_added": _l("Added a risk area"),
    "risk_area_ended": _l("Ended a risk area"),
    "control_upload": _l("Uploaded a control list"),
    "control_import": _l("Imported a control list"),
    "control_upload_discarded": _l("Discarded a control-list upload"),
    "report_opened": _l("Opened a report from an SMS link"),
    "report_viewed": _l("Looked at a report (shows the reporter)"),
    "enrol_link": _l("Issued an enrolment link"),
    "enrol_link_revoked": _l("Withdrew an enrolment link"),
    "enrol": _l("Enrolled as staff"),
    "export": _l("Exported the audit log"),
    "drug_sales_listed": _l("Listed a pharmacy's fever-drug registrations"),
    "drug_sale_viewed": _l("Opened a fever-drug registration"),
    "identify": _l("Identified a person by their code or ID number"),
    "institution_registered": _l("Registered a medical institution or pharmacy"),
    "residence_edited": _l("Corrected a person's residence"),
    "observation_list": _l("Listed the people under medical observation"),
    "observation_viewed": _l("Opened a medical observation"),
    "observation_closed": _l("Closed a medical observation"),
    "medical_card_code": _l("Sent a one-time code for a printed medical card"),
    "visit_list": _l("Listed an institution's visits"),
    "desk_lookup": _l("Looked a person up at the green channel"),
    "desk_register": _l("Registered a person without a phone"),
    "desk_view": _l("Opened a person's page at the green channel"),
    "desk_survey": _l("Filed an epidemiological survey for a person"),
    "desk_paper_code": _l("Printed a paper code at the green channel"),
    "desk_medical_card": _l("Printed a medical card at the green channel"),
    "approvals_list": _l("Listed relatives waiting for approval"),
    "binding_approved": _l("Approved a relative without a phone"),
    "enterprise_viewed": _l("Opened an enterprise's declaration"),
    "enterprise_decided": _l("Decided an enterprise's declaration"),
    "enterprise_roster_export": _l("Exported an enterprise's roster"),
    "enterprise_employee_removed": _l("Removed an employee from a roster"),
    "phone_changed": _l("Changed their phone number"),
    "phone_help_lookup": _l("Looked a person up to change their phone number"),
    "phone_changed_by_staff": _l("Changed a person's phone number for them"),
    "account_deleted": _l("Deleted their account"),
    "return_upload": _l("Uploaded a list of returning residents"),
    "return_upload_discarded": _l("Discarded a list of returning residents"),
    "return_sent": _l("Texted invitations to returning residents"),
    "return_send_resumed": _l("Resumed texting invitations"),
    "checkpoint_policy_set": _l("Set a checkpoint policy"),
    "checkpoint_policy_ended": _l("Ended a checkpoint policy"),
}


def action_label(action: str) -> str:
    """The action in words, or its bare name when the app has no words for it yet."""
    return str(ACTION_LABELS.get(action, action))


def role_label(role: str) -> str:
    """The role in words."""
    return str(ROLE_LABELS.get(role, role))


class SearchDayField(DayField):
    """A date of the search (within the calendar years DayField accepts)."""

    parse_message = _l("Please enter a date such as 2022-03-01.")


class AuditSearchForm(FlaskForm):
    """Filters of the audit-log search; every field may stay empty."""

    class Meta:
        csrf = False  # a search changes nothing

    action = SelectField(_l("Action"), validate_choice=False)
    actor = StringField(_l("Staff member (name or mobile number)"), validators=[Optional(), Length(max=64)])
    subject = StringField(_l("Person concerned (name or mobile number)"), validators=[Optional(), Length(max=64)])
    date_from = SearchDayField(_l("From (date)"), validators=[Optional()])
    date_to = SearchDayField(_l("To (date)"), validators=[Optional()])

    def __init__(self, formdata, actions: list[str]):
        super().__init__(formdata=formdata)
        self.action.choices = [("", _l("Any action"))] + [(a, action_label(a)) for a in actions]

    def validate_action(self, field):
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Please choose an action from the list."))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))

    def filters(self) -> AuditFilters:
        """The search as the service takes it (call after validate)."""
        return AuditFilters(
            self.action.data or "",
            (self.actor.data or "").strip(),
            (self.subject.data or "").strip(),
            self.date_from.data,
            self.date_to.data,
        )
