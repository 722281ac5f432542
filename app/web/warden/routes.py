"""Warden pages (thin views over app.services.scans and app.services.enrolment)."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.domain import districts
from app.services import scans
from app.web.auth.roles import role_required
from app.web.i18n import lang
from app.web.warden import bp
from app.web.warden.forms import (
    CHECKPOINT_KIND_LABELS,
    TRAIL_WHY_LABELS,
    BlockForm,
    TrailForm,
)


def _checkpoint_view():
    checkpoint = current_user.checkpoint
    return {
        "id": checkpoint.id,
        "name": checkpoint.name,
        "kind": checkpoint.kind,  # with the district: which policy in the trust bundle the scanner follows
        "district": checkpoint.district,
        "kind_label": str(CHECKPOINT_KIND_LABELS[checkpoint.kind]),
        "district_name": districts.name_of(checkpoint.district, lang()),
    }


@bp.get("/scan")
@role_required("warden")
def scan():
    """The scanner; its scripts verify codes offline and queue the records on the device."""
    return render_template("warden/scan.html", checkpoint=_checkpoint_view(), issuer=current_app.config["CODE_ISSUER"])


@bp.get("/records")
@role_required("warden")
def records():
    """This checkpoint's latest passes."""
    return render_template("warden/records.html", checkpoint=_checkpoint_view(), rows=scans.recent_scans(current_user))


@bp.route("/trail/<scan_uuid>", methods=["GET", "POST"])
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


@bp.post("/scans/<scan_uuid>/block")
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
