"""Thin views for pharmacists."""

from flask import render_template
from flask_login import current_user

from app.web.auth.roles import role_required
from app.web.pharmacy import bp
from app.web.staff.desk import desk_context


@bp.get("/")
@role_required("pharmacist")
def index():
    """Identify the buyer (camera, typed code or ID number), then register the sale."""
    return render_template("pharmacy/index.html", **desk_context(current_user.institution))
