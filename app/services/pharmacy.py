"""Fever-drug registration at pharmacies (购药登记): the `drug_sale` record pharmacists queue on their device
after identifying the buyer (app.services.care_records), the home check each sale opens for the handler of the
buyer's district (a `drug_check` report, routed like residents' reports), and the pharmacy's own list.

A sale changes nobody's colour (no rule reads sales), so storing one recolours no one."""

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.orm import aliased, selectinload

from app.domain import districts
from app.domain.masking import mask_name, mask_phone
from app.domain.pharmacy import MAX_DRUG_NAME, MAX_DRUG_ROWS, QUANTITY, listed_code, normal_mobile
from app.domain.vocabulary import BODY_TEMPERATURE_C
from app.extensions import db
from app.infra import audit, clock
from app.infra.outbox import RecordResult, parse_number, parse_text
from app.models import DrugSale, DrugSaleItem, Institution, Report, User
from app.services import reports
from app.services.care_records import CareKind
from app.services.checkins import TEMPERATURE_MESSAGE
from app.services.errors import DomainError

log = logging.getLogger(__name__)

SALES_PAGE_SIZE = 30
MAX_PAGE = 100_000
MAX_ADDRESS = 200
MAX_NOTE = 200
QUESTIONS = {
    "epidemic_area": _l("Please answer whether the buyer has stayed in an epidemic area."),
    "fever_contact": _l("Please answer whether the buyer had contact with people with a fever."),
    "proxy": _l("Please answer whether this is a purchase for someone else."),
}


class PharmacyError(DomainError):
    """A pharmacy page asked for something its staff may not see."""

    messages = {
        "not_found": _l("This registration does not exist or belongs to another pharmacy."),
        "no_institution": _l("This account is not linked to a pharmacy. Please enrol again."),
    }
    statuses = {"not_found": 404, "no_institution": 403}


# --- the record --------------------------------------------------------------------------------------------


def parse_drug_sale(payload: dict, record: dict, errors: dict, staff: User) -> None:
    """The sale's fields, normalised into `record`; a message per field into `errors`. Never raises."""
    if staff.institution_id is None:
        errors["record"] = str(PharmacyError("no_institution").message)
    district = payload.get("district")
    if isinstance(district, str) and districts.is_known(district):
        record["district"] = district
    else:
        errors["district"] = _("Please choose the buyer's district.")
    address = parse_text(payload.get("address"), MAX_ADDRESS)
    address = " ".join(address.split()) if address else ""
    if len(address) < 2:
        errors["address"] = _("Please enter the buyer's address (2 to %(n)s characters).", n=MAX_ADDRESS)
    record["address"] = address
    record["drugs"] = _parse_drugs(payload.get("drugs"), errors)
    temperature = parse_number(payload.get("temperature"), *BODY_TEMPERATURE_C, text=True)
    if temperature is None:
        errors["temperature"] = str(TEMPERATURE_MESSAGE)
    else:
        record["temperature"] = round(temperature, 1)
    for name, message in QUESTIONS.items():
        value = payload.get(name)
        if not isinstance(value, bool):
            errors[name] = str(message)
        record[name] = value is True
    phone = payload.get("patient_phone")
    if record["proxy"]:
        record["patient_phone"] = normal_mobile(phone) if parse_text(phone, 32) else None
        if record["patient_phone"] is None:
            errors["patient_phone"] = _(
                "For a purchase for someone else, please enter the patient's mobile number (11 digits, starting with 1)."
            )
    else:
        record["patient_phone"] = None  # only a proxy purchase names a patient
    note = payload.get("note")
    note = "" if note is None else parse_text(note, MAX_NOTE)
    if note is None:
        errors["note"] = _("The note may have at most %(n)s characters.", n=MAX_NOTE)
    record["note"] = note.strip() if note else ""


def _parse_drugs(rows, errors: dict) -> list[dict]:
    """The drug rows: each a name (listed or typed) and a quantity; at least one, at most MAX_DRUG_ROWS."""
    if not isinstance(rows, list) or not rows:
        errors["drugs"] = _("Please add at least one drug.")
        return []
    if len(rows) > MAX_DRUG_ROWS:
        errors["drugs"] = _("Please register at most %(n)s drug rows.", n=MAX_DRUG_ROWS)
        return []
    drugs = []
    for number, row in enumerate(rows, start=1):
        row = row if isinstance(row, dict) else {}
        name = parse_text(row.get("name"), MAX_DRUG_NAME * 2)
        name = " ".join(name.split()) if name else ""
        quantity = parse_number(row.get("quantity"), *QUANTITY, text=True)
        if not name or len(name) > MAX_DRUG_NAME:
            errors["drugs"] = errors.get("drugs") or _(
                "Row %(row)s: please choose the drug from the list or type its name (at most %(n)s characters).",
                row=number,
                n=MAX_DRUG_NAME,
            )
        elif quantity is None or not quantity.is_integer():
            errors["drugs"] = errors.get("drugs") or _(
                "Row %(row)s: please enter a whole quantity from %(low)s to %(high)s.",
                row=number,
                low=QUANTITY[0],
                high=QUANTITY[1],
            )
        else:
            drugs.append({"code": listed_code(name), "name": name, "quantity": int(quantity)})
    return drugs


def write_drug_sales(staff: User, items: list, now: datetime) -> dict:
    """Store the sales, their drugs and a home check for each (one INSERT per table, one commit), then text the
    handlers. A sale is never stored without its drugs and its home check, nor the other way round."""
    table = DrugSale.__table__
    sale_ids = list(
        db.session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [_sale_row(staff, record, print_, now) for _index, record, print_ in items],
        ).scalars()
    )
    db.session.execute(
        insert(DrugSaleItem.__table__),
        [
            {
                "sale_id": sale_id,
                "position": n,
                "drug_code": drug["code"],
                "name": drug["name"],
                "quantity": drug["quantity"],
            }
            for sale_id, (_index, record, _print) in zip(sale_ids, items, strict=True)
            for n, drug in enumerate(record["drugs"], start=1)
        ],
    )
    followups = reports.open_followups(
        [
            {
                "drug_sale_id": sale_id,
                "reporter_id": staff.id,
                "district": record["district"],
                "place": record["address"],
            }
            for sale_id, (_index, record, _print) in zip(sale_ids, items, strict=True)
        ],
        now,
    )
    db.session.commit()
    _route(followups)
    return {index: RecordResult(record["uuid"], "stored") for index, record, _print in items}


def _sale_row(staff: User, record: dict, fingerprint: str, now: datetime) -> dict:
    return {
        "uuid": record["uuid"],
        "payload_hash": fingerprint,
        "institution_id": staff.institution_id,
        "staff_id": staff.id,
        "person_id": record["person_id"],
        "recorded_at": record["recorded_at"],
        "received_at": now,
        "day": clock.to_local(record["recorded_at"]).date(),
        "district": record["district"],
        "address": record["address"],
        "temperature": record["temperature"],
        "epidemic_area": record["epidemic_area"],
        "fever_contact": record["fever_contact"],
        "proxy": record["proxy"],
        "patient_phone": record["patient_phone"],
        "note": record["note"],
    }


def _route(report_ids: list[int]) -> None:
    """Text the handlers once the sales are committed; a failure leaves the home checks "submitted" (the
    inboxes show them as not yet sent) and never changes the sales' answers."""
    try:
        reports.route_many(report_ids)
    except Exception as error:
        db.session.rollback()
        log.error("home checks %s stored but not routed (%s)", report_ids, type(error).__name__)


CARE_KINDS = {
    "drug_sale": CareKind(model=DrugSale, parse=parse_drug_sale, write=write_drug_sales, roles=("pharmacist",))
}


# --- the pharmacy's own registrations ----------------------------------------------------------------------


@dataclass(frozen=True)
class SaleRow:
    """A registration as the pharmacy's list shows it: the buyer by masked name only."""

    sale: DrugSale
    buyer: str
    seller: str
    followup_state: str | None  # the home check's state (reports.STATE_LABELS)


@dataclass(frozen=True)
class SalesPage:
    """One page of a pharmacy's registrations, newest first."""

    rows: list
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def _require_pharmacy(staff: User) -> int:
    if staff.role != "pharmacist" or staff.institution_id is None:
        raise PharmacyError("no_institution")
    return staff.institution_id


def _sales_query(institution_id: int):
    buyer, seller = aliased(User), aliased(User)
    return (
        select(DrugSale, buyer.name, seller.name, Report.state)
        .join(buyer, buyer.id == DrugSale.person_id)
        .join(seller, seller.id == DrugSale.staff_id)
        .outerjoin(Report, Report.drug_sale_id == DrugSale.id)
        .where(DrugSale.institution_id == institution_id)
        .options(selectinload(DrugSale.items))
    )


def _row(sale, buyer_name, seller_name, state) -> SaleRow:
    return SaleRow(sale, mask_name(buyer_name or ""), seller_name or "", state)


def sales_of(staff: User, page: int = 1) -> SalesPage:
    """One page of this pharmacy's registrations, newest first (another pharmacy's never); the look is audited."""
    institution_id = _require_pharmacy(staff)
    page = min(max(page, 1), MAX_PAGE)
    found = db.session.execute(
        _sales_query(institution_id)
        .order_by(DrugSale.recorded_at.desc(), DrugSale.id.desc())
        .offset((page - 1) * SALES_PAGE_SIZE)
        .limit(SALES_PAGE_SIZE + 1)
    ).all()
    rows = [_row(*found_row) for found_row in found[:SALES_PAGE_SIZE]]
    audit.record(
        staff.id,
        "drug_sales_listed",
        None,
        "pharmacy registrations",
        institution_id=institution_id,
        page=page,
        sales=[row.sale.id for row in rows],
    )
    db.session.commit()
    return SalesPage(rows, page, len(found) > SALES_PAGE_SIZE)


def sale_for(staff: User, sale_id: int) -> SaleRow:
    """One of this pharmacy's registrations (PharmacyError 404 for any other); the look is audited."""
    institution_id = _require_pharmacy(staff)
    found = db.session.execute(_sales_query(institution_id).where(DrugSale.id == sale_id)).first()
    if found is None:
        raise PharmacyError("not_found")
    row = _row(*found)
    audit.record(staff.id, "drug_sale_viewed", row.sale.person_id, "pharmacy registration", sale_id=sale_id)
    db.session.commit()
    return row


# --- what the handler verifies -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeCheck:
    """A home check as its handler and supervisors see it: the buyer to visit (in full for the district's
    handler, masked for supervisors), where they bought what, and their answers."""

    sale: DrugSale
    pharmacy: Institution
    seller: str
    buyer_name: str
    buyer_phone: str
    address: str
    patient_phone: str | None
    full: bool


def home_check(viewer: User, report: Report) -> HomeCheck | None:
    """The sale a drug_check report follows up, for the staff allowed to see the report's people (the caller
    audits the look with reports.record_view); None for other reports or other viewers."""
    if report.drug_sale_id is None or not reports.sees_reporter(viewer, report):
        return None
    buyer, seller = aliased(User), aliased(User)
    found = db.session.execute(
        select(DrugSale, Institution, buyer, seller.name)
        .join(Institution, Institution.id == DrugSale.institution_id)
        .join(buyer, buyer.id == DrugSale.person_id)
        .join(seller, seller.id == DrugSale.staff_id)
        .where(DrugSale.id == report.drug_sale_id)
        .options(selectinload(DrugSale.items))
    ).first()
    if found is None:
        return None
    sale, pharmacy, person, seller_name = found
    full = reports.is_district_handler(viewer, report)
    name, phone = person.name or "", person.phone or ""
    return HomeCheck(
        sale=sale,
        pharmacy=pharmacy,
        seller=seller_name or "",
        buyer_name=name if full else mask_name(name),
        buyer_phone=phone if full else mask_phone(phone) if phone else "",
        address=sale.address,
        patient_phone=(sale.patient_phone if full else mask_phone(sale.patient_phone)) if sale.patient_phone else None,
        full=full,
    )
