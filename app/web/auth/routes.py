"""Sign-in pages: phone → SMS code → signed in."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from app.domain.masking import mask_name, mask_phone
from app.extensions import limiter
from app.services import account
from app.services.account import HELP_ROLES
from app.services.accounts import end_every_sign_in, end_sign_in, send_sign_in_code, sign_in_with_code
from app.services.errors import DomainError
from app.web.auth import bp
from app.web.auth.forms import CodeForm, PhoneForm, PhoneHelpCodeForm, PhoneHelpFindForm
from app.web.auth.roles import AFTER_SIGN_IN, home_for, role_required
from app.web.errors import form_status, show_on_form
from app.web.resident.forms import DOC_KIND_LABELS


def _phone_key() -> str:
    return "phone:" + (request.form.get("phone") or "").strip()[:11]


def _after_sign_in(user):
    """Back to the page that asked for sign-in (such as an enrolment link), else the user's start page."""
    target = session.pop(AFTER_SIGN_IN, None)
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return home_for(user)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["OTP_SEND_LIMIT_IP"], methods=["POST"])
@limiter.limit(lambda: current_app.config["OTP_SEND_LIMIT_PHONE"], key_func=_phone_key, methods=["POST"])
def sign_in():
    """Ask for the phone number and text a code to it."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = PhoneForm()
    if form.validate_on_submit():
        try:
            send_sign_in_code(form.phone.data)
        except DomainError as error:
            show_on_form(form, error)
            return render_template("auth/sign_in.html", form=form), error.status
        session["sign_in_phone"] = form.phone.data
        flash(_("A code was sent to your phone. It is valid for 5 minutes."), "info")
        return redirect(url_for("auth.verify"))
    status = 422 if form.errors else 200
    return render_template("auth/sign_in.html", form=form), status


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["OTP_VERIFY_LIMIT_IP"], methods=["POST"])
def verify():
    """Take the code from the text message and sign the user in."""
    phone = session.get("sign_in_phone")
    if not phone:
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            user = sign_in_with_code(phone, form.code.data)
        except DomainError as error:
            show_on_form(form, error)
            if error.code in ("expired", "too_many", "no_code"):
                session.pop("sign_in_phone", None)
            return render_template("auth/verify.html", form=form, phone=phone), 422
        session.pop("sign_in_phone", None)
        target = _after_sign_in(user)
        login_user(user, remember=True)
        return redirect(target)
    status = 422 if form.errors else 200
    return render_template("auth/verify.html", form=form, phone=phone), status


@bp.post("/sign-out")
@login_required
def sign_out():
    """End this device's sign-in on the server; the page's script has already removed cached personal data."""
    end_sign_in(current_user.sign_in_id)
    return _signed_out(_("You have signed out. Personal data on this device was removed."))


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every sign-in of this user (a lost phone, a shared computer): each device must sign in again."""
    end_every_sign_in(current_user)
    return _signed_out(_("You have signed out on every device. Personal data on this device was removed."))


def _signed_out(message: str):
    session.clear()
    logout_user()  # after clear(): it marks the remember-me cookie for deletion in the session
    flash(message, "info")
    return redirect(url_for("auth.sign_in"))


# --- staff help with a phone number that is gone -----------------------------------------------------------


@bp.route("/phone-help", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["OTP_SEND_LIMIT_IP"], methods=["POST"])
@role_required(*HELP_ROLES)
def phone_help():
    """A person whose old number is gone shows their document; a code goes to their new number."""
    form, refused = PhoneHelpFindForm(), None
    form.doc_kind.choices = [SelectChoice(kind, label) for kind, label in DOC_KIND_LABELS.items()]
    if form.validate_on_submit():
        try:
            person = account.find_for_phone_help(current_user, form.doc_kind.data, form.doc_number.data)
            ticket = account.start_phone_help(current_user, person, form.new_phone.data)
        except DomainError as error:
            refused = error
            show_on_form(form, error)
        else:
            return render_template(
                "auth/phone_help_code.html",
                form=PhoneHelpCodeForm(ticket=ticket),
                masked_name=mask_name(person.name or ""),
                old_phone=mask_phone(person.phone) if person.phone else None,
                new_phone=form.new_phone.data,
            )
    return render_template("auth/phone_help.html", form=form), form_status(form, refused)


@bp.post("/phone-help/confirm")
@limiter.limit(lambda: current_app.config["OTP_VERIFY_LIMIT_IP"])
@role_required(*HELP_ROLES)
def phone_help_confirm():
    """The code the person read out: their account moves to the new number (audited)."""
    form = PhoneHelpCodeForm()
    try:
        person, new_phone = account.help_ticket(current_user, form.ticket.data)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.phone_help"))
    refused = None
    if form.validate_on_submit():
        try:
            account.finish_phone_help(current_user, form.ticket.data, form.code.data)
        except DomainError as error:
            refused = error
            show_on_form(form, error)
        else:
            flash(
                _(
                    "The account of %(name)s now has the number %(phone)s.",
                    name=mask_name(person.name or ""),
                    phone=new_phone,
                ),
                "info",
            )
            return redirect(url_for("auth.phone_help"))
    return render_template(
        "auth/phone_help_code.html",
        form=form,
        masked_name=mask_name(person.name or ""),
        old_phone=mask_phone(person.phone) if person.phone else None,
        new_phone=new_phone,
    ), form_status(form, refused)
