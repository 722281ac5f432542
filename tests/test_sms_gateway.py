"""The production SMS backend posts to an HTTP gateway; tested against a local fake gateway."""

import json
import re
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.extensions import db
from app.models import SmsMessage


class FakeGateway:
    """A gateway on 127.0.0.1 that records what it receives and answers with `status`."""

    def __init__(self):
        self.received, self.status = [], 200
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @Request.application
    def wsgi(self, request):
        self.received.append({"auth": request.headers.get("Authorization"), "body": json.loads(request.data)})
        return Response('{"ok": true}', status=self.status, content_type="application/json")


@pytest.fixture
def gateway():
    fake = FakeGateway()
    fake.thread.start()
    yield fake
    fake.server.shutdown()


@pytest.fixture
def settings(gateway):
    return {
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": gateway.url,
        "SMS_GATEWAY_TOKEN": "t0ken",
        "ENV_NAME": "production",
    }


def test_sign_in_code_is_posted_to_the_gateway_and_not_stored_readable(client, gateway):
    assert client.post("/auth/sign-in", data={"phone": "13900000001"}).status_code == 302
    [call] = gateway.received
    assert call["auth"] == "Bearer t0ken"
    assert call["body"]["phone"] == "13900000001" and call["body"]["purpose"] == "sign_in"
    code = re.search(r"\d{6}", call["body"]["message"]).group()
    stored = db.session.scalar(select(SmsMessage))
    assert stored.status == "sent" and code not in stored.body and "******" in stored.body
    # the code from the gateway message signs the user in
    assert client.post("/auth/verify", data={"code": code}).status_code == 302


def test_gateway_failure_tells_the_user_and_records_the_failure(client, gateway):
    gateway.status = 503
    response = client.post("/auth/sign-in", data={"phone": "13900000001"}, headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert "could not be sent" in response.get_data(as_text=True)
    stored = db.session.scalar(select(SmsMessage))
    assert stored.status == "failed" and "503" in stored.error


def test_unreachable_gateway_is_a_failure_not_a_crash(client, gateway, app):
    app.config["SMS_GATEWAY_URL"] = "http://127.0.0.1:9/nothing"
    response = client.post("/auth/sign-in", data={"phone": "13900000001"})
    assert response.status_code == 503
