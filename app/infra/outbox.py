"""Records that devices queue offline and send in batches (docs/contracts.md: offline submissions): the parts every kind
of record shares — client UUIDs, device times, fingerprints, and sorting a batch into invalid,
duplicate, conflicting and new records.

Also the bounds of every value that enters from outside (ids, epochs, numbers, text): the batches parse
their records with the functions here, and the web layer's id converter and query ids use `parse_id`,
so nothing out of range ever reaches the database or the clock."""

import hashlib
import json
import logging
import math
import traceback
import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db

log = logging.getLogger(__name__)

MAX_ID = 2**31 - 1  # the largest id every supported database holds (ids are INTEGER: 32 bits on PostgreSQL)
# Epochs a device may send (e.g. a trust bundle's issue time): 2000-01-01 to 2100-01-01 UTC.
EPOCH_RANGE = (946_684_800, 4_102_444_800)
MAX_UUID_TEXT = 64
YEARS = (2000, 2100)  # the dates anyone may enter: forms, CSV files, records (far years overflow date sums)


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


def parse_id(value) -> int | None:
    """A row id from outside (an int, or its digits as text) if it can name a row (1..MAX_ID), else None."""
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit() and len(value) <= 10):
            return None
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        return None
    return value


def parse_number(value, low: float, high: float, *, text: bool = False) -> float | None:
    """A finite number within [low, high] as a float (numeric text too when `text`), else None: rejects
    booleans, inf, nan and integers too large for a float."""
    if text and isinstance(value, str) and len(value) <= 32:
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not (low <= value <= high) or isinstance(value, float) and not math.isfinite(value):
        return None  # compared before converting: 10**400 is out of range, not an OverflowError
    return float(value)


def parse_text(value, max_length: int) -> str | None:
    """Text of at most `max_length` characters without NUL characters (which databases refuse), else None."""
    if not isinstance(value, str) or len(value) > max_length or "\x00" in value:
        return None
    return value


def in_calendar(day: date) -> bool:
    """Whether a date lies within YEARS."""
    return YEARS[0] <= day.year <= YEARS[1]


def parse_day(value) -> date | None:
    """An ISO date (2026-11-22) within YEARS, else None."""
    text = parse_text(value, 10)
    try:
        day = date.fromisoformat(text.strip()) if text else None
    except ValueError:
        return None
    return day if day is not None and in_calendar(day) else None


def parse_epoch(value) -> datetime | None:
    """Seconds since 1970 as a naive UTC datetime if an integer within EPOCH_RANGE, else None."""
    if isinstance(value, bool) or not isinstance(value, int) or not EPOCH_RANGE[0] <= value <= EPOCH_RANGE[1]:
        return None
    return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)


def parse_uuid(payload: dict, errors: dict) -> str | None:
    """The record's client-generated UUID, normalised."""
    text = parse_text(payload.get("uuid"), MAX_UUID_TEXT)
    try:
        return str(uuid_module.UUID(text or ""))
    except ValueError:
        errors["uuid"] = _("The record has no valid identifier.")
        return None


def record_uuid(payload) -> str:
    """The uuid a record claims, to answer it by (empty unless it is short text)."""
    raw = payload.get("uuid") if isinstance(payload, dict) else None
    return raw if isinstance(raw, str) and len(raw) <= MAX_UUID_TEXT else ""


def unreadable(payload_or_uuid, error: Exception) -> RecordResult:
    """The answer for a record whose checking or storing raised: logged by uuid and error type only (the
    message and the record may hold personal data), answered as invalid so the device stops resending it."""
    uuid = payload_or_uuid if isinstance(payload_or_uuid, str) else record_uuid(payload_or_uuid)
    log.error(
        "record %s could not be processed (%s)\n%s",
        uuid or "(no uuid)",
        type(error).__name__,
        "".join(traceback.format_tb(error.__traceback__)),
    )
    return RecordResult(uuid, "invalid", {"record": _("This record could not be processed. Please enter it again.")})


def parse_device_time(value, now: datetime, field: str, errors: dict) -> datetime | None:
    """A device timestamp (ISO 8601 with a zone) as naive UTC, within the accepted age."""
    moment = parse_moment(value)
    if moment is not None and not _within_reach(moment):
        moment = None
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


def _within_reach(moment: datetime) -> bool:
    """Whether a moment is far enough from the calendar's ends that adding the accepted ages cannot overflow."""
    return datetime.min + timedelta(days=3660) < moment < datetime.max - timedelta(days=3660)


def parse_moment(value) -> datetime | None:
    """ISO 8601 text with a time zone, as naive UTC; None for anything else (also years 1 and 9999, whose
    conversion to UTC would leave the calendar)."""
    if parse_text(value, 64) is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            return None
        return moment.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None


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
        try:
            record, errors = parse(payload, now)
        except Exception as error:  # one unreadable record is that record's answer, not the batch's failure
            answers[index] = unreadable(payload, error)
            continue
        if errors:
            answers[index] = RecordResult(record_uuid(payload), "invalid", errors)
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


def store_each(fresh: list, write: Callable, answers: dict) -> None:
    """Write the new records with `write(fresh)` (which commits and returns their answers by position); if
    that fails, write them one at a time, so a record the database refuses fails alone and the others
    are stored."""
    if not fresh:
        return
    try:
        answers.update(write(fresh))
        return
    except Exception as error:
        db.session.rollback()
        if len(fresh) == 1:
            answers[fresh[0][0]] = unreadable(fresh[0][1]["uuid"], error)
            return
    for item in fresh:
        try:
            answers.update(write([item]))
        except Exception as error:
            db.session.rollback()
            answers[item[0]] = unreadable(item[1]["uuid"], error)
