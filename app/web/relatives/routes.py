"""Guardian pages: thin views over app.services.relatives and the paper-code service."""

import io

import qrcode
import qrcode.image.svg
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.domain.codes import qr_text
from app.domain.masking import mask_name
from app.extensions import db
from app.models import User
from app.services import relatives
from app.services.codes import current_paper_code, print_paper_code
from app.services.errors import DomainError
from app.web.auth.roles import role_required
from app.web.errors import show_on_form
from app.web.relatives import bp
from app.web.relatives.forms import RELATIONSHIP_LABELS, ConsentForm, RelativeForm


@bp.app_template_global()
def relationship_strings() -> dict:
    """Relationship labels for the PWA's strings ("relationship_child": "子女"), used by the code and check-in pages."""
    return {f"relationship_{key}": str(label) for key, label in RELATIONSHIP_LABELS.items()}


@bp.get("/")
@role_required("resident")
def index():
    """My relatives, and who acts for me."""
    return render_template(
        "relatives/index.html",
        bindings=relatives.relatives_of(current_user),
        guardians=relatives.guardians_of(current_user),
        labels=RELATIONSHIP_LABELS,
        mask_name=mask_name,
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required("resident")
def add():
    """Bind a relative."""
    form = RelativeForm()
    if form.validate_on_submit():
        try:
            binding = relatives.bind_relative(
                current_user,
                relationship=form.relationship.data,
                name=form.name.data,
                doc_kind=form.doc_kind.data,
                doc_number=form.doc_number.data,
                phone=form.phone.data or None,
            )
        except DomainError as error:
            show_on_form(form, error)
            if error.field is None:  # the binding was made, but its consent code could not be sent
                return redirect(url_for("relatives.index"))
        else:
            if binding.status == "pending_consent":
                flash(_("A code was sent to your relative's phone. Ask them for it to confirm."), "info")
                return redirect(url_for("relatives.consent", binding_id=binding.id))
            if binding.status == "pending_approval":
                flash(_("Your relative has no phone: a community worker will confirm the binding."), "info")
            else:
                flash(_("Your relative was added."), "info")
            return redirect(url_for("relatives.index"))
    status = 422 if form.errors else 200
    return render_template("relatives/add.html", form=form), status


@bp.route("/<id:binding_id>/consent", methods=["GET", "POST"])
@role_required("resident")
def consent(binding_id):
    """Enter the code the relative received."""
    binding = relatives.own_binding(current_user, binding_id)
    if binding is None or binding.status != "pending_consent":
        abort(404)
    form = ConsentForm()
    if form.validate_on_submit():
        try:
            relatives.confirm_consent(current_user, binding_id, form.code.data)
        except DomainError as error:
            show_on_form(form, error)
        else:
            flash(_("Your relative agreed. You can now show their code and check in for them."), "info")
            return redirect(url_for("relatives.index"))
    status = 422 if form.errors else 200
    return render_template(
        "relatives/consent.html", form=form, binding=binding, masked=mask_name(binding.dependant.name or "")
    ), status


@bp.post("/<id:binding_id>/resend")
@role_required("resident")
def resend(binding_id):
    """Send the relative a new consent code."""
    binding = relatives.own_binding(current_user, binding_id)
    if binding is None or binding.status != "pending_consent":
        abort(404)
    relatives.send_consent_code(current_user, binding)
    flash(_("A new code was sent to your relative's phone."), "info")
    return redirect(url_for("relatives.consent", binding_id=binding_id))


@bp.post("/<id:binding_id>/end")
@role_required("resident")
def end(binding_id):
    """End a binding (the guardian) or withdraw consent (the relative)."""
    if relatives.end_binding(current_user, binding_id) is None:
        abort(404)
    flash(_("The binding was ended."), "info")
    return redirect(url_for("relatives.index"))


@bp.route("/people/<id:person_id>/paper", methods=["GET", "POST"])
@role_required("resident")
def paper(person_id):
    """A printable paper code for a relative without a phone; printing a new one revokes the old one."""
    if not relatives.acting_for(current_user.id, person_id):
        abort(404)
    person = db.session.get(User, person_id)
    if request.method == "POST":
        if print_paper_code(person) is None:
            flash(_("Your relative has no health code yet: check in for them first."), "error")
            return redirect(url_for("relatives.index"))
        return redirect(url_for("relatives.paper", person_id=person_id))
    issued = current_paper_code(person)
    svg = _qr_svg(qr_text(issued.token)) if issued else None
    return render_template(
        "relatives/paper.html", person=person, issued=issued, svg=svg, masked=mask_name(person.name or "")
    )


def _qr_svg(text: str) -> Markup:
    """The QR as inline SVG (vector, prints sharply at any size)."""
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
