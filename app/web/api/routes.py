"""Thin JSON views: validate the envelope, call one service, answer."""

from flask import current_app, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.extensions import limiter, login_manager
from app.infra import clock
from app.models.user import IDENTIFYING_ROLES
from app.services import identity
from app.services.care_records import store_care_records
from app.services.checkins import store_checkins_for
from app.services.codes import code_for_device, code_version, code_view
from app.services.medical_card import live_card
from app.services.relatives import people_for
from app.services.scans import lookup_id_number, store_scans
from app.services.trust_bundle import signed_bundle
from app.web.api import bp
from app.web.auth.roles import role_required, session_user_id
from app.web.converters import query_id
from app.web.errors import RequestError
from app.web.i18n import current_language
from app.web.info.document import public_document


@bp.get("/csrf")
def csrf_token():
    """A fresh CSRF token for sending queued records (a queued form's token may have expired)."""
    response = jsonify({"csrf_token": generate_csrf()})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/code")
@limiter.exempt
def code():
    """The resident's current code; 304 when the device holds this version. One query in the daily case,
    so the morning rush costs no more than it must (the role check reads the same row)."""
    user_id = session_user_id()
    if user_id is None:
        return login_manager.unauthorized()
    row = code_for_device(user_id, query_id("for"))
    language = current_language()
    etag = f'"{code_version(row, language)}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if etag in request.headers.get("If-None-Match", ""):
        return current_app.response_class(status=304, headers=headers)
    response = jsonify(code_view(row, language))
    response.headers.extend(headers)
    return response


@bp.post("/checkins/batch")
@role_required("resident")
def checkins_batch():
    """Store queued check-ins; answers per record so one bad record never blocks the rest."""
    results = store_checkins_for(current_user, _records_from_body())
    return jsonify({"results": [result.to_dict() for result in results]})


@bp.get("/people")
@role_required("resident")
def people():
    """Whose codes this device may show: the resident and the relatives they act for."""
    response = jsonify({"people": people_for(current_user)})
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/trust-bundle")
@limiter.exempt
def trust_bundle():
    """What a scanner needs offline: trusted keys, revocations, versions — signed (docs/contracts.md: the trust bundle)."""
    response = jsonify({"bundle": signed_bundle(), "server_time": clock.epoch(clock.now_utc())})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/info")
def info():
    """The public information (/info) for other systems: both languages in one document, with its version as
    the ETag (a 304 when unchanged) and a short public cache lifetime."""
    doc = public_document()
    headers = {
        "ETag": f'"{doc["version"]}"',
        "Cache-Control": "public, max-age=60",
        "Access-Control-Allow-Origin": "*",
    }
    if request.if_none_match.contains(doc["version"]):
        return current_app.response_class(status=304, headers=headers)
    response = jsonify(doc)
    response.headers.extend(headers)
    return response


@bp.post("/scans/batch")
@role_required("warden")
def scans_batch():
    """Store queued scans once each, re-judged by the server; answers per record."""
    # The user object itself, not the request proxy: the batch reads it once per record.
    results = store_scans(current_user._get_current_object(), _records_from_body())
    return jsonify({"results": [result.to_dict() for result in results]})


@bp.post("/scans/id-lookup")
@role_required("warden")
def id_lookup():
    """Check a person without a phone by ID number (online only; audited)."""
    body = request.get_json(silent=True)
    verdict = lookup_id_number(current_user, body.get("id_number") if isinstance(body, dict) else None)
    return jsonify(
        {
            "result": verdict.result,
            "reason": verdict.reason,
            "colour": verdict.colour,
            "masked_name": verdict.masked_name,
        }
    )


@bp.post("/identify")
@role_required(*IDENTIFYING_ROLES)
def identify():
    """Who a scanned code or a typed ID number belongs to: authorised clinic and pharmacy staff only, online,
    audited. Answers the person card and the ticket the staff device's records carry."""
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    card = identity.identify(
        current_user._get_current_object(),
        qr_text=body.get("qr_text"),
        id_number=body.get("id_number"),
        sms_code=body.get("sms_code"),
        lang=current_language(),
    )
    response = jsonify({"person": card.to_dict()})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/care/batch")
@role_required(*IDENTIFYING_ROLES)
def care_batch():
    """Store registration records queued on a clinic or pharmacy device; answers per record."""
    results = store_care_records(current_user._get_current_object(), _records_from_body())
    return jsonify({"results": [result.to_dict() for result in results]})


@bp.get("/medical-card")
@role_required("resident")
@limiter.limit("30 per minute", key_func=lambda: f"medical-card:{session_user_id()}")  # per person, not per network
def medical_card():
    """A new short-lived 就医码 for the resident or (`?for=`) a relative they act for; never cached anywhere."""
    card = live_card(current_user._get_current_object(), query_id("for"))
    response = jsonify(card)
    response.headers["Cache-Control"] = "no-store"
    return response


def _records_from_body() -> list:
    """The `records` list of a JSON batch, or a 400 in the user's language."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise RequestError("bad_batch")
    records = body["records"]
    if len(records) > current_app.config["BATCH_MAX_RECORDS"]:
        raise RequestError("batch_too_large", n=current_app.config["BATCH_MAX_RECORDS"])
    return records
