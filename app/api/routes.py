"""Thin JSON views: validate the envelope, call one service, answer."""
from flask import abort, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.auth.roles import role_required, session_user_id
from app.api import bp
from app.errors import UserError
from app.extensions import limiter, login_manager
from app.i18n import current_language
from app.services import keys
from app.services.checkins import store_checkins
from app.services.codes import code_snapshot, code_version, code_view, current_snapshot, snapshot_is_current


@bp.get("/api/csrf")
def csrf_token():
    """A fresh CSRF token for sending queued records (a queued form's token may have expired)."""
    response = jsonify({"csrf_token": generate_csrf()})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/code")
@limiter.exempt
def code():
    """The resident's current code; 304 when the device holds this version. One query in the daily case,
    so the morning rush costs no more than it must (the role check reads the same row)."""
    user_id = session_user_id()
    row = code_snapshot(user_id) if user_id is not None else None
    if row is None:
        return login_manager.unauthorized()
    if row.role != "resident":
        abort(403)
    if row.promised_at is None:
        raise UserError(409, "profile_required", _("Please complete your real-name profile first."))
    if not snapshot_is_current(row):
        row = current_snapshot(user_id)
    if row.code_jti is None:
        raise UserError(404, "no_declaration",
                        _("You have no health code yet. Please fill in your health declaration first."))
    language = current_language()
    etag = f'"{code_version(row, language)}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = current_app.response_class(status=304)
    else:
        response = jsonify(code_view(row, language))
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/api/checkins/batch")
@role_required("resident")
def checkins_batch():
    """Store queued check-ins; answers per record so one bad record never blocks the rest."""
    if not current_user.has_profile:
        raise UserError(409, "profile_required", _("Please complete your real-name profile first."))
    records = _records_from_body()
    results = store_checkins(current_user, current_user, records)
    return jsonify({"results": [result.to_dict() for result in results]})


@bp.get("/.well-known/jwks.json")
def jwks():
    """Public keys that verify every code still in circulation."""
    response = jsonify({"keys": keys.published_jwks()})
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _records_from_body() -> list:
    """The `records` list of a JSON batch, or a 400 in the user's language."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise UserError(400, "bad_batch", _("The data sent is not a valid batch of records."))
    records = body["records"]
    if len(records) > current_app.config["BATCH_MAX_RECORDS"]:
        raise UserError(413, "batch_too_large", _("Too many records at once (at most %(n)s).",
                                                    n=current_app.config["BATCH_MAX_RECORDS"]))
    return records
