"""Residents coming home (返琼登记): registering a planned return (from the app or a texted link), the
authority's invitation lists and the expected arrivals."""

from flask import Blueprint

bp = Blueprint("returning", __name__, url_prefix="/return")

from app.web.returning import routes  # noqa: F401
