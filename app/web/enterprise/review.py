"""The authority's enterprise pages: reviewing declarations and the resumption survey's results (admins and
reviewers; one whose `scope_district` is set sees only enterprises within it)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.domain.enterprises import INDUSTRIES, STATUSES
from app.services.enterprises import declarations, employees
from app.services.enterprises import survey as survey_service
from app.services.errors import DomainError
from app.web.auth.roles import role_required
from app.web.enterprise import bp
from app.web.enterprise.forms import DecisionForm
from app.web.enterprise.routes import LABELS
from app.web.errors import show_on_form
from app.web.i18n import lang

REVIEW_ROLES = ("admin", "reviewer")


@bp.get("/review/")
@role_required(*REVIEW_ROLES)
def review_list():
    """Declarations in the staff member's area, waiting ones first by default, oldest filing first."""
    status = request.args.get("status", "submitted")
    area = request.args.get("area", "")
    queue = declarations.review_queue(current_user, status, area, request.args.get("page", 1, type=int))
    return render_template(
        "enterprise/review_list.html",
        queue=queue,
        status=status,
        area=area,
        statuses=STATUSES,
        area_options=declarations.area_options(current_user, lang()),
        **LABELS,
    )


@bp.route("/review/<id:enterprise_id>", methods=["GET", "POST"])
@role_required(*REVIEW_ROLES)
def review(enterprise_id):
    """One declaration with its history (the look is audited); approve it or return it with reasons."""
    enterprise = declarations.for_review(current_user, enterprise_id)
    if enterprise is None:
        abort(404)
    form = DecisionForm()
    failure = None
    if form.validate_on_submit():
        try:
            declarations.decide(current_user, enterprise, form.decision.data, form.reasons.data or "")
        except DomainError as error:
            show_on_form(form, error)
            failure = error
        else:
            if enterprise.status == "approved":
                flash(_("%(name)s is approved: it can now register its employees.", name=enterprise.name), "info")
            else:
                flash(_("%(name)s was returned with what to fix.", name=enterprise.name), "info")
            return redirect(url_for("enterprise.review_list"))
    status = failure.status if failure else 422 if form.errors else 200
    return render_template(
        "enterprise/review.html",
        enterprise=enterprise,
        form=form,
        decisions=declarations.decisions_of(enterprise.id),
        counts=employees.roster_counts(enterprise),
        **LABELS,
    ), status


@bp.get("/review/survey")
@role_required(*REVIEW_ROLES)
def survey_results():
    """The resumption survey: how many enterprises named each problem, per district and per industry."""
    area, industry = request.args.get("area", ""), request.args.get("industry", "")
    results = survey_service.results(current_user, area, industry)
    return render_template(
        "enterprise/survey_results.html",
        results=results,
        area=area,
        industries=INDUSTRIES,
        area_options=declarations.area_options(current_user, lang()),
        **LABELS,
    )
