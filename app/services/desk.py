"""The green channel (五个一: keep the offline and manual services): at a clinic, pharmacy or community desk, staff
serve a person without a phone or a code. They find the person by ID number or register them, fill the
epidemiological survey (流行病学史调查: the check-in's questions) on their behalf as a declaration marked as filed
by staff, print a paper code (or a printed medical card) on the spot; community workers confirm relatives
without a phone. Every look at a person is audited.

Who: clinicians and pharmacists (at their institution; like identity lookups, anyone in the province) and
handlers, the community workers, who act within their district (`scope_district`): they find and register only
people living there, and approve the bindings of relatives living there (the dependant's district, not the
guardian's: the worker confirms consent with the relative in person, where the relative lives, and the binding
exposes the relative's code and check-ins, not the guardian's).

A person found or registered at the desk is reached through a desk ticket: a signed grant naming the person and
the staff member, valid DESK_TICKET_HOURS, so the desk's pages never open a person by a guessable id."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from app.domain import districts
from app.domain.idcard import InvalidIdNumber, age_on, validate_resident_id
from app.domain.masking import mask_phone
from app.extensions import db
from app.infra import audit, clock, links
from app.infra.documents import checked_document, doc_hash
from app.infra.outbox import RecordResult
from app.models import Binding, Checkin, Institution, IssuedCode, User, Verdict
from app.models.districts import district_in_area
from app.services import medical_card, relatives
from app.services.checkins import store_checkins
from app.services.codes import current_paper_code, ensure_evaluated_today, print_paper_code
from app.services.colours import recolour
from app.services.errors import DomainError

DESK_ROLES = ("clinician", "pharmacist", "handler")
_TICKET_SALT = "desk-ticket"
_NAME = re.compile(r"^[\u3400-\u9fffA-Za-z·.\- ]{2,30}$")
APPROVALS_SHOWN = 200


class DeskError(DomainError):
    """Why the desk cannot do what staff asked."""

    messages = {
        "not_staff": _l("Your account cannot use the green channel desk."),
        "no_institution": _l("Your account is not linked to an institution. Please enrol again."),
        "no_area": _l("Your account has no district. Ask the authority for a new enrolment link."),
        "ticket": _l("This person's page has expired. Please look the person up again."),
        "invalid_id": _l("The ID number is not valid (check digit). Please check it."),
        "outside_district": _l(
            "This person lives in %(district)s, outside your district. The community desk there can serve them."
        ),
        "already_registered": _l("Somebody is already registered with this ID number. Look the person up instead."),
        "name": _l("Please enter the name as on the ID card (2 to 30 Chinese or Latin letters)."),
        "district": _l("Please choose the district where the person lives."),
        "district_outside": _l("You can only register people who live in your district."),
        "address": _l("Please enter the current address (4 to 200 characters)."),
        "no_code_yet": _l("This person has no health code yet: fill in the epidemiological survey for them first."),
        "not_pending": _l("This binding is not waiting for approval in your district."),
    }
    statuses = {
        "not_staff": 403,
        "no_institution": 403,
        "no_area": 403,
        "ticket": 404,
        "outside_district": 403,
        "already_registered": 409,
        "no_code_yet": 409,
        "not_pending": 404,
    }


def _require(staff: User) -> None:
    if staff.role not in DESK_ROLES:  # the routes check roles too; this is the service's own guard
        raise DeskError("not_staff")
    if staff.role == "handler" and not staff.scope_district:
        raise DeskError("no_area")
    if staff.role != "handler" and staff.institution_id is None:
        raise DeskError("no_institution")


def _in_scope(staff: User, district: str | None) -> bool:
    return staff.role != "handler" or (district is not None and districts.within(district, staff.scope_district))


def _audit(staff: User, action: str, person_id: int | None, **details) -> None:
    audit.record(staff.id, action, person_id, "green channel", institution_id=staff.institution_id, **details)


# --- finding and registering ------------------------------------------------------------------------------


def normalise_id_number(text) -> str:
    """What a card reader or a person typed, as an ID number: full-width characters folded, every space and
    line break removed, the check character X in capitals."""
    if not isinstance(text, str):
        return ""
    return "".join(unicodedata.normalize("NFKC", text[:64]).split()).upper()


def _valid_number(text) -> str:
    try:
        return validate_resident_id(normalise_id_number(text), clock.local_today()).number
    except InvalidIdNumber:
        raise DeskError("invalid_id", "id_number") from None


def ticket_for(staff: User, person_id: int) -> str:
    """The desk ticket for a person this staff member found or registered."""
    return links.sign(_TICKET_SALT, {"p": person_id, "s": staff.id})


def find_person(staff: User, id_number) -> str | None:
    """The desk ticket of the person registered with this resident ID number, or None when nobody is (then the
    desk may register them). Audited, found or not; a handler finds only people living in their district."""
    _require(staff)
    number = _valid_number(id_number)
    person = db.session.scalar(
        select(User).where(User.doc_kind == "resident_id", User.doc_hash == doc_hash("resident_id", number))
    )
    _audit(staff, "desk_lookup", person.id if person else None, found=person is not None)
    db.session.commit()
    if person is None:
        return None
    if not _in_scope(staff, person.district):
        name = districts.name_of(person.district, str(get_locale() or "zh")) if person.district else "—"
        raise DeskError("outside_district", "id_number", district=name)
    return ticket_for(staff, person.id)


def register_person(staff: User, *, doc_number: str, name: str, district: str, address: str) -> str:
    """Register a person without a phone from their ID card (name and number typed or read); answers their ticket.
    They sign up later with a phone of their own and the same number: that phone takes over this record."""
    _require(staff)
    document = checked_document("resident_id", normalise_id_number(doc_number), clock.local_today())
    if db.session.scalar(select(User.id).where(User.doc_kind == "resident_id", User.doc_hash == document.hash)):
        raise DeskError("already_registered", "doc_number")
    name = " ".join((name or "").split())
    if not _NAME.match(name):
        raise DeskError("name", "name")
    if not isinstance(district, str) or not districts.is_known(district):
        raise DeskError("district", "district")
    if not _in_scope(staff, district):
        raise DeskError("district_outside", "district")
    address = (address or "").strip()
    if not 4 <= len(address) <= 200:
        raise DeskError("address", "address")
    now = clock.now_utc()
    person = User(
        phone=None,
        role="resident",
        created_at=now,
        name=name,
        doc_kind="resident_id",
        doc_hash=document.hash,
        doc_masked=document.masked,
        doc_sealed=document.sealed,
        birth_date=document.birth_date,
        address=address,
        district=district,
        promised_at=now,
    )
    db.session.add(person)
    db.session.flush()
    recolour([person.id], trigger="profile")
    _audit(staff, "desk_register", person.id)
    db.session.commit()
    return ticket_for(staff, person.id)


def person_for_ticket(staff: User, ticket) -> User:
    """The person a desk ticket names, if this staff member was given it recently and may still serve them."""
    _require(staff)
    grant = None
    if isinstance(ticket, str) and len(ticket) <= 512:
        try:
            grant = links.read(_TICKET_SALT, ticket, current_app.config["DESK_TICKET_HOURS"])
        except links.LinkInvalid:
            grant = None
    person_id = grant.get("p") if grant and grant.get("s") == staff.id else None
    person = db.session.get(User, person_id) if isinstance(person_id, int) else None
    if person is None or person.role != "resident" or not _in_scope(staff, person.district):
        raise DeskError("ticket")
    return person


# --- the person's page ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskPerson:
    """What the desk shows of a person it serves."""

    person: User
    age: int | None
    colour: str | None
    reasons: list[dict]
    paper_code: IssuedCode | None
    printed_card_until: datetime | None
    card_phone: str | None  # masked: where a printed medical card's one-time codes would go (None: nowhere)
    last_checkin_at: datetime | None


def desk_person(staff: User, ticket, lang: str) -> DeskPerson:
    """The person's page at the desk (audited)."""
    person = person_for_ticket(staff, ticket)
    ensure_evaluated_today(person)
    verdict = db.session.get(Verdict, person.verdict_id) if person.verdict_id else None
    printed = medical_card.printed_card_of(person.id)
    phone = medical_card.code_phone(person, None)
    _audit(staff, "desk_view", person.id)
    db.session.commit()
    return DeskPerson(
        person=person,
        age=age_on(person.birth_date, clock.local_today()) if person.birth_date else None,
        colour=person.colour,
        reasons=[
            {
                "colour": reason["colour"],
                "text": reason["text"].get(lang) or reason["text"]["zh"],
                "guidance": reason["guidance"].get(lang) or reason["guidance"]["zh"],
            }
            for reason in (verdict.reasons if verdict else ())
        ],
        paper_code=current_paper_code(person),
        printed_card_until=printed.expires_at if printed else None,
        card_phone=mask_phone(phone) if phone else None,
        last_checkin_at=person.last_checkin_at,
    )


def file_survey(staff: User, ticket, payload: dict) -> tuple[User, RecordResult]:
    """File the epidemiological survey for the person as a check-in marked as filed by this staff member (and
    where they work); the person's colour follows at once. Answers the record's result (`invalid` with messages
    by field, or stored / duplicate for a repeated submission)."""
    person = person_for_ticket(staff, ticket)
    [result] = store_checkins(person, staff, [payload], filed_by_staff=True)
    if result.status == "stored":
        _audit(staff, "desk_survey", person.id, uuid=result.uuid)
        db.session.commit()
    return person, result


def print_paper(staff: User, ticket) -> IssuedCode:
    """Print a new paper code for the person (the previous one is revoked); audited."""
    person = person_for_ticket(staff, ticket)
    issued = print_paper_code(person)
    if issued is None:
        raise DeskError("no_code_yet")
    _audit(staff, "desk_paper_code", person.id)
    db.session.commit()
    return issued


def look(staff: User, ticket, page: str) -> User:
    """The person a desk page (`page`) is about, the look audited."""
    person = person_for_ticket(staff, ticket)
    _audit(staff, "desk_view", person.id, page=page)
    db.session.commit()
    return person


def paper_code(staff: User, ticket) -> tuple[User, IssuedCode | None]:
    """The person's paper code in force, to show and print again (audited)."""
    person = look(staff, ticket, "paper")
    return person, current_paper_code(person)


def print_medical_card(staff: User, ticket) -> medical_card.PrintedCard:
    """Print a long-lived medical card for the person (earlier ones revoked); audited."""
    person = person_for_ticket(staff, ticket)
    card = medical_card.print_card(staff, person)
    _audit(staff, "desk_medical_card", person.id)
    db.session.commit()
    return card


# --- what the holder sees: who filed what ------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    """One check-in in the holder's history; `filed_by`/`filed_at` when staff filed it at a desk."""

    checkin: Checkin
    filed_by: str | None  # the staff member's name
    filed_role: str | None
    filed_at: str | None  # the institution's name (None for a community worker)


def checkin_history(device_user: User, subject_id: int | None = None) -> tuple[User, list[HistoryLine]]:
    """The resident's (or a relative's) check-ins, newest first, with who filed those filed at a desk."""
    subject = device_user
    if subject_id not in (None, device_user.id):
        if not relatives.acting_for(device_user.id, subject_id):
            raise medical_card.MedicalCardError("not_yours")
        subject = db.session.get(User, subject_id)
    staff = aliased(User)
    rows = db.session.execute(
        select(Checkin, staff.name, staff.role, Institution.name)
        .outerjoin(staff, staff.id == Checkin.filed_by_id)
        .outerjoin(Institution, Institution.id == Checkin.filed_at_id)
        .where(Checkin.user_id == subject.id)
        .order_by(Checkin.checked_at.desc(), Checkin.id.desc())
        .limit(60)
    ).all()
    return subject, [HistoryLine(checkin, name, role, place) for checkin, name, role, place in rows]


# --- community workers: relatives without a phone ----------------------------------------------------------


def _require_handler(staff: User) -> None:
    if staff.role != "handler":
        raise DeskError("not_staff")
    if not staff.scope_district:
        raise DeskError("no_area")


def pending_approvals(handler: User) -> list[Binding]:
    """Bindings waiting for a community worker whose relative lives in the handler's district, oldest first (the
    look is audited: one entry per relative shown)."""
    _require_handler(handler)
    dependant = aliased(User)
    bindings = db.session.scalars(
        select(Binding)
        .join(dependant, dependant.id == Binding.dependant_id)
        .options(joinedload(Binding.guardian), joinedload(Binding.dependant))
        .where(Binding.status == "pending_approval", district_in_area(dependant.district, handler.scope_district))
        .order_by(Binding.id)
        .limit(APPROVALS_SHOWN)
    ).all()
    for binding in bindings:
        _audit(handler, "approvals_list", binding.dependant_id, binding_id=binding.id)
    db.session.commit()
    return bindings


def approve(handler: User, binding_id: int) -> Binding:
    """The community worker confirms in person that the relative agreed; audited with the approval."""
    _require_handler(handler)
    binding = db.session.get(Binding, binding_id)
    if binding is None or binding.status != "pending_approval" or not _in_scope(handler, binding.dependant.district):
        raise DeskError("not_pending")
    _audit(handler, "binding_approved", binding.dependant_id, binding_id=binding.id, guardian_id=binding.guardian_id)
    approver = (handler.name or f"handler #{handler.id}")[:64]
    return relatives.approve(binding.id, approver)  # commits, and the audit entry with it
