"""The installable app: service worker at /sw.js (scope /), manifest, offline page."""

from flask import Blueprint

bp = Blueprint("pwa", __name__)

from app.web.pwa import routes  # noqa: F401
