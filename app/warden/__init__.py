"""Checkpoint wardens: enrolment, the offline scanner, their checkpoint's records, trails."""
from flask import Blueprint

bp = Blueprint("warden", __name__)

from app.warden import routes  # noqa: F401
