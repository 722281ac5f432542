"""Daily check-ins (the first is the health declaration): validation, idempotent storage, recolouring."""
import hashlib
import json
import uuid as uuid_module
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.domain import districts
from app.extensions import db
from app.models import Checkin, User, Visit
from app.services import clock
from app.services.colours import recolour, rule_set

TRANSPORTS = ("plane", "train", "car", "bus", "ship", "other")
TEMPERATURE_RANGE = (34.0, 43.0)
MAX_VISITS = 30


@dataclass(frozen=True)
class RecordResult:
    """The answer for one record of a batch."""

    uuid: str
    status: str  # stored | duplicate | conflict | invalid
    errors: dict | None = None

    def to_dict(self) -> dict:
        """JSON shape the PWA reads."""
        answer = {"uuid": self.uuid, "status": self.status}
        if self.errors:
            answer["errors"] = self.errors
        return answer


def parse_checkin(payload, now: datetime) -> tuple[dict | None, dict]:
    """Validate one submitted check-in; returns (normalised record, {field: message})."""
    if not isinstance(payload, dict):
        return None, {"record": _("This record is not a check-in.")}
    errors: dict[str, str] = {}
    record: dict = {}

    try:
        record["uuid"] = str(uuid_module.UUID(str(payload.get("uuid", ""))))
    except ValueError:
        errors["uuid"] = _("The record has no valid identifier.")

    checked_at = _parse_moment(payload.get("checked_at"))
    max_age = timedelta(days=current_app.config["CHECKIN_MAX_AGE_DAYS"])
    if checked_at is None:
        errors["checked_at"] = _("The check-in time is missing or not a valid time.")
    elif checked_at > now + timedelta(minutes=10):
        errors["checked_at"] = _("The check-in time is in the future. Please check the phone's clock.")
    elif checked_at < now - max_age:
        errors["checked_at"] = _("This check-in is older than %(days)s days and can no longer be accepted.",
                                 days=max_age.days)
    else:
        record["checked_at"] = checked_at
        record["day"] = clock.to_local(checked_at).date()

    district = payload.get("district")
    if not isinstance(district, str) or not districts.is_known(district):
        errors["district"] = _("Please choose the district where you are now.")
    record["district"] = district

    temperature = payload.get("temperature")
    if isinstance(temperature, str):
        try:
            temperature = float(temperature)
        except ValueError:
            temperature = None
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not (
            TEMPERATURE_RANGE[0] <= temperature <= TEMPERATURE_RANGE[1]):
        errors["temperature"] = _("Please enter a body temperature between 34.0 and 43.0 °C.")
    else:
        record["temperature"] = round(float(temperature), 1)

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
        visit_day = _parse_day(visit.get("day")) if isinstance(visit, dict) else None
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
    from_district, arrival_day = arrival.get("from_district"), _parse_day(arrival.get("day"))
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


def _parse_moment(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _parse_day(value) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _fingerprint(record: dict, subject_id: int) -> str:
    """Hash of what was submitted, to tell a harmless repeat from a conflicting one."""
    canonical = json.dumps({**record, "subject": subject_id}, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def store_checkins(subject: User, submitted_by: User, payloads: list) -> list[RecordResult]:
    """Store each new record once, answer per record, recolour the subject once; one commit."""
    now = clock.now_utc()
    parsed = []
    results: dict[int, RecordResult] = {}
    for index, payload in enumerate(payloads):
        record, errors = parse_checkin(payload, now)
        if errors:
            raw_uuid = payload.get("uuid") if isinstance(payload, dict) else None
            results[index] = RecordResult(str(raw_uuid or ""), "invalid", errors)
        else:
            parsed.append((index, record, _fingerprint(record, subject.id)))

    uuids = [record["uuid"] for _, record, _ in parsed]
    existing = dict(db.session.execute(select(Checkin.uuid, Checkin.payload_hash)
                                       .where(Checkin.uuid.in_(uuids))).all()) if uuids else {}
    stored = []
    for index, record, fingerprint in parsed:
        uuid = record["uuid"]
        if uuid in existing:
            status = "duplicate" if existing[uuid] == fingerprint else "conflict"
            results[index] = RecordResult(uuid, status)
            continue
        existing[uuid] = fingerprint
        db.session.add(_checkin_row(record, fingerprint, subject, submitted_by, now))
        results[index] = RecordResult(uuid, "stored")
        stored.append(record)
    if stored:
        newest = max(record["checked_at"] for record in stored)
        if subject.last_checkin_at is None or newest > subject.last_checkin_at:
            subject.last_checkin_at = newest
        db.session.flush()
        recolour([subject.id], trigger="checkin")
    db.session.commit()
    return [results[i] for i in range(len(payloads))]


def _checkin_row(record: dict, fingerprint: str, subject: User, submitted_by: User, now: datetime) -> Checkin:
    arrival = record["arrival"] or {}
    return Checkin(
        uuid=record["uuid"], payload_hash=fingerprint, user_id=subject.id, submitted_by_id=submitted_by.id,
        day=record["day"], checked_at=record["checked_at"], received_at=now, district=record["district"],
        temperature=record["temperature"], symptoms=record["symptoms"],
        contact_with_cases=record["contact_with_cases"], arrival_from=arrival.get("from_district"),
        arrival_day=arrival.get("day"), arrival_transport=arrival.get("transport"),
        visits=[Visit(user_id=subject.id, district=v["district"], day=v["day"]) for v in record["visits"]])
