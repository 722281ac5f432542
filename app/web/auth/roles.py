"""Role checks for every route: anonymous callers are sent to sign in, wrong roles get 403."""

from functools import wraps

from flask import abort, session, url_for
from flask_login import current_user, login_required

from app.services.accounts import user_id_for_sign_in

AFTER_SIGN_IN = "after_sign_in"  # session key: the page to return to after signing in
# Where each role starts after signing in.
ROLE_HOME = {
    "warden": "warden.scan",
    "admin": "authority.index",
    "reviewer": "authority.index",
    "handler": "reports.inbox",
    "supervisor": "reports.inbox",
    "clinician": "clinic.index",
    "pharmacist": "pharmacy.index",
}


def home_for(user) -> str:
    """The URL a signed-in user starts at."""
    if user.role in ROLE_HOME:
        return url_for(ROLE_HOME[user.role])
    if not user.has_profile:
        return url_for("resident.profile")
    return url_for("resident.code")


def role_required(*roles: str):
    """Allow only signed-in users whose role is one of `roles`."""

    def decorate(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


def session_user_id() -> int | None:
    """The signed-in user's id without loading the user: from the session's sign-in, else through Flask-Login
    (which also honours the remember-me cookie). Callers must check the role themselves."""
    user_id = user_id_for_sign_in(session.get("_user_id"))  # None once that sign-in has ended
    if user_id is not None:
        return user_id
    return current_user.id if current_user.is_authenticated else None
