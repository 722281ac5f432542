"""Enrolment through a signed, single-use link (a thin view over app.services.enrolment)."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.domain import districts
from app.services import enrolment
from app.web.auth.roles import AFTER_SIGN_IN, home_for
from app.web.authority.forms import ROLE_LABELS
from app.web.i18n import lang
from app.web.staff import bp
from app.web.staff.forms import EnrolForm


@bp.route("/enrol/<token>", methods=["GET", "POST"])
def enrol(token):
    """Enrol as staff through a link from the authority (sign in first)."""
    invite = enrolment.read_enrolment_token(token)  # an EnrolmentError is answered by the central handler
    if not current_user.is_authenticated:
        session[AFTER_SIGN_IN] = request.path
        flash(_("Please sign in with your mobile number to enrol."), "info")
        return redirect(url_for("auth.sign_in"))
    form = EnrolForm()
    new_checkpoint = invite.role == "warden" and invite.checkpoint_id is None
    if new_checkpoint:
        form.district.choices = [SelectChoice("", _("Choose…"))] + [
            SelectChoice(code, name) for code, name in districts.choices(lang())
        ]
    else:  # only the staff member's own name is asked
        for name in ("checkpoint_name", "kind", "address", "district"):
            delattr(form, name)
    if form.validate_on_submit():
        missing = (
            [f for f in (form.checkpoint_name, form.address, form.district) if not f.data] if new_checkpoint else []
        )
        for field in missing:
            field.errors.append(_("Please fill this in."))
        if not missing:
            checkpoint = (
                {
                    "name": form.checkpoint_name.data.strip(),
                    "kind": form.kind.data,
                    "address": form.address.data.strip(),
                    "district": form.district.data,
                }
                if new_checkpoint
                else None
            )
            enrolment.enrol(current_user, invite, form.name.data, checkpoint)
            flash(_("You are enrolled as: %(role)s.", role=ROLE_LABELS[invite.role]), "info")
            return redirect(home_for(current_user))
    status = 422 if form.errors else 200
    return render_template(
        "staff/enrol.html",
        form=form,
        invite=invite,
        new_checkpoint=new_checkpoint,
        role_label=ROLE_LABELS[invite.role],
        scope_name=districts.name_of(invite.scope_district, lang()) if invite.scope_district else None,
    ), status
