"""Daily check-ins (the first is the health declaration): validation, idempotent storage, recolouring."""

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.domain import districts
from app.domain.vocabulary import BODY_TEMPERATURE_C
from app.extensions import db
from app.infra import clock
from app.infra.outbox import (
    RecordResult,
    parse_day,
    parse_device_time,
    parse_id,
    parse_number,
    parse_uuid,
    record_uuid,
    store_each,
    triage,
)
from app.models import Checkin, User, Visit
from app.services.codes import CodeError
from app.services.colours import recolour, rule_set
from app.services.relatives import acting_for
from app.services.returning.arrivals import link_arrivals

TRANSPORTS = ("plane", "train", "car", "bus", "ship", "other")
TEMPERATURE_MESSAGE = _l(
    "Please enter a body temperature between %(low)s and %(high)s °C.",
    low=BODY_TEMPERATURE_C[0],
    high=BODY_TEMPERATURE_C[1],
)
MAX_VISITS = 30


def parse_checkin(payload, now: datetime) -> tuple[dict | None, dict]:
    """Validate one submitted check-in; returns (normalised record, {field: message})."""
    if not isinstance(payload, dict):
        return None, {"record": _("This record is not a check-in.")}
    errors: dict[str, str] = {}
    record: dict = {}

    record["uuid"] = parse_uuid(payload, errors)
    checked_at = parse_device_time(payload.get("checked_at"), now, "checked_at", errors)
    if checked_at is not None:
        record["checked_at"] = checked_at
        record["day"] = clock.to_local(checked_at).date()

    district = payload.get("district")
    if not isinstance(district, str) or not districts.is_known(district):
        errors["district"] = _("Please choose the district where you are now.")
    record["district"] = district

    temperature = parse_number(payload.get("temperature"), *BODY_TEMPERATURE_C, text=True)
    if temperature is None:
        errors["temperature"] = str(TEMPERATURE_MESSAGE)
    else:
        record["temperature"] = round(temperature, 1)

    known_symptoms = {symptom.code for symptom in rule_set().symptoms}
    symptoms = payload.get("symptoms", [])
    if not isinstance(symptoms, list) or not all(isinstance(s, str) and s in known_symptoms for s in symptoms):
        errors["symptoms"] = _("Please choose symptoms from the list.")
    else:
        record["symptoms"] = sorted(set(symptoms))

    contact = payload.get("contact_with_cases", False)
    if not isinstance(contact, bool):
        errors["contact_with_cases"] = _("Please answer whether you had contact with a case.")
    record["contact_with_cases"] = contact is True

    day = record.get("day") or clock.local_today()
    record["visits"] = _parse_visits(payload.get("visits", []), day, errors)
    record["arrival"] = _parse_arrival(payload.get("arrival"), day, errors)
    return (None if errors else record), errors


def _parse_visits(visits, day: date, errors: dict) -> list[dict]:
    if not isinstance(visits, list) or len(visits) > MAX_VISITS:
        errors["visits"] = _("Please list at most %(n)s places visited.", n=MAX_VISITS)
        return []
    parsed = []
    for visit in visits:
        district = visit.get("district") if isinstance(visit, dict) else None
        visit_day = parse_day(visit.get("day")) if isinstance(visit, dict) else None
        if not isinstance(district, str) or not districts.is_known(district):
            errors["visits"] = _("Please choose each visited district from the list.")
        elif visit_day is None or not (day - timedelta(days=13) <= visit_day <= day):
            errors["visits"] = _("Each visit needs a date within the last 14 days.")
        else:
            parsed.append({"district": district, "day": visit_day})
    return sorted(parsed, key=lambda v: (v["day"], v["district"]))


def _parse_arrival(arrival, day: date, errors: dict) -> dict | None:
    if arrival in (None, {}):
        return None
    if not isinstance(arrival, dict):
        errors["arrival"] = _("The return registration is incomplete.")
        return None
    from_district, arrival_day = arrival.get("from_district"), parse_day(arrival.get("day"))
    transport = arrival.get("transport")
    if not isinstance(from_district, str) or not districts.is_known(from_district):
        errors["arrival"] = _("Please choose where you came from.")
    elif arrival_day is None or not (day - timedelta(days=13) <= arrival_day <= day):
        errors["arrival"] = _("The arrival date must be within the last 14 days.")
    elif transport not in TRANSPORTS:
        errors["arrival"] = _("Please choose how you travelled.")
    else:
        return {"from_district": from_district, "day": arrival_day, "transport": transport}
    return None


def store_checkins(subject: User, submitted_by: User, payloads: list) -> list[RecordResult]:
    """Store each new record once, answer per record, recolour the subject once. One commit, unless the
    database refuses the batch: then each record is stored on its own, so a bad one fails alone."""
    now = clock.now_utc()
    results, fresh = triage(payloads, parse_checkin, Checkin, now, subject=subject.id)

    def write(items: list) -> dict:
        rows = [_checkin_row(record, print_, subject, submitted_by, now) for _index, record, print_ in items]
        db.session.add_all(rows)
        newest = max(record["checked_at"] for _index, record, _print in items)
        if subject.last_checkin_at is None or newest > subject.last_checkin_at:
            subject.last_checkin_at = newest
        db.session.flush()
        link_arrivals(subject, rows)  # a declared arrival links the person's planned return to its check-in
        recolour([subject.id], trigger="checkin")
        db.session.commit()
        return {index: RecordResult(record["uuid"], "stored") for index, record, _print in items}

    store_each(fresh, write, results)
    db.session.commit()
    return [results[i] for i in range(len(payloads))]


def store_checkins_for(submitted_by: User, payloads: list) -> list[RecordResult]:
    """Store a batch in which each record is for the sender or (field `subject`) a relative they act for; the
    sender needs a real-name profile first (CodeError)."""
    if not submitted_by.has_profile:
        raise CodeError("profile_required")
    groups: dict[int, list[int]] = {}
    results: dict[int, RecordResult] = {}
    allowed: dict[int, bool] = {submitted_by.id: True}  # one binding check per relative, not per record
    for index, payload in enumerate(payloads):
        subject = payload.get("subject") if isinstance(payload, dict) else None
        subject = submitted_by.id if subject is None else parse_id(subject) if isinstance(subject, int) else None
        if subject is not None and subject not in allowed:
            allowed[subject] = acting_for(submitted_by.id, subject)
        if subject is not None and allowed[subject]:
            groups.setdefault(subject, []).append(index)
        else:
            results[index] = RecordResult(
                record_uuid(payload), "invalid", {"subject": _("You cannot check in for this person.")}
            )
    for subject_id, indexes in groups.items():
        subject = submitted_by if subject_id == submitted_by.id else db.session.get(User, subject_id)
        for index, result in zip(indexes, store_checkins(subject, submitted_by, [payloads[i] for i in indexes])):
            results[index] = result
    return [results[i] for i in range(len(payloads))]


def _checkin_row(record: dict, fingerprint: str, subject: User, submitted_by: User, now: datetime) -> Checkin:
    arrival = record["arrival"] or {}
    return Checkin(
        uuid=record["uuid"],
        payload_hash=fingerprint,
        user_id=subject.id,
        submitted_by_id=submitted_by.id,
        day=record["day"],
        checked_at=record["checked_at"],
        received_at=now,
        district=record["district"],
        temperature=record["temperature"],
        symptoms=record["symptoms"],
        contact_with_cases=record["contact_with_cases"],
        arrival_from=arrival.get("from_district"),
        arrival_day=arrival.get("day"),
        arrival_transport=arrival.get("transport"),
        visits=[Visit(user_id=subject.id, district=v["district"], day=v["day"]) for v in record["visits"]],
    )
