"""Flask extensions, created unbound and initialised in create_app."""

import copy
import threading
import time
from datetime import datetime
from uuid import UUID

from flask.sessions import SecureCookieSessionInterface
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from itsdangerous import BadSignature
from markupsafe import Markup
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model; constraints get names so migrations can alter them."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


class RememberingCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, remembering the last few cookies this worker has verified.

    Verifying a cookie (key derivation, HMAC, base64, zlib, tagged JSON) costs about as much as the rest
    of a small JSON request, and a device sends the same cookie on request after request. The outcome
    depends only on the exact cookie string, the secret keys and the clock, so a hit gives the same
    answer as verifying again: a changed or forged cookie is a different string (and is verified in
    full), the keys are compared on every hit, and the age limit is checked against the signing time on
    every hit exactly as itsdangerous does. Signing out sends the device a different cookie; the old
    string stays exactly as valid as Flask's cookie sessions leave it (until its age limit), cache or
    not. Nothing here is shared with another worker: a miss just verifies the cookie again."""

    max_entries = 2048

    def __init__(self):
        self._verified = {}  # cookie string -> (keys, signed at (epoch s), session dict); oldest first
        self._lock = threading.Lock()

    def open_session(self, app, request):
        if not app.secret_key:
            return None  # Flask then uses its NullSession, as it does without this class
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        max_age = int(app.permanent_session_lifetime.total_seconds())
        hit = self._verified.get(cookie)
        if hit is not None and hit[0] == keys and 0 <= int(time.time()) - hit[1] <= max_age:
            return self.session_class(_copy_session_data(hit[2]))
        try:
            data, signed_at = self.get_signing_serializer(app).loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:  # also an expired one
            return self.session_class()
        with self._lock:
            self._verified.pop(cookie, None)
            self._verified[cookie] = (keys, int(signed_at.timestamp()), _copy_session_data(data))
            while len(self._verified) > self.max_entries:
                del self._verified[next(iter(self._verified))]
        return self.session_class(data)

    def save_session(self, app, session, response):
        if session.modified or self.should_set_cookie(app, session):
            super().save_session(app, session, response)
        elif session.accessed:  # no cookie to write; as Flask does, tell caches the answer depends on it
            _add_vary_cookie(response)


def _add_vary_cookie(response) -> None:
    """`response.vary.add("Cookie")`, without the exception Headers raises inside for a missing header."""
    if response.headers.getlist("Vary"):
        response.vary.add("Cookie")
    else:
        response.headers.add("Vary", "Cookie")


_IMMUTABLE = frozenset({str, int, float, bool, type(None), bytes, datetime, UUID, Markup})


def _copy_session_data(data: dict) -> dict:
    """A copy of decoded session data that shares nothing mutable with the original (each request gets
    its own: views may change nested values, such as the list of flashed messages)."""
    return {key: _copy_value(value) for key, value in data.items()}


def _copy_value(value):
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is tuple and all(type(item) in _IMMUTABLE for item in value):
        return value  # e.g. a flashed message: (category, text)
    if kind is list:
        return [_copy_value(item) for item in value]
    if kind is dict:
        return {key: _copy_value(item) for key, item in value.items()}
    return copy.deepcopy(value)
