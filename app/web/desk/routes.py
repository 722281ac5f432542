"""Desk pages: thin views over app.services.desk (the green channel, approvals) and app.services.medical_card
(an institution's visits). The desk works online: each page is a server page, nothing is kept on the device."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.domain import districts
from app.domain.codes import qr_text
from app.services import desk, medical_card
from app.services.errors import DomainError
from app.services.profiles import checkin_options
from app.web.auth.roles import role_required
from app.web.converters import query_id
from app.web.desk import bp
from app.web.desk.forms import DEPARTMENT_LABELS, FindForm, RegisterForm, SurveyForm
from app.web.errors import show_on_form
from app.web.i18n import lang
from app.web.relatives.forms import RELATIONSHIP_LABELS
from app.web.relatives.routes import _qr_svg as qr_svg  # the paper code's QR, drawn the same way


@bp.app_template_global()
def medical_departments() -> list[tuple[str, str]]:
    """(code, label) of the departments a visit by the medical card names (clinic/_medical_visit_form.html)."""
    return [(code, str(label)) for code, label in DEPARTMENT_LABELS.items()]


def _register_form(**data) -> RegisterForm:
    return RegisterForm(**data)


@bp.route("/", methods=["GET", "POST"])
@role_required(*desk.DESK_ROLES)
def index():
    """Find a person by ID number; when nobody is registered with it, the form to register them."""
    form = FindForm()
    register = None
    if form.validate_on_submit():
        try:
            ticket = desk.find_person(current_user, form.id_number.data)
        except DomainError as error:
            show_on_form(form, error)
        else:
            if ticket:
                return redirect(url_for("desk.person", ticket=ticket))
            register = _register_form(
                formdata=None, doc_number=desk.normalise_id_number(form.id_number.data), district=_home_district()
            )
    status = 422 if form.errors else 200
    return render_template("desk/index.html", form=form, register=register), status


def _home_district() -> str:
    """The district a new person most likely lives in: the handler's, or the institution's."""
    if current_user.role == "handler":
        return current_user.scope_district if districts.is_known(current_user.scope_district or "") else ""
    return current_user.institution.district if current_user.institution else ""


@bp.post("/register")
@role_required(*desk.DESK_ROLES)
def register():
    """Register a person without a phone from their ID card."""
    form = _register_form()
    if form.validate_on_submit():
        try:
            ticket = desk.register_person(
                current_user,
                doc_number=form.doc_number.data,
                name=form.name.data,
                district=form.district.data,
                address=form.address.data,
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("The person was registered. Fill in the epidemiological survey for them next."), "info")
            return redirect(url_for("desk.survey", ticket=ticket))
    return render_template("desk/index.html", form=FindForm(formdata=None), register=form), 422


@bp.get("/people/<ticket>")
@role_required(*desk.DESK_ROLES)
def person(ticket):
    """Who the person is, their colour, and what the desk can do for them."""
    return render_template("desk/person.html", view=desk.desk_person(current_user, ticket, lang()), ticket=ticket)


@bp.route("/people/<ticket>/survey", methods=["GET", "POST"])
@role_required(*desk.DESK_ROLES)
def survey(ticket):
    """The epidemiological survey (流行病学史调查), filed on the person's behalf."""
    form = SurveyForm()
    form.set_choices(checkin_options(lang()), _("Choose…"))
    errors = {}
    if form.validate_on_submit():
        subject, result = desk.file_survey(current_user, ticket, form.record())
        if result.status != "invalid":  # stored, or this form was submitted before
            flash(
                _("The survey was saved as filed by you. The person's colour is up to date.")
                if result.status == "stored"
                else _("This survey was already saved."),
                "info",
            )
            return redirect(url_for("desk.person", ticket=ticket))
        errors = result.errors or {}
    else:
        subject = desk.look(current_user, ticket, "survey")
        if form.is_submitted():
            errors = {"record": _("The form has expired. Please reload the page and try again.")}
        else:
            form.start(subject.district)
    return render_template(
        "desk/survey.html", form=form, subject=subject, ticket=ticket, errors=errors
    ), 422 if errors else 200


@bp.route("/people/<ticket>/paper", methods=["GET", "POST"])
@role_required(*desk.DESK_ROLES)
def paper(ticket):
    """Print a paper code on the spot (a new one revokes the previous one), and show it to print again."""
    if request.method == "POST":
        try:
            desk.print_paper(current_user, ticket)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for("desk.person", ticket=ticket))
        return redirect(url_for("desk.paper", ticket=ticket))
    subject, issued = desk.paper_code(current_user, ticket)
    return render_template(
        "desk/paper.html",
        subject=subject,
        issued=issued,
        svg=qr_svg(qr_text(issued.token)) if issued else None,
        ticket=ticket,
    )


@bp.route("/people/<ticket>/medical-card", methods=["GET", "POST"])
@role_required(*desk.DESK_ROLES)
def printed_card(ticket):
    """A printed medical card for an elderly person: it opens only with a one-time code to their or a guardian's
    phone. Its QR is shown once, right after it is made."""
    if request.method == "POST":
        try:
            card = desk.print_medical_card(current_user, ticket)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for("desk.person", ticket=ticket))
        return render_template(
            "desk/printed_card.html", card=card, svg=qr_svg(card.qr_text), back=url_for("desk.person", ticket=ticket)
        )
    subject = desk.look(current_user, ticket, "medical_card")
    return render_template("desk/printed_card.html", card=None, subject=subject, ticket=ticket)


@bp.get("/visits")
@role_required("clinician")
def visits():
    """Visits registered at this institution with the medical card, newest first."""
    page = query_id("page") or 1
    rows, more = medical_card.institution_visits(current_user, page)
    return render_template("desk/visits.html", visits=rows, page=page, more=more, departments=DEPARTMENT_LABELS)


@bp.get("/approvals")
@role_required("handler")
def approvals():
    """Relatives without a phone, living in this district, whose binding waits for a community worker."""
    return render_template(
        "desk/approvals.html", bindings=desk.pending_approvals(current_user), relationships=RELATIONSHIP_LABELS
    )


@bp.post("/approvals/<id:binding_id>/approve")
@role_required("handler")
def approve(binding_id):
    """Confirm in person that the relative agreed to the binding."""
    try:
        desk.approve(current_user, binding_id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(
            _("The binding was approved. The guardian can now show the relative's code and check in for them."), "info"
        )
    return redirect(url_for("desk.approvals"))
