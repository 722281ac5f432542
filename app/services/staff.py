"""Staff enrolment by signed, expiring links (one role and scope each) and the wardens' checkpoints."""
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.extensions import db
from app.models import Checkpoint, User
from app.services import clock

STAFF_ROLES = ("warden",)
_SALT = "staff-enrolment"


class EnrolmentLinkInvalid(Exception):
    """The link is forged, damaged or expired; `expired` tells which."""

    def __init__(self, expired: bool):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def enrolment_token(role: str, checkpoint_id: int | None = None) -> str:
    """A signed token for enrolling as `role` (optionally at an existing checkpoint)."""
    if role not in STAFF_ROLES:
        raise ValueError(f"unknown staff role {role!r}")
    return _serializer().dumps({"role": role, "checkpoint_id": checkpoint_id})


def read_enrolment_token(token: str) -> dict:
    """The role and scope a token grants, or EnrolmentLinkInvalid."""
    try:
        return _serializer().loads(token, max_age=current_app.config["ENROL_LINK_HOURS"] * 3600)
    except SignatureExpired:
        raise EnrolmentLinkInvalid(expired=True) from None
    except BadSignature:
        raise EnrolmentLinkInvalid(expired=False) from None


def enrol_warden(user: User, name: str, checkpoint_id: int | None = None, checkpoint: dict | None = None) -> None:
    """Make the user a warden at an existing checkpoint or at a new one described by `checkpoint`."""
    if checkpoint_id is None:
        new = Checkpoint(created_at=clock.now_utc(), **checkpoint)
        db.session.add(new)
        db.session.flush()
        checkpoint_id = new.id
    user.role, user.name, user.checkpoint_id = "warden", name.strip(), checkpoint_id
    db.session.commit()
