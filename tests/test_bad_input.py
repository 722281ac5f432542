"""Bad input of every kind gets a 4xx or a per-record "invalid" in the user's language — never a 500."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Checkin, Scan
from tests.conftest import checkin_record
from tests.test_scans import make_warden

WEIRD_VALUES = [
    None,
    True,
    0,
    -1,
    1e308,
    float("-1e308"),
    "",
    " ",
    "x" * 5000,
    "💥",
    [],
    {},
    [[]],
    {"a": {}},
    "2026-13-45T99:99:99Z",
    "null",
    "<script>alert(1)</script>",
    "'; DROP TABLE users; --",
]
FIELDS_CHECKIN = [
    "uuid",
    "checked_at",
    "district",
    "temperature",
    "symptoms",
    "visits",
    "contact_with_cases",
    "arrival",
    "subject",
]
FIELDS_SCAN = ["uuid", "scanned_at", "qr_text", "id_number", "offline", "direction", "reason", "temperature", "plate"]


def _weird_records(base, fields):
    for field in fields:
        for value in WEIRD_VALUES:
            yield {**base, field: value}


@pytest.mark.parametrize("field", FIELDS_CHECKIN)
def test_weird_checkin_fields_never_cause_a_500(resident, field):
    records = [{**checkin_record(), field: value} for value in WEIRD_VALUES]
    response = resident.post("/api/checkins/batch", json={"records": records})
    assert response.status_code == 200
    statuses = {result["status"] for result in response.get_json()["results"]}
    assert statuses <= {"stored", "invalid", "duplicate", "conflict"}
    for result in response.get_json()["results"]:
        if result["status"] == "invalid":
            assert all(isinstance(message, str) and message for message in result["errors"].values())


@pytest.mark.parametrize("field", FIELDS_SCAN)
def test_weird_scan_fields_never_cause_a_500(app, field):
    warden = make_warden(app)
    base = {
        "uuid": "3f1e7a4c-0000-4000-8000-000000000001",
        "scanned_at": "2026-11-22T08:00:00Z",
        "qr_text": "YMT1:a.b.c",
        "id_number": None,
        "direction": "in",
        "reason": "",
        "temperature": None,
        "plate": None,
        "offline": {"result": "deny", "reason": "invalid", "colour": None, "bundle_iat": None},
    }
    response = warden.post("/api/scans/batch", json={"records": list(_weird_records(base, [field]))})
    assert response.status_code == 200
    assert {r["status"] for r in response.get_json()["results"]} <= {"stored", "invalid", "duplicate", "conflict"}


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"\xff\xfe",
        b"[" * 5000,
        b'{"records": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"records": null}',
        b'{"records": [null, 1, "x", []]}',
    ],
)
@pytest.mark.parametrize("path", ["/api/checkins/batch", "/api/scans/batch", "/api/scans/id-lookup"])
def test_malformed_bodies_get_a_4xx_or_per_record_answers(app, resident, body, path):
    client = make_warden(app) if "scans" in path else resident
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.get_json()["message"]
    assert db.session.scalar(select(func.count()).select_from(Checkin)) == 0
    assert db.session.scalar(select(func.count()).select_from(Scan)) == 0
