"""Scans recorded at gates: validation, idempotent storage with a server re-check, ID lookups, trails."""

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from app.domain import codes, policies
from app.domain.colours import RiskAreaFact, risk_areas_on
from app.domain.idcard import InvalidIdNumber, validate_resident_id
from app.domain.masking import mask_name
from app.domain.scanning import REASONS, RESULTS, ScanVerdict, colour_verdict, jti_hash, judge, judge_issued
from app.domain.vocabulary import BODY_TEMPERATURE_C, COLOURS
from app.extensions import db
from app.infra import audit, clock
from app.infra.documents import doc_hash
from app.infra.outbox import (
    RecordResult,
    parse_device_time,
    parse_epoch,
    parse_number,
    parse_text,
    parse_uuid,
    store_each,
    triage,
    unreadable,
)
from app.models import Checkpoint, CodeRevocation, IssuedCode, Scan, User
from app.models.scan import OUTCOMES
from app.services.checkins import TEMPERATURE_MESSAGE
from app.services.colours import active_risk_areas
from app.services.errors import DomainError
from app.services.policies import CheckpointJudge
from app.services.trust_bundle import trusted_keys

PLATE = re.compile(r"^[\u4e00-\u9fffA-Z0-9·\-]{2,16}$")
MAX_QR_TEXT = 2000
OFFLINE_ACTIONS = (*policies.ACTIONS, policies.OFF)


class ScanError(DomainError):
    """A check at the gate that cannot be made."""

    messages = {
        "no_checkpoint": _l("Please enrol at a checkpoint first."),
        "bad_request": _l("Please enter an 18-digit resident ID number."),
        "invalid_id": _l("The ID number is not valid (check digit). Please check it."),
    }
    statuses = {"no_checkpoint": 409, "bad_request": 400}


@dataclass(frozen=True)
class ScanAnswer(RecordResult):
    """A batch answer for a scan: the record's status plus the server's own verdict."""

    server: ScanVerdict | None = None
    disagreement: bool = False

    def to_dict(self) -> dict:
        answer = super().to_dict()
        if self.server is not None:
            answer["server"] = {
                "result": self.server.result,
                "reason": self.server.reason,
                "colour": self.server.colour,
            }
            answer["disagreement"] = self.disagreement
        return answer


def parse_scan(payload, now: datetime) -> tuple[dict | None, dict]:
    """Validate one queued scan; returns (normalised record, {field: message})."""
    if not isinstance(payload, dict):
        return None, {"record": _("This record is not a scan.")}
    errors: dict[str, str] = {}
    record: dict = {}
    record["uuid"] = parse_uuid(payload, errors)
    record["scanned_at"] = parse_device_time(payload.get("scanned_at"), now, "scanned_at", errors)

    qr_text, id_number = payload.get("qr_text"), payload.get("id_number")
    if isinstance(qr_text, str) and qr_text.strip() and id_number in (None, ""):
        if parse_text(qr_text, MAX_QR_TEXT) is None:
            errors["qr_text"] = _("The code text is too long.")
        record["qr_text"], record["id_number"] = qr_text.strip(), None
    elif parse_text(id_number, 32) and id_number.strip() and qr_text in (None, ""):
        try:
            record["id_number"] = validate_resident_id(id_number.strip(), clock.local_today()).number
        except InvalidIdNumber:
            errors["id_number"] = _("The ID number is not valid (check digit). Please check it.")
        record["qr_text"] = None
    else:
        errors["qr_text"] = _("A scan needs either the code text or an ID number.")

    offline = payload.get("offline")
    if not (
        isinstance(offline, dict)
        and offline.get("result") in RESULTS
        and offline.get("reason") in REASONS
        and offline.get("colour") in (None, *COLOURS)
        and (offline.get("bundle_iat") is None or parse_epoch(offline.get("bundle_iat")) is not None)
    ):
        errors["offline"] = _("The verdict made on the device is missing.")
    else:
        record["offline"] = {key: offline.get(key) for key in ("result", "reason", "colour", "bundle_iat")}
        _parse_policy_verdict(offline, record["offline"], errors)

    if payload.get("direction") not in ("in", "out"):
        errors["direction"] = _("Please choose in or out.")
    record["direction"] = payload.get("direction")
    if "outcome" in payload:  # records queued before devices sent it have none: see _outcome
        if payload["outcome"] not in OUTCOMES:
            errors["outcome"] = _("Please say whether the person was let through.")
        record["outcome"] = payload["outcome"]
    reason = payload.get("reason") or ""
    if parse_text(reason, 100) is None:
        errors["reason"] = _("The reason may have at most 100 characters.")
    record["reason"] = reason.strip() if isinstance(reason, str) else ""
    temperature = payload.get("temperature")
    degrees = parse_number(temperature, *BODY_TEMPERATURE_C)
    if temperature is not None and degrees is None:
        errors["temperature"] = str(TEMPERATURE_MESSAGE)
    record["temperature"] = round(degrees, 1) if degrees is not None else None
    plate = payload.get("plate") or None
    if plate is not None and not (parse_text(plate, 32) and PLATE.match(plate.strip().upper())):
        errors["plate"] = _("Please enter a plate number like 琼A12345.")
    record["plate"] = plate.strip().upper() if isinstance(plate, str) else None
    return (None if errors else record), errors


def _parse_policy_verdict(offline: dict, kept: dict, errors: dict) -> None:
    """The action the device took under its checkpoint's policy and that policy's id, when it sent them
    (devices from before policies send neither; the record's fingerprint then stays what it was)."""
    if "action" in offline:
        if offline["action"] not in OFFLINE_ACTIONS:
            errors["offline"] = _("The verdict made on the device is missing.")
        kept["action"] = offline["action"]
    if "policy" in offline:
        policy = offline["policy"]
        if policy is not None and (isinstance(policy, bool) or not isinstance(policy, int) or not 0 < policy < 2**31):
            errors["offline"] = _("The verdict made on the device is missing.")
        kept["policy"] = policy


def store_scans(warden: User, payloads: list) -> list[ScanAnswer]:
    """Store each new scan once, re-judged by the server; answers per record. One commit, unless the database
    refuses the batch: then each record is stored on its own, so a bad one fails alone (outbox.store_each).
    A warden not yet enrolled at a checkpoint has nowhere to store them (ScanError)."""
    if warden.checkpoint_id is None:
        raise ScanError("no_checkpoint")
    now = clock.now_utc()
    answers, fresh = triage(payloads, parse_scan, Scan, now)
    checkpoint_id, warden_id = warden.checkpoint_id, warden.id
    judge = CheckpointJudge(warden.checkpoint) if fresh else None
    judged = []
    for item, verdict in zip(fresh, _server_verdicts([item[1] for item in fresh], now)):
        if isinstance(verdict, Exception):
            answers[item[0]] = unreadable(item[1]["uuid"], verdict)
        else:
            judged.append((*item, *_under_policy(judge, item[1], *verdict, now)))

    def write(items: list) -> dict:
        rows, stored = [], {}
        for index, record, fingerprint, verdict, person_id, decision in items:
            offline = record["offline"]
            # A device that could not judge the code (unverified, or a person typed in by ID number offline)
            # cannot disagree; otherwise both verdicts are compared under the policy of the scan's moment.
            disagreement = (
                offline["result"] != "unverified"
                and offline["reason"] != "id_only"
                and (offline["result"], offline["reason"]) != (verdict.result, verdict.reason)
            )
            rows.append(
                {
                    "uuid": record["uuid"],
                    "payload_hash": fingerprint,
                    "checkpoint_id": checkpoint_id,
                    "warden_id": warden_id,
                    "scanned_at": record["scanned_at"],
                    "received_at": now,
                    "direction": record["direction"],
                    "outcome": _outcome(record),
                    "reason": record["reason"],
                    "temperature": record["temperature"],
                    "plate": record["plate"],
                    "jti": verdict.jti,
                    "kind": "code" if record["qr_text"] else "id_only",
                    "person_id": person_id,
                    "offline_result": offline["result"],
                    "offline_reason": offline["reason"],
                    "offline_colour": offline["colour"],
                    "bundle_iat": parse_epoch(offline["bundle_iat"]),
                    "server_result": verdict.result,
                    "server_reason": verdict.reason,
                    "server_colour": verdict.colour,
                    "disagreement": disagreement,
                    "offline_action": offline.get("action"),
                    "server_action": decision.action,
                    "policy_id": decision.policy_id,
                }
            )
            stored[index] = ScanAnswer(record["uuid"], "stored", server=verdict, disagreement=disagreement)
        db.session.execute(insert(Scan.__table__), rows)  # Core executemany: no ORM bookkeeping per row
        db.session.commit()
        return stored

    store_each(judged, write, answers)
    db.session.commit()
    return [answers[i] for i in range(len(payloads))]


def _under_policy(judge: CheckpointJudge, record: dict, verdict: ScanVerdict, person_id, now: datetime) -> tuple:
    """The server's verdict as the scanner shows it under the checkpoint's policy at the scan's moment (the
    result becomes the policy's: pass, deny, unverified, channel or unchecked; the reason stays the code's)."""
    decision = judge.decide(verdict, min(record["scanned_at"], now))
    return replace(verdict, result=decision.result), person_id, decision


def _outcome(record: dict) -> str:
    """Refused when the device said 禁止通行 (whatever the record says) or the warden refused the person."""
    return "refused" if record["offline"]["result"] == "deny" else record.get("outcome", "passed")


def _server_verdicts(records: list[dict], now: datetime) -> list[tuple[ScanVerdict, int | None] | Exception]:
    """Judge every record again (expiry as of the scan, revocations as of now) and link it to the person; a
    record whose judging raised gets the exception instead.

    A token identical to one we issued and stored is ours by construction, so only its expiry and
    revocation need checking; anything else (other regions' codes, forgeries) is fully verified."""
    if not records:
        return []
    tokens = [_token_or_none(record["qr_text"]) for record in records]
    payloads = [_payload_or_none(token) for token in tokens]
    issued = _issued_codes([p.get("jti") for p in payloads if p and isinstance(p.get("jti"), str)])
    revoked = {jti_hash(jti) for jti, row in issued.items() if row.revoked_at is not None}
    people = _people_by_id_number([r["id_number"] for r in records if r["id_number"]])
    keys: list = []  # the trusted keys, read once, when the first foreign code needs them
    answers = []
    for record, token, payload in zip(records, tokens, payloads):
        try:
            answers.append(_server_verdict(record, token, payload, issued, people, revoked, keys, now))
        except Exception as error:  # store_scans answers it as this record's error
            answers.append(error)
    return answers


def _server_verdict(record, token, payload, issued, people, revoked, keys: list, now) -> tuple:
    """One record's verdict and the person it names (see _server_verdicts)."""
    if not record["qr_text"]:
        person = people.get(record["id_number"])
        if person is None:
            return ScanVerdict("deny", "unknown_person"), None
        return colour_verdict(person.colour, masked_name=mask_name(person.name or "")), person.id
    moment = clock.epoch(min(record["scanned_at"], now))
    row = issued.get(payload.get("jti")) if payload else None
    if row is not None and row.token == token:
        return judge_issued(payload, row.revoked_at is not None, moment), row.user_id
    if not keys:
        keys.append(trusted_keys())
    return judge(record["qr_text"], keys[0], revoked, moment), None


def _payload_or_none(token: str | None) -> dict | None:
    try:
        return codes.unverified_payload(token) if token else None
    except RecursionError:  # claims nested too deeply to be ours
        return None


def _token_or_none(qr_text: str | None) -> str | None:
    try:
        return codes.token_from_qr(qr_text) if qr_text else None
    except codes.CodeInvalid:
        return None


def _issued_codes(jtis: list[str]) -> dict:
    """Our stored codes among these jtis (token, owner, revocation), a query per 500."""
    issued = {}
    unique = list(dict.fromkeys(jtis))
    for start in range(0, len(unique), 500):
        rows = db.session.execute(
            select(IssuedCode.jti, IssuedCode.token, IssuedCode.user_id, CodeRevocation.revoked_at)
            .outerjoin(CodeRevocation, CodeRevocation.jti == IssuedCode.jti)
            .where(IssuedCode.jti.in_(unique[start : start + 500]))
        )
        issued.update((row.jti, row) for row in rows)
    return issued


def _people_by_id_number(numbers: list[str]) -> dict:
    if not numbers:
        return {}
    hashes = {doc_hash("resident_id", number): number for number in numbers}
    rows = db.session.execute(
        select(User.id, User.doc_hash, User.colour, User.name).where(
            User.doc_kind == "resident_id", User.doc_hash.in_(hashes)
        )
    ).all()
    return {hashes[row.doc_hash]: row for row in rows}


def lookup_id_number(warden: User, id_number) -> ScanVerdict:
    """Online check of a person without a phone by ID number (audited: it reveals their colour)."""
    if not isinstance(id_number, str):
        raise ScanError("bad_request")
    try:
        number = validate_resident_id(id_number.strip(), clock.local_today()).number
    except InvalidIdNumber:
        raise ScanError("invalid_id") from None
    person = _people_by_id_number([number]).get(number)
    if person is None:
        return ScanVerdict("deny", "unknown_person")
    audit.record(
        warden.id, "id_lookup", person.id, "checkpoint entry without a phone", checkpoint_id=warden.checkpoint_id
    )
    db.session.commit()
    return colour_verdict(person.colour, masked_name=mask_name(person.name or ""))


def scan_for_trail(warden: User, scan_uuid: str) -> Scan | None:
    """The warden's own recent scan of a known person, or None (trails open only right after a scan)."""
    window = timedelta(minutes=current_app.config["TRAIL_WINDOW_MINUTES"])
    scan = db.session.scalar(select(Scan).where(Scan.uuid == scan_uuid))
    if (
        scan is None
        or scan.checkpoint_id != warden.checkpoint_id
        or scan.person_id is None
        or scan.received_at < clock.now_utc() - window
        and scan.scanned_at < clock.now_utc() - window
    ):
        return None
    return scan


def open_trail(warden: User, scan: Scan, why: str) -> dict:
    """The person's checkpoint passes of the last 14 days, written to the audit log first."""
    days = current_app.config["TRAIL_DAYS"]
    since = clock.now_utc() - timedelta(days=days)
    audit.record(warden.id, "trail", scan.person_id, why, scan_uuid=scan.uuid, checkpoint_id=warden.checkpoint_id)
    db.session.commit()
    rows = db.session.execute(
        select(Scan.scanned_at, Scan.direction, Scan.outcome, Checkpoint.name, Checkpoint.district)
        .join(Checkpoint, Checkpoint.id == Scan.checkpoint_id)
        .where(Scan.person_id == scan.person_id, Scan.scanned_at >= since)
        .order_by(Scan.scanned_at.desc())
    ).all()
    today = clock.local_today()
    areas = active_risk_areas(today, today - timedelta(days=days))
    passes = [
        {
            "at": row.scanned_at,
            "direction": row.direction,
            "outcome": row.outcome,
            "checkpoint": row.name,
            "district": row.district,
            "risk": _risk_level(row.district, clock.to_local(row.scanned_at).date(), areas),
        }
        for row in rows
    ]
    person = db.session.get(User, scan.person_id)
    return {
        "masked_name": mask_name(person.name or ""),
        "colour": person.colour,
        "passes": passes,
        "offers_block": person.colour != "green" or any(p["risk"] for p in passes) or scan.server_result != "pass",
    }


def _risk_level(district: str, day, areas: list[RiskAreaFact]) -> str | None:
    """The worst risk level covering the district that day, if any."""
    levels = {area.level for area in risk_areas_on(district, day, areas)}
    return "high" if "high" in levels else "medium" if levels else None


def block_scan(warden: User, scan: Scan, why: str) -> None:
    """Mark the pass as blocked and reported; it shows up for the authority."""
    scan.blocked_at, scan.block_reason = clock.now_utc(), why
    audit.record(warden.id, "block", scan.person_id, why, scan_uuid=scan.uuid, checkpoint_id=warden.checkpoint_id)
    db.session.commit()


def recent_scans(warden: User, limit: int = 100) -> list:
    """This checkpoint's latest records (masked names only)."""
    rows = db.session.execute(
        select(Scan, User.name)
        .outerjoin(User, User.id == Scan.person_id)
        .where(Scan.checkpoint_id == warden.checkpoint_id)
        .order_by(Scan.scanned_at.desc())
        .limit(limit)
    ).all()
    return [(scan, mask_name(name or "") if name else None) for scan, name in rows]
