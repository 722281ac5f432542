"""The code as the medical card (一码就医): the 就医码 a resident shows (for themselves or a bound relative), the
printed card of an elderly person, how enrolled staff resolve either, and the visits clinics register with it.

- A live card is a QR of a random token (app.domain.medical_card) that resolves for MEDICAL_CARD_SECONDS; the
  page asks for the next one before it expires, so the QR on screen rotates. Only the token's hash is stored,
  with the person, the device user who asked and the expiry.
- A printed card lasts MEDICAL_CARD_PRINTED_DAYS and resolves only together with a one-time code texted to the
  holder's phone or a guardian's (the first lookup sends it and answers `sms_code_needed`; the second, with the
  code, resolves). Sends follow the sign-in rules (OTP_SEND_LIMIT_PHONE), tries are capped (OTP_MAX_ATTEMPTS).
  Printing a new card revokes the earlier ones.
- Staff reach a card only through app.services.identity (RESOLVERS), which audits every lookup.
- Visits (`medical_visit`, clinicians) arrive through the care outbox (app.services.care_records): the resident
  sees theirs from every institution (一人一码，全省通用), staff only their own institution's."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from limits import parse_many
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import joinedload

from app.domain.masking import mask_name, mask_phone
from app.domain.medical_card import DEPARTMENTS, new_token, qr_text, token_from_qr, token_hash
from app.extensions import db
from app.infra import audit, clock
from app.infra.outbox import RecordResult, parse_text
from app.infra.sms import SmsFailed
from app.infra.sms_codes import check_code, send_code
from app.models import Binding, MedicalCard, MedicalVisit, SmsCode, User
from app.services.care_records import CareKind
from app.services.errors import DomainError
from app.services.identity import IdentityError
from app.services.relatives import acting_for

SMS_PURPOSE = "medcard"  # the text messages' purpose; each code's is medcard:<card id>:<staff id>
VISITS_PAGE_SIZE = 50
MAX_REASON = 200


class MedicalCardError(DomainError):
    """Why a medical card is not shown, printed or resolved."""

    messages = {
        "profile_required": _l("Please complete your real-name profile first."),
        "not_yours": _l("You cannot show this person's medical card."),
        "expired": _l(
            "This medical card code has expired. Ask the person to open their medical card again, or enter the "
            "ID number."
        ),
        "printed_expired": _l("This printed medical card has expired. Please enter the ID number instead."),
        "revoked": _l(
            "This printed medical card was replaced by a newer one. Ask for the newer card or the ID number."
        ),
        "no_phone": _l(
            "Nobody can receive the one-time code for a printed medical card: the person has no phone and no "
            "guardian with a phone. Use the ID number or a paper health code instead."
        ),
        "sms_code_needed": _l(
            "A one-time code was sent to %(phone)s. Ask the person (or their guardian) for it and enter it below."
        ),
        "sms_limit": _l(
            "Too many codes were sent to %(phone)s. Please enter the ID number instead, or try again later."
        ),
        "sms_failed": _l("The text message could not be sent. Please try again in a moment, or enter the ID number."),
        "no_institution": _l("Your account is not linked to an institution. Please enrol again."),
    }
    statuses = {
        "profile_required": 409,
        "not_yours": 404,
        "expired": 410,
        "printed_expired": 410,
        "revoked": 410,
        "no_phone": 409,
        "sms_code_needed": 428,
        "sms_limit": 429,
        "sms_failed": 503,
        "no_institution": 403,
    }


# --- the card a phone shows -----------------------------------------------------------------------------


def _subject(device_user: User, subject_id: int | None) -> User:
    """Whose card: the signed-in resident, or (subject_id) a relative they act for."""
    if not device_user.has_profile:
        raise MedicalCardError("profile_required")
    if subject_id in (None, device_user.id):
        return device_user
    if not acting_for(device_user.id, subject_id):
        raise MedicalCardError("not_yours")
    return db.session.get(User, subject_id)


def live_card(device_user: User, subject_id: int | None = None) -> dict:
    """A new short-lived 就医码 for the resident or a relative they act for (their expired ones are dropped)."""
    subject = _subject(device_user, subject_id)
    now = clock.now_utc().replace(microsecond=0)
    seconds = current_app.config["MEDICAL_CARD_SECONDS"]
    token = new_token()
    cards = MedicalCard.__table__
    db.session.execute(
        cards.delete().where(cards.c.person_id == subject.id, cards.c.kind == "live", cards.c.expires_at < now)
    )
    db.session.add(
        MedicalCard(
            token_hash=token_hash(token),
            kind="live",
            person_id=subject.id,
            requested_by_id=device_user.id,
            created_at=now,
            expires_at=now + timedelta(seconds=seconds),
        )
    )
    db.session.commit()
    return {
        "qr_text": qr_text(token),
        "masked_name": mask_name(subject.name or ""),
        "issued_at": clock.epoch(now),
        "expires_at": clock.epoch(now + timedelta(seconds=seconds)),
        # When the page asks for the next one: well before expiry, so a slow network never shows a dead code.
        "refresh_in": max(5, seconds - min(30, seconds // 3)),
    }


# --- the printed card -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedCard:
    """A printed card just made: its QR text exists only now (the server keeps its hash)."""

    qr_text: str
    masked_name: str
    created_at: datetime
    expires_at: datetime
    code_phone: str  # masked: where its one-time codes go


def code_phone(person: User, printed_by_id: int | None) -> str | None:
    """Where a printed card's one-time code goes: the holder's phone, else the phone of the guardian who printed
    it (while still bound), else another active guardian's."""
    if person.phone:
        return person.phone
    return db.session.scalar(
        select(User.phone)
        .join(Binding, Binding.guardian_id == User.id)
        .where(Binding.dependant_id == person.id, Binding.status == "active", User.phone.is_not(None))
        .order_by((Binding.guardian_id == (printed_by_id or 0)).desc(), Binding.id)
        .limit(1)
    )


def print_card(printed_by: User, person: User) -> PrintedCard:
    """Make a printed card for `person` (the caller checked that `printed_by` may); earlier ones are revoked."""
    phone = code_phone(person, printed_by.id)
    if phone is None:
        raise MedicalCardError("no_phone")
    now = clock.now_utc().replace(microsecond=0)
    expires_at = now + timedelta(days=current_app.config["MEDICAL_CARD_PRINTED_DAYS"])
    db.session.execute(
        update(MedicalCard)
        .where(MedicalCard.person_id == person.id, MedicalCard.kind == "printed", MedicalCard.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    token = new_token()
    db.session.add(
        MedicalCard(
            token_hash=token_hash(token),
            kind="printed",
            person_id=person.id,
            requested_by_id=printed_by.id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    db.session.commit()
    return PrintedCard(qr_text(token), mask_name(person.name or ""), now, expires_at, mask_phone(phone))


def relative(guardian: User, person_id: int) -> User:
    """A relative the guardian acts for, whose card they may print (MedicalCardError not_yours otherwise)."""
    if person_id == guardian.id or not acting_for(guardian.id, person_id):
        raise MedicalCardError("not_yours")
    return db.session.get(User, person_id)


def print_for_relative(guardian: User, person_id: int) -> PrintedCard:
    """A guardian prints the card of a relative they act for."""
    return print_card(guardian, relative(guardian, person_id))


def printed_card_of(person_id: int) -> MedicalCard | None:
    """The person's printed card in force, if any (its QR cannot be shown again: only its dates)."""
    return db.session.scalar(
        select(MedicalCard)
        .where(
            MedicalCard.person_id == person_id,
            MedicalCard.kind == "printed",
            MedicalCard.revoked_at.is_(None),
            MedicalCard.expires_at > clock.now_utc(),
        )
        .order_by(MedicalCard.id.desc())
        .limit(1)
    )


# --- resolving a card (app.services.identity.RESOLVERS) ---------------------------------------------------


def person_for_card(staff: User, text: str, extra: dict) -> tuple[int, str]:
    """The person behind a scanned 就医码: (person id, "medical_card"). A printed card needs `sms_code`."""
    token = token_from_qr(text)
    card = db.session.scalar(select(MedicalCard).where(MedicalCard.token_hash == token_hash(token))) if token else None
    if card is None:
        raise IdentityError("unknown_code")
    if card.revoked_at is not None:
        raise MedicalCardError("revoked")
    if card.expires_at <= clock.now_utc():
        raise MedicalCardError("expired" if card.kind == "live" else "printed_expired")
    if card.kind == "live":
        if card.requested_by_id != card.person_id and not acting_for(card.requested_by_id, card.person_id):
            raise IdentityError("unknown_code")  # the guardian who showed it no longer acts for the person
    else:
        _confirm_printed(staff, card, extra.get("sms_code"))
    return card.person_id, "medical_card"


def _confirm_printed(staff: User, card: MedicalCard, sms_code) -> None:
    """Accept the one-time code for a printed card, or send one (and answer sms_code_needed)."""
    phone = code_phone(card.person, card.requested_by_id)
    if phone is None:
        raise MedicalCardError("no_phone")
    purpose = f"{SMS_PURPOSE}:{card.id}:{staff.id}"  # a code works only for the staff member it was sent for
    if sms_code is None or sms_code == "":
        _send_challenge(staff, card, phone, purpose)
    if not isinstance(sms_code, str):
        raise IdentityError("bad_request")
    check_code(phone, purpose, sms_code.strip()[:16])  # CodeRejected: wrong (n attempts left), too_many, expired


def _send_challenge(staff: User, card: MedicalCard, phone: str, purpose: str) -> None:
    """Text a one-time code (within the sign-in code limits for this phone); always raises sms_code_needed."""
    now = clock.now_utc()
    masked = mask_phone(phone)
    live = db.session.scalar(
        select(SmsCode.id)
        .where(
            SmsCode.phone == phone,
            SmsCode.purpose == purpose,
            SmsCode.consumed_at.is_(None),
            SmsCode.expires_at > now,
            SmsCode.attempts < current_app.config["OTP_MAX_ATTEMPTS"],
        )
        .limit(1)
    )
    for limit in parse_many(current_app.config["OTP_SEND_LIMIT_PHONE"]):
        sent = db.session.scalar(
            select(func.count())
            .select_from(SmsCode)
            .where(
                SmsCode.phone == phone,
                SmsCode.purpose.like(f"{SMS_PURPOSE}:%"),
                SmsCode.created_at > now - timedelta(seconds=limit.get_expiry()),
            )
        )
        if sent >= limit.amount:
            raise MedicalCardError("sms_code_needed" if live else "sms_limit", phone=masked)
    institution = staff.institution.name if staff.institution else ""
    name = mask_name(card.person.name or "")
    try:
        with force_locale("zh"):  # the holder's language is not known: the region's
            send_code(
                phone,
                purpose,
                lambda code, minutes: _(
                    "[OneCode] %(institution)s asks to open the printed medical card of %(name)s. If you are there "
                    "and agree, give the staff the code %(code)s (valid %(minutes)s minutes). If not, ignore this.",
                    institution=institution,
                    name=name,
                    code=code,
                    minutes=minutes,
                ),
            )
    except SmsFailed:
        raise MedicalCardError("sms_failed") from None
    audit.record(staff.id, "medical_card_code", card.person_id, "printed medical card", phone=masked)
    db.session.commit()
    raise MedicalCardError("sms_code_needed", phone=masked)


# --- visits registered with the card (care kind `medical_visit`) -----------------------------------------


def _parse_visit(payload: dict, record: dict, errors: dict, staff: User) -> None:
    department = payload.get("department")
    if not isinstance(department, str) or department not in DEPARTMENTS:
        errors["department"] = _("Please choose the department.")
    record["department"] = department
    reason = parse_text(payload.get("reason"), MAX_REASON)
    reason = " ".join(reason.split()) if reason else ""
    if len(reason) < 2:
        errors["reason"] = _("Please enter the reason for the visit (2 to %(n)s characters).", n=MAX_REASON)
    record["reason"] = reason
    if staff.institution_id is None:
        errors["record"] = str(MedicalCardError.messages["no_institution"])


def _write_visits(staff: User, items: list, now: datetime) -> dict:
    """One insert for the batch's new visits (a visit changes no colour: nobody to recolour), then commit."""
    db.session.execute(
        insert(MedicalVisit.__table__),
        [
            {
                "uuid": record["uuid"],
                "payload_hash": fingerprint,
                "person_id": record["person_id"],
                "institution_id": staff.institution_id,
                "staff_id": staff.id,
                "department": record["department"],
                "reason": record["reason"],
                "visited_at": record["recorded_at"],
                "received_at": now,
            }
            for _position, record, fingerprint in items
        ],
    )
    db.session.commit()
    return {position: RecordResult(record["uuid"], "stored") for position, record, _print in items}


CARE_KINDS = {
    "medical_visit": CareKind(model=MedicalVisit, parse=_parse_visit, write=_write_visits, roles=("clinician",)),
}


def visits_of(device_user: User, subject_id: int | None = None) -> tuple[User, list[MedicalVisit]]:
    """The resident's (or a relative's) visits at every institution, newest first."""
    subject = _subject(device_user, subject_id)
    visits = db.session.scalars(
        select(MedicalVisit)
        .options(joinedload(MedicalVisit.institution))
        .where(MedicalVisit.person_id == subject.id)
        .order_by(MedicalVisit.visited_at.desc(), MedicalVisit.id.desc())
        .limit(200)
    ).all()
    return subject, visits


def institution_visits(staff: User, page: int = 1) -> tuple[list[MedicalVisit], bool]:
    """The visits registered at the staff member's own institution, newest first, a page at a time, and whether
    there are more; the look is audited."""
    if staff.institution_id is None:
        raise MedicalCardError("no_institution")
    page = max(1, min(page, 100_000))
    visits = db.session.scalars(
        select(MedicalVisit)
        .options(joinedload(MedicalVisit.person), joinedload(MedicalVisit.staff))
        .where(MedicalVisit.institution_id == staff.institution_id)
        .order_by(MedicalVisit.visited_at.desc(), MedicalVisit.id.desc())
        .offset((page - 1) * VISITS_PAGE_SIZE)
        .limit(VISITS_PAGE_SIZE + 1)
    ).all()
    visits = visits[: VISITS_PAGE_SIZE + 1]
    shown, more = visits[:VISITS_PAGE_SIZE], len(visits) > VISITS_PAGE_SIZE
    for person_id in dict.fromkeys(visit.person_id for visit in shown):  # one entry per person on the page
        audit.record(staff.id, "visit_list", person_id, "visits", institution_id=staff.institution_id, page=page)
    db.session.commit()
    return shown, more
