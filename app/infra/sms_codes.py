"""One-time 6-digit codes sent by SMS: stored as keyed hashes, 5 minutes, 5 attempts, one live code per
phone and purpose (signing in, or a relative consenting to a binding)."""

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.extensions import db
from app.infra import clock
from app.infra.sms import send_sms
from app.models import SmsCode
from app.services.errors import DomainError


class CodeRejected(DomainError):
    """A code was not accepted (always the `code` field of the form); `code` is no_code | expired | too_many |
    wrong, and `wrong` says how many attempts are left."""

    messages = {
        "wrong": _l("The code is not correct. %(n)s attempts left."),
        "expired": _l("The code has expired. Please request a new one."),
        "too_many": _l("Too many wrong attempts. Please request a new code."),
        "no_code": _l("Please request a code first."),
    }

    def __init__(self, code: str, remaining: int = 0):
        super().__init__(code, "code", **({"n": remaining} if code == "wrong" else {}))


def _hash(phone: str, purpose: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{phone}:{purpose}:{code}".encode(), hashlib.sha256).hexdigest()


def send_code(phone: str, purpose: str, message: Callable[[str, int], str]) -> None:
    """Replace any live code for this phone and purpose with a new one and text it; commits."""
    now = clock.now_utc()
    code = f"{secrets.randbelow(10**6):06d}"
    db.session.execute(
        update(SmsCode)
        .where(SmsCode.phone == phone, SmsCode.purpose == purpose, SmsCode.consumed_at.is_(None))
        .values(consumed_at=now)
    )
    ttl = current_app.config["OTP_TTL_SECONDS"]
    db.session.add(
        SmsCode(
            phone=phone,
            purpose=purpose,
            code_hash=_hash(phone, purpose, code),
            created_at=now,
            expires_at=now + timedelta(seconds=ttl),
        )
    )
    send_sms(phone, message(code, ttl // 60), purpose.split(":")[0], secret=code)
    db.session.commit()


def check_code(phone: str, purpose: str, code: str) -> None:
    """Accept the code or raise CodeRejected; every try counts (committed), success consumes it."""
    now = clock.now_utc()
    record = db.session.scalars(
        select(SmsCode)
        .where(SmsCode.phone == phone, SmsCode.purpose == purpose, SmsCode.consumed_at.is_(None))
        .order_by(SmsCode.id.desc())
        .limit(1)
    ).first()
    if record is None:
        raise CodeRejected("no_code")
    if record.expires_at <= now:
        raise CodeRejected("expired")
    limit = current_app.config["OTP_MAX_ATTEMPTS"]
    if record.attempts >= limit:
        raise CodeRejected("too_many")
    record.attempts += 1
    if not hmac.compare_digest(record.code_hash, _hash(phone, purpose, code)):
        db.session.commit()
        raise CodeRejected("too_many" if record.attempts >= limit else "wrong", remaining=limit - record.attempts)
    record.consumed_at = now
