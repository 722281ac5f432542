"""The resident's pages: real-name profile, daily check-in, the health code."""
from flask import Blueprint

bp = Blueprint("resident", __name__)

from app.resident import routes  # noqa: E402,F401
