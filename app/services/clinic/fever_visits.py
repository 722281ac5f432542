"""Fever-clinic visits (发热门诊登记): the registration record a clinician's device queues (care kind
`fever_visit`), stored once, the person recoloured at once (rule kind `fever_clinic_visit`), and the residence
staff edited on the record written back to the person (audited as an edit)."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import insert, select

from app.extensions import db
from app.infra import audit
from app.infra.outbox import RecordResult, parse_text
from app.models import FeverVisit, User
from app.services.care_records import CareKind
from app.services.clinic.fields import (
    NAME_LENGTH,
    NOTE_LENGTH,
    is_child,
    local_day,
    parse_optional_text,
    parse_residence,
    parse_symptoms,
    parse_temperature,
    require_institution,
)
from app.services.colours import recolour

TRIGGER = "fever_visit"  # the verdicts' trigger


def parse_fever_visit(payload: dict, record: dict, errors: dict, staff: User) -> None:
    """The visit's fields: measured temperature, symptoms, residence, guardian (children), notes."""
    day = local_day(record.get("recorded_at"))
    require_institution(staff, errors)
    record["day"] = day
    record["temperature"] = parse_temperature(payload.get("temperature"), errors)
    record["symptoms"] = parse_symptoms(payload.get("symptoms", []), errors)
    parse_residence(payload, record, errors)
    record["notes"] = parse_optional_text(payload.get("notes"), NOTE_LENGTH, "notes", errors)
    person = db.session.get(User, record["person_id"]) if record.get("person_id") else None
    record["guardian_name"] = None
    if is_child(person, day):
        name = parse_text(payload.get("guardian_name"), NAME_LENGTH[1])
        name = name.strip() if name else ""
        if len(name) < NAME_LENGTH[0]:
            errors["guardian_name"] = _("Please enter the name of the child's parent or guardian (2 to 30 characters).")
        record["guardian_name"] = name


def write_fever_visits(staff: User, items: list, now: datetime) -> dict:
    """Store the visits in one insert, write edited residences back, recolour the people, commit."""
    db.session.execute(
        insert(FeverVisit),
        [
            {
                "uuid": record["uuid"],
                "payload_hash": print_,
                "institution_id": staff.institution_id,
                "staff_id": staff.id,
                "person_id": record["person_id"],
                "recorded_at": record["recorded_at"],
                "received_at": now,
                "day": record["day"],
                "temperature": record["temperature"],
                "symptoms": record["symptoms"],
                "address": record["address"],
                "district": record["district"],
                "guardian_name": record["guardian_name"],
                "notes": record["notes"],
            }
            for _index, record, print_ in items
        ],
    )
    people = sorted({record["person_id"] for _index, record, _print in items})
    _write_back_residences(staff, [record for _index, record, _print in items])
    recolour(people, trigger=TRIGGER, actor_id=staff.id)
    db.session.commit()
    return {index: RecordResult(record["uuid"], "stored") for index, record, _print in items}


def _write_back_residences(staff: User, records: list[dict]) -> None:
    """The residence on each person's latest visit of the batch becomes theirs where staff changed it; each
    change is audited (which fields, on which record: never the address itself)."""
    latest: dict[int, dict] = {}
    for record in sorted(records, key=lambda r: r["recorded_at"]):
        latest[record["person_id"]] = record
    people = db.session.scalars(select(User).where(User.id.in_(list(latest)))).all()
    for person in people:
        record = latest[person.id]
        changed = [field for field in ("address", "district") if getattr(person, field) != record[field]]
        if not changed:
            continue
        for field in changed:
            setattr(person, field, record[field])
        audit.record(
            staff.id,
            "residence_edited",
            person.id,
            "fever-clinic visit",
            fields=changed,
            record_uuid=record["uuid"],
            institution_id=staff.institution_id,
        )


CARE_KINDS = {
    "fever_visit": CareKind(model=FeverVisit, parse=parse_fever_visit, write=write_fever_visits, roles=("clinician",))
}
