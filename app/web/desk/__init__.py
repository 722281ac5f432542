"""The green channel desk (五个一): clinic, pharmacy and community staff serve people without a phone or a code;
clinicians list their institution's visits by the medical card; community workers approve relatives without a
phone."""

from flask import Blueprint

bp = Blueprint("desk", __name__, url_prefix="/desk")

from app.web.desk import routes  # noqa: F401
