"""Resident pages. The code and check-in pages hold no personal data in their HTML: their scripts
read it from the API or, offline, from the device, so the service worker may cache the shells."""

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from app.domain import districts
from app.extensions import limiter
from app.infra import clock
from app.services import account as account_service
from app.services import appeals as appeal_service
from app.services.errors import DomainError
from app.services.profiles import checkin_options, save_profile
from app.web.auth.roles import home_for, role_required
from app.web.errors import form_status, show_on_form
from app.web.i18n import lang
from app.web.relatives.forms import RELATIONSHIP_LABELS
from app.web.resident import bp
from app.web.resident.forms import (
    APPEAL_GROUND_LABELS,
    DOC_KIND_LABELS,
    AppealForm,
    DeleteAccountForm,
    NewPhoneCodeForm,
    NewPhoneForm,
    PhoneCodesForm,
    ProfileForm,
)

PHONE_CHANGE = "phone_change"  # session: {"to": the new number, "old_ok": the current number's code was right}


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


# --- account management ------------------------------------------------------------------------------------


@bp.get("/account")
@role_required("resident")
def account():
    """The account: the phone numbers bound to it, changing the number, deleting the account."""
    return render_template(
        "resident/account.html", bound=account_service.bound_phones(current_user), relationships=RELATIONSHIP_LABELS
    )


@bp.route("/account/phone", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["OTP_SEND_LIMIT_IP"], methods=["POST"])
@role_required("resident")
def change_phone():
    """Step 1 of changing the number: the new number; a code goes to it and one to the current number."""
    form, refused = NewPhoneForm(), None
    if form.validate_on_submit():
        try:
            account_service.request_phone_change(current_user, form.new_phone.data)
        except DomainError as error:
            refused = error
            show_on_form(form, error)
        else:
            session[PHONE_CHANGE] = {"to": form.new_phone.data, "old_ok": False}
            flash(_("A code was sent to your current number and one to your new number."), "info")
            return redirect(url_for("resident.confirm_phone"))
    return render_template("resident/account_phone.html", form=form), form_status(form, refused)


@bp.route("/account/phone/confirm", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["OTP_VERIFY_LIMIT_IP"], methods=["POST"])
@role_required("resident")
def confirm_phone():
    """Step 2: both codes; then the account has the new number and every other device is signed out."""
    change = session.get(PHONE_CHANGE)
    if not isinstance(change, dict) or not isinstance(change.get("to"), str):
        return redirect(url_for("resident.change_phone"))
    form, refused = (NewPhoneCodeForm() if change.get("old_ok") else PhoneCodesForm()), None
    if form.validate_on_submit():
        old_code = None if change.get("old_ok") else form.old_code.data
        try:
            account_service.confirm_phone_change(current_user, change["to"], old_code, form.new_code.data)
        except DomainError as error:
            refused = error
            if error.field == "new_code" and not change.get("old_ok"):
                session[PHONE_CHANGE] = change = {**change, "old_ok": True}  # that code was right, and used up
                form = NewPhoneCodeForm()
                form.new_code.errors = []
            show_on_form(form, error)
        else:
            session.pop(PHONE_CHANGE, None)
            flash(_("Your mobile number is now %(phone)s. Other devices were signed out.", phone=change["to"]), "info")
            return redirect(url_for("resident.account"))
    return render_template(
        "resident/account_phone_confirm.html", form=form, new_phone=change["to"], old_ok=bool(change.get("old_ok"))
    ), form_status(form, refused)


@bp.route("/account/delete", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["OTP_VERIFY_LIMIT_IP"], methods=["POST"])
@role_required("resident")
def delete_account():
    """What deleting removes and keeps (and for how long); with the texted code the account is deleted."""
    form, refused = DeleteAccountForm(), None
    if form.validate_on_submit():
        try:
            account_service.delete_account(current_user, form.code.data)
        except DomainError as error:
            refused = error
            show_on_form(form, error)
        else:
            session.clear()
            logout_user()
            return redirect(url_for("resident.account_deleted"))
    return render_template(
        "resident/account_delete.html", form=form, summary=account_service.deletion_summary(current_user)
    ), form_status(form, refused)


@bp.post("/account/delete/code")
@limiter.limit(lambda: current_app.config["OTP_SEND_LIMIT_IP"])
@role_required("resident")
def send_deletion_code():
    """Text the code that confirms the deletion."""
    try:
        account_service.send_deletion_code(current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("A code was sent to your phone. It is valid for 5 minutes."), "info")
    return redirect(url_for("resident.delete_account"))


@bp.get("/account/deleted")
def account_deleted():
    """After a deletion: this page's script removes what the device still holds of the person."""
    return render_template("resident/account_deleted.html")
