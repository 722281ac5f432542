"""Records sent again from a device's offline queue: a repeat is a duplicate, a changed record a conflict,
whatever order the keys come in and whichever way the stored record was fingerprinted."""

import hashlib
from datetime import UTC, date, datetime

from sqlalchemy import select, update

from app.extensions import db
from app.infra import clock
from app.infra.outbox import fingerprint
from app.models import Checkin, Scan, User
from app.services.checkins import parse_checkin
from app.services.scans import parse_scan
from tests.helpers import ID_NUMBERS, checkin_record
from tests.test_scans import make_resident, make_warden, scan_record


def reordered(record: dict) -> dict:
    """The same record with its keys (and those of nested objects) in reverse order."""
    return {key: reordered(value) if isinstance(value, dict) else value for key, value in reversed(record.items())}


def statuses(response) -> list[str]:
    return [result["status"] for result in response.get_json()["results"]]


def checkins(client, *records):
    return client.post("/api/checkins/batch", json={"records": list(records)})


def scans(client, *records):
    return client.post("/api/scans/batch", json={"records": list(records)})


def test_a_fingerprint_is_the_sha256_of_canonical_json():
    record = {"uuid": "u", "at": datetime(2026, 12, 3, 8, 0), "day": date(2026, 12, 3), "place": "海口", "n": 1.5}
    canonical = '{"at":"2026-12-03T08:00:00","day":"2026-12-03","n":1.5,"place":"海口","uuid":"u"}'
    assert fingerprint(record) == hashlib.sha256(canonical.encode()).hexdigest()
    assert fingerprint(reordered(record)) == fingerprint(record)
    assert fingerprint({**record, "n": 1.6}) != fingerprint(record)


def test_a_check_in_sent_again_with_its_keys_in_another_order_is_a_duplicate(resident):
    record = checkin_record(visits=[{"district": "460106", "day": clock.local_today().isoformat()}])
    assert statuses(checkins(resident, record)) == ["stored"]
    again = {**reordered(record), "visits": [reordered(visit) for visit in record["visits"]]}
    assert statuses(checkins(resident, again)) == ["duplicate"]
    assert statuses(checkins(resident, {**again, "district": "460106"})) == ["conflict"]


def test_a_scan_sent_again_with_its_keys_in_another_order_is_a_duplicate(app):
    warden = make_warden(app)
    code = make_resident(app, "13900000001", ID_NUMBERS[0])[1]
    record = scan_record(code["qr_text"])
    assert statuses(scans(warden, record)) == ["stored"]
    assert statuses(scans(warden, reordered(record))) == ["duplicate"]
    changed = {**record, "offline": {**record["offline"], "colour": "yellow"}}
    assert statuses(scans(warden, reordered(changed))) == ["conflict"]


def old_fingerprint(record: dict) -> str:
    """How fingerprints were made before canonical JSON (rows stored then still hold them)."""
    return hashlib.sha256(repr(sorted(record.items())).encode()).hexdigest()


def test_a_check_in_stored_under_the_old_fingerprint_is_still_a_duplicate(resident):
    record = checkin_record()
    assert statuses(checkins(resident, record)) == ["stored"]
    parsed, _ = parse_checkin(record, datetime.now(UTC).replace(tzinfo=None))
    subject = db.session.scalar(select(User.id).where(User.phone == "13900000001"))
    db.session.execute(update(Checkin).values(payload_hash=old_fingerprint({**parsed, "subject": subject})))
    db.session.commit()
    assert statuses(checkins(resident, reordered(record))) == ["duplicate"]
    assert statuses(checkins(resident, {**record, "temperature": 37.0})) == ["conflict"]


def test_a_scan_stored_under_the_old_fingerprint_is_still_a_duplicate(app):
    warden = make_warden(app)
    record = scan_record(id_number=ID_NUMBERS[1], offline=("unverified", "id_only", None))
    assert statuses(scans(warden, record)) == ["stored"]
    parsed, _ = parse_scan(record, datetime.now(UTC).replace(tzinfo=None))
    db.session.execute(update(Scan).values(payload_hash=old_fingerprint(parsed)))
    db.session.commit()
    assert statuses(scans(warden, record)) == ["duplicate"]
    assert statuses(scans(warden, {**record, "direction": "out"})) == ["conflict"]
