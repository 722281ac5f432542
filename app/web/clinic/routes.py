"""Thin views for clinicians."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.services import clinic
from app.services.clinic import ClinicError
from app.web.auth.roles import role_required
from app.web.clinic import bp
from app.web.clinic.forms import CASE_TYPE_LABELS, OUTCOME_LABELS, YES_NO, CloseForm, EntryForm
from app.web.errors import show_on_form
from app.web.i18n import current_language
from app.web.staff.desk import desk_context


@bp.get("/")
@role_required("clinician")
def index():
    """Identify a patient (camera, typed code or ID number), then register what the visit is for."""
    return render_template("clinic/index.html", **desk_context(current_user.institution))


# --- fever-clinic visits and medical observation ----------------------------------------------------------


@bp.app_template_global()
def clinic_form_options() -> dict:
    """What the queued clinic forms offer (the index page includes them): districts, the rule set's symptoms,
    case types and yes/no, in the user's language."""
    return {
        **clinic.form_options(current_language()),
        "case_types": [(code, str(label)) for code, label in CASE_TYPE_LABELS.items()],
        "yes_no": [(choice.value, str(choice.label)) for choice in YES_NO],
    }


@bp.get("/observations")
@role_required("clinician")
def observations():
    """The people under observation at this institution: open ones first, with their days under observation."""
    page = clinic.observations_at(current_user, request.args.get("page", 1, type=int))
    return render_template("clinic/observations.html", page=page, case_types=CASE_TYPE_LABELS, outcomes=OUTCOME_LABELS)


@bp.get("/observations/<id:observation_id>")
@role_required("clinician")
def observation(observation_id):
    """One observation: its record, daily entries, today's entry and closing."""
    return _observation_page(observation_id, EntryForm(formdata=None), CloseForm(formdata=None))


@bp.post("/observations/<id:observation_id>/entries")
@role_required("clinician")
def add_entry(observation_id):
    """Record today's entry."""
    form = EntryForm()
    if form.validate_on_submit():
        try:
            clinic.add_entry(
                current_user,
                observation_id,
                temperature=form.temperature.data,
                dry_cough=form.dry_cough.data,
                other_symptoms=form.other_symptoms.data,
                note=form.note.data,
            )
        except ClinicError as error:
            if error.status == 404:
                raise
            show_on_form(form, error)
            return _observation_page(observation_id, form, CloseForm(formdata=None), error.status)
        flash(_("Today's entry was recorded."), "info")
        return redirect(url_for("clinic.observation", observation_id=observation_id))
    return _observation_page(observation_id, form, CloseForm(formdata=None), 422)


@bp.post("/observations/<id:observation_id>/close")
@role_required("clinician")
def close_observation(observation_id):
    """End the observation with its outcome."""
    form = CloseForm()
    if form.validate_on_submit():
        try:
            clinic.close_observation(
                current_user, observation_id, outcome=form.outcome.data, note=form.closing_note.data
            )
        except ClinicError as error:
            if error.status == 404:
                raise
            show_on_form(form, error)
            return _observation_page(observation_id, EntryForm(formdata=None), form, error.status)
        flash(_("The observation was closed."), "info")
        return redirect(url_for("clinic.observation", observation_id=observation_id))
    return _observation_page(observation_id, EntryForm(formdata=None), form, 422)


def _observation_page(observation_id: int, entry_form, close_form, status: int = 200):
    detail = clinic.observation_for(current_user, observation_id)
    return (
        render_template(
            "clinic/observation.html",
            detail=detail,
            entry_form=entry_form,
            close_form=close_form,
            case_types=CASE_TYPE_LABELS,
            outcomes=OUTCOME_LABELS,
        ),
        status,
    )
