"""Oversight for the authority and supervisors: the overview charts and the audit log."""

from flask import Blueprint

bp = Blueprint("oversight", __name__, url_prefix="/oversight")

from app.web.oversight import routes  # noqa: F401
