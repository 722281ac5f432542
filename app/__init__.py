"""OneCode application factory."""

import secrets
from pathlib import Path

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from app.config import Defaults
from app.extensions import babel, csrf, db, limiter, login_manager, migrate
from app.infra import sqlite


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, but absurdly nested input is a decoding error (a 400), not a crash."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def create_app(test_config=None):
    """Build the app: config, extensions, blueprints (the list below is all there is)."""
    app = Flask(__name__, instance_relative_config=True)
    app.json = JSONProvider(app)
    app.config.from_object(Defaults)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if test_config is None:
        _ensure_instance_config(app)
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("ONECODE")
    else:
        app.config.from_mapping(test_config)
    _derive_defaults(app)

    db.init_app(app)
    with app.app_context():
        app.extensions["sqlite_checkpointer"] = sqlite.configure(app, db.engine)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: app.config["TIMEZONE"])
    limiter.init_app(app)

    from app import dev
    from app.cli import register_cli
    from app.web import (
        api,
        auth,
        authority,
        clinic,
        converters,
        desk,
        enterprise,
        errors,
        i18n,
        info,
        oversight,
        pharmacy,
        pwa,
        relatives,
        reports,
        resident,
        returning,
        staff,
        warden,
    )

    blueprints = [
        auth.bp,
        resident.bp,
        relatives.bp,
        warden.bp,
        clinic.bp,
        pharmacy.bp,
        desk.bp,
        enterprise.bp,
        staff.bp,
        authority.bp,
        reports.bp,
        returning.bp,
        oversight.bp,
        info.bp,
        api.bp,
        pwa.bp,
    ]
    if app.config["ENV_NAME"] == "development":
        blueprints.append(dev.bp)
    converters.register(app)
    for bp in blueprints:
        app.register_blueprint(bp)
    errors.register(app)
    i18n.register(app)
    app.after_request(_security_headers)
    register_cli(app)

    from app import models  # noqa: F401  (every model registered for migrations)
    from app.services import accounts

    login_manager.login_view = "auth.sign_in"
    login_manager.user_loader(accounts.user_for_sign_in)  # the cookies carry a sign-in, not the user's id
    login_manager.unauthorized_handler(errors.unauthorized)
    return app


def _ensure_instance_config(app):
    """Write instance/config.py with a random secret on first run (it is gitignored)."""
    path = Path(app.instance_path) / "config.py"
    if not path.exists():
        path.write_text(
            "# Local settings for this machine; never commit this file.\n"
            f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
            f"DOC_HASH_KEY = {secrets.token_hex(32)!r}\n"
            f"DOC_SEAL_KEY = {secrets.token_hex(32)!r}\n"
        )


def _derive_defaults(app):
    """Fill settings whose defaults depend on the instance folder."""
    instance = Path(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config.get("DATABASE_URL") or (
            f"sqlite:///{instance / 'onecode.sqlite'}"
        )
    if not app.config.get("KEYS_DIR"):
        app.config["KEYS_DIR"] = str(instance / "keys")
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set: put it in instance/config.py")
    app.config.setdefault("DOC_HASH_KEY", app.config["SECRET_KEY"])
    app.config.setdefault("DOC_SEAL_KEY", app.config["SECRET_KEY"])


SECURITY_HEADERS = {
    "x-content-type-options": ("X-Content-Type-Options", "nosniff"),
    "x-frame-options": ("X-Frame-Options", "DENY"),
    "referrer-policy": ("Referrer-Policy", "same-origin"),
}


def _security_headers(response):
    """Headers every answer carries: no sniffing, no framing, no referrer leaking paths (a view may set
    its own). One pass over the headers: Headers.setdefault raises and catches an exception per missing
    header, which costs more than the rest of a small JSON answer's headers together."""
    present = {name.lower() for name, _ in response.headers}
    for lowered, (name, value) in SECURITY_HEADERS.items():
        if lowered not in present:
            response.headers.add(name, value)
    return response


def _select_locale():
    """Explicit choice (cookie set by the switcher) first, then Accept-Language, then Chinese."""
    from app.web.i18n import current_language

    return current_language()
