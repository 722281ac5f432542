"""Enrolment through a signed, single-use link (a thin view over app.services.enrolment)."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.domain import districts
from app.services import enrolment, institutions
from app.services.errors import DomainError
from app.web.auth.roles import AFTER_SIGN_IN, home_for
from app.web.authority.forms import ROLE_LABELS
from app.web.errors import show_on_form
from app.web.i18n import lang
from app.web.staff import bp
from app.web.staff.forms import INSTITUTION_KIND_LABELS, EnrolForm

CHECKPOINT_FIELDS = ("checkpoint_name", "kind", "address", "district")
INSTITUTION_FIELDS = ("institution_id", "institution_name", "institution_kind", "address", "district", "licence_number")
NEW_INSTITUTION = "new"


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
    kinds = institutions.kinds_for(invite.role)
    asked = (CHECKPOINT_FIELDS if new_checkpoint else ()) + (INSTITUTION_FIELDS if kinds else ())
    for name in set(CHECKPOINT_FIELDS + INSTITUTION_FIELDS) - set(asked):
        delattr(form, name)
    if kinds:
        form.institution_id.choices = [SelectChoice(NEW_INSTITUTION, _("Not listed: register my institution"))] + [
            SelectChoice(str(place.id), f"{place.name} · {districts.name_of(place.district, lang())}")
            for place in institutions.institutions_for(invite.role)
        ]
        form.institution_kind.choices = [SelectChoice(kind, INSTITUTION_KIND_LABELS[kind]) for kind in kinds]
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
            try:
                enrolment.enrol(current_user, invite, form.name.data, checkpoint, _institution_choice(form, kinds))
            except DomainError as error:
                show_on_form(form, error)
            else:
                flash(_("You are enrolled as: %(role)s.", role=ROLE_LABELS[invite.role]), "info")
                return redirect(home_for(current_user))
    status = 422 if form.errors else 200
    return render_template(
        "staff/enrol.html",
        form=form,
        invite=invite,
        new_checkpoint=new_checkpoint,
        institution_roles=bool(kinds),
        role_label=ROLE_LABELS[invite.role],
        scope_name=districts.name_of(invite.scope_district, lang()) if invite.scope_district else None,
    ), status


def _institution_choice(form, kinds) -> dict | int | None:
    """An existing institution's id, or the new institution's fields (the service checks both)."""
    if not kinds:
        return None
    if form.institution_id.data != NEW_INSTITUTION:
        return int(form.institution_id.data)
    return {
        "kind": form.institution_kind.data,
        "name": form.institution_name.data or "",
        "district": form.district.data or "",
        "address": form.address.data or "",
        "licence_number": form.licence_number.data or "",
    }
