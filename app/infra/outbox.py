"""Records that devices queue offline and send in batches (DESIGN.md section 5): the parts every kind
of record shares — client UUIDs, device times, fingerprints, and sorting a batch into invalid,
duplicate, conflicting and new records."""

import hashlib
import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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
    """Hash of what was submitted, to tell a harmless repeat from a conflicting one."""
    # Records are built field by field in a fixed order, so their repr is canonical (and much cheaper
    # than JSON on the 10,000-scan sync path).
    return hashlib.sha256(repr(sorted(record.items())).encode()).hexdigest()


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
            answers[index] = RecordResult(
                record["uuid"], "duplicate" if known[record["uuid"]] == print_ else "conflict"
            )
        else:
            known[record["uuid"]] = print_
            fresh.append((index, record, print_))
    return answers, fresh
