"""Registration records that clinic and pharmacy staff queue on their device once a person is identified
(docs/contracts.md: offline submissions): one batch endpoint, one record shape, one kind module per form.

Every record is `{uuid, kind, ticket, recorded_at, ...fields}`: the ticket comes from the identity lookup
(app.services.identity) and names the person; `kind` picks the module that parses and stores the fields.
A kind is registered in the module that owns its table, as `CARE_KINDS = {name: CareKind(...)}`, and that
module is listed in `_KIND_MODULES` below (the one list of them)."""

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask_babel import gettext as _

from app.infra import clock
from app.infra.outbox import RecordResult, parse_device_time, parse_uuid, record_uuid, store_each, triage
from app.models import User
from app.services.identity import person_for_ticket

# Modules that define CARE_KINDS, in the order their kinds are stored within a batch.
_KIND_MODULES = ("app.services.clinic", "app.services.pharmacy")


@dataclass(frozen=True)
class CareKind:
    """One kind of registration record.

    - `model`: its table, with `uuid` and `payload_hash` columns (idempotency, as every outbox);
    - `parse(payload, record, errors, staff)`: add the kind's normalised fields to `record` (which already
      holds uuid, person_id and recorded_at) and messages to `errors` by field;
    - `write(staff, items, now)`: store `[(position, record, fingerprint)]`, commit, and answer
      `{position: RecordResult}` (the colour of the people concerned is brought up to date there);
    - `roles`: who may send it."""

    model: type
    parse: Callable[[dict, dict, dict, User], None]
    write: Callable[[User, list, datetime], dict]
    roles: tuple[str, ...]


@cache
def kinds() -> dict[str, CareKind]:
    """Every registered kind by name."""
    registered: dict[str, CareKind] = {}
    for name in _KIND_MODULES:
        registered.update(importlib.import_module(name).CARE_KINDS)
    return registered


def _parser(staff: User, kind: CareKind):
    def parse(payload, now: datetime) -> tuple[dict | None, dict]:
        errors: dict[str, str] = {}
        record = {"uuid": parse_uuid(payload, errors)}
        record["person_id"] = person_for_ticket(staff, payload.get("ticket"))
        if record["person_id"] is None:
            errors["ticket"] = _("Please scan the person's code again: the identification has expired.")
        record["recorded_at"] = parse_device_time(payload.get("recorded_at"), now, "recorded_at", errors)
        kind.parse(payload, record, errors, staff)
        return (None if errors else record), errors

    return parse


def store_care_records(staff: User, payloads: list) -> list[RecordResult]:
    """Store each new record once, by kind; answers per record, so one bad record never blocks the rest."""
    now = clock.now_utc()
    answers: dict[int, RecordResult] = {}
    by_kind: dict[str, list[int]] = {}
    registered = kinds()
    for index, payload in enumerate(payloads):
        name = payload.get("kind") if isinstance(payload, dict) else None
        kind = registered.get(name) if isinstance(name, str) else None
        if kind is None or staff.role not in kind.roles:
            answers[index] = RecordResult(
                record_uuid(payload), "invalid", {"kind": _("This kind of record cannot be sent from this account.")}
            )
        else:
            by_kind.setdefault(name, []).append(index)
    for name, positions in by_kind.items():
        kind = registered[name]
        local, fresh = triage([payloads[i] for i in positions], _parser(staff, kind), kind.model, now, staff=staff.id)
        answers.update((positions[i], answer) for i, answer in local.items())
        mapped: dict[int, RecordResult] = {}
        store_each(fresh, lambda items, kind=kind: kind.write(staff, items, now), mapped)
        answers.update((positions[i], answer) for i, answer in mapped.items())
    return [answers[i] for i in range(len(payloads))]
