"""JSON endpoints the PWA calls: the code, queued check-ins, CSRF tokens, public keys."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from app.web.api import routes  # noqa: F401
