"""Return registration pages (thin views over app.services.returning)."""

import click
from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.domain import districts
from app.domain.masking import mask_phone
from app.extensions import csrf
from app.infra import background, clock
from app.services.errors import DomainError
from app.services.profiles import TRANSPORT_LABELS
from app.services.returning import ReturnError, arrivals, registrations, row_error_text, sending, uploads
from app.web.auth.roles import role_required
from app.web.errors import form_status, show_on_form, wants_json
from app.web.i18n import lang
from app.web.returning import bp
from app.web.returning.forms import (
    HEALTH_LABELS,
    STATUS_LABELS,
    UPLOAD_STATUS_LABELS,
    ArrivalsForm,
    ListUploadForm,
    ReturnForm,
)

ARRIVALS_ROLES = ("admin", "reviewer", "supervisor", "handler")


def _return_form(name: str | None) -> ReturnForm:
    form = ReturnForm()
    choose = [SelectChoice("", _("Choose…"))]
    form.from_district.choices = choose + [SelectChoice(c, n) for c, n in registrations.origins(lang())]
    form.destination.choices = choose + [SelectChoice(c, n) for c, n in registrations.destinations(lang())]
    form.transport.choices = choose + [SelectChoice(code, label()) for code, label in TRANSPORT_LABELS.items()]
    if request.method == "GET" and name:
        form.name.data = name
    return form


def _plan(form: ReturnForm) -> registrations.Plan:
    return registrations.Plan(
        name=form.name.data or "",
        planned_day=form.planned_day.data,
        from_district=form.from_district.data or "",
        destination=form.destination.data or "",
        transport=form.transport.data or "",
        trip_number=form.trip_number.data,
        health=form.health.data or "",
    )


def _labels() -> dict:
    return {
        "health_labels": HEALTH_LABELS,
        "status_labels": STATUS_LABELS,
        "transport_labels": {code: label() for code, label in TRANSPORT_LABELS.items()},
        "district_name": lambda code: districts.name_of(code, lang()),
        "first_day": registrations.plan_limits()[0],
        "last_day": registrations.plan_limits()[1],
        "region": registrations.region_name(lang()),
    }


# --- residents --------------------------------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@role_required("resident")
def register():
    """Register a planned return from the app, and see earlier registrations."""
    form, refused = _return_form(current_user.name), None
    if form.validate_on_submit():
        try:
            registration = registrations.register_own(current_user, _plan(form), lang())
        except DomainError as error:
            refused = error
            show_on_form(form, error)
        else:
            flash(
                _(
                    "Your return on %(day)s is registered. When you arrive, your first check-in records it.",
                    day=registration.planned_day.isoformat(),
                ),
                "info",
            )
            return redirect(url_for("returning.register"))
    status = form_status(form, refused)
    return render_template(
        "returning/register.html", form=form, registrations=registrations.registrations_of(current_user), **_labels()
    ), status


@bp.post("/<id:registration_id>/cancel")
@role_required("resident")
def cancel(registration_id):
    """Withdraw a planned return."""
    try:
        registrations.cancel(current_user, registration_id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("The planned return was cancelled."), "info")
    return redirect(url_for("returning.register"))


@bp.get("/arrival")
@role_required("resident")
def arrival():
    """What the check-in form fills in from the resident's planned return (JSON; null when nothing)."""
    response = jsonify({"arrival": registrations.arrival_prefill(current_user)})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/invited/<token>", methods=["GET", "POST"])
def invited(token):
    """The registration a texted invitation links to: no sign-in (the link went to that phone), used once."""
    try:
        invitation = registrations.read_invitation(token)
    except ReturnError as error:
        return render_template("returning/link_problem.html", message=error.message), error.status
    done = registrations.registration_for_invitation(invitation)
    if done is not None:
        return render_template("returning/invited_done.html", registration=done, **_labels())
    form, refused = _return_form(invitation.name), None
    if form.validate_on_submit():
        try:
            registrations.register_invited(token, _plan(form), lang())
        except DomainError as error:
            refused = error
            show_on_form(form, error)
        else:
            flash(_("Thank you. Your return is registered."), "info")
            return redirect(url_for("returning.invited", token=token))
    status = form_status(form, refused)
    return render_template("returning/invited.html", form=form, phone=mask_phone(invitation.phone), **_labels()), status


# --- the authority: invitation lists ---------------------------------------------------------------------


@bp.route("/uploads", methods=["GET", "POST"])
@csrf.exempt  # the large upload is read here, not before the view; the form still checks the CSRF token
@role_required("admin")
def upload_list():
    """Upload a list of people planning to return; it is checked and previewed before anything is sent."""
    request.max_content_length = current_app.config["RETURN_UPLOAD_MAX_BYTES"]
    form, refused = ListUploadForm(), None
    if form.validate_on_submit():
        try:
            upload = uploads.preview_upload(form.file.data.filename, form.file.data.read(), current_user.id)
        except DomainError as error:
            refused = error
            show_on_form(form, error)
        else:
            return redirect(url_for("returning.upload", upload_id=upload.id))
    status = form_status(form, refused)
    return render_template(
        "returning/uploads.html", form=form, uploads=uploads.recent_uploads(), status_labels=UPLOAD_STATUS_LABELS
    ), status


@bp.get("/uploads/<id:upload_id>")
@role_required("admin")
def upload(upload_id):
    """A list's preview (counts, rejected rows, its first rows) and, once sending, its progress."""
    found = uploads.get_upload(upload_id)
    return render_template(
        "returning/upload.html",
        upload=found,
        progress=sending.progress(upload_id),
        rejected=[(line, row_error_text(code, params)) for line, code, params in found.rejected],
        first_rows=uploads.first_rows(upload_id),
        status_labels=UPLOAD_STATUS_LABELS,
        mask_phone=mask_phone,
    )


@bp.post("/uploads/<id:upload_id>/send")
@role_required("admin")
def send(upload_id):
    """Start texting a list's invitations in the background (or resume a run that stopped)."""
    try:
        sending.start_sending(upload_id, current_user.id, request.url_root)
    except DomainError as error:
        if wants_json():
            raise
        flash(error.message, "error")
    else:
        if wants_json():
            return jsonify(sending.progress(upload_id).to_dict()), 202
        flash(_("Sending has started. You may leave this page: it goes on without you."), "info")
    return redirect(url_for("returning.upload", upload_id=upload_id))


@bp.get("/uploads/<id:upload_id>/progress")
@role_required("admin")
def progress(upload_id):
    """How far sending got (JSON, polled by the list's page)."""
    response = jsonify(sending.progress(upload_id).to_dict())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/uploads/<id:upload_id>/discard")
@role_required("admin")
def discard(upload_id):
    """Drop a list that was not sent, with its phone numbers."""
    try:
        uploads.discard_upload(upload_id, current_user.id)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("returning.upload", upload_id=upload_id))
    flash(_("The list was discarded; nobody was texted."), "info")
    return redirect(url_for("returning.upload_list"))


# --- the authority: expected arrivals --------------------------------------------------------------------


@bp.get("/arrivals")
@role_required(*ARRIVALS_ROLES)
def arrivals_table():
    """Expected arrivals per district and day, as a chart and a table with the numbers."""
    form = ArrivalsForm(request.args)
    form.area.choices = [SelectChoice(c, n) for c, n in arrivals.area_choices(current_user, lang())]
    table = None
    if form.validate():
        try:
            table = arrivals.expected_arrivals(current_user, form.start.data, form.area.data or None)
        except DomainError as error:
            show_on_form(form, error)
    if table is None:
        table = arrivals.expected_arrivals(current_user, None, None)
    form.start.data = table.days[0]
    form.area.data = table.area
    return render_template(
        "returning/arrivals.html",
        form=form,
        table=table,
        today=clock.local_today(),
        area_name=districts.name_of(table.area, lang()),
        district_name=lambda code: districts.name_of(code, lang()),
    ), (422 if form.errors else 200)


# --- command line ------------------------------------------------------------------------------------------


@bp.cli.command("resume")
@click.argument("upload_id", type=int)
def resume_command(upload_id):
    """Resume texting a list whose sending stopped (the server went down); waits until it is done."""
    try:
        sending.resume_stalled(upload_id, uploads.get_upload(upload_id).started_by_id)
    except DomainError as error:
        with force_locale("en"):
            raise click.ClickException(error.message) from None
    background.wait(timeout=None)
    done = sending.progress(upload_id)
    click.echo(f"list {upload_id}: {done.sent} sent, {done.failed} failed, {done.unsure} unsure of {done.total}")
