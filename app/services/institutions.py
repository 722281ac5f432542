"""Medical institutions and pharmacies: registered by their first staff member, joined by the next ones."""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.domain import districts
from app.domain.vocabulary import INSTITUTION_ROLES
from app.extensions import db
from app.infra import clock
from app.models import Institution, User
from app.services.errors import DomainError

# 药品经营许可证编号: a province's character, then letters and digits (e.g. 琼AA8980001).
LICENCE = re.compile(r"^[\u4e00-\u9fff]?[A-Z0-9]{6,24}$")


class InstitutionError(DomainError):
    """An institution the rules do not allow."""

    messages = {
        "kind": _l("Please choose the type of institution."),
        "name": _l("Please enter the institution's full name (2 to 100 characters)."),
        "district": _l("Please choose the district."),
        "address": _l("Please enter the address (4 to 200 characters)."),
        "licence": _l("Please enter the drug trade licence number, e.g. 琼AA8980001."),
        "unknown": _l("Please choose an institution from the list, or register a new one."),
        "wrong_kind": _l("Staff in this role cannot join this kind of institution."),
    }


def kinds_for(role: str) -> tuple[str, ...]:
    """The kinds of institution a staff role works at (none for other roles)."""
    return INSTITUTION_ROLES.get(role, ())


def new_institution(
    role: str, *, kind: str, name: str, district: str, address: str, licence_number: str
) -> Institution:
    """A checked, unsaved institution for a staff member in `role` (the caller adds and commits)."""
    name, address, licence = name.strip(), address.strip(), licence_number.strip().upper()
    if kind not in kinds_for(role):
        raise InstitutionError("kind", "institution_kind")
    if not 2 <= len(name) <= 100:
        raise InstitutionError("name", "institution_name")
    if not districts.is_known(district):
        raise InstitutionError("district", "district")
    pharmacy = kind == "pharmacy"
    if (address or pharmacy) and not 4 <= len(address) <= 200:
        raise InstitutionError("address", "address")
    if pharmacy and not LICENCE.match(licence):
        raise InstitutionError("licence", "licence_number")
    return Institution(
        kind=kind,
        name=name,
        district=district,
        address=address or None,
        licence_number=licence if pharmacy else None,
        created_at=clock.now_utc(),
    )


def joinable(role: str, institution_id: int) -> Institution:
    """An existing institution a staff member in `role` may join, else InstitutionError."""
    institution = db.session.get(Institution, institution_id)
    if institution is None:
        raise InstitutionError("unknown", "institution_id")
    if institution.kind not in kinds_for(role):
        raise InstitutionError("wrong_kind", "institution_id")
    return institution


def institutions_for(role: str) -> list[Institution]:
    """The institutions a new staff member in `role` may join, by district and name."""
    return db.session.scalars(
        select(Institution)
        .where(Institution.kind.in_(kinds_for(role)))
        .order_by(Institution.district, Institution.name)
        .limit(2000)
    ).all()


def institution_list() -> list[tuple[Institution, list[User]]]:
    """Every institution with its staff, for the authority console."""
    institutions = db.session.scalars(select(Institution).order_by(Institution.district, Institution.name)).all()
    staff: dict[int, list[User]] = {}
    for member in db.session.scalars(
        select(User).where(User.institution_id.is_not(None)).order_by(User.role, User.name)
    ):
        staff.setdefault(member.institution_id, []).append(member)
    return [(institution, staff.get(institution.id, [])) for institution in institutions]


def staff_count(institution_id: int) -> int:
    """How many staff work at an institution."""
    return db.session.scalar(select(func.count()).select_from(User).where(User.institution_id == institution_id))
