"""Sign-in codes: stored as keyed hashes, 5 minutes, 5 attempts, one live code per phone."""
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.extensions import db
from app.models import SignInCode, User
from app.services import clock
from app.services.sms import send_sms


class SignInError(Exception):
    """A code was not accepted; `kind` is no_code | expired | too_many | wrong."""

    def __init__(self, kind: str, remaining: int = 0):
        super().__init__(kind)
        self.kind, self.remaining = kind, remaining

    def message(self) -> str:
        """What to tell the user."""
        if self.kind == "wrong":
            return _("The code is not correct. %(n)s attempts left.", n=self.remaining)
        if self.kind == "expired":
            return _("The code has expired. Please request a new one.")
        if self.kind == "too_many":
            return _("Too many wrong attempts. Please request a new code.")
        return _("Please request a code first.")


def _hash(phone: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def send_sign_in_code(phone: str) -> None:
    """Replace any live code for the phone with a new one and text it."""
    now = clock.now_utc()
    code = f"{secrets.randbelow(10**6):06d}"
    db.session.execute(update(SignInCode).where(SignInCode.phone == phone, SignInCode.consumed_at.is_(None))
                       .values(consumed_at=now))
    db.session.add(SignInCode(phone=phone, code_hash=_hash(phone, code), created_at=now,
                              expires_at=now + timedelta(seconds=current_app.config["OTP_TTL_SECONDS"])))
    minutes = current_app.config["OTP_TTL_SECONDS"] // 60
    send_sms(phone, _("[OneCode] Your sign-in code is %(code)s, valid for %(minutes)s minutes. "
                      "Do not share it.", code=code, minutes=minutes), "sign_in", secret=code)
    db.session.commit()


def sign_in_with_code(phone: str, code: str) -> User:
    """Check the code (each try counts) and return the user, created on first sign-in."""
    now = clock.now_utc()
    record = db.session.scalars(select(SignInCode).where(SignInCode.phone == phone,
                                                         SignInCode.consumed_at.is_(None))
                                .order_by(SignInCode.id.desc()).limit(1)).first()
    if record is None:
        raise SignInError("no_code")
    if record.expires_at <= now:
        raise SignInError("expired")
    limit = current_app.config["OTP_MAX_ATTEMPTS"]
    if record.attempts >= limit:
        raise SignInError("too_many")
    record.attempts += 1
    if not hmac.compare_digest(record.code_hash, _hash(phone, code)):
        db.session.commit()
        if record.attempts >= limit:
            raise SignInError("too_many")
        raise SignInError("wrong", remaining=limit - record.attempts)
    record.consumed_at = now
    user = db.session.scalars(select(User).where(User.phone == phone)).first()
    if user is None:
        user = User(phone=phone, role="resident", created_at=now)
        db.session.add(user)
    user.last_sign_in_at = now
    db.session.commit()
    return user
