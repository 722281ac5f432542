"""The health authority's console: staff, risk areas, the control list, overrides and appeals."""

from flask import Blueprint

bp = Blueprint("authority", __name__, url_prefix="/authority")

from app.web.authority import routes  # noqa: F401
