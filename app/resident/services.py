"""Saving the real-name profile."""
from flask_babel import gettext as _
from sqlalchemy import select

from app.domain import districts
from app.domain.colours import symptom_labels
from app.domain.idcard import InvalidIdNumber, validate_other_document, validate_resident_id
from app.domain.masking import mask_id_number
from app.extensions import db
from app.models import User
from app.services import clock
from app.services.colours import recolour, rule_set
from app.services.checkins import TRANSPORTS
from app.services.documents import doc_hash


class ProfileError(Exception):
    """A field the user must correct: `field` and a message in their language."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


ID_MESSAGES = {
    "length": lambda: _("A resident ID number has 18 characters."),
    "format": lambda: _("The document number has characters that are not allowed."),
    "birth_date": lambda: _("The birth date in the ID number is not a real date."),
    "check_digit": lambda: _("The ID number is not valid (check digit). Please check it."),
}


def save_profile(user: User, *, name: str, address: str, district: str, doc_kind: str | None,
                 doc_number: str | None) -> None:
    """Store the profile; the document can be set once and is kept only as a hash and a masked form."""
    if user.doc_hash is None:
        number, birth_date = _checked_document(doc_kind, doc_number or "")
        hashed = doc_hash(doc_kind, number)
        taken = db.session.scalar(select(User.id).where(User.doc_kind == doc_kind, User.doc_hash == hashed,
                                                        User.id != user.id))
        if taken:
            raise ProfileError("doc_number", _("This document is already registered with another phone number."))
        user.doc_kind, user.doc_hash, user.doc_masked, user.birth_date = (
            doc_kind, hashed, mask_id_number(number), birth_date)
    user.name, user.address, user.district = name.strip(), address.strip(), district
    user.promised_at = clock.now_utc()
    db.session.flush()
    recolour([user.id], trigger="profile")
    db.session.commit()


def _checked_document(kind: str | None, number: str):
    """(normalised number, birth date or None) or ProfileError."""
    number = number.strip()
    if not number:
        raise ProfileError("doc_number", _("Please enter your document number."))
    try:
        if kind == "resident_id":
            resident_id = validate_resident_id(number, clock.local_today())
            return resident_id.number, resident_id.birth_date
        return validate_other_document(kind, number), None
    except InvalidIdNumber as error:
        raise ProfileError("doc_number", ID_MESSAGES.get(error.code, ID_MESSAGES["format"])()) from None


TRANSPORT_LABELS = {
    "plane": lambda: _("Plane"), "train": lambda: _("Train"), "car": lambda: _("Car"),
    "bus": lambda: _("Coach"), "ship": lambda: _("Ship"), "other": lambda: _("Other"),
}
assert tuple(TRANSPORT_LABELS) == TRANSPORTS


def checkin_options(lang: str) -> dict:
    """Choices for the check-in form in the user's language (districts, symptoms, transport)."""
    return {
        "districts": districts.choices(lang),
        "symptoms": symptom_labels(rule_set(), lang),
        "transports": [(code, label()) for code, label in TRANSPORT_LABELS.items()],
    }
