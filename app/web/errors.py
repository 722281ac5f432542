"""Central error handling: HTML or JSON as the caller expects, always in the user's language."""

import logging
import time

from flask import flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db, limiter
from app.services.errors import DomainError

log = logging.getLogger(__name__)


class RequestError(DomainError):
    """A JSON request whose envelope the API cannot take (not a use-case's refusal: no record was looked at)."""

    messages = {
        "bad_batch": _l("The data sent is not a valid batch of records."),
        "batch_too_large": _l("Too many records at once (at most %(n)s)."),
    }
    statuses = {"bad_batch": 400, "batch_too_large": 413}


def wants_json() -> bool:
    """API calls and clients that prefer JSON get JSON."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(status: int, error: str, message: str, **extra):
    """One error answer, shaped for the caller."""
    if wants_json():
        response = jsonify({"error": error, "message": message, **extra})
    else:
        response = make_response(render_template("error.html", status=status, message=message, **extra))
    response.status_code = status
    return response


def show_on_form(form, error: DomainError) -> None:
    """Put a use-case's refusal beside the field it names, or at the top of the page when it names none."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors.append(error.message)
    else:
        flash(error.message, "error")


def form_status(form, refused: DomainError | None = None) -> int:
    """A form page's status: the refusal's own (409, 503...) when a use-case refused, 422 when a field is
    wrong, else 200."""
    if refused is not None:
        return refused.status
    return 422 if form.errors else 200


def unauthorized():
    """Signed-out callers: JSON 401 for the API, the sign-in page for browsers."""
    if wants_json():
        return error_response(401, "unauthorized", _messages()[401])
    return redirect(url_for("auth.sign_in"))


def _messages():
    return {
        400: _("The request could not be understood. Please check what you entered and try again."),
        401: _("Please sign in first."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist."),
        405: _("This action is not allowed here."),
        413: _("What you sent is too large."),
        500: _("Something went wrong on our side. Please try again later."),
    }


def register(app):
    """Install the handlers."""

    @app.errorhandler(DomainError)
    def domain_error(error):
        return error_response(error.status, error.code, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_response(400, "csrf", _("The form has expired. Please reload the page and try again."))

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error):
        wait = _seconds_to_wait()
        response = error_response(
            429,
            "rate_limited",
            _("Too many attempts. Please wait %(seconds)s seconds and try again.", seconds=wait),
            retry_after=wait,
        )
        response.headers["Retry-After"] = str(wait)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error):
        status = error.code or 500
        message = _messages().get(status) or _messages()[400 if status < 500 else 500]
        return error_response(status, error.name.lower().replace(" ", "_"), message)

    @app.errorhandler(Exception)
    def unexpected(error):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return error_response(500, "internal", _messages()[500])


def _seconds_to_wait() -> int:
    """Seconds until the limit that was hit resets (at least 1)."""
    limit = limiter.current_limit
    if limit is None:
        return 60
    return max(1, int(limit.reset_at - time.time()))  # as Flask-Limiter computes Retry-After
