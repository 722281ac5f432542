"""The resident's pages: real-name profile, daily check-in, the health code."""

from flask import Blueprint

bp = Blueprint("resident", __name__)

from app.web.resident import routes  # noqa: F401
