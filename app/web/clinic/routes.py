"""Thin views for clinicians."""

from flask import render_template
from flask_login import current_user

from app.web.auth.roles import role_required
from app.web.clinic import bp
from app.web.staff.desk import desk_context


@bp.get("/")
@role_required("clinician")
def index():
    """Identify a patient (camera, typed code or ID number), then register what the visit is for."""
    return render_template("clinic/index.html", **desk_context(current_user.institution))
