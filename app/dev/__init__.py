"""Development-only pages (registered only when ENV_NAME is development)."""

from flask import Blueprint

bp = Blueprint("dev", __name__, url_prefix="/dev")

from app.dev import routes  # noqa: F401
