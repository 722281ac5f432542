"""Sign-in with a mainland mobile number and a 6-digit SMS code."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from app.web.auth import routes  # noqa: F401
