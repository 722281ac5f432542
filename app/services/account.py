"""Account management (Beijing 健康宝 4.0): changing the phone number (codes to the old and the new number,
or a staff member's help when the old one is gone), the phone numbers bound to an account, deleting the
account and its data (what the audit needs is kept, and said), and telling guardians when a relative they
registered takes over their own record. Signing in itself is app.services.accounts."""

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from app.domain import districts
from app.domain.masking import mask_name, mask_phone
from app.extensions import db
from app.infra import audit, clock, links, sms
from app.infra.documents import checked_document
from app.infra.sms import SmsFailed
from app.infra.sms_codes import CodeRejected, check_code, send_code
from app.models import (
    Appeal,
    AuditEntry,
    Binding,
    Checkin,
    IssuedCode,
    ReturnRegistration,
    Scan,
    SignIn,
    SmsCode,
    SmsMessage,
    User,
    Verdict,
    Visit,
)
from app.models.code import revoke_codes
from app.services.errors import DomainError
from app.services.relatives import OPEN
from app.services.returning.arrivals import registrations_query

HELP_ROLES = ("admin", "handler")  # staff who may change a person's number for them (handlers: their county)
HELP_SALT = "phone-help"
# What a deleted account's row keeps of the person: nothing but its id and role (other records point at it).
IDENTIFYING_COLUMNS = (
    "phone",
    "name",
    "doc_kind",
    "doc_hash",
    "doc_masked",
    "doc_sealed",
    "birth_date",
    "address",
    "district",
    "promised_at",
    "colour",
    "verdict_id",
    "evaluated_on",
    "last_checkin_at",
    "last_sign_in_at",
    "code_jti",
    "code_issued_at",
    "code_expires_at",
)
HELP_TICKET_HOURS = 1


class AccountChangeError(DomainError):
    """A phone change or an account deletion the rules refuse (a wrong code is an sms_codes.CodeRejected)."""

    messages = {
        "same_phone": _l("This is already the number of this account."),
        "phone_taken": _l("This number already belongs to another account."),
        "no_change": _l("Please start again and enter the new number first."),
        "sms_failed": _l("The text message could not be sent. Please try again in a moment."),
        "person_not_found": _l("Nobody is registered with this document."),
        "out_of_area": _l("This person is registered in another district: their district's staff can help."),
        "not_green": _l(
            "While your code is yellow or red your record is needed for epidemic prevention. You can delete "
            "your account once your code is green again."
        ),
        "staff_account": _l("Staff accounts are closed by the health authority."),
    }
    statuses = {"sms_failed": 503, "not_green": 409, "staff_account": 409, "out_of_area": 403}


def _send(phone: str, purpose: str, text) -> None:
    try:
        send_code(phone, purpose, text)
    except SmsFailed:
        raise AccountChangeError("sms_failed") from None


def _check(phone: str, purpose: str, code: str, field_name: str) -> None:
    try:
        check_code(phone, purpose, code)
    except CodeRejected as rejected:
        rejected.field = field_name
        raise


def _free(number: str, user: User) -> None:
    if number == user.phone:
        raise AccountChangeError("same_phone", "new_phone")
    if db.session.scalar(select(User.id).where(User.phone == number, User.id != user.id)) is not None:
        raise AccountChangeError("phone_taken", "new_phone")


def _move_number(person: User, new_phone: str) -> str | None:
    """Give the person the new number; registrations made from an invitation to the old one become theirs."""
    old = person.phone
    if old:
        db.session.execute(
            update(ReturnRegistration)
            .where(ReturnRegistration.user_id.is_(None), ReturnRegistration.phone == old)
            .values(user_id=person.id)
            .execution_options(synchronize_session=False)
        )
    person.phone = new_phone
    return old


# --- by the resident: a code to each number ----------------------------------------------------------------


def request_phone_change(user: User, new_phone: str) -> None:
    """Text a code to the current number (it confirms the change) and one to the new number (it is theirs)."""
    _free(new_phone, user)
    _send(
        user.phone,
        f"phone_old:{user.id}",
        lambda code, minutes: _(
            "[OneCode] Your number is being changed to %(new)s. Your code is %(code)s (valid %(minutes)s "
            "minutes). If you did not ask for this, do not give it to anyone.",
            new=mask_phone(new_phone),
            code=code,
            minutes=minutes,
        ),
    )
    _send(
        new_phone,
        f"phone_new:{user.id}",
        lambda code, minutes: _(
            "[OneCode] Your code to confirm this number for your health code account is %(code)s (valid "
            "%(minutes)s minutes).",
            code=code,
            minutes=minutes,
        ),
    )


def confirm_phone_change(user: User, new_phone: str, old_code: str | None, new_code: str) -> None:
    """Change the number with both codes (CodeRejected on the `old_code` or `new_code` field; a refusal on
    `new_code` means the old number's code was accepted, and `old_code` None says it was before). Every other
    device is signed out; audited."""
    _free(new_phone, user)
    if old_code is not None:
        _check(user.phone, f"phone_old:{user.id}", old_code, "old_code")
        db.session.commit()
    _check(new_phone, f"phone_new:{user.id}", new_code, "new_code")
    old = _move_number(user, new_phone)
    db.session.execute(
        update(SignIn)
        .where(SignIn.user_id == user.id, SignIn.ended_at.is_(None), SignIn.id != (user.sign_in_id or ""))
        .values(ended_at=clock.now_utc())
    )
    audit.record(
        user.id, "phone_changed", user.id, "codes to both numbers", old=mask_phone(old or ""), new=mask_phone(new_phone)
    )
    db.session.commit()


# --- by staff, when the old number is gone -------------------------------------------------------------


def find_for_phone_help(staff: User, doc_kind: str, doc_number: str) -> User:
    """The person holding this document (shown to the staff member in person), within the staff member's
    area; the look is audited. DocumentError for a mistyped number, AccountChangeError otherwise."""
    document = checked_document(doc_kind, doc_number, clock.local_today())
    person = db.session.scalar(select(User).where(User.doc_kind == doc_kind, User.doc_hash == document.hash))
    if person is None or person.role != "resident" or not person.has_profile:
        raise AccountChangeError("person_not_found", "doc_number")
    _in_area(staff, person)
    audit.record(staff.id, "phone_help_lookup", person.id, "phone number change at a service desk")
    db.session.commit()
    return person


def _in_area(staff: User, person: User) -> None:
    if staff.role not in HELP_ROLES:
        raise AccountChangeError("out_of_area")
    if staff.role == "handler" and (
        not staff.scope_district or not districts.within(person.district or "", staff.scope_district)
    ):
        raise AccountChangeError("out_of_area", "doc_number")


def start_phone_help(staff: User, person: User, new_phone: str) -> str:
    """Text the new number a code the person reads out to the staff member; returns the signed ticket that
    carries this step to the next (for this staff member, HELP_TICKET_HOURS)."""
    _in_area(staff, person)
    _free(new_phone, person)
    _send(
        new_phone,
        f"phone_help:{person.id}",
        lambda code, minutes: _(
            "[OneCode] A service desk is moving your health code account to this number. Show the staff "
            "member the code %(code)s (valid %(minutes)s minutes).",
            code=code,
            minutes=minutes,
        ),
    )
    return links.sign(HELP_SALT, {"p": person.id, "n": new_phone, "s": staff.id})


def help_ticket(staff: User, ticket: str) -> tuple[User, str]:
    """The person and the new number a step-1 ticket carries (AccountChangeError "no_change" if not good)."""
    try:
        grant = links.read(HELP_SALT, ticket or "", HELP_TICKET_HOURS)
    except links.LinkInvalid:
        raise AccountChangeError("no_change") from None
    person_id, new_phone = grant.get("p"), grant.get("n")
    person = db.session.get(User, person_id) if isinstance(person_id, int) else None
    if person is None or grant.get("s") != staff.id or not isinstance(new_phone, str):
        raise AccountChangeError("no_change")
    return person, new_phone


def finish_phone_help(staff: User, ticket: str, code: str) -> User:
    """Move the account to the new number once its code is right: every device of the person is signed out,
    the old number is told (if it still works), and the change is audited."""
    person, new_phone = help_ticket(staff, ticket)
    _in_area(staff, person)
    _free(new_phone, person)
    _check(new_phone, f"phone_help:{person.id}", code, "code")
    old = _move_number(person, new_phone)
    db.session.execute(
        update(SignIn).where(SignIn.user_id == person.id, SignIn.ended_at.is_(None)).values(ended_at=clock.now_utc())
    )
    if old:
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            text = _(
                "[OneCode] Your health code account was moved to the number %(new)s at a service desk. If this "
                "was not you, call 12345.",
                new=mask_phone(new_phone),
            )
        sms.send_many([(old, text)], "phone_changed")  # never commits: a refusal is only recorded
    else:
        tell_guardians(person)  # a relative without a phone now has their own number
    audit.record(
        staff.id,
        "phone_changed_by_staff",
        person.id,
        "the old number is gone",
        old=mask_phone(old or ""),
        new=mask_phone(new_phone),
    )
    db.session.commit()
    return person


# --- what is bound ------------------------------------------------------------------------------------------


@dataclass
class BoundPhones:
    """The account's own number, its relatives' numbers, and who may act for the account holder."""

    own: str | None
    relatives: list[dict] = field(default_factory=list)
    guardians: list[dict] = field(default_factory=list)


def bound_phones(user: User) -> BoundPhones:
    """Masked numbers: the user's own, and each relative's (their own phone, or the one their consent went to)."""
    found = BoundPhones(own=mask_phone(user.phone) if user.phone else None)
    for binding in db.session.scalars(
        select(Binding).where(Binding.guardian_id == user.id, Binding.status.in_(OPEN)).order_by(Binding.id)
    ):
        phone = binding.dependant.phone or binding.consent_phone
        found.relatives.append(
            {
                "name": mask_name(binding.dependant.name or ""),
                "relationship": binding.relationship_,
                "phone": mask_phone(phone) if phone else None,
                "own_phone": binding.dependant.phone is not None,
                "status": binding.status,
            }
        )
    for binding in db.session.scalars(
        select(Binding).where(Binding.dependant_id == user.id, Binding.status.in_(OPEN)).order_by(Binding.id)
    ):
        found.guardians.append({"name": mask_name(binding.guardian.name or ""), "relationship": binding.relationship_})
    return found


# --- guardians told ----------------------------------------------------------------------------------------


def tell_guardians(person: User) -> int:
    """Text the guardians of a relative who now signs in with their own phone (records only, no commit: the
    caller's transaction holds it). Returns how many texts the gateway accepted."""
    guardians = db.session.scalars(
        select(User)
        .join(Binding, Binding.guardian_id == User.id)
        .where(Binding.dependant_id == person.id, Binding.status == "active", User.phone.is_not(None))
    ).all()
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = _(
            "[OneCode] Your relative %(name)s now signs in with their own phone and manages their own health "
            "code. You can still act for them until they withdraw their consent.",
            name=mask_name(person.name or ""),
        )
    return sum(sms.send_many([(guardian.phone, text) for guardian in guardians], "relative_took_over"))


# --- deleting the account ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeletionSummary:
    """What deleting would remove and what stays, and for how long (shown before the person decides)."""

    checkins: int
    relatives: int
    registrations: int
    audit_entries: int
    audit_years: int
    scans: int
    scan_days: int
    appeals: int
    refusal: str | None  # why it cannot be done now (an AccountChangeError code), or None


def _refusal(user: User) -> str | None:
    if user.role != "resident":
        return "staff_account"
    if user.colour in ("yellow", "red"):
        return "not_green"
    return None


def deletion_summary(user: User) -> DeletionSummary:
    """Counts of the person's data, in a few queries."""

    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    return DeletionSummary(
        checkins=count(Checkin, Checkin.user_id == user.id),
        relatives=count(Binding, Binding.guardian_id == user.id, Binding.status.in_(OPEN)),
        registrations=db.session.scalar(select(func.count()).select_from(registrations_query(user).subquery())),
        audit_entries=count(AuditEntry, or_(AuditEntry.subject_id == user.id, AuditEntry.actor_id == user.id)),
        audit_years=current_app.config["AUDIT_RETENTION_YEARS"],
        scans=count(Scan, Scan.person_id == user.id),
        scan_days=current_app.config["RETENTION_DAYS"],
        appeals=count(Appeal, Appeal.user_id == user.id),
        refusal=_refusal(user),
    )


def send_deletion_code(user: User) -> None:
    """Text the code that confirms the deletion (AccountChangeError when it cannot be done now)."""
    if (refusal := _refusal(user)) is not None:
        raise AccountChangeError(refusal)
    _send(
        user.phone,
        f"delete:{user.id}",
        lambda code, minutes: _(
            "[OneCode] Your code to delete your health code account and its data is %(code)s (valid %(minutes)s "
            "minutes). If you did not ask for this, ignore this message.",
            code=code,
            minutes=minutes,
        ),
    )


def delete_account(user: User, code: str) -> None:
    """Delete the account and the person's data with the texted code, in one transaction.

    Removed: the profile (name, document, address, phone), check-ins and visits, colour verdicts (but those
    an appeal refers to), return registrations, relatives' bindings (ended), sign-ins and text messages.
    Kept: the audit log (AUDIT_RETENTION_YEARS), checkpoint scans until the retention period removes them,
    appeals and manual colours with their verdicts (the authority's decisions), and the row itself without
    anything that identifies the person, so those records still point somewhere. Codes are revoked."""
    if (refusal := _refusal(user)) is not None:
        raise AccountChangeError(refusal)
    _check(user.phone, f"delete:{user.id}", code, "code")
    now, phone, person = clock.now_utc(), user.phone, user.id
    summary = deletion_summary(user)
    revoke_codes(db.session, [IssuedCode.__table__.c.user_id == person], "account_deleted", now)
    registrations = registrations_query(user).with_only_columns(ReturnRegistration.id)
    db.session.execute(delete(ReturnRegistration).where(ReturnRegistration.id.in_(registrations.scalar_subquery())))
    db.session.execute(delete(Visit).where(Visit.user_id == person))
    db.session.execute(delete(Checkin).where(Checkin.user_id == person))
    appealed = select(Appeal.verdict_id).where(Appeal.verdict_id.is_not(None))
    db.session.execute(delete(Verdict).where(Verdict.user_id == person, Verdict.id.not_in(appealed)))
    db.session.execute(
        update(Binding)
        .where(or_(Binding.guardian_id == person, Binding.dependant_id == person), Binding.status.in_(OPEN))
        .values(status="ended", ended_at=now, ended_by_id=person, end_reason="deleted")
    )
    db.session.execute(delete(SignIn).where(SignIn.user_id == person))
    db.session.execute(delete(SmsCode).where(SmsCode.phone == phone))
    db.session.execute(delete(SmsMessage).where(SmsMessage.phone == phone))
    for column in IDENTIFYING_COLUMNS:
        setattr(user, column, None)
    audit.record(
        person,
        "account_deleted",
        person,
        "at the person's request",
        checkins=summary.checkins,
        registrations=summary.registrations,
        relatives=summary.relatives,
    )
    db.session.commit()
