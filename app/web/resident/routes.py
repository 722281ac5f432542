"""Resident pages. The code and check-in pages hold no personal data in their HTML: their scripts
read it from the API or, offline, from the device, so the service worker may cache the shells."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app.infra import clock
from app.services import appeals as appeal_service
from app.services.errors import DomainError
from app.services.profiles import checkin_options, save_profile
from app.web.auth.roles import home_for, role_required
from app.web.errors import show_on_form
from app.web.i18n import lang
from app.web.resident import bp
from app.web.resident.forms import (
    APPEAL_GROUND_LABELS,
    DOC_KIND_LABELS,
    AppealForm,
    ProfileForm,
)


@bp.get("/")
def index():
    """Start page: the code for signed-in residents, sign-in for everyone else."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.sign_in"))


@bp.route("/profile", methods=["GET", "POST"])
@role_required("resident")
def profile():
    """Fill or update the real-name profile."""
    form = ProfileForm(obj=current_user if current_user.has_profile else None)
    locked = current_user.doc_hash is not None
    if form.validate_on_submit():
        try:
            holder = save_profile(
                current_user,
                name=form.name.data,
                address=form.address.data,
                district=form.district.data,
                doc_kind=form.doc_kind.data,
                doc_number=form.doc_number.data,
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            if holder.id != current_user.id:  # this phone took over the record a relative made
                login_user(holder, remember=True)
            flash(_("Your profile was saved."), "info")
            return redirect(url_for("resident.checkin" if holder.colour is None else "resident.code"))
    status = 422 if form.errors else 200
    return render_template("resident/profile.html", form=form, locked=locked, doc_kinds=DOC_KIND_LABELS), status


@bp.get("/checkin")
@role_required("resident")
def checkin():
    """The declaration / daily check-in form; its script queues the answer on the device and sends it."""
    if not current_user.has_profile:
        return redirect(url_for("resident.profile"))
    return render_template("resident/checkin.html", options=checkin_options(lang()))


@bp.get("/code")
@role_required("resident")
def code():
    """The health code page; its script shows the code from the API or the device."""
    return render_template("resident/code.html")


@bp.route("/appeals", methods=["GET", "POST"])
@role_required("resident")
def appeals():
    """Dispute the current colour and follow earlier appeals to their outcome."""
    form = AppealForm()
    if form.validate_on_submit():
        try:
            appeal = appeal_service.file_appeal(current_user, form.ground.data, form.reason.data)
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(
                _(
                    "Your appeal was received. A reviewer will answer it by %(due)s.",
                    due=clock.to_local(appeal.due_at).strftime("%Y-%m-%d %H:%M"),
                ),
                "info",
            )
            return redirect(url_for("resident.appeals"))
    status = 422 if form.errors else 200
    return render_template(
        "resident/appeals.html",
        form=form,
        appeals=appeal_service.appeals_of(current_user.id),
        grounds=APPEAL_GROUND_LABELS,
    ), status
