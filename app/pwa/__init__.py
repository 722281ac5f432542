"""The installable app: service worker at /sw.js (scope /), manifest, offline page."""
from flask import Blueprint

bp = Blueprint("pwa", __name__)

from app.pwa import routes  # noqa: E402,F401
