"""JSON endpoints the PWA calls: the code, queued check-ins, CSRF tokens, public keys."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import routes  # noqa: E402,F401
