"""The resident's signed code over the API: one signature a day, ETag, JWKS, key rotation."""

from datetime import timedelta

import jwt
from sqlalchemy import func, select

from app.domain import codes
from app.extensions import db
from app.infra import clock, keys
from app.models import IssuedCode
from tests.helpers import checkin_record


def declare(client, **fields):
    assert client.post("/api/checkins/batch", json={"records": [checkin_record(**fields)]}).status_code == 200


def test_no_code_before_the_first_declaration(resident):
    response = resident.get("/api/code")
    assert response.status_code == 404 and response.get_json()["error"] == "no_declaration"
    assert "健康申报" in response.get_json()["message"]


def test_code_carries_only_the_contract_claims_and_verifies_with_the_jwks(resident):
    declare(resident)
    view = resident.get("/api/code").get_json()
    assert view["colour"] == "green" and view["masked_name"] == "张*明" and view["reasons"] == []
    token = codes.token_from_qr(view["qr_text"])
    jwks = resident.get("/.well-known/jwks.json").get_json()
    header = jwt.get_unverified_header(token)
    jwk = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    claims = jwt.decode(token, jwt.PyJWK.from_dict(jwk).key, algorithms=["ES256"])
    assert set(claims) == {"iss", "jti", "col", "nm", "knd", "iat", "exp"}
    assert claims["col"] == "green" and claims["nm"] == "张*明" and claims["knd"] == "self"
    assert "460105" not in view["qr_text"] and "1390000" not in token  # no ID, phone or district


def test_code_lasts_until_the_end_of_the_next_day(resident):
    declare(resident)
    view = resident.get("/api/code").get_json()
    expires = clock.to_local(
        clock.now_utc().replace(microsecond=0) + timedelta(seconds=view["expires_at"] - clock.epoch(clock.now_utc()))
    )
    assert expires.date() == clock.local_today() + timedelta(days=2) and expires.hour == 0


def test_the_server_knows_whose_code_it_is(resident):
    declare(resident)
    jti = resident.get("/api/code").get_json()["jti"]
    assert db.session.get(IssuedCode, jti).user_id == 1


def test_one_signature_per_day_and_304_when_the_device_has_it(resident):
    declare(resident)
    first = resident.get("/api/code")
    again = resident.get("/api/code", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]
    assert resident.get("/api/code").get_json()["jti"] == first.get_json()["jti"]
    assert db.session.scalar(select(func.count()).select_from(IssuedCode)) == 1


def test_a_new_day_brings_a_new_code(resident, monkeypatch):
    declare(resident)
    first = resident.get("/api/code").get_json()
    tomorrow = clock.now_utc() + timedelta(days=1)
    monkeypatch.setattr(clock, "now_utc", lambda: tomorrow)
    second = resident.get("/api/code").get_json()
    assert second["jti"] != first["jti"] and second["expires_at"] > first["expires_at"]


def test_yellow_code_explains_why_and_when_it_can_turn_green(resident):
    declare(resident, temperature=37.3)
    view = resident.get("/api/code", headers={"Accept-Language": "en"}).get_json()
    assert view["colour"] == "yellow"
    assert view["reasons"][0]["rule_id"] == "health.fever"
    assert "37.3" in view["reasons"][0]["text"] and view["reasons"][0]["guidance"]
    assert view["may_turn_green_on"] == (clock.local_today() + timedelta(days=7)).isoformat()
    assert view["needed_streak"] == 7


def test_key_rotation_keeps_the_old_key_published_and_signs_with_the_new(resident, app):
    declare(resident)
    old_view = resident.get("/api/code").get_json()
    old_kid = jwt.get_unverified_header(codes.token_from_qr(old_view["qr_text"]))["kid"]
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert "retired key: " + old_kid in result.output
    kids = {k["kid"] for k in resident.get("/.well-known/jwks.json").get_json()["keys"]}
    assert old_kid in kids and len(kids) == 2
    new_code = keys.active_key()
    assert new_code.kid != old_kid and new_code.kid in kids
    assert (
        codes.verify(codes.token_from_qr(old_view["qr_text"]), keys.verification_keys(), clock.epoch(clock.now_utc()))[
            "jti"
        ]
        == old_view["jti"]
    )


def test_retired_keys_leave_the_jwks_once_their_codes_have_expired(resident, app, monkeypatch):
    declare(resident)
    resident.get("/api/code")
    app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert len(resident.get("/.well-known/jwks.json").get_json()["keys"]) == 2
    later = clock.now_utc() + keys.longest_code_life() + timedelta(minutes=1)
    monkeypatch.setattr(clock, "now_utc", lambda: later)
    assert len(resident.get("/.well-known/jwks.json").get_json()["keys"]) == 1


def test_a_new_checkin_changes_what_the_page_shows_so_no_304(resident):
    declare(resident)
    first = resident.get("/api/code")
    declare(resident, temperature=36.8)
    again = resident.get("/api/code", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.get_json()["jti"] == first.get_json()["jti"]  # same colour, same signed code
    assert again.get_json()["last_checkin_at"] >= first.get_json()["last_checkin_at"]
    assert again.headers["ETag"] != first.headers["ETag"]


def test_the_version_follows_the_language(resident):
    declare(resident, temperature=38.0)
    zh = resident.get("/api/code")
    en = resident.get("/api/code", headers={"Accept-Language": "en", "If-None-Match": zh.headers["ETag"]})
    assert en.status_code == 200 and en.headers["ETag"] != zh.headers["ETag"]
    assert en.get_json()["reasons"][0]["text"] != zh.get_json()["reasons"][0]["text"]
