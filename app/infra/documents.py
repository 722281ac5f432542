"""Identity documents at rest: checked once, then kept only as a keyed hash, a masked form and a birth date."""

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.domain.idcard import InvalidIdNumber, age_on, validate_other_document, validate_resident_id
from app.domain.masking import mask_id_number
from app.infra import clock, sealed
from app.services.errors import DomainError


class DocumentError(DomainError):
    """A document number the user must correct (always the `doc_number` field of the form)."""

    messages = {
        "empty": _l("Please enter your document number."),
        "length": _l("A resident ID number has 18 characters."),
        "format": _l("The document number has characters that are not allowed."),
        "region": _l("The first two digits of the ID number are not a province of China. Please check it."),
        "birth_date": _l("The birth date in the ID number is not a real date."),
        "check_digit": _l("The ID number is not valid (check digit). Please check it."),
    }

    def __init__(self, code: str):
        super().__init__(code if code in self.messages else "format", "doc_number")


@dataclass(frozen=True)
class CheckedDocument:
    """What is kept of a valid document."""

    hash: str
    masked: str
    birth_date: date | None
    sealed: str  # the number itself, sealed (app.infra.sealed): shown only to authorised clinic and pharmacy staff


def doc_hasher() -> Callable[[str, str], str]:
    """`doc_hash` with the key prepared once, for hashing many documents (control-list files)."""
    keyed = hmac.new(current_app.config["DOC_HASH_KEY"].encode(), digestmod=hashlib.sha256)

    def hash_one(kind: str, number: str) -> str:
        digest = keyed.copy()
        digest.update(f"{kind}:{number.strip().upper()}".encode())
        return digest.hexdigest()

    return hash_one


def doc_hash(kind: str, number: str) -> str:
    """Keyed hash of a normalised document number; control lists match people on it."""
    return doc_hasher()(kind, number)


def checked_document(kind: str | None, number: str, today: date) -> CheckedDocument:
    """Validate a resident ID (check digit, birth date) or another document, or raise DocumentError."""
    number = number.strip()
    if not number:
        raise DocumentError("empty")
    try:
        if kind == "resident_id":
            resident_id = validate_resident_id(number, today)
            number, birth_date = resident_id.number, resident_id.birth_date
        else:
            number, birth_date = validate_other_document(kind, number), None
    except InvalidIdNumber as error:
        raise DocumentError(error.code) from None
    except ValueError:
        raise DocumentError("format") from None
    return CheckedDocument(doc_hash(kind, number), mask_id_number(number), birth_date, sealed.seal(number))


def is_child(person) -> bool:
    """Younger than the age at which a relative's own consent is needed (by the ID's birth date)."""
    return (
        person.birth_date is not None
        and age_on(person.birth_date, clock.local_today()) < current_app.config["CHILD_AGE"]
    )
