"""The health authority's console: staff, risk areas, the control list, overrides and appeals."""
from flask import Blueprint

bp = Blueprint("authority", __name__)

from app.authority import routes  # noqa: E402,F401
