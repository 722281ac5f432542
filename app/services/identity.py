"""Turning a code or an ID number into a person's identity: only enrolled clinic and pharmacy staff, online,
each lookup audited (authorised terminals only). Wardens never come here: they see colour and a masked name.

A lookup answers a person card and a ticket: a signed, expiring grant naming the person and the staff member,
which the registration records queued on the staff device carry (app.services.care_records), so a record can
only ever be about someone that staff member identified."""

from collections.abc import Callable
from dataclasses import asdict, dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.domain import codes, districts
from app.domain import medical_card as medical_codes
from app.domain.idcard import InvalidIdNumber, age_on, validate_resident_id
from app.extensions import db
from app.infra import audit, clock, links, sealed
from app.infra.documents import doc_hash
from app.models import IssuedCode, User, Verdict
from app.models.user import IDENTIFYING_ROLES
from app.services.codes import ensure_evaluated_today
from app.services.errors import DomainError

_TICKET_SALT = "care-ticket"


class IdentityError(DomainError):
    """Why a code or an ID number does not lead to a person."""

    messages = {
        "bad_request": _l("Please scan the person's code or enter their ID number."),
        "invalid_id": _l("The ID number is not valid (check digit). Please check it."),
        "unknown_person": _l(
            "Nobody is registered with this ID number. You can register the person at the desk (green channel)."
        ),
        "unknown_code": _l("This code was not issued by OneCode, or it was damaged. Ask for the ID number instead."),
        "no_institution": _l("Your account is not linked to an institution. Please enrol again."),
        "ticket": _l("Please scan the person's code again: the identification has expired."),
    }
    statuses = {"unknown_person": 404, "unknown_code": 404, "no_institution": 403}


@dataclass(frozen=True)
class PersonCard:
    """What authorised staff see of a person (and nobody else does)."""

    person_id: int
    name: str
    id_number: str  # the full number when it is on record sealed, else its masked form
    doc_kind: str | None
    phone: str | None
    address: str | None
    district: str | None
    district_name: str | None
    age: int | None
    is_child: bool  # under CHILD_AGE: the staff member types a guardian's name
    colour: str | None
    reasons: list[dict]
    via: str  # self | dependant | paper | id_number | medical_card
    ticket: str

    def to_dict(self) -> dict:
        """JSON for the staff device."""
        return asdict(self)


def _require_staff(staff: User) -> None:
    if staff.role not in IDENTIFYING_ROLES:  # the routes check roles too; this is the service's own guard
        raise IdentityError("no_institution")
    if staff.institution_id is None:
        raise IdentityError("no_institution")


def _person_for_health_code(staff: User, text: str, extra: dict) -> tuple[int, str]:
    """A code we issued (self, dependant or paper), by its stored token: ours by construction."""
    try:
        token = codes.token_from_qr(text)
        payload = codes.unverified_payload(token)
    except (codes.CodeInvalid, RecursionError):
        raise IdentityError("unknown_code") from None
    jti = payload.get("jti") if isinstance(payload, dict) else None
    row = (
        db.session.execute(
            select(IssuedCode.user_id, IssuedCode.token, IssuedCode.kind).where(IssuedCode.jti == jti)
        ).first()
        if isinstance(jti, str) and len(jti) <= 32
        else None
    )
    if row is None or row.token != token:
        raise IdentityError("unknown_code")
    return row.user_id, row.kind


def _person_for_medical_card(staff: User, text: str, extra: dict) -> tuple[int, str]:
    """A 就医码, live or printed (a printed one with `sms_code`): app.services.medical_card, imported here because
    it imports this module."""
    from app.services.medical_card import person_for_card

    return person_for_card(staff, text, extra)


# QR prefixes staff devices may scan, and how each leads to a person: (person id, how they were identified).
RESOLVERS: dict[str, Callable[[User, str, dict], tuple[int, str]]] = {
    codes.QR_PREFIX: _person_for_health_code,
    medical_codes.QR_PREFIX: _person_for_medical_card,
}


def identify(staff: User, *, qr_text=None, id_number=None, why: str = "", lang: str = "zh", **extra) -> PersonCard:
    """The person behind a scanned code or a typed ID number, as a card for authorised staff (audited)."""
    _require_staff(staff)
    if isinstance(qr_text, str) and qr_text.strip() and not id_number:
        text = qr_text.strip()[:4096]
        resolver = next((r for prefix, r in RESOLVERS.items() if text.startswith(prefix)), None)
        if resolver is None:
            raise IdentityError("unknown_code")
        person_id, via = resolver(staff, text, extra)
    elif isinstance(id_number, str) and id_number.strip() and not qr_text:
        person_id, via = person_by_id_number(id_number), "id_number"
    else:
        raise IdentityError("bad_request")
    return card_for(staff, db.session.get(User, person_id), via, why or via, lang)


def person_by_id_number(id_number: str) -> int:
    """The id of the person registered with this resident ID number, else IdentityError."""
    try:
        number = validate_resident_id(id_number.strip()[:32].upper(), clock.local_today()).number
    except InvalidIdNumber:
        raise IdentityError("invalid_id", "id_number") from None
    person_id = db.session.scalar(
        select(User.id).where(User.doc_kind == "resident_id", User.doc_hash == doc_hash("resident_id", number))
    )
    if person_id is None:
        raise IdentityError("unknown_person", "id_number")
    return person_id


def card_for(staff: User, person: User, via: str, why: str, lang: str = "zh") -> PersonCard:
    """The card for a person staff have identified, audited in the same transaction (committed)."""
    _require_staff(staff)
    ensure_evaluated_today(person)
    today = clock.local_today()
    age = age_on(person.birth_date, today) if person.birth_date else None
    verdict = db.session.get(Verdict, person.verdict_id) if person.verdict_id else None
    audit.record(staff.id, "identify", person.id, why, via=via, institution_id=staff.institution_id)
    db.session.commit()
    return PersonCard(
        person_id=person.id,
        name=person.name or "",
        id_number=sealed.unseal(person.doc_sealed) or person.doc_masked or "",
        doc_kind=person.doc_kind,
        phone=person.phone,
        address=person.address,
        district=person.district,
        district_name=districts.name_of(person.district, lang) if person.district else None,
        age=age,
        is_child=age is not None and age < current_app.config["CHILD_AGE"],
        colour=person.colour,
        reasons=[
            {
                "colour": reason["colour"],
                "text": reason["text"].get(lang) or reason["text"]["zh"],
                "guidance": reason["guidance"].get(lang) or reason["guidance"]["zh"],
            }
            for reason in (verdict.reasons if verdict else ())
        ],
        via=via,
        ticket=links.sign(_TICKET_SALT, {"p": person.id, "s": staff.id}),
    )


def person_for_ticket(staff: User, ticket) -> int | None:
    """The person a ticket names, if this staff member was given it within CARE_TICKET_HOURS; else None."""
    if not isinstance(ticket, str) or len(ticket) > 512:
        return None
    try:
        grant = links.read(_TICKET_SALT, ticket, current_app.config["CARE_TICKET_HOURS"])
    except links.LinkInvalid:
        return None
    person_id = grant.get("p")
    if grant.get("s") != staff.id or not isinstance(person_id, int):
        return None
    return person_id
