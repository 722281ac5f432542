"""Sign-in by SMS code: outbox, hashing, expiry, attempts, rate limits, CSRF, both languages."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.infra import clock
from app.models import SignIn, SmsCode, SmsMessage, User
from tests.helpers import latest_code, sign_in


def test_new_user_signs_up_with_the_code_from_the_outbox(client):
    response = client.post("/auth/sign-in", data={"phone": "13900000001"})
    assert response.headers["Location"] == "/auth/verify"
    outbox = client.get("/dev/outbox").get_data(as_text=True)
    code = latest_code("13900000001")
    assert code in outbox and "13900000001" in outbox
    response = client.post("/auth/verify", data={"code": code})
    assert response.headers["Location"] == "/profile"  # first sign-in: fill the profile
    assert db.session.scalar(select(User.phone)) == "13900000001"


def test_code_is_stored_only_as_a_hash(client):
    client.post("/auth/sign-in", data={"phone": "13900000001"})
    code = latest_code("13900000001")
    stored = db.session.scalar(select(SmsCode))
    assert code not in stored.code_hash and len(stored.code_hash) == 64


def test_wrong_code_counts_down_then_blocks_even_the_right_code(client):
    client.post("/auth/sign-in", data={"phone": "13900000001"})
    code = latest_code("13900000001")
    wrong = "000000" if code != "000000" else "111111"
    for remaining in (4, 3, 2, 1):
        page = client.post("/auth/verify", data={"code": wrong}).get_data(as_text=True)
        assert f"还可尝试 {remaining} 次" in page
    page = client.post("/auth/verify", data={"code": wrong})
    assert page.status_code == 422 and "错误次数过多" in page.get_data(as_text=True)
    response = client.post("/auth/verify", data={"code": code})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/sign-in"
    assert db.session.scalar(select(User)) is None


def test_code_expires_after_five_minutes(client, monkeypatch):
    client.post("/auth/sign-in", data={"phone": "13900000001"})
    code = latest_code("13900000001")
    later = clock.now_utc() + timedelta(minutes=5, seconds=1)
    monkeypatch.setattr(clock, "now_utc", lambda: later)
    page = client.post("/auth/verify", data={"code": code}, headers={"Accept-Language": "en"})
    assert page.status_code == 422 and "The code has expired" in page.get_data(as_text=True)
    assert db.session.scalar(select(User)) is None


def test_a_new_code_replaces_the_old_one(client, app):
    client.post("/auth/sign-in", data={"phone": "13900000001"})
    first = latest_code("13900000001")
    client.post("/auth/sign-in", data={"phone": "13900000001"})
    second = latest_code("13900000001")
    if first != second:
        assert client.post("/auth/verify", data={"code": first}).status_code == 422
    assert client.post("/auth/verify", data={"code": second}).status_code == 302


@pytest.mark.parametrize("phone", ["", "1390000000", "139000000011", "23900000001", "1390000000a", "12900000001"])
def test_malformed_phone_is_refused_in_both_languages(client, phone):
    zh = client.post("/auth/sign-in", data={"phone": phone})
    assert zh.status_code == 422
    assert "手机号" in zh.get_data(as_text=True)
    en = client.post("/auth/sign-in?lang=en", data={"phone": phone})
    assert en.status_code == 422 and "mobile number" in en.get_data(as_text=True)
    assert db.session.scalar(select(SmsMessage)) is None


@pytest.mark.parametrize("settings", [{"RATELIMIT_ENABLED": True}])
def test_sending_is_rate_limited_per_phone_and_says_how_long_to_wait(client):
    assert client.post("/auth/sign-in", data={"phone": "13900000001"}).status_code == 302
    response = client.post("/auth/sign-in", data={"phone": "13900000001"})
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= 60
    shown = int(re.search(r"请等待 (\d+) 秒", response.get_data(as_text=True)).group(1))
    assert wait <= shown <= wait + 1  # the header is computed a moment later
    # another phone from the same address is still served
    assert client.post("/auth/sign-in", data={"phone": "13900000002"}).status_code == 302


@pytest.mark.parametrize("settings", [{"RATELIMIT_ENABLED": True, "OTP_SEND_LIMIT_IP": "3 per hour"}])
def test_sending_is_rate_limited_per_address(client):
    for n in range(3):
        assert client.post("/auth/sign-in", data={"phone": f"1390000000{n}"}).status_code == 302
    response = client.post("/auth/sign-in", data={"phone": "13900000009"}, headers={"Accept-Language": "en"})
    assert response.status_code == 429 and "Please wait" in response.get_data(as_text=True)


@pytest.mark.parametrize("settings", [{"WTF_CSRF_ENABLED": True}])
def test_forms_without_csrf_token_are_refused(client):
    response = client.post("/auth/sign-in", data={"phone": "13900000001"})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert db.session.scalar(select(SmsMessage)) is None


@pytest.mark.parametrize("settings", [{"WTF_CSRF_ENABLED": True}])
def test_api_posts_without_csrf_token_are_refused_as_json(client):
    response = client.post("/api/checkins/batch", json={"records": []})
    assert response.status_code == 400 and response.get_json()["error"] == "csrf"


def test_sign_out_ends_the_session(client):
    sign_in(client)
    assert client.get("/api/code").status_code == 409  # signed in, no profile yet
    client.post("/auth/sign-out")
    assert client.get("/api/code").status_code == 401


def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_copies_of_the_cookies_kept_from_before_sign_out_open_nothing(app, client):
    sign_in(client)
    session_cookie, remember_cookie = _cookie(client, "session"), _cookie(client, "remember_token")
    assert session_cookie and remember_cookie
    client.post("/auth/sign-out")

    replay = app.test_client()
    replay.set_cookie("session", session_cookie)
    assert replay.get("/api/code").status_code == 401
    assert replay.get("/profile").status_code == 302  # to the sign-in page
    replay = app.test_client()
    replay.set_cookie("remember_token", remember_cookie)  # the year-long cookie alone
    assert replay.get("/api/code").status_code == 401
    assert replay.get("/profile").status_code == 302
    assert db.session.scalar(select(SignIn.ended_at)) is not None


def test_the_remember_me_cookie_alone_still_signs_in_a_device_that_did_not_sign_out(app, client):
    sign_in(client)
    device = app.test_client()
    device.set_cookie("remember_token", _cookie(client, "remember_token"))
    assert device.get("/api/code").status_code == 409  # signed in, no profile yet
    assert device.get("/profile").status_code == 200


def test_signing_out_everywhere_ends_the_other_devices_too(app, client):
    sign_in(client)
    phone = app.test_client()
    sign_in(phone)
    other = app.test_client()
    sign_in(other, "13900000002")
    assert phone.get("/api/code").status_code == 409

    response = client.post("/auth/sign-out-everywhere", headers={"Accept-Language": "en"})
    assert response.headers["Location"] == "/auth/sign-in"
    assert "signed out on every device" in client.get("/auth/sign-in?lang=en").get_data(as_text=True)
    assert client.get("/api/code").status_code == 401
    assert phone.get("/api/code").status_code == 401
    assert phone.get("/profile").status_code == 302
    assert other.get("/api/code").status_code == 409  # someone else stays signed in
    sign_in(phone)  # and the user can sign in again
    assert phone.get("/api/code").status_code == 409


def test_signing_out_on_one_device_keeps_the_others_signed_in(app, client):
    sign_in(client)
    phone = app.test_client()
    sign_in(phone)
    client.post("/auth/sign-out")
    assert client.get("/api/code").status_code == 401
    assert phone.get("/api/code").status_code == 409


def test_purge_deletes_ended_sign_ins_only(app, client):
    sign_in(client)
    phone = app.test_client()
    sign_in(phone)
    client.post("/auth/sign-out")
    result = app.test_cli_runner().invoke(args=["purge"])
    assert "1 sign_ins" in result.output
    assert db.session.scalar(select(func.count()).select_from(SignIn)) == 1
    assert phone.get("/api/code").status_code == 409


@pytest.mark.parametrize("settings", [{"ENV_NAME": "production"}])
def test_outbox_page_exists_only_in_development(client):
    assert client.get("/dev/outbox").status_code == 404
