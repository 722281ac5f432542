"""The resumption declaration (复工复产申报): a resident registers an enterprise and files it; the authority's
staff approve it or return it with reasons; the enterprise fixes what they said and files again.

Scope: admins and reviewers have no area today and see every enterprise; one whose `scope_district` is set
(a province, city or county code) sees only the enterprises within it.
"""

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.domain import districts
from app.domain.enterprises import (
    EMPLOYEES_MAX,
    INDUSTRIES,
    SCALES,
    STATUSES,
    InvalidCreditCode,
    check_credit_code,
    is_individual_business,
)
from app.extensions import db
from app.infra import audit, clock
from app.models import Enterprise, EnterpriseDecision, User
from app.models.districts import district_in_area
from app.services.enterprises import EnterpriseError

MAX_PER_HEAD = 20
REVIEW_PAGE_SIZE = 50
REVIEW_MAX_PAGE = 100_000
DECISIONS = ("approved", "returned")
_PHONE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class Declaration:
    """What the enterprise's head fills in (as typed; `checked` cleans and validates it)."""

    name: str
    credit_code: str
    district: str
    address: str
    industry: str
    scale: str
    employees: int | None
    contact_name: str
    contact_phone: str
    measures: str


def check_code(text: str) -> str:
    """A unified social credit code, normalised, else EnterpriseError saying what is wrong with it."""
    try:
        return check_credit_code(text)
    except InvalidCreditCode as error:
        raise EnterpriseError(f"credit_{error.reason}", "credit_code", **error.params) from None


def checked(fields: Declaration, enterprise_id: int | None = None) -> dict:
    """The declaration's values, cleaned, else EnterpriseError naming the first field at fault."""
    code = check_code(fields.credit_code)
    name, address = (fields.name or "").strip(), (fields.address or "").strip()
    contact_name, contact_phone = (fields.contact_name or "").strip(), (fields.contact_phone or "").strip()
    measures = (fields.measures or "").strip()
    if not 2 <= len(name) <= 100:
        raise EnterpriseError("name", "name")
    if fields.scale not in SCALES:
        raise EnterpriseError("scale", "scale")
    if fields.scale == "individual" and not is_individual_business(code):
        raise EnterpriseError("individual_code", "credit_code")
    if fields.scale != "individual" and is_individual_business(code):
        raise EnterpriseError("not_individual", "scale")
    if not districts.is_known(fields.district or ""):
        raise EnterpriseError("district", "district")
    if not 4 <= len(address) <= 200:
        raise EnterpriseError("address", "address")
    if fields.industry not in INDUSTRIES:
        raise EnterpriseError("industry", "industry")
    if not isinstance(fields.employees, int) or not 1 <= fields.employees <= EMPLOYEES_MAX:
        raise EnterpriseError("employees", "employees", max=EMPLOYEES_MAX)
    if not 2 <= len(contact_name) <= 30:
        raise EnterpriseError("contact_name", "contact_name")
    if not _PHONE.match(contact_phone):
        raise EnterpriseError("contact_phone", "contact_phone")
    if not 10 <= len(measures) <= 2000:
        raise EnterpriseError("measures", "measures")
    taken = select(Enterprise.id).where(Enterprise.credit_code == code)
    if enterprise_id is not None:
        taken = taken.where(Enterprise.id != enterprise_id)
    if db.session.scalar(taken.limit(1)) is not None:
        raise EnterpriseError("credit_taken", "credit_code")
    return {
        "name": name,
        "credit_code": code,
        "district": fields.district,
        "address": address,
        "industry": fields.industry,
        "scale": fields.scale,
        "employees": fields.employees,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "measures": measures,
    }


def register(head: User, fields: Declaration) -> Enterprise:
    """Register an enterprise headed by this resident and file its declaration (committed)."""
    count = db.session.scalar(select(func.count()).select_from(Enterprise).where(Enterprise.head_id == head.id))
    if count >= MAX_PER_HEAD:
        raise EnterpriseError("too_many", None, n=MAX_PER_HEAD)
    now = clock.now_utc()
    enterprise = Enterprise(
        **checked(fields), head_id=head.id, status="submitted", created_at=now, submitted_at=now, join_version=1
    )
    db.session.add(enterprise)
    _commit_unique()
    return enterprise


def resubmit(enterprise: Enterprise, fields: Declaration) -> Enterprise:
    """Change a declaration waiting for review or returned, and file it again (committed)."""
    if enterprise.status == "approved":
        raise EnterpriseError("locked")
    for name, value in checked(fields, enterprise.id).items():
        setattr(enterprise, name, value)
    enterprise.status, enterprise.submitted_at = "submitted", clock.now_utc()
    _commit_unique()
    return enterprise


def _commit_unique() -> None:
    """Commit; two people registering the same code at once: the second is told it is taken."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EnterpriseError("credit_taken", "credit_code") from None


def headed_by(user_id: int, enterprise_id: int) -> Enterprise | None:
    """The enterprise if this user is its head, else None (others cannot tell whether it exists)."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    return enterprise if enterprise is not None and enterprise.head_id == user_id else None


def enterprises_of(user_id: int) -> list[Enterprise]:
    """The enterprises a resident heads, newest first."""
    return db.session.scalars(
        select(Enterprise).where(Enterprise.head_id == user_id).order_by(Enterprise.id.desc())
    ).all()


def decisions_of(enterprise_id: int) -> list[EnterpriseDecision]:
    """Every review of an enterprise's declaration, newest first."""
    return db.session.scalars(
        select(EnterpriseDecision)
        .where(EnterpriseDecision.enterprise_id == enterprise_id)
        .order_by(EnterpriseDecision.id.desc())
    ).all()


# --- the authority's review ------------------------------------------------------------------------------------


def staff_area(staff: User) -> str | None:
    """The area a reviewing staff member covers: their `scope_district`, or None for all."""
    return staff.scope_district or None


def in_area(staff: User, district: str) -> bool:
    """Whether a district lies in the staff member's area."""
    area = staff_area(staff)
    return area is None or districts.within(district, area)


def area_options(staff: User, lang: str) -> list[tuple[str, str]]:
    """(code, name) of the areas a staff member may filter by ('' for all of their own)."""
    area = staff_area(staff)
    return [(code, name) for code, name in districts.area_choices(lang) if area is None or districts.within(code, area)]


def resolve_area(staff: User, requested: str | None) -> str | None:
    """The area to list: the staff member's own, or a smaller one inside it (EnterpriseError otherwise)."""
    own = staff_area(staff)
    if not requested:
        return own
    if not districts.is_area(requested):
        raise EnterpriseError("area", "area")
    if own is not None and not districts.within(requested, own):
        raise EnterpriseError("outside_area")
    return requested


@dataclass(frozen=True)
class ReviewPage:
    """One page of declarations, oldest filing first, and how many wait in the area."""

    enterprises: list
    page: int
    has_next: bool
    waiting: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def review_queue(staff: User, status: str, area: str | None, page: int = 1) -> ReviewPage:
    """Declarations in the area with this status ('' for any), oldest filing first."""
    area = resolve_area(staff, area)
    if status and status not in STATUSES:
        raise EnterpriseError("status", "status")
    page = min(max(page, 1), REVIEW_MAX_PAGE)
    query = select(Enterprise).order_by(Enterprise.submitted_at, Enterprise.id)
    waiting = select(func.count()).select_from(Enterprise).where(Enterprise.status == "submitted")
    if area is not None:
        query = query.where(district_in_area(Enterprise.district, area))
        waiting = waiting.where(district_in_area(Enterprise.district, area))
    if status:
        query = query.where(Enterprise.status == status)
    found = db.session.scalars(query.offset((page - 1) * REVIEW_PAGE_SIZE).limit(REVIEW_PAGE_SIZE + 1)).all()
    return ReviewPage(found[:REVIEW_PAGE_SIZE], page, len(found) > REVIEW_PAGE_SIZE, db.session.scalar(waiting))


def for_review(staff: User, enterprise_id: int) -> Enterprise | None:
    """An enterprise's declaration for a staff member to read, with its contact's name and phone: the look
    is written to the audit log (committed). None when there is no such enterprise; EnterpriseError (403)
    when it lies outside their area."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        return None
    if not in_area(staff, enterprise.district):
        raise EnterpriseError("outside_area")
    audit.record(staff.id, "enterprise_viewed", enterprise.head_id, "declaration review", enterprise_id=enterprise.id)
    db.session.commit()
    return enterprise


def decide(staff: User, enterprise: Enterprise, decision: str, reasons: str) -> EnterpriseDecision:
    """Approve a filed declaration, or return it (filed or approved) with what to fix (committed, audited)."""
    if not in_area(staff, enterprise.district):
        raise EnterpriseError("outside_area")
    if decision not in DECISIONS:
        raise EnterpriseError("decision", "decision")
    reasons = (reasons or "").strip()
    if decision == "returned" and not 5 <= len(reasons) <= 1000:
        raise EnterpriseError("reasons", "reasons")
    if len(reasons) > 1000:
        raise EnterpriseError("reasons", "reasons")
    if enterprise.status == "returned":
        raise EnterpriseError("with_enterprise")
    if enterprise.status == "approved" and decision == "approved":
        raise EnterpriseError("already_approved")
    now = clock.now_utc()
    record = EnterpriseDecision(
        enterprise_id=enterprise.id,
        decided_by_id=staff.id,
        decision=decision,
        reasons=reasons or None,
        decided_at=now,
    )
    db.session.add(record)
    enterprise.status, enterprise.decided_at = decision, now
    enterprise.return_reasons = reasons if decision == "returned" else None
    audit.record(staff.id, "enterprise_decided", enterprise.head_id, decision, enterprise_id=enterprise.id)
    db.session.commit()
    return record
