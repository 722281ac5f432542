"""Checkpoint wardens: enrolment, the offline scanner, their checkpoint's records, trails."""

from flask import Blueprint

bp = Blueprint("warden", __name__, url_prefix="/warden")

from app.web.warden import routes  # noqa: F401
