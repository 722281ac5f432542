"""Sign-in codes over SMS (the one-time code rules live in app.infra.sms_codes)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.infra import clock
from app.infra.sms import SmsFailed
from app.infra.sms_codes import check_code, send_code
from app.models import User
from app.services.errors import DomainError

PURPOSE = "sign_in"


class AccountError(DomainError):
    """Signing in could not go on (a wrong code is an app.infra.sms_codes.CodeRejected)."""

    messages = {"sms_failed": _l("The text message could not be sent. Please try again in a moment.")}
    statuses = {"sms_failed": 503}


def send_sign_in_code(phone: str) -> None:
    """Text a new sign-in code to the phone (AccountError "sms_failed" when the gateway refuses)."""
    try:
        send_code(
            phone,
            PURPOSE,
            lambda code, minutes: _(
                "[OneCode] Your sign-in code is %(code)s, valid for %(minutes)s minutes. Do not share it.",
                code=code,
                minutes=minutes,
            ),
        )
    except SmsFailed:
        raise AccountError("sms_failed") from None


def sign_in_with_code(phone: str, code: str) -> User:
    """Check the code (CodeRejected when it is not right) and return the user, created on first sign-in."""
    check_code(phone, PURPOSE, code)
    now = clock.now_utc()
    user = db.session.scalars(select(User).where(User.phone == phone)).first()
    if user is None:
        user = User(phone=phone, role="resident", created_at=now)
        db.session.add(user)
    user.last_sign_in_at = now
    db.session.commit()
    return user
