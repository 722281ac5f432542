"""Pharmacists (药店人员): identify buyers by code or ID number and register fever and cough drug sales."""

from flask import Blueprint

bp = Blueprint("pharmacy", __name__, url_prefix="/pharmacy")

from app.web.pharmacy import routes  # noqa: F401
