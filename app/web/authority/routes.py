"""Console pages (thin views over app.services.enrolment and the authority's services)."""

import json
from datetime import timedelta

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.domain import districts
from app.domain.masking import mask_name
from app.extensions import csrf
from app.infra import clock
from app.services import appeals as appeal_service
from app.services import enrolment, imports, institutions
from app.services import overrides as override_service
from app.services import risk_areas as risk_area_service
from app.services.errors import DomainError
from app.web.auth.roles import role_required
from app.web.authority import bp
from app.web.authority.forms import (
    CATEGORY_LABELS,
    LEVEL_LABELS,
    ROLE_LABELS,
    AppealDecisionForm,
    DecisionForm,
    InviteForm,
    OverrideRequestForm,
    RiskAreaForm,
    UploadForm,
)
from app.web.errors import show_on_form
from app.web.i18n import lang
from app.web.resident.forms import APPEAL_GROUND_LABELS
from app.web.staff.forms import INSTITUTION_KIND_LABELS

CONSOLE_ROLES = ("admin", "reviewer")


@bp.get("/")
@role_required(*CONSOLE_ROLES)
def index():
    """The console's start page: what needs attention."""
    return render_template("authority/index.html")


@bp.route("/staff", methods=["GET", "POST"])
@role_required("admin")
def staff_links():
    """Issue enrolment links and see who used them."""
    form = InviteForm()
    link = None
    if form.validate_on_submit():
        try:
            _invite, token = enrolment.issue_invite(form.role.data, current_user.id, form.scope_district.data or None)
        except DomainError as error:
            show_on_form(form, error)
        else:
            link = url_for("staff.enrol", token=token, _external=True)
    invites, members = enrolment.invite_lists(ROLE_LABELS)
    status = 422 if form.errors else 200
    return render_template(
        "authority/staff.html",
        form=form,
        link=link,
        invites=invites,
        members=members,
        role_labels=ROLE_LABELS,
        now=clock.now_utc(),
        institutions=institutions.institution_list(),
        kind_labels=INSTITUTION_KIND_LABELS,
    ), status


@bp.post("/staff/invites/<id:invite_id>/revoke")
@role_required("admin")
def revoke_invite(invite_id):
    """Withdraw an unused enrolment link."""
    try:
        enrolment.revoke_invite(invite_id, current_user.id)
    except enrolment.EnrolmentError as refused:
        flash(refused.message, "error")
    else:
        flash(_("The link was withdrawn."), "info")
    return redirect(url_for("authority.staff_links"))


@bp.route("/risk-areas", methods=["GET", "POST"])
@role_required("admin")
def risk_areas():
    """Risk areas in force and their history; declaring one recolours the people who were there."""
    form = RiskAreaForm()
    if request.method == "GET":
        form.start.data = clock.local_today()
    if form.validate_on_submit():
        try:
            change = risk_area_service.add_risk_area(
                form.district.data, form.level.data, form.start.data, form.end.data, current_user.id
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(
                _(
                    "%(area)s is now a %(level)s area. %(n)s people's colour changed.",
                    area=districts.name_of(change.area.district, lang()),
                    level=LEVEL_LABELS[change.area.level],
                    n=change.recoloured.changed,
                ),
                "info",
            )
            return redirect(url_for("authority.risk_areas"))
    current, history = risk_area_service.risk_area_lists()
    status = 422 if form.errors else 200
    return render_template(
        "authority/risk_areas.html",
        form=form,
        current=current,
        history=history,
        level_labels=LEVEL_LABELS,
        today=clock.local_today(),
    ), status


@bp.post("/risk-areas/<id:area_id>/end")
@role_required("admin")
def end_risk_area(area_id):
    """End a risk area early."""
    try:
        change = risk_area_service.end_risk_area(area_id, current_user.id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(
            _(
                "The risk area %(area)s has ended. %(n)s people's colour changed.",
                area=districts.name_of(change.area.district, lang()),
                n=change.recoloured.changed,
            ),
            "info",
        )
    return redirect(url_for("authority.risk_areas"))


@bp.route("/control-list", methods=["GET", "POST"])
@csrf.exempt  # the large upload is read here, not before the view; UploadForm still checks the CSRF token
@role_required("admin")
def control_list():
    """Upload a control-list file; it is checked and shown as a preview before anything is applied."""
    request.max_content_length = current_app.config["CONTROL_UPLOAD_MAX_BYTES"]
    form = UploadForm()
    if form.validate_on_submit():
        text = _decode_csv(form.file.data.read())
        if text is None:
            form.file.errors.append(_("The file must be a CSV file saved as UTF-8 or GBK text."))
        else:
            upload = imports.preview_upload(form.file.data.filename or "upload.csv", text, current_user.id)
            return redirect(url_for("authority.control_upload", upload_id=upload.id))
    status = 422 if form.errors else 200
    return render_template("authority/control_list.html", form=form, uploads=imports.recent_uploads()), status


def _decode_csv(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text if "\x00" not in text else None
    return None


@bp.get("/control-list/<id:upload_id>")
@role_required("admin")
def control_upload(upload_id):
    """The preview of an upload (counts and rejected rows), or what applying it did."""
    upload = imports.get_upload(upload_id)
    if upload is None:
        abort(404)
    rejected = [(line, imports.row_error_text(code, params)) for line, code, params in upload.rejected]
    return render_template("authority/control_upload.html", upload=upload, rejected=rejected)


@bp.post("/control-list/<id:upload_id>/apply")
@role_required("admin")
def apply_control_upload(upload_id):
    """Apply the valid rows in one transaction; a script asking for NDJSON gets progress lines as it goes."""
    steps = imports.apply_upload(upload_id, current_user.id)
    if request.accept_mimetypes.best == "application/x-ndjson":
        return Response(
            stream_with_context(_progress_lines(steps)),
            mimetype="application/x-ndjson",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
    done = list(steps)[-1]  # the last step holds the totals
    flash(
        _(
            "Applied %(rows)s rows. %(n)s people's colour changed, %(worse)s of them for the worse.",
            rows=done.done,
            n=done.recoloured.changed,
            worse=done.recoloured.worsened,
        ),
        "info",
    )
    return redirect(url_for("authority.control_upload", upload_id=upload_id))


def _progress_lines(steps):
    try:
        for step in steps:
            line = {"stage": step.stage, "done": step.done, "total": step.total}
            if step.recoloured is not None:
                line.update(changed=step.recoloured.changed, worsened=step.recoloured.worsened)
            yield json.dumps(line) + "\n"
    except Exception:  # the service has rolled back; the script is told, the log says why
        current_app.logger.exception("control-list upload failed")
        yield json.dumps({"stage": "failed", "message": _("Applying the file failed; nothing was changed.")}) + "\n"


@bp.post("/control-list/<id:upload_id>/discard")
@role_required("admin")
def discard_control_upload(upload_id):
    """Drop an upload that was not applied."""
    try:
        imports.discard_upload(upload_id, current_user.id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("The upload was discarded; nothing was applied."), "info")
    return redirect(url_for("authority.control_list"))


@bp.route("/overrides", methods=["GET", "POST"])
@role_required(*CONSOLE_ROLES)
def overrides():
    """Ask for a manual colour, and decide the ones other reviewers asked for (four eyes)."""
    form = OverrideRequestForm()
    if request.method == "GET":
        form.start.data = clock.local_today()
        form.end.data = clock.local_today() + timedelta(days=6)
    if form.validate_on_submit():
        try:
            person = override_service.request_for_document(
                form.doc_kind.data,
                form.doc_number.data,
                form.colour.data,
                form.category.data,
                form.reason.data,
                form.start.data,
                form.end.data,
                current_user.id,
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(
                _("The override for %(name)s waits for a second reviewer.", name=mask_name(person.name or "")),
                "info",
            )
            return redirect(url_for("authority.overrides"))
    pending, decided = override_service.override_lists()
    status = 422 if form.errors else 200
    return render_template(
        "authority/overrides.html",
        form=form,
        decision=DecisionForm(),
        pending=pending,
        decided=decided,
        category_labels=CATEGORY_LABELS,
    ), status


@bp.post("/overrides/<id:override_id>/<any(approve, reject):decision>")
@role_required(*CONSOLE_ROLES)
def decide_override(override_id, decision):
    """A second reviewer approves or rejects an override."""
    form = DecisionForm()
    result = override_service.decide_override(override_id, current_user.id, decision == "approve", form.note.data or "")
    if decision == "approve":
        flash(_("Approved. %(n)s people's colour changed.", n=result.changed), "info")
    else:
        flash(_("Rejected; the colour stays as the rules set it."), "info")
    return redirect(url_for("authority.overrides"))


@bp.get("/appeals")
@role_required(*CONSOLE_ROLES)
def appeals():
    """The appeals queue, overdue first, and recent decisions."""
    open_, decided = appeal_service.queue()
    return render_template(
        "authority/appeals.html", open_appeals=open_, decided=decided, now=clock.now_utc(), grounds=APPEAL_GROUND_LABELS
    )


@bp.route("/appeals/<id:appeal_id>", methods=["GET", "POST"])
@role_required(*CONSOLE_ROLES)
def appeal(appeal_id):
    """One appeal with the verdicts it disputes (rules, inputs, who or what triggered them); decide it."""
    form = AppealDecisionForm()
    if form.validate_on_submit():
        override = (
            {"colour": form.override_colour.data, "days": form.override_days.data or 7}
            if form.override_colour.data
            else None
        )
        try:
            appeal_service.decide(
                appeal_id, current_user.id, form.outcome.data == "upheld", form.message.data, override
            )
        except DomainError as error:
            if error.status != 422:
                raise
            show_on_form(form, error)
        else:
            flash(_("The appeal was decided; the resident sees the outcome."), "info")
            if override:
                flash(_("The manual colour waits for a second reviewer."), "info")
            return redirect(url_for("authority.appeals"))
    found = appeal_service.review(appeal_id, current_user.id)
    if found is None:
        abort(404)
    status = 422 if form.errors else 200
    return render_template(
        "authority/appeal.html",
        appeal=found.appeal,
        verdicts=found.verdicts,
        form=form,
        now=clock.now_utc(),
        grounds=APPEAL_GROUND_LABELS,
        staff_names=found.staff_names,
    ), status
