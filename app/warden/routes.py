"""Warden pages (thin views over app.services.scans and app.services.staff)."""
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.auth.roles import role_required
from app.domain import districts
from app.i18n import lang
from app.services import scans, staff
from app.warden import bp
from app.warden.forms import CHECKPOINT_KIND_LABELS, TRAIL_WHY_LABELS, BlockForm, EnrolForm, TrailForm

AFTER_SIGN_IN = "after_sign_in"


@bp.route("/staff/enrol/<token>", methods=["GET", "POST"])
def enrol(token):
    """Enrol as a warden through a link from the authority (sign in first)."""
    try:
        grant = staff.read_enrolment_token(token)
    except staff.EnrolmentLinkInvalid as error:
        message = (_("This enrolment link has expired. Please ask for a new one.") if error.expired
                   else _("This enrolment link is not valid."))
        return render_template("error.html", status=400, message=message), 400
    if not current_user.is_authenticated:
        session[AFTER_SIGN_IN] = request.path
        flash(_("Please sign in with your mobile number to enrol."), "info")
        return redirect(url_for("auth.sign_in"))
    form = EnrolForm()
    joining = grant["checkpoint_id"] is not None
    if joining:  # the link names the checkpoint: only the warden's own name is asked
        for name in ("checkpoint_name", "kind", "address", "district"):
            delattr(form, name)
    else:
        form.district.choices = [SelectChoice("", _("Choose…"))] + [
            SelectChoice(code, name) for code, name in districts.choices(lang())]
    if form.validate_on_submit():
        missing = [] if joining else [f for f in (form.checkpoint_name, form.address, form.district) if not f.data]
        for field in missing:
            field.errors.append(_("Please fill this in."))
        if not missing:
            checkpoint = None if joining else {"name": form.checkpoint_name.data.strip(), "kind": form.kind.data,
                                               "address": form.address.data.strip(),
                                               "district": form.district.data}
            staff.enrol_warden(current_user, form.name.data, grant["checkpoint_id"], checkpoint)
            flash(_("You are enrolled as a warden."), "info")
            return redirect(url_for("warden.scan"))
    status = 422 if form.errors else 200
    return render_template("warden/enrol.html", form=form, joining=joining), status


def _checkpoint_view():
    checkpoint = current_user.checkpoint
    return {"id": checkpoint.id, "name": checkpoint.name, "kind_label": str(CHECKPOINT_KIND_LABELS[checkpoint.kind]),
            "district_name": districts.name_of(checkpoint.district, lang())}


@bp.get("/warden/scan")
@role_required("warden")
def scan():
    """The scanner; its scripts verify codes offline and queue the records on the device."""
    return render_template("warden/scan.html", checkpoint=_checkpoint_view(), issuer=current_app.config["CODE_ISSUER"])


@bp.get("/warden/records")
@role_required("warden")
def records():
    """This checkpoint's latest passes."""
    return render_template("warden/records.html", checkpoint=_checkpoint_view(), rows=scans.recent_scans(current_user))


@bp.route("/warden/trail/<scan_uuid>", methods=["GET", "POST"])
@role_required("warden")
def trail(scan_uuid):
    """Ask why, write the audit entry, then show the person's 14-day trail."""
    scan_row = scans.scan_for_trail(current_user, scan_uuid)
    if scan_row is None:
        abort(404)
    form = TrailForm()
    if form.validate_on_submit():
        shown = scans.open_trail(current_user, scan_row, str(TRAIL_WHY_LABELS[form.why.data]))
        return render_template("warden/trail.html", trail=shown, scan=scan_row, block_form=BlockForm())
    return render_template("warden/trail_why.html", form=form, scan=scan_row)


@bp.post("/warden/scans/<scan_uuid>/block")
@role_required("warden")
def block(scan_uuid):
    """Block the pass and report it to the authority."""
    scan_row = scans.scan_for_trail(current_user, scan_uuid)
    if scan_row is None:
        abort(404)
    form = BlockForm()
    if not form.validate_on_submit():
        flash(_("Please say why the person is stopped."), "error")
        return redirect(url_for("warden.trail", scan_uuid=scan_uuid))
    scans.block_scan(current_user, scan_row, form.reason.data.strip())
    flash(_("The pass was blocked and reported."), "info")
    return redirect(url_for("warden.records"))
