"""Links sent to people (an enrolment, a report to handle): signed with itsdangerous, and expiring."""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class LinkInvalid(Exception):
    """The link cannot be used; `reason`: expired, invalid (forged, damaged, or what it names is gone), used."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def sign(salt: str, grant: dict) -> str:
    """A token carrying `grant`, signed for one kind of link (`salt`)."""
    return _serializer(salt).dumps(grant)


def read(salt: str, token: str, hours: int) -> dict:
    """What a token of this kind grants, if it is genuine and younger than `hours`; else LinkInvalid."""
    try:
        grant = _serializer(salt).loads(token, max_age=hours * 3600)
    except SignatureExpired:
        raise LinkInvalid("expired") from None
    except BadSignature:
        raise LinkInvalid("invalid") from None
    if not isinstance(grant, dict):
        raise LinkInvalid("invalid")
    return grant


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)
