"""Oversight pages (thin views over app.services.oversight); the audit log is read-only here."""

from flask import Response, current_app, render_template, request, stream_with_context
from flask_login import current_user

from app.infra import clock
from app.services import oversight
from app.web.auth.roles import role_required
from app.web.i18n import lang
from app.web.oversight import bp
from app.web.oversight.forms import ACTION_LABELS, AuditSearchForm, action_label, role_label

OVERSIGHT_ROLES = ("admin", "supervisor")


@bp.get("/")
@role_required(*OVERSIGHT_ROLES)
def overview():
    """Colour counts per day and per district as charts, scans per checkpoint, open reports and appeals."""
    figures = oversight.overview(current_user, request.args.get("area", ""), lang())
    return render_template(
        "oversight/overview.html",
        figures=figures,
        area_options=oversight.area_options(current_user, lang(), current_app.config["HOME_REGION"], figures.area),
        chart_days=oversight.CHART_DAYS,
        scan_days=oversight.SCAN_DAYS,
    )


def _search_form() -> AuditSearchForm:
    actions = list(ACTION_LABELS) + [a for a in oversight.known_actions() if a not in ACTION_LABELS]
    return AuditSearchForm(request.args, actions)


@bp.get("/audit")
@role_required(*OVERSIGHT_ROLES)
def audit():
    """Search the audit log (newest first, 50 a page); entries cannot be changed here."""
    form = _search_form()
    if not form.validate():
        return render_template("oversight/audit.html", form=form, results=None, query={}), 422
    query = {key: value for key, value in request.args.items() if value and key in form._fields}
    results = oversight.search_audit(current_user, form.filters(), request.args.get("page", 1, type=int))
    return render_template(
        "oversight/audit.html",
        form=form,
        results=results,
        query=query,
        action_label=action_label,
        role_label=role_label,
    )


@bp.get("/audit.csv")
@role_required(*OVERSIGHT_ROLES)
def audit_export():
    """The search's entries as a CSV file; the export itself is written to the audit log."""
    form = _search_form()
    if not form.validate():
        return render_template("oversight/audit.html", form=form, results=None, query={}), 422
    labels = {"role": role_label, "action": action_label}
    lines = oversight.export_audit(current_user, form.filters(), lambda kind, value: labels[kind](value))
    filename = f"audit-log-{clock.local_today():%Y%m%d}.csv"
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
