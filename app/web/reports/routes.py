"""Report pages (thin views over app.services.reports): residents file and follow their reports; the district's
handler opens them from a text message and records progress and the result; supervisors watch their area."""

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.domain import districts
from app.domain.pharmacy import drug_name
from app.infra import clock
from app.services import pharmacy, reports
from app.web.auth.roles import AFTER_SIGN_IN, role_required
from app.web.i18n import lang
from app.web.reports import bp
from app.web.reports.forms import ClueForm, SupervisionForm, UpdateForm


@bp.app_context_processor
def report_words():
    """Labels the report templates share."""
    return {
        "report_kinds": reports.KIND_LABELS,
        "report_states": reports.STATE_LABELS,
        "report_conditions": reports.CONDITION_LABELS,
        "report_types": reports.TYPE_LABELS,
        "sold_drug_name": lambda item: drug_name(item.drug_code, item.name, lang()),  # home checks, pharmacies
    }


@bp.get("/")
@role_required("resident")
def index():
    """My reports and their status, and where to file a new one."""
    return render_template("reports/index.html", reports=reports.reports_of(current_user), now=clock.now_utc())


def _file(kind: str, form, fields: tuple[str, ...], template: str):
    """Shared by both report forms: validate → store and route → the report's page."""
    if not current_user.has_profile:
        flash(_("Please fill in your profile first."), "info")
        return redirect(url_for("resident.profile"))
    form.district.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(code, name) for code, name in districts.choices(lang())
    ]
    if not form.is_submitted():
        form.district.data = current_user.district
    if form.validate_on_submit():
        report = reports.file_report(
            current_user,
            kind,
            district=form.district.data,
            place=form.place.data,
            **{name: form[name].data for name in fields},
        )
        if report.state == "notified":
            flash(
                _(
                    "Thank you. Your report was sent to the handler of %(district)s.",
                    district=districts.name_of(report.district, lang()),
                ),
                "info",
            )
        else:
            flash(
                _(
                    "Thank you. Your report was recorded and will be passed on to %(district)s.",
                    district=districts.name_of(report.district, lang()),
                ),
                "info",
            )
        return redirect(url_for("reports.show", report_id=report.id))
    status = 422 if form.errors else 200
    return render_template(template, form=form), status


@bp.route("/clue", methods=["GET", "POST"])
@role_required("resident")
def new_clue():
    """疫情线索提供: tell the district about a person who may carry the virus."""
    return _file("clue", ClueForm(), ("suspect_name", "condition", "description"), "reports/new_clue.html")


@bp.route("/supervision", methods=["GET", "POST"])
@role_required("resident")
def new_supervision():
    """疫情群众监督举报: report gatherings, price gouging and the like."""
    return _file("supervision", SupervisionForm(), ("report_type", "description"), "reports/new_supervision.html")


def _show(report, form=None, error=None, status=200):
    staff_view = reports.sees_reporter(current_user, report)
    can_update = reports.is_district_handler(current_user, report) and report.closed_at is None
    if can_update and form is None:
        form = UpdateForm()
    return render_template(
        "reports/show.html",
        report=report,
        staff_view=staff_view,
        reporter=reports.reporter_of(report) if staff_view else None,
        home_check=pharmacy.home_check(current_user, report) if staff_view else None,
        staff_names=reports.staff_names(report) if staff_view else {},
        form=form if can_update else None,
        error=error,
        overdue=reports.is_overdue(report, clock.now_utc()),
    ), status


@bp.get("/<id:report_id>")
@login_required
def show(report_id):
    """One report: its reporter sees the status; its handler and supervisors also see who reported."""
    report = reports.visible_report(current_user, report_id)
    if report is None:
        abort(404)  # whether it exists is nobody else's business
    if reports.sees_reporter(current_user, report):
        reports.record_view(current_user, report)
    return _show(report)


@bp.get("/handle/<token>")
def handle(token):
    """The link in the handler's text message: sign in if needed, then the report."""
    report = reports.read_link(token)  # a ReportError is answered by the central handler
    if not current_user.is_authenticated:
        session[AFTER_SIGN_IN] = request.path
        flash(_("Please sign in with your mobile number to see the report."), "info")
        return redirect(url_for("auth.sign_in"))
    if not reports.is_district_handler(current_user, report):
        abort(403)
    reports.record_view(current_user, report, via_link=True)
    return redirect(url_for("reports.show", report_id=report.id))


@bp.post("/<id:report_id>/update")
@role_required("handler")
def update(report_id):
    """The handler records progress or the result."""
    report = reports.visible_report(current_user, report_id)
    if report is None or not reports.is_district_handler(current_user, report):
        abort(404)
    if report.closed_at is not None:  # said before the form is checked: nothing on it could change that
        closed = reports.ReportError("closed")
        return _show(report, error=closed.message, status=closed.status)
    form = UpdateForm()
    if not form.validate_on_submit():
        return _show(report, form=form, status=422)
    try:
        reports.record_step(report, current_user, form.state.data, form.note.data)
    except reports.ReportError as error:
        return _show(report, error=error.message, status=error.status)
    flash(_("Saved. The reporter can see the new status."), "info")
    return redirect(url_for("reports.show", report_id=report.id))


@bp.get("/inbox")
@role_required("handler", "supervisor")
def inbox():
    """Reports in the staff member's area: overdue first, then open, then recently closed."""
    return render_template("reports/inbox.html", inbox=reports.inbox_for(current_user))
