"""Signing in and out: sign-in codes over SMS (the one-time code rules live in app.infra.sms_codes) and the
device sign-ins (app.models.sign_in) that the session and remember-me cookies carry."""

import secrets

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update

from app.extensions import db
from app.infra import clock
from app.infra.prepared import fetch_one
from app.infra.sms import SmsFailed
from app.infra.sms_codes import check_code, send_code
from app.models import SignIn, User
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
    db.session.flush()
    sign_in = SignIn(id=secrets.token_urlsafe(32), user_id=user.id, created_at=now)
    db.session.add(sign_in)
    db.session.commit()
    user.sign_in_id = sign_in.id
    return user


def _usable(sign_in_id) -> bool:
    return isinstance(sign_in_id, str) and 0 < len(sign_in_id) <= 43


def user_for_sign_in(sign_in_id) -> User | None:
    """The user a cookie's sign-in belongs to, while that sign-in has not ended (Flask-Login's user loader):
    one query, as loading the user by id was."""
    if not _usable(sign_in_id):
        return None  # also a cookie from before sign-ins were recorded (it carried the user's id)
    user = db.session.scalar(
        select(User).join(SignIn, SignIn.user_id == User.id).where(SignIn.id == sign_in_id, SignIn.ended_at.is_(None))
    )
    if user is not None:
        user.sign_in_id = sign_in_id
    return user


_sign_ins = SignIn.__table__.c
# The hot path of every GET /api/code: a Core statement run as a prepared one (app/infra/prepared.py), since an
# ORM Session's get() costs more than the rest of the request's database work (bench/README.md: speed-ups).
_SIGNED_IN_USER = select(_sign_ins.user_id).where(_sign_ins.id == bindparam("sign_in_id"), _sign_ins.ended_at.is_(None))


def user_id_for_sign_in(sign_in_id) -> int | None:
    """The user id of a sign-in that has not ended, by primary key, without loading the user."""
    if not _usable(sign_in_id):
        return None
    row = fetch_one(db.engine, _SIGNED_IN_USER, {"sign_in_id": sign_in_id})
    return None if row is None else row[0]


def end_sign_in(sign_in_id: str | None) -> None:
    """Sign-out: this device's cookies (session and remember-me) no longer open the account."""
    if _usable(sign_in_id):
        db.session.execute(
            update(SignIn).where(SignIn.id == sign_in_id, SignIn.ended_at.is_(None)).values(ended_at=clock.now_utc())
        )
    db.session.commit()


def end_every_sign_in(user: User) -> int:
    """Sign out everywhere: every device of this user, this one included, must sign in again."""
    ended = db.session.execute(
        update(SignIn).where(SignIn.user_id == user.id, SignIn.ended_at.is_(None)).values(ended_at=clock.now_utc())
    ).rowcount
    db.session.commit()
    return ended


def move_sign_ins(from_user: User, to_user: User) -> None:
    """A fresh account merged into an existing person record: its devices stay signed in, as that person."""
    db.session.execute(update(SignIn).where(SignIn.user_id == from_user.id).values(user_id=to_user.id))
    to_user.sign_in_id = from_user.sign_in_id
