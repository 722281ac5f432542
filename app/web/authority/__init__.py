"""The health authority's console: staff, risk areas, the control list, overrides, appeals, checkpoint policies."""

from flask import Blueprint

bp = Blueprint("authority", __name__, url_prefix="/authority")

from app.web.authority import policies, routes  # noqa: F401
