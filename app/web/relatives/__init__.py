"""Guardians: binding relatives, acting for them, printing paper codes."""

from flask import Blueprint

bp = Blueprint("relatives", __name__, url_prefix="/relatives")

from app.web.relatives import routes  # noqa: F401
