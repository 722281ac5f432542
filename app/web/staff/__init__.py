"""Staff enrolment: anyone holding a signed link from the authority becomes staff in its role."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from app.web.staff import routes  # noqa: F401
