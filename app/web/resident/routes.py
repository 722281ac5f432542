"""Resident pages. The code and check-in pages hold no personal data in their HTML: their scripts
read it from the API or, offline, from the device, so the service worker may cache the shells."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from wtforms.fields.choices import SelectChoice

from app.domain import districts
from app.domain.masking import mask_name
from app.infra import clock
from app.services import appeals as appeal_service
from app.services import desk
from app.services import medical_card as medical_cards
from app.services.errors import DomainError
from app.services.profiles import checkin_options, save_profile
from app.web.auth.roles import home_for, role_required
from app.web.converters import query_id
from app.web.desk.forms import DEPARTMENT_LABELS
from app.web.errors import show_on_form
from app.web.i18n import lang
from app.web.relatives.routes import _qr_svg as qr_svg
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
    form.district.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(code, name) for code, name in districts.choices(lang())
    ]
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


# --- the code as the medical card (一码就医) ------------------------------------------------------------


@bp.get("/medical-card")
@role_required("resident")
def medical_card():
    """The 就医码 page (`?for=<id>`: a relative's): its script asks /api/medical-card for a short-lived QR and the
    next one before it expires. It needs the network, so nothing of it is kept on the device."""
    if not current_user.has_profile:
        return redirect(url_for("resident.profile"))
    return render_template("resident/medical_card.html")


@bp.route("/medical-card/print", methods=["GET", "POST"])
@role_required("resident")
def print_medical_card():
    """A printed medical card for a relative without a smartphone (`?for=<id>`); it opens only with a one-time
    code texted to them or to a guardian. Its QR is shown once, right after it is made."""
    person_id = query_id("for")
    if person_id is None:
        abort(404)
    if request.method == "POST":
        try:
            card = medical_cards.print_for_relative(current_user, person_id)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for("relatives.index"))
        return render_template(
            "desk/printed_card.html", card=card, svg=qr_svg(card.qr_text), back=url_for("relatives.index")
        )
    subject = medical_cards.relative(current_user, person_id)
    return render_template(
        "desk/printed_card.html", card=None, subject=subject, current=medical_cards.printed_card_of(subject.id)
    )


@bp.get("/visits")
@role_required("resident")
def visits():
    """My visits by the medical card at every institution (`?for=<id>`: a relative's)."""
    subject, rows = medical_cards.visits_of(current_user, query_id("for"))
    return render_template(
        "resident/visits.html", subject=subject, visits=rows, departments=DEPARTMENT_LABELS, mask_name=mask_name
    )


@bp.get("/checkin/history")
@role_required("resident")
def checkin_history():
    """My check-ins, newest first (`?for=<id>`: a relative's), with who filed those filed for me at a desk."""
    subject, lines = desk.checkin_history(current_user, query_id("for"))
    return render_template("resident/checkins.html", subject=subject, lines=lines, mask_name=mask_name)
