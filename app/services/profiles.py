"""Saving the real-name profile."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.domain import districts
from app.domain.colours import symptom_labels
from app.extensions import db
from app.infra import clock
from app.infra.documents import checked_document, is_child
from app.models import User
from app.services.account import tell_guardians
from app.services.accounts import move_sign_ins
from app.services.checkins import TRANSPORTS
from app.services.colours import recolour, rule_set
from app.services.errors import DomainError


class ProfileError(DomainError):
    """A profile the rules do not allow (a mistyped document number is an app.infra.documents.DocumentError)."""

    messages = {"doc_taken": _l("This document is already registered with another phone number.")}


def save_profile(
    user: User, *, name: str, address: str, district: str, doc_kind: str | None, doc_number: str | None
) -> User:
    """Store the profile; the document can be set once and is kept only as a hash and a masked form.

    Returns the account that now holds the profile: when a relative registered this adult before
    (as a person without a phone) and the name matches, the new phone takes over that record.
    """
    if user.doc_hash is None:
        document = checked_document(doc_kind, doc_number or "", clock.local_today())
        taken = db.session.scalar(
            select(User).where(User.doc_kind == doc_kind, User.doc_hash == document.hash, User.id != user.id)
        )
        if taken is not None and taken.phone is None and taken.name == name.strip() and not is_child(taken):
            user = _take_over(user, taken)
            user.doc_sealed = user.doc_sealed or document.sealed
        elif taken is not None:
            raise ProfileError("doc_taken", "doc_number")
        else:
            user.doc_kind, user.doc_hash, user.doc_masked, user.birth_date, user.doc_sealed = (
                doc_kind,
                document.hash,
                document.masked,
                document.birth_date,
                document.sealed,
            )
    user.name, user.address, user.district = name.strip(), address.strip(), district
    user.promised_at = clock.now_utc()
    db.session.flush()
    recolour([user.id], trigger="profile")
    db.session.commit()
    return user


def _take_over(new_account: User, person: User) -> User:
    """Move the phone of a fresh account onto the existing person record and drop the fresh one."""
    phone, signed_in = new_account.phone, new_account.last_sign_in_at
    move_sign_ins(new_account, person)
    db.session.delete(new_account)
    db.session.flush()
    person.phone, person.last_sign_in_at = phone, signed_in
    tell_guardians(person)  # their guardians learn that the relative now manages their own record
    return person


TRANSPORT_LABELS = {
    "plane": lambda: _("Plane"),
    "train": lambda: _("Train"),
    "car": lambda: _("Car"),
    "bus": lambda: _("Coach"),
    "ship": lambda: _("Ship"),
    "other": lambda: _("Other"),
}
assert tuple(TRANSPORT_LABELS) == TRANSPORTS


def checkin_options(lang: str) -> dict:
    """Choices for the check-in form in the user's language (districts, symptoms, transport)."""
    return {
        "districts": districts.choices(lang),
        "symptoms": symptom_labels(rule_set(), lang),
        "transports": [(code, label()) for code, label in TRANSPORT_LABELS.items()],
    }
