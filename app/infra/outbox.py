"""Records that devices queue offline and send in batches (DESIGN.md section 5): the parts every kind
of record shares — client UUIDs, device times, fingerprints, and sorting a batch into invalid,
duplicate, conflicting and new records."""

import hashlib
import json
import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db


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


def parse_uuid(payload: dict, errors: dict) -> str | None:
    """The record's client-generated UUID, normalised."""
    try:
        return str(uuid_module.UUID(str(payload.get("uuid", ""))))
    except ValueError:
        errors["uuid"] = _("The record has no valid identifier.")
        return None


def parse_device_time(value, now: datetime, field: str, errors: dict) -> datetime | None:
    """A device timestamp (ISO 8601 with a zone) as naive UTC, within the accepted age."""
    moment = parse_moment(value)
    max_age = timedelta(days=current_app.config["CHECKIN_MAX_AGE_DAYS"])
    if moment is None:
        errors[field] = _("The time of this record is missing or not a valid time.")
    elif moment > now + timedelta(minutes=10):
        errors[field] = _("The time of this record is in the future. Please check the phone's clock.")
    elif moment < now - max_age:
        errors[field] = _("This record is older than %(days)s days and can no longer be accepted.", days=max_age.days)
    else:
        return moment
    return None


def parse_moment(value) -> datetime | None:
    """ISO 8601 text with a time zone, as naive UTC; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None)


def fingerprint(record: dict) -> str:
    """Hash of what was submitted, to tell a harmless repeat from a conflicting one: SHA-256 of the
    record as canonical JSON (keys sorted at every depth, no spaces, UTF-8; times and days in ISO 8601),
    so it depends on the values alone, never on the order in which keys were sent or built."""
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_iso_time)
    return hashlib.sha256(text.encode()).hexdigest()


def _iso_time(value):
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} in a record")


def _legacy_fingerprint(record: dict) -> str:
    """How fingerprints were made before canonical JSON (the repr of the sorted fields). A record stored
    before the change and sent again is still a duplicate, not a conflict. Records older than
    CHECKIN_MAX_AGE_DAYS are refused before they are compared, so this can go that many days after
    every server runs canonical JSON."""
    return hashlib.sha256(repr(sorted(record.items())).encode()).hexdigest()


def _same_submission(stored: str, record: dict, print_: str) -> bool:
    """True when a stored fingerprint is this record's (made now or by the earlier scheme)."""
    return stored == print_ or stored == _legacy_fingerprint(record)


def triage(payloads: list, parse: Callable, model, now: datetime, **context):
    """Sort a batch: answers for invalid, duplicate and conflicting records (by position), and the new
    records as (position, record, fingerprint). `context` is part of each fingerprint (e.g. for whom)."""
    answers: dict[int, RecordResult] = {}
    parsed = []
    for index, payload in enumerate(payloads):
        record, errors = parse(payload, now)
        if errors:
            raw_uuid = payload.get("uuid") if isinstance(payload, dict) else None
            answers[index] = RecordResult(str(raw_uuid or ""), "invalid", errors)
        else:
            parsed.append((index, record, fingerprint({**record, **context})))
    uuids = [record["uuid"] for _, record, _ in parsed]
    known = (
        dict(db.session.execute(select(model.uuid, model.payload_hash).where(model.uuid.in_(uuids))).all())
        if uuids
        else {}
    )
    fresh = []
    for index, record, print_ in parsed:
        if record["uuid"] in known:
            stored = known[record["uuid"]]
            answers[index] = RecordResult(
                record["uuid"], "duplicate" if _same_submission(stored, {**record, **context}, print_) else "conflict"
            )
        else:
            known[record["uuid"]] = print_
            fresh.append((index, record, print_))
    return answers, fresh
