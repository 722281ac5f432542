"""Signed-cookie sessions (Flask's own): tampered, expired or old-key cookies sign nobody in; headers and language."""

import time

import pytest
from flask import request
from itsdangerous import TimestampSigner

from tests.helpers import checkin_record


def signed(app, data: dict) -> str:
    """A session cookie value, signed as Flask signs it."""
    return app.session_interface.get_signing_serializer(app).dumps(data)


def opened(app, cookie: str):
    """The session a request with this cookie gets."""
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
        return app.session_interface.open_session(app, request)


def test_a_changed_cookie_is_refused(app):
    cookie = signed(app, {"_user_id": "7"})
    assert opened(app, cookie)["_user_id"] == "7"
    assert dict(opened(app, cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))) == {}


def test_a_cookie_expires(app, monkeypatch):
    cookie = signed(app, {"_user_id": "7"})
    assert opened(app, cookie)["_user_id"] == "7"
    later = int(time.time() + app.permanent_session_lifetime.total_seconds() + 5)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    assert dict(opened(app, cookie)) == {}


def test_a_new_secret_key_refuses_old_cookies_unless_kept_as_fallback(app):
    cookie = signed(app, {"_user_id": "7"})
    assert opened(app, cookie)["_user_id"] == "7"
    app.secret_key = "another-secret"
    assert dict(opened(app, cookie)) == {}
    app.config["SECRET_KEY_FALLBACKS"] = ["test-secret"]
    assert opened(app, cookie)["_user_id"] == "7"


def test_signing_out_ends_access_to_the_code(resident):
    resident.post("/api/checkins/batch", json={"records": [checkin_record()]})
    assert resident.get("/api/code").status_code == 200
    resident.post("/auth/sign-out")
    response = resident.get("/api/code")
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


@pytest.mark.parametrize("path", ["/api/code", "/auth/sign-in"])
def test_every_answer_still_carries_the_security_headers_and_vary_cookie(resident, path):
    resident.post("/api/checkins/batch", json={"records": [checkin_record()]})
    response = resident.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Cookie" in response.headers["Vary"]


def test_a_view_may_set_its_own_security_header(app):
    @app.get("/framed")
    def framed():
        return "ok", 200, {"X-Frame-Options": "SAMEORIGIN", "Vary": "Accept-Language"}

    response = app.test_client().get("/framed")
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Vary"] == "Accept-Language, Cookie"


@pytest.mark.parametrize(
    ("headers", "query", "expected"),
    [
        ({"Accept-Language": "en-GB,en;q=0.9"}, "", "Please sign in first."),
        ({"Accept-Language": "fr, en;q=0.5"}, "", "Please sign in first."),
        ({"Accept-Language": "fr"}, "", "请先登录。"),
        ({}, "", "请先登录。"),
        ({"Accept-Language": "zh"}, "?lang=en", "Please sign in first."),
    ],
)
def test_the_language_follows_the_query_then_the_header(client, headers, query, expected):
    response = client.get("/api/code" + query, headers=headers)
    assert response.status_code == 401 and response.get_json()["message"] == expected


def test_the_language_cookie_wins_over_the_header(client):
    client.set_cookie("lang", "en")
    assert client.get("/api/code", headers={"Accept-Language": "zh"}).get_json()["message"] == "Please sign in first."
