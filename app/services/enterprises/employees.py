"""Employees' return-to-work registration (员工返岗登记) and the enterprise's roster.

An approved enterprise hands out a signed join link (and its QR); any resident with a profile registers under
it. The roster reads each employee's colour from their own account in one joined query, so it shows today's
colour the moment a check-in, a control list or a risk area changes it. The head sees a masked name and phone,
the colour, whether they may work today (green only) and a generic instruction per colour: never the reasons
behind a colour, which are the employee's health data (they read their own on their code page).
"""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import case, func, select

from app.domain import districts
from app.domain.enterprises import csv_cell, instruction, may_work
from app.domain.masking import mask_name, mask_phone
from app.extensions import db
from app.infra import audit, clock, links
from app.models import Enterprise, EnterpriseEmployee, User
from app.services.enterprises import EnterpriseError

_SALT = "enterprise-join"
ROSTER_PAGE_SIZE = 100
ROSTER_MAX_PAGE = 100_000
RETURN_DAYS_BACK, RETURN_DAYS_AHEAD = 365, 60  # the return day an employee may give, around today


# --- the join link ---------------------------------------------------------------------------------------------


def join_link_days() -> int:
    """How long a join link (and the QR printed from it) works."""
    return current_app.config["ENTERPRISE_JOIN_LINK_DAYS"]


def join_token(enterprise: Enterprise) -> str:
    """A signed token for registering under an approved enterprise; renewing the link withdraws it."""
    if enterprise.status != "approved":
        raise EnterpriseError("not_open")
    return links.sign(_SALT, {"enterprise": enterprise.id, "v": enterprise.join_version})


def join_link_expires_at() -> datetime:
    """When a token made now stops working."""
    return clock.now_utc() + timedelta(days=join_link_days())


def renew_join_link(enterprise: Enterprise) -> None:
    """Withdraw every join link and QR given out so far; new ones work from now (committed)."""
    enterprise.join_version += 1
    db.session.commit()


def enterprise_for_token(token: str) -> Enterprise:
    """The approved enterprise a join token stands for, else EnterpriseError (400)."""
    try:
        grant = links.read(_SALT, token, join_link_days() * 24)
    except links.LinkInvalid as error:
        raise EnterpriseError("link_expired" if error.reason == "expired" else "link_invalid") from None
    enterprise_id, version = grant.get("enterprise"), grant.get("v")
    enterprise = db.session.get(Enterprise, enterprise_id) if isinstance(enterprise_id, int) else None
    if enterprise is None or version != enterprise.join_version:
        raise EnterpriseError("link_invalid")
    if enterprise.status != "approved":
        raise EnterpriseError("not_open")
    return enterprise


# --- registering -----------------------------------------------------------------------------------------------


def return_days() -> tuple[date, date]:
    """The first and last return day an employee may give today."""
    today = clock.local_today()
    return today - timedelta(days=RETURN_DAYS_BACK), today + timedelta(days=RETURN_DAYS_AHEAD)


def registration_of(user_id: int, enterprise_id: int) -> EnterpriseEmployee | None:
    """A resident's registration under an enterprise, if any."""
    return db.session.scalar(
        select(EnterpriseEmployee).where(
            EnterpriseEmployee.enterprise_id == enterprise_id, EnterpriseEmployee.user_id == user_id
        )
    )


def register(
    person: User, enterprise: Enterprise, *, returned_from: str, returned_on: date | None, department: str
) -> EnterpriseEmployee:
    """Register (or update) a resident under an approved enterprise: where and when they return (committed)."""
    if enterprise.status != "approved":
        raise EnterpriseError("not_open")
    if not districts.is_known(returned_from or ""):
        raise EnterpriseError("returned_from", "returned_from")
    first, last = return_days()
    if returned_on is None or not first <= returned_on <= last:
        raise EnterpriseError("returned_on", "returned_on", first=first.isoformat(), last=last.isoformat())
    department = (department or "").strip()
    if len(department) > 50:
        raise EnterpriseError("department", "department")
    employee = registration_of(person.id, enterprise.id)
    if employee is None:
        employee = EnterpriseEmployee(enterprise_id=enterprise.id, user_id=person.id, registered_at=clock.now_utc())
        db.session.add(employee)
    employee.returned_from, employee.returned_on, employee.department = returned_from, returned_on, department or None
    db.session.commit()
    return employee


def employments_of(person: User) -> list[tuple[EnterpriseEmployee, Enterprise]]:
    """The enterprises a resident is registered under, newest first."""
    return db.session.execute(
        select(EnterpriseEmployee, Enterprise)
        .join(Enterprise, Enterprise.id == EnterpriseEmployee.enterprise_id)
        .where(EnterpriseEmployee.user_id == person.id)
        .order_by(EnterpriseEmployee.id.desc())
    ).all()


def leave(person: User, employee_id: int) -> bool:
    """A resident takes their own registration off an enterprise's roster; False when it is not theirs."""
    employee = db.session.get(EnterpriseEmployee, employee_id)
    if employee is None or employee.user_id != person.id:
        return False
    db.session.delete(employee)
    db.session.commit()
    return True


def remove(head: User, enterprise: Enterprise, employee_id: int) -> None:
    """The head takes someone off the roster (they left the enterprise); committed and audited."""
    employee = db.session.get(EnterpriseEmployee, employee_id)
    if employee is None or employee.enterprise_id != enterprise.id:
        raise EnterpriseError("no_employee")
    audit.record(head.id, "enterprise_employee_removed", employee.user_id, "roster", enterprise_id=enterprise.id)
    db.session.delete(employee)
    db.session.commit()


# --- the roster ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    """One employee as the head sees them: masked, with today's colour and what it means for work."""

    employee_id: int
    name: str  # masked
    phone: str  # masked
    department: str
    colour: str | None
    may_work: bool
    instruction: str  # work | yellow | red | no_code (app.domain.enterprises.instruction)
    returned_from: str
    returned_on: date
    registered_at: datetime


@dataclass(frozen=True)
class Roster:
    """One page of the roster (those who may not work first) and the counts for the whole roster."""

    rows: list
    page: int
    has_next: bool
    total: int
    may_work: int

    @property
    def may_not_work(self) -> int:
        return self.total - self.may_work

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def _roster_query(enterprise_id: int):
    green = case((User.colour == "green", 1), else_=0)
    return (
        select(
            EnterpriseEmployee.id,
            User.name,
            User.phone,
            EnterpriseEmployee.department,
            User.colour,
            EnterpriseEmployee.returned_from,
            EnterpriseEmployee.returned_on,
            EnterpriseEmployee.registered_at,
        )
        .join(User, User.id == EnterpriseEmployee.user_id)
        .where(EnterpriseEmployee.enterprise_id == enterprise_id)
        .order_by(green, EnterpriseEmployee.id)
    )


def _row(employee_id, name, phone, department, colour, returned_from, returned_on, registered_at) -> RosterRow:
    return RosterRow(
        employee_id,
        mask_name(name or ""),
        mask_phone(phone) if phone else "",
        department or "",
        colour,
        may_work(colour),
        instruction(colour),
        returned_from,
        returned_on,
        registered_at,
    )


def roster(enterprise: Enterprise, page: int = 1) -> Roster:
    """A page of the roster with today's colours: one joined query for the page, one for the counts."""
    page = min(max(page, 1), ROSTER_MAX_PAGE)
    found = db.session.execute(
        _roster_query(enterprise.id).offset((page - 1) * ROSTER_PAGE_SIZE).limit(ROSTER_PAGE_SIZE + 1)
    ).all()
    total, green = roster_counts(enterprise)
    rows = [_row(*values) for values in found[:ROSTER_PAGE_SIZE]]
    return Roster(rows, page, len(found) > ROSTER_PAGE_SIZE, total, green)


def roster_counts(enterprise: Enterprise) -> tuple[int, int]:
    """(employees on the roster, of whom green and so allowed to work today), counted in one query."""
    total, green = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((User.colour == "green", 1), else_=0)), 0))
        .select_from(EnterpriseEmployee)
        .join(User, User.id == EnterpriseEmployee.user_id)
        .where(EnterpriseEmployee.enterprise_id == enterprise.id)
    ).one()
    return int(total), int(green)  # PostgreSQL sums are Decimal


def export_roster(head: User, enterprise: Enterprise, words: Callable[[str, object], str]) -> Iterator[str]:
    """Write the export to the audit log (committed now), then yield the whole roster as CSV lines; every
    cell that a spreadsheet would read as a formula starts with '. `words(kind, value)` turns a colour,
    "may work", an instruction or a district into words in the head's language; `words("heading", key)`
    names the columns."""
    audit.record(head.id, "enterprise_roster_export", None, "roster CSV", enterprise_id=enterprise.id)
    db.session.commit()
    query = _roster_query(enterprise.id).execution_options(yield_per=500)
    headings = ("name", "phone", "department", "colour", "may_work", "instruction", "returned_from", "returned_on")

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([csv_cell(words("heading", key)) for key in headings])
        yield "\ufeff" + buffer.getvalue()  # the BOM lets spreadsheet programs read the Chinese as UTF-8
        for values in db.session.execute(query):
            row = _row(*values)
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(
                [
                    csv_cell(cell)
                    for cell in (
                        row.name,
                        row.phone,
                        row.department,
                        words("colour", row.colour),
                        words("may_work", row.may_work),
                        words("instruction", row.instruction),
                        words("district", row.returned_from),
                        row.returned_on.isoformat(),
                    )
                ]
            )
            yield buffer.getvalue()

    return lines()
