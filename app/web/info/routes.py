"""The public information page (thin: app.services.info's data, worded by document.py)."""

from datetime import UTC, datetime

from flask import make_response, render_template

from app.web.info import bp
from app.web.info.document import public_document


@bp.get("")
def index():
    """Risk areas, the colour rules in plain words, what checkpoints check, hotlines; no sign-in."""
    doc = public_document()
    updated = datetime.fromtimestamp(doc["generated_at"], UTC).replace(tzinfo=None)
    response = make_response(render_template("info/index.html", doc=doc, updated=updated))
    response.headers["Cache-Control"] = "no-cache"  # the service worker keeps the last copy for offline use
    return response
