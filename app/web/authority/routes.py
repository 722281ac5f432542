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
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.domain import districts
from app.domain.masking import mask_name
from app.extensions import csrf, db
from app.infra import clock
from app.models import ControlUpload, StaffInvite, User
from app.services import appeals as appeal_service
from app.services import enrolment, imports
from app.services import overrides as override_service
from app.services import risk_areas as risk_area_service
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
from app.web.errors import UserError
from app.web.i18n import lang
from app.web.resident.forms import APPEAL_GROUND_LABELS

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
    form.scope_district.choices = [SelectChoice("", _("Not needed for this role"))] + [
        SelectChoice(code, name) for code, name in districts.area_choices(lang())
    ]
    link = None
    if form.validate_on_submit():
        try:
            _invite, token = enrolment.issue_invite(form.role.data, current_user.id, form.scope_district.data or None)
        except ValueError:
            form.scope_district.errors.append(_("Handlers need a district; supervisors need a city or a district."))
        else:
            db.session.commit()
            link = url_for("staff.enrol", token=token, _external=True)
    invites = db.session.scalars(select(StaffInvite).order_by(StaffInvite.id.desc()).limit(50)).all()
    members = db.session.scalars(
        select(User).where(User.role.in_(tuple(ROLE_LABELS))).order_by(User.role, User.id)
    ).all()
    status = 422 if form.errors else 200
    return render_template(
        "authority/staff.html",
        form=form,
        link=link,
        invites=invites,
        members=members,
        role_labels=ROLE_LABELS,
        now=clock.now_utc(),
    ), status


@bp.post("/staff/invites/<id:invite_id>/revoke")
@role_required("admin")
def revoke_invite(invite_id):
    """Withdraw an unused enrolment link."""
    if enrolment.revoke_invite(invite_id, current_user.id):
        flash(_("The link was withdrawn."), "info")
    else:
        flash(_("This link was already used or withdrawn."), "error")
    return redirect(url_for("authority.staff_links"))


@bp.route("/risk-areas", methods=["GET", "POST"])
@role_required("admin")
def risk_areas():
    """Risk areas in force and their history; declaring one recolours the people who were there."""
    form = RiskAreaForm()
    form.district.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(code, name) for code, name in districts.area_choices(lang())
    ]
    if request.method == "GET":
        form.start.data = clock.local_today()
    if form.validate_on_submit():
        if form.end.data and form.end.data < form.start.data:
            form.end.errors.append(_("The end date is before the start date."))
        else:
            change = risk_area_service.add_risk_area(
                form.district.data, form.level.data, form.start.data, form.end.data, current_user.id
            )
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
    change = risk_area_service.end_risk_area(area_id, current_user.id)
    if change is None:
        flash(_("This risk area has already ended."), "error")
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
    uploads = db.session.scalars(select(ControlUpload).order_by(ControlUpload.id.desc()).limit(20)).all()
    status = 422 if form.errors else 200
    return render_template("authority/control_list.html", form=form, uploads=uploads), status


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
    upload = db.get_or_404(ControlUpload, upload_id)
    rejected = [(line, imports.row_error_text(code, params)) for line, code, params in upload.rejected]
    return render_template("authority/control_upload.html", upload=upload, rejected=rejected)


@bp.post("/control-list/<id:upload_id>/apply")
@role_required("admin")
def apply_control_upload(upload_id):
    """Apply the valid rows in one transaction; a script asking for NDJSON gets progress lines as it goes."""
    upload = db.get_or_404(ControlUpload, upload_id)
    if upload.status != "previewed" or not upload.valid_rows:
        raise UserError(409, "not_applicable", _("This upload has already been applied or discarded."))
    steps = imports.apply_upload(upload.id, current_user.id)
    if request.accept_mimetypes.best == "application/x-ndjson":
        return Response(
            stream_with_context(_progress_lines(steps)),
            mimetype="application/x-ndjson",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
    result = None
    for step in steps:
        result = step.recoloured or result
    flash(
        _(
            "Applied %(rows)s rows. %(n)s people's colour changed, %(worse)s of them for the worse.",
            rows=upload.valid_rows,
            n=result.changed,
            worse=result.worsened,
        ),
        "info",
    )
    return redirect(url_for("authority.control_upload", upload_id=upload.id))


def _progress_lines(steps):
    try:
        for step in steps:
            line = {"stage": step.stage, "done": step.done, "total": step.total}
            if step.recoloured is not None:
                line.update(changed=step.recoloured.changed, worsened=step.recoloured.worsened)
            yield json.dumps(line) + "\n"
    except Exception:
        db.session.rollback()
        current_app.logger.exception("control-list upload failed")
        yield json.dumps({"stage": "failed", "message": _("Applying the file failed; nothing was changed.")}) + "\n"


@bp.post("/control-list/<id:upload_id>/discard")
@role_required("admin")
def discard_control_upload(upload_id):
    """Drop an upload that was not applied."""
    if imports.discard_upload(upload_id, current_user.id):
        flash(_("The upload was discarded; nothing was applied."), "info")
    else:
        flash(_("This upload has already been applied or discarded."), "error")
    return redirect(url_for("authority.control_list"))


OVERRIDE_ERRORS = {
    "period": _l("The period must end on or after its start and last at most %(days)s days."),
    "reason": _l("Please give the reason."),
    "invalid": _l("Please check the colour and the category."),
    "own": _l("You asked for this override; a second reviewer must decide it."),
    "decided": _l("This override has already been decided."),
    "missing": _l("This override does not exist."),
}


def _override_error(code: str) -> str:
    return str(OVERRIDE_ERRORS[code]) % {"days": current_app.config["OVERRIDE_MAX_DAYS"]}


@bp.route("/overrides", methods=["GET", "POST"])
@role_required(*CONSOLE_ROLES)
def overrides():
    """Ask for a manual colour, and decide the ones other reviewers asked for (four eyes)."""
    form = OverrideRequestForm()
    if request.method == "GET":
        form.start.data = clock.local_today()
        form.end.data = clock.local_today() + timedelta(days=6)
    if form.validate_on_submit():
        person = override_service.find_person(
            form.doc_kind.data, form.doc_number.data, current_user.id, "override_request"
        )
        if person is None:
            form.doc_number.errors.append(_("Nobody with this document is registered."))
        else:
            try:
                override_service.request_override(
                    person.id,
                    form.colour.data,
                    form.category.data,
                    form.reason.data,
                    form.start.data,
                    form.end.data,
                    current_user.id,
                )
            except override_service.OverrideError as error:
                form.end.errors.append(_override_error(error.code))
            else:
                db.session.commit()
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
    try:
        result = override_service.decide_override(
            override_id, current_user.id, decision == "approve", form.note.data or ""
        )
    except override_service.OverrideError as error:
        raise UserError(409 if error.code != "missing" else 404, error.code, _override_error(error.code)) from None
    if decision == "approve":
        flash(_("Approved. %(n)s people's colour changed.", n=result.changed), "info")
    else:
        flash(_("Rejected; the colour stays as the rules set it."), "info")
    return redirect(url_for("authority.overrides"))


APPEAL_ERRORS = {
    "decided": _l("This appeal has already been decided."),
    "outcome": _l("Please write the message."),
    "override_needs_upheld": _l("A manual colour can only follow an upheld appeal."),
}


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
        except appeal_service.AppealError as error:
            if error.code == "decided":
                raise UserError(409, error.code, str(APPEAL_ERRORS[error.code])) from None
            form.override_colour.errors.append(str(APPEAL_ERRORS[error.code]))
        else:
            flash(_("The appeal was decided; the resident sees the outcome."), "info")
            if override:
                flash(_("The manual colour waits for a second reviewer."), "info")
            return redirect(url_for("authority.appeals"))
    found = appeal_service.review(appeal_id, current_user.id)
    if found is None:
        abort(404)
    item, verdicts = found
    staff_names = dict(
        db.session.execute(
            select(User.id, User.name).where(User.id.in_({v.triggered_by_id for v in verdicts if v.triggered_by_id}))
        ).all()
    )
    status = 422 if form.errors else 200
    return render_template(
        "authority/appeal.html",
        appeal=item,
        verdicts=verdicts,
        form=form,
        now=clock.now_utc(),
        grounds=APPEAL_GROUND_LABELS,
        staff_names=staff_names,
    ), status
