"""Public reports (epidemic clues, supervision reports) and their handling by district handlers and supervisors."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from app.web.reports import routes  # noqa: F401
