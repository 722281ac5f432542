"""The enterprise's pages for its head (a resident who registered it) and the join pages for its employees:
thin views over app.services.enterprises."""

import io
from functools import wraps

import qrcode
import qrcode.image.svg
from flask import Response, abort, flash, redirect, render_template, request, session, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from app.domain import districts
from app.domain.enterprises import may_work
from app.infra import clock
from app.services.enterprises import declarations, employees
from app.services.enterprises import survey as survey_service
from app.services.errors import DomainError
from app.web.auth.roles import AFTER_SIGN_IN, role_required
from app.web.enterprise import bp
from app.web.enterprise.forms import (
    INDUSTRY_LABELS,
    INSTRUCTION_LABELS,
    MAY_WORK_LABELS,
    PROBLEM_LABELS,
    ROSTER_HEADINGS,
    SCALE_LABELS,
    STATUS_LABELS,
    DeclarationForm,
    JoinForm,
    SurveyForm,
)
from app.web.errors import show_on_form
from app.web.i18n import colour_word, lang

LABELS = {
    "industry_labels": INDUSTRY_LABELS,
    "scale_labels": SCALE_LABELS,
    "status_labels": STATUS_LABELS,
    "instruction_labels": INSTRUCTION_LABELS,
    "may_work_labels": MAY_WORK_LABELS,
    "problem_labels": PROBLEM_LABELS,
}


def head_required(view):
    """Residents only, and only the head of the enterprise in the URL; anyone else gets 404 (they cannot
    tell whether it exists). The view receives the enterprise instead of its id."""

    @wraps(view)
    @role_required("resident")
    def guarded(enterprise_id, **kwargs):
        enterprise = declarations.headed_by(current_user.id, enterprise_id)
        if enterprise is None:
            abort(404)
        return view(enterprise, **kwargs)

    return guarded


def _district_choices(field, prompt: str) -> None:
    field.choices = [SelectChoice("", prompt)] + [SelectChoice(code, name) for code, name in districts.choices(lang())]


def _declaration(form: DeclarationForm) -> declarations.Declaration:
    return declarations.Declaration(
        name=form.name.data or "",
        credit_code=form.credit_code.data or "",
        district=form.district.data or "",
        address=form.address.data or "",
        industry=form.industry.data or "",
        scale=form.scale.data or "",
        employees=form.employees.data,
        contact_name=form.contact_name.data or "",
        contact_phone=form.contact_phone.data or "",
        measures=form.measures.data or "",
    )


@bp.get("/")
@role_required("resident")
def index():
    """The enterprises I head and the ones I work at."""
    return render_template(
        "enterprise/index.html",
        enterprises=declarations.enterprises_of(current_user.id),
        employments=employees.employments_of(current_user),
        may_work_today=may_work(current_user.colour),
        **LABELS,
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required("resident")
def new():
    """Register an enterprise and file its resumption declaration; the registering resident becomes its head."""
    if not current_user.has_profile:
        flash(_("Please fill in your profile first."), "info")
        return redirect(url_for("resident.profile"))
    form = DeclarationForm()
    _district_choices(form.district, _("Choose…"))
    if request.method == "GET":
        form.contact_name.data, form.contact_phone.data = current_user.name, current_user.phone
    failure = None
    if form.validate_on_submit():
        try:
            enterprise = declarations.register(current_user, _declaration(form))
        except DomainError as error:
            show_on_form(form, error)
            failure = error
        else:
            flash(_("Your declaration was filed. The district's authority will review it."), "info")
            return redirect(url_for("enterprise.show", enterprise_id=enterprise.id))
    status = failure.status if failure else 422 if form.errors else 200
    return render_template("enterprise/declare.html", form=form, enterprise=None), status


@bp.get("/<id:enterprise_id>")
@head_required
def show(enterprise):
    """The declaration's status and what to fix, the join link once approved, the roster and the survey."""
    approved = enterprise.status == "approved"
    return render_template(
        "enterprise/show.html",
        enterprise=enterprise,
        decisions=declarations.decisions_of(enterprise.id),
        join_url=_join_url(enterprise) if approved else None,
        expires_at=employees.join_link_expires_at() if approved else None,
        counts=employees.roster_counts(enterprise),
        surveyed=survey_service.takes_part(enterprise),
        answered=survey_service.answer_of(enterprise),
        **LABELS,
    )


@bp.route("/<id:enterprise_id>/edit", methods=["GET", "POST"])
@head_required
def edit(enterprise):
    """Correct a declaration (waiting or returned) and file it again."""
    if enterprise.status == "approved":
        flash(_("An approved declaration cannot be changed. Ask the district's authority to return it first."), "error")
        return redirect(url_for("enterprise.show", enterprise_id=enterprise.id))
    form = DeclarationForm(obj=enterprise)
    _district_choices(form.district, _("Choose…"))
    failure = None
    if form.validate_on_submit():
        try:
            declarations.resubmit(enterprise, _declaration(form))
        except DomainError as error:
            show_on_form(form, error)
            failure = error
        else:
            flash(_("Your declaration was filed again. The district's authority will review it."), "info")
            return redirect(url_for("enterprise.show", enterprise_id=enterprise.id))
    status = failure.status if failure else 422 if form.errors else 200
    return render_template("enterprise/declare.html", form=form, enterprise=enterprise, **LABELS), status


def _join_url(enterprise) -> str:
    return url_for("enterprise.join", token=employees.join_token(enterprise), _external=True)


@bp.get("/<id:enterprise_id>/join-code")
@head_required
def join_code(enterprise):
    """The join link as a QR to print and put up at the entrance."""
    if enterprise.status != "approved":
        abort(404)
    url = _join_url(enterprise)
    return render_template(
        "enterprise/join_code.html",
        enterprise=enterprise,
        url=url,
        svg=_qr_svg(url),
        expires_at=employees.join_link_expires_at(),
    )


@bp.post("/<id:enterprise_id>/join-code/renew")
@head_required
def renew_link(enterprise):
    """Withdraw every join link and QR handed out so far (a link went where it should not)."""
    employees.renew_join_link(enterprise)
    flash(_("Earlier join links and QR codes no longer work. Print the new QR code."), "info")
    return redirect(url_for("enterprise.show", enterprise_id=enterprise.id))


def _qr_svg(text: str) -> Markup:
    """A QR as inline SVG (vector: prints sharply at any size)."""
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=4,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return Markup(buffer.getvalue().decode().split("?>", 1)[-1])


@bp.get("/<id:enterprise_id>/roster")
@head_required
def roster(enterprise):
    """The employees with today's colour and whether they may work (green only), 100 a page."""
    listing = employees.roster(enterprise, request.args.get("page", 1, type=int))
    return render_template(
        "enterprise/roster.html", enterprise=enterprise, roster=listing, today=clock.local_today(), **LABELS
    )


def _roster_words(kind: str, value) -> str:
    if kind == "heading":
        return str(ROSTER_HEADINGS[value])
    if kind == "colour":
        return colour_word(value)
    if kind == "may_work":
        return str(MAY_WORK_LABELS[value])
    if kind == "instruction":
        return str(INSTRUCTION_LABELS[value])
    return districts.name_of(value, lang())


@bp.get("/<id:enterprise_id>/roster.csv")
@head_required
def roster_csv(enterprise):
    """The whole roster as a CSV file (the export is written to the audit log)."""
    lines = employees.export_roster(current_user, enterprise, _roster_words)
    filename = f"roster-{enterprise.id}-{clock.local_today():%Y%m%d}.csv"
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.post("/<id:enterprise_id>/roster/<id:employee_id>/remove")
@head_required
def remove_employee(enterprise, employee_id):
    """Take someone who left off the roster."""
    try:
        employees.remove(current_user, enterprise, employee_id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("They were taken off the roster."), "info")
    return redirect(url_for("enterprise.roster", enterprise_id=enterprise.id))


@bp.route("/<id:enterprise_id>/survey", methods=["GET", "POST"])
@head_required
def survey(enterprise):
    """The resumption survey, for small and micro enterprises and individual businesses."""
    if not survey_service.takes_part(enterprise):
        abort(404)
    stored = survey_service.answer_of(enterprise)
    form = SurveyForm()
    if request.method == "GET" and stored is not None:
        form.problems.data = [row.problem for row in stored.problems]
        form.note.data = stored.note
    failure = None
    if form.validate_on_submit():
        try:
            survey_service.answer(current_user, enterprise, form.problems.data or [], form.note.data or "")
        except DomainError as error:
            show_on_form(form, error)
            failure = error
        else:
            flash(_("Thank you: your answer was saved. You can change it at any time."), "info")
            return redirect(url_for("enterprise.show", enterprise_id=enterprise.id))
    status = failure.status if failure else 422 if form.errors else 200
    return render_template("enterprise/survey.html", form=form, enterprise=enterprise, stored=stored), status


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token):
    """An employee's return-to-work registration under the enterprise the link names (sign in first)."""
    enterprise = employees.enterprise_for_token(token)  # an EnterpriseError is answered by the central handler
    if not current_user.is_authenticated:
        session[AFTER_SIGN_IN] = request.path
        flash(_("Please sign in with your mobile number to register with this enterprise."), "info")
        return redirect(url_for("auth.sign_in"))
    if current_user.role != "resident":
        abort(403)
    if not current_user.has_profile:
        flash(_("Please fill in your profile first, then open the link again."), "info")
        return redirect(url_for("resident.profile"))
    stored = employees.registration_of(current_user.id, enterprise.id)
    form = JoinForm(obj=stored)
    _district_choices(form.returned_from, _("Choose…"))
    failure = None
    if form.validate_on_submit():
        try:
            employees.register(
                current_user,
                enterprise,
                returned_from=form.returned_from.data,
                returned_on=form.returned_on.data,
                department=form.department.data or "",
            )
        except DomainError as error:
            show_on_form(form, error)
            failure = error
        else:
            flash(_("You are registered with %(name)s.", name=enterprise.name), "info")
            return redirect(url_for("enterprise.index"))
    first, last = employees.return_days()
    status = failure.status if failure else 422 if form.errors else 200
    return render_template(
        "enterprise/join.html", form=form, enterprise=enterprise, stored=stored, first=first, last=last, **LABELS
    ), status


@bp.post("/employments/<id:employee_id>/leave")
@role_required("resident")
def leave(employee_id):
    """Take my own registration off an enterprise's roster."""
    if not employees.leave(current_user, employee_id):
        abort(404)
    flash(_("You are no longer on that enterprise's roster."), "info")
    return redirect(url_for("enterprise.index"))
