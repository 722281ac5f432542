"""Guardians and relatives: binding (declared for a child, consented by SMS or approved for an adult),
caps, ending and withdrawal, and the one check every act for someone else goes through."""

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.domain.masking import mask_name
from app.extensions import db
from app.infra import clock
from app.infra.documents import checked_document, is_child
from app.infra.sms import SmsFailed
from app.infra.sms_codes import check_code, send_code
from app.models import Binding, User
from app.models.binding import RELATIONSHIPS
from app.services.colours import recolour
from app.services.errors import DomainError

OPEN = ("pending_consent", "pending_approval", "active")


class BindingError(DomainError):
    """A binding the rules do not allow (a mistyped document number is an app.infra.documents.DocumentError,
    a wrong consent code an app.infra.sms_codes.CodeRejected)."""

    messages = {
        "relationship": _l("Please choose the relationship."),
        "self": _l("You cannot bind yourself."),
        "name_mismatch": _l("The name does not match the one registered for this document."),
        "already_bound": _l("This relative is already bound to you."),
        "too_many_relatives": _l("You can bind at most %(n)s relatives."),
        "too_many_guardians": _l("This relative already has %(n)s guardians."),
        "not_waiting": _l("This binding is not waiting for consent."),
        "not_pending_approval": _l("This binding is not waiting for approval."),
        "sms_failed": _l("The text message could not be sent. Please try again in a moment."),
    }
    statuses = {"not_pending_approval": 409, "sms_failed": 503}


def bind_relative(
    guardian: User, *, relationship: str, name: str, doc_kind: str, doc_number: str, phone: str | None
) -> Binding:
    """Bind a relative: active at once for a child under 14, otherwise waiting for the relative's consent
    by SMS code (when they have a phone) or for approval by a community worker."""
    if relationship not in RELATIONSHIPS:
        raise BindingError("relationship", "relationship")
    document = checked_document(doc_kind, doc_number, clock.local_today())
    name = name.strip()
    if (doc_kind, document.hash) == (guardian.doc_kind, guardian.doc_hash):
        raise BindingError("self", "doc_number")
    person = db.session.scalar(select(User).where(User.doc_kind == doc_kind, User.doc_hash == document.hash))
    if person is not None and person.name != name:
        raise BindingError("name_mismatch", "name")
    if person is not None and db.session.scalar(
        select(Binding.id).where(
            Binding.guardian_id == guardian.id, Binding.dependant_id == person.id, Binding.status.in_(OPEN)
        )
    ):
        raise BindingError("already_bound", "doc_number")
    if _open_count(Binding.guardian_id, guardian.id) >= current_app.config["MAX_RELATIVES_PER_GUARDIAN"]:
        raise BindingError("too_many_relatives", "doc_number", n=current_app.config["MAX_RELATIVES_PER_GUARDIAN"])
    if (
        person is not None
        and _open_count(Binding.dependant_id, person.id) >= current_app.config["MAX_GUARDIANS_PER_DEPENDANT"]
    ):
        raise BindingError("too_many_guardians", "doc_number", n=current_app.config["MAX_GUARDIANS_PER_DEPENDANT"])
    now = clock.now_utc()
    if person is None:
        person = User(
            phone=None,
            role="resident",
            created_at=now,
            name=name,
            doc_kind=doc_kind,
            doc_hash=document.hash,
            doc_masked=document.masked,
            doc_sealed=document.sealed,
            birth_date=document.birth_date,
            address=guardian.address,
            district=guardian.district,
            promised_at=now,
        )
        db.session.add(person)
        db.session.flush()
    binding = Binding(guardian_id=guardian.id, dependant_id=person.id, relationship_=relationship, created_at=now)
    consent_phone = person.phone or phone
    if is_child(person):
        binding.status, binding.consent_method, binding.active_since = "active", "guardian_declaration", now
    elif consent_phone:
        binding.status, binding.consent_phone = "pending_consent", consent_phone
    else:
        binding.status = "pending_approval"
    db.session.add(binding)
    db.session.flush()
    recolour([person.id], trigger="binding")
    db.session.commit()
    if binding.status == "pending_consent":
        send_consent_code(guardian, binding)
    return binding


def _open_count(column, user_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Binding).where(column == user_id, Binding.status.in_(OPEN))
    )


def send_consent_code(guardian: User, binding: Binding) -> None:
    """Text the relative a code that they read out to the guardian if they agree (BindingError "sms_failed"
    when the gateway refuses; the binding stays waiting and the guardian can ask for a new code)."""
    try:
        send_code(
            binding.consent_phone,
            f"consent:{binding.id}",
            lambda code, minutes: _(
                "[OneCode] %(guardian)s asks to show your health code and check in for you. If you agree, give them "
                "the code %(code)s (valid %(minutes)s minutes). If not, ignore this message.",
                guardian=mask_name(guardian.name or ""),
                code=code,
                minutes=minutes,
            ),
        )
    except SmsFailed:
        raise BindingError("sms_failed") from None


def confirm_consent(guardian: User, binding_id: int, code: str) -> Binding:
    """Activate a binding with the code the relative received (CodeRejected when wrong)."""
    binding = own_binding(guardian, binding_id)
    if binding is None or binding.status != "pending_consent":
        raise BindingError("not_waiting", "code")
    check_code(binding.consent_phone, f"consent:{binding.id}", code)
    binding.status, binding.consent_method, binding.active_since = "active", "sms", clock.now_utc()
    db.session.commit()
    return binding


def approve(binding_id: int, approver: str) -> Binding:
    """A community worker confirms a relative without a phone agreed (CLI until the console exists)."""
    binding = db.session.get(Binding, binding_id)
    if binding is None or binding.status != "pending_approval":
        raise BindingError("not_pending_approval")
    binding.status, binding.consent_method = "active", "approval"
    binding.active_since, binding.approved_by = clock.now_utc(), approver
    db.session.commit()
    return binding


def end_binding(actor: User, binding_id: int) -> Binding | None:
    """Either side ends a binding; for the relative that is withdrawing consent. None if not theirs."""
    binding = db.session.get(Binding, binding_id)
    if binding is None or binding.status == "ended" or actor.id not in (binding.guardian_id, binding.dependant_id):
        return None
    binding.status, binding.ended_at, binding.ended_by_id = "ended", clock.now_utc(), actor.id
    binding.end_reason = "guardian" if actor.id == binding.guardian_id else "withdrawn"
    db.session.commit()
    return binding


def own_binding(guardian: User, binding_id: int) -> Binding | None:
    """The guardian's own binding with this id (any state but ended)."""
    return db.session.scalar(
        select(Binding).where(Binding.id == binding_id, Binding.guardian_id == guardian.id, Binding.status.in_(OPEN))
    )


def acting_for(guardian_id: int, person_id: int) -> bool:
    """The one check behind every act for someone else: an active binding from this guardian."""
    return (
        db.session.scalar(
            select(Binding.id).where(
                Binding.guardian_id == guardian_id, Binding.dependant_id == person_id, Binding.status == "active"
            )
        )
        is not None
    )


def relatives_of(guardian: User) -> list[Binding]:
    """The guardian's open bindings, newest first."""
    return db.session.scalars(
        select(Binding).where(Binding.guardian_id == guardian.id, Binding.status.in_(OPEN)).order_by(Binding.id.desc())
    ).all()


def guardians_of(person: User) -> list[Binding]:
    """Who may act for this person (so they can withdraw consent)."""
    return db.session.scalars(
        select(Binding).where(Binding.dependant_id == person.id, Binding.status.in_(OPEN)).order_by(Binding.id)
    ).all()


def pending_approvals() -> list[Binding]:
    """Bindings waiting for a community worker."""
    return db.session.scalars(select(Binding).where(Binding.status == "pending_approval").order_by(Binding.id)).all()


def people_for(user: User) -> list[dict]:
    """Whose codes this user may show: themselves first, then active relatives."""
    people = [{"id": user.id, "masked_name": mask_name(user.name or ""), "relationship": "self"}]
    for binding in db.session.scalars(
        select(Binding).where(Binding.guardian_id == user.id, Binding.status == "active").order_by(Binding.id)
    ):
        people.append(
            {
                "id": binding.dependant_id,
                "masked_name": mask_name(binding.dependant.name or ""),
                "relationship": binding.relationship_,
            }
        )
    return people
