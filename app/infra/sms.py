"""Pluggable SMS: the development outbox, or an HTTP gateway configured by URL."""

import logging

import requests
from flask import current_app
from sqlalchemy import insert

from app.domain.masking import mask_phone
from app.extensions import db
from app.infra import clock
from app.models import SmsMessage

log = logging.getLogger(__name__)


class SmsFailed(Exception):
    """The gateway did not accept the message."""


def send_sms(phone: str, body: str, purpose: str, secret: str | None = None) -> SmsMessage:
    """Send one message through the configured backend and record it (commit is the caller's).

    `secret` (such as a sign-in code) is blanked in what is stored unless the backend is the
    development outbox, whose whole point is to show it.
    """
    backend = current_app.config["SMS_BACKEND"]
    message = SmsMessage(
        phone=phone, purpose=purpose, body=body, backend=backend, status="sent", created_at=clock.now_utc()
    )
    if backend == "outbox":
        log.info("sms outbox to %s (%s): %s", mask_phone(phone), purpose, body)
    elif backend == "http":
        if secret:
            message.body = body.replace(secret, "*" * len(secret))
        try:
            _post_to_gateway(phone, body, purpose)
        except SmsFailed as failure:
            message.status, message.error = "failed", str(failure)[:200]
            db.session.add(message)
            db.session.commit()
            log.warning("sms to %s (%s) failed: %s", mask_phone(phone), purpose, failure)
            raise
        log.info("sms to %s (%s) accepted by gateway", mask_phone(phone), purpose)
    else:
        raise RuntimeError(f"unknown SMS_BACKEND {backend!r}")
    db.session.add(message)
    return message


def delivers_outside() -> bool:
    """True when a message leaves the app as soon as it is handed over (an HTTP gateway): a caller that must
    never text anyone twice records that it is handing messages over before it does."""
    return current_app.config["SMS_BACKEND"] != "outbox"


def send_many(messages: list[tuple[str, str]], purpose: str) -> list[bool]:
    """Send (phone, body) messages and record them all with one INSERT (commit is the caller's); answers,
    per message, whether the backend accepted it. A refusal is recorded and the others go on."""
    backend = current_app.config["SMS_BACKEND"]
    if backend not in ("outbox", "http"):
        raise RuntimeError(f"unknown SMS_BACKEND {backend!r}")
    now, rows, accepted = clock.now_utc(), [], []
    for phone, body in messages:
        status, error = "sent", None
        if backend == "http":
            try:
                _post_to_gateway(phone, body, purpose)
            except SmsFailed as failure:
                status, error = "failed", str(failure)[:200]
        rows.append(
            {
                "phone": phone,
                "purpose": purpose,
                "body": body,
                "backend": backend,
                "status": status,
                "error": error,
                "created_at": now,
            }
        )
        accepted.append(status == "sent")
    if rows:
        db.session.execute(insert(SmsMessage), rows)
    log.info("sms %s: %d of %d messages (%s) accepted", backend, sum(accepted), len(rows), purpose)
    return accepted


def _post_to_gateway(phone: str, body: str, purpose: str) -> None:
    """POST {phone, message, purpose} as JSON with a bearer token; any non-2xx is a failure."""
    config = current_app.config
    headers = {"Authorization": f"Bearer {config['SMS_GATEWAY_TOKEN']}"} if config["SMS_GATEWAY_TOKEN"] else {}
    try:
        response = requests.post(
            config["SMS_GATEWAY_URL"],
            json={"phone": phone, "message": body, "purpose": purpose},
            headers=headers,
            timeout=config["SMS_GATEWAY_TIMEOUT"],
        )
    except requests.RequestException as error:
        raise SmsFailed(f"gateway unreachable: {type(error).__name__}") from None
    if not 200 <= response.status_code < 300:
        raise SmsFailed(f"gateway answered {response.status_code}")
