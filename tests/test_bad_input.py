"""Bad input of every kind gets a 4xx or a per-record "invalid" in the user's language — never a 500."""

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Checkin, ControlUpload, Scan
from tests.helpers import ID_NUMBERS, checkin_record, staff_client
from tests.test_scans import make_warden, scan_record

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


# --- the five causes the fuzzing found, one by one ------------------------------------------------------

BEYOND_DATABASE_IDS = ["2147483648", "9223372036854775808", "18446744073709551616", "1" + "0" * 400, "9" * 5000]


@pytest.mark.parametrize("number", BEYOND_DATABASE_IDS)
def test_ids_a_database_cannot_hold_are_a_404_everywhere(app, resident, number):
    admin = staff_client(app, "admin", "13700000001")
    for client, method, path in [
        (resident, "GET", f"/relatives/{number}/consent"),
        (resident, "POST", f"/relatives/{number}/end"),
        (resident, "GET", f"/relatives/people/{number}/paper"),
        (resident, "GET", f"/reports/{number}"),
        (admin, "GET", f"/authority/appeals/{number}"),
        (admin, "GET", f"/authority/control-list/{number}"),
        (admin, "POST", f"/authority/risk-areas/{number}/end"),
        (admin, "POST", f"/authority/overrides/{number}/approve"),
        (resident, "GET", f"/api/code?for={number}"),
    ]:
        response = client.open(path, method=method)
        assert response.status_code == 404, (method, path, response.status_code)


def test_a_checkin_for_a_subject_no_database_id_can_be_is_that_records_answer(resident):
    good = checkin_record()
    response = resident.post(
        "/api/checkins/batch", json={"records": [checkin_record(subject=2**31), good, checkin_record(subject=10**400)]}
    )
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["invalid", "stored", "invalid"]
    assert "subject" in results[0]["errors"]
    assert db.session.scalar(select(Checkin.uuid)) == good["uuid"]


@pytest.mark.parametrize("bundle_iat", [10**12, -(10**12), 2**63, 10**400, 0])
def test_a_scan_with_an_out_of_range_bundle_time_is_invalid_and_the_rest_are_stored(app, bundle_iat):
    warden = make_warden(app)
    bad, good = scan_record(id_number=ID_NUMBERS[1]), scan_record(id_number=ID_NUMBERS[1])
    bad["offline"]["bundle_iat"] = bundle_iat
    response = warden.post("/api/scans/batch", json={"records": [bad, good]})
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]] == ["invalid", "stored"]
    assert "offline" in response.get_json()["results"][0]["errors"]
    assert db.session.scalars(select(Scan.uuid)).all() == [good["uuid"]]


@pytest.mark.parametrize("temperature", [10**400, -(10**400), float("inf"), float("nan"), "1e400"])
def test_a_scan_or_checkin_with_an_impossible_temperature_is_invalid_with_a_message(app, resident, temperature):
    warden = make_warden(app)
    response = warden.post(
        "/api/scans/batch",
        json={
            "records": [
                scan_record(id_number=ID_NUMBERS[1], temperature=temperature),
                scan_record(id_number=ID_NUMBERS[1]),
            ]
        },
    )
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]] == ["invalid", "stored"]
    assert "体温" in response.get_json()["results"][0]["errors"]["temperature"]
    response = resident.post("/api/checkins/batch", json={"records": [checkin_record(temperature=temperature)]})
    assert response.get_json()["results"][0]["status"] == "invalid"


def test_a_control_list_row_with_an_over_long_field_is_rejected_with_its_line(app):
    admin = staff_client(app, "admin", "13700000001")
    text = (
        "doc_number,status,start\n"
        f"{ID_NUMBERS[0]},确诊,2026-11-01\n"
        f"{'x' * 140_000},confirmed,2026-11-01\n"
        f"{ID_NUMBERS[1]},密接,2026-11-01\n"
    )
    response = admin.post(
        "/authority/control-list",
        data={"file": (io.BytesIO(text.encode()), "名单.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    upload = db.session.scalar(select(ControlUpload))
    assert (upload.rows, upload.valid_rows, upload.rejected_rows) == (3, 2, 1)
    assert [line for line, *_ in upload.rejected] == [3]
    assert "有字段超过" in admin.get(response.headers["Location"]).get_data(as_text=True)


def test_the_command_line_import_rejects_an_over_long_field_by_line(app, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text(
        f"district,level,start\n460105,high,2026-11-01\n{'9' * 140_000},high,2026-11-01\n", encoding="utf-8"
    )
    result = app.test_cli_runner().invoke(args=["import", "risk-areas", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "3" in result.output and "131072" in result.output


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
def test_audit_search_with_far_dates_is_a_422_with_a_message(app, day):
    admin = staff_client(app, "admin", "13700000001")
    for query in (f"date_from={day}", f"date_to={day}"):
        for path in ("/oversight/audit", "/oversight/audit.csv"):
            response = admin.get(f"{path}?{query}")
            assert response.status_code == 422, (path, query)
            assert "2000 年至 2100 年之间" in response.get_data(as_text=True)


def test_risk_areas_and_overrides_refuse_far_dates(app):
    admin = staff_client(app, "admin", "13700000001")
    response = admin.post("/authority/risk-areas", data={"district": "460105", "level": "high", "start": "9999-12-31"})
    assert response.status_code == 422 and "2000 年至 2100 年之间" in response.get_data(as_text=True)


def test_a_record_that_fails_while_stored_is_invalid_and_the_others_are_stored(resident, monkeypatch, caplog):
    from app.services import checkins

    bad, good = checkin_record(), checkin_record()
    real_row, name = checkins._checkin_row, "张小明"

    def failing_row(record, *args):
        if record["uuid"] == bad["uuid"]:
            raise RuntimeError("the database refused " + name)  # a message with personal data: not logged
        return real_row(record, *args)

    monkeypatch.setattr(checkins, "_checkin_row", failing_row)
    response = resident.post("/api/checkins/batch", json={"records": [bad, good]})
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]] == ["invalid", "stored"]
    assert response.get_json()["results"][0]["errors"]["record"]
    assert db.session.scalars(select(Checkin.uuid)).all() == [good["uuid"]]
    assert bad["uuid"] in caplog.text and "RuntimeError" in caplog.text and "张小明" not in caplog.text


def test_a_scan_whose_judging_fails_is_invalid_and_the_others_are_stored(app, monkeypatch):
    from app.services import scans

    warden = make_warden(app)
    bad, good = scan_record(qr_text="YMT1:a.b.c"), scan_record(id_number=ID_NUMBERS[1])

    def failing_judge(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(scans, "judge", failing_judge)
    response = warden.post("/api/scans/batch", json={"records": [bad, good]})
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]] == ["invalid", "stored"]
    assert db.session.scalars(select(Scan.uuid)).all() == [good["uuid"]]
