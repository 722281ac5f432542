"""Authorised terminals only: clinic and pharmacy staff turn a code or an ID number into a person, audited;
wardens never do; records staff queue carry a ticket only the staff member it was given to can use."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, User
from tests.helpers import ID_NUMBERS, checkin_record, fill_profile, sign_in, staff_client
from tests.test_relatives import ADULTS, CHILD, add, binding_of
from tests.test_scans import make_warden


@pytest.fixture
def resident(app):
    client = app.test_client()
    sign_in(client, "13900000001")
    fill_profile(client)
    client.post("/api/checkins/batch", json={"records": [checkin_record(temperature=37.9, symptoms=["fever"])]})
    return client


def _identify(client, lang=None, **body):
    return client.post("/api/identify" + (f"?lang={lang}" if lang else ""), json=body)


def test_a_clinician_sees_who_a_code_belongs_to_with_colour_and_reasons(app, resident):
    qr_text = resident.get("/api/code").get_json()["qr_text"]
    doctor = staff_client(app, "clinician", "13900000009", name="陈医生")
    card = _identify(doctor, qr_text=qr_text).get_json()["person"]
    assert (card["name"], card["id_number"], card["phone"]) == ("张小明", ID_NUMBERS[0], "13900000001")
    assert (card["address"], card["district_name"], card["age"], card["is_child"]) == (
        "海口市滨海大道1号",
        "海南省海口市秀英区",
        36,
        False,
    )
    assert card["colour"] == "yellow" and card["via"] == "self"
    assert card["reasons"] and all(reason["text"] and reason["guidance"] for reason in card["reasons"])
    english = _identify(doctor, "en", qr_text=qr_text).get_json()["person"]
    assert (
        english["district_name"] != card["district_name"]
        and english["reasons"][0]["text"] != card["reasons"][0]["text"]
    )
    doctor_id = db.session.scalar(select(User.id).where(User.phone == "13900000009"))
    looks = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "identify")).all()
    assert [(e.actor_id, e.subject_id, e.details["via"]) for e in looks] == [(doctor_id, 1, "self")] * 2
    assert all(e.details["institution_id"] for e in looks)


def test_an_id_number_and_a_guardians_or_paper_code_identify_the_person_too(app, resident):
    seller = staff_client(app, "pharmacist", "13900000008")
    card = _identify(seller, id_number=f" {ID_NUMBERS[0].lower()} ").get_json()["person"]
    assert card["name"] == "张小明" and card["via"] == "id_number"

    add(resident, "张小宝", CHILD, relationship="child")
    child = binding_of("张小宝").dependant
    resident.post("/api/checkins/batch", json={"records": [checkin_record(subject=child.id)]})
    dependant = _identify(seller, qr_text=resident.get(f"/api/code?for={child.id}").get_json()["qr_text"])
    card = dependant.get_json()["person"]
    assert (card["name"], card["id_number"], card["via"], card["is_child"]) == ("张小宝", CHILD, "dependant", True)

    add(resident, "张阿婆", ADULTS[1], relationship="grandparent")
    elder = binding_of("张阿婆")
    app.test_cli_runner().invoke(args=["relatives", "approve", str(elder.id), "--by", "网格员李"])
    resident.post("/api/checkins/batch", json={"records": [checkin_record(subject=elder.dependant_id)]})
    resident.post(f"/relatives/people/{elder.dependant_id}/paper")
    from app.domain import codes
    from app.models import IssuedCode

    paper = db.session.scalar(select(IssuedCode).where(IssuedCode.kind == "paper"))
    card = _identify(seller, qr_text=codes.qr_text(paper.token)).get_json()["person"]
    assert (card["name"], card["via"], card["phone"]) == ("张阿婆", "paper", None)


@pytest.mark.parametrize(
    ("body", "status", "zh", "en"),
    [
        ({}, 422, "请扫描此人的健康码", "scan the person's code"),
        ({"id_number": "460105199003071238"}, 422, "校验位", "check digit"),
        ({"id_number": "11010519491231002X"}, 404, "没有以此身份证号码登记", "Nobody is registered"),
        ({"qr_text": "YMT1:eyJhbGciOiJFUzI1NiJ9.e30.c2ln"}, 404, "不是本系统签发", "not issued by OneCode"),
        ({"qr_text": "https://example.com/"}, 404, "不是本系统签发", "not issued by OneCode"),
        ({"qr_text": ["YMT1:"]}, 422, "请扫描此人的健康码", "scan the person's code"),
        ({"qr_text": "YMT1:x", "id_number": ID_NUMBERS[0]}, 422, "请扫描此人的健康码", "scan the person's code"),
    ],
)
def test_what_does_not_lead_to_a_person_is_explained(app, resident, body, status, zh, en):
    doctor = staff_client(app, "clinician", "13900000009")
    answer = _identify(doctor, **body)
    assert answer.status_code == status and zh in answer.get_json()["message"]
    assert en in _identify(doctor, "en", **body).get_json()["message"]
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "identify")) is None


def test_wardens_and_residents_never_see_identities(app, resident):
    qr_text = resident.get("/api/code").get_json()["qr_text"]
    warden = make_warden(app)
    assert _identify(warden, qr_text=qr_text).status_code == 403
    assert _identify(resident, id_number=ID_NUMBERS[0]).status_code == 403
    assert app.test_client().post("/api/identify", json={"qr_text": qr_text}).status_code == 401


def _record(ticket, **fields):
    return {
        "uuid": str(uuid.uuid4()),
        "kind": "fever_visit",
        "ticket": ticket,
        "recorded_at": datetime.now(UTC).isoformat(),
        **fields,
    }


def test_a_ticket_works_only_for_the_staff_member_it_was_given_to(app, resident):
    from app.services.identity import person_for_ticket

    doctor = staff_client(app, "clinician", "13900000009")
    other = staff_client(app, "clinician", "13900000010")
    ticket = _identify(doctor, id_number=ID_NUMBERS[0]).get_json()["person"]["ticket"]
    staff = {u.phone: u for u in db.session.scalars(select(User).where(User.role == "clinician"))}
    assert person_for_ticket(staff["13900000009"], ticket) == 1
    assert person_for_ticket(staff["13900000010"], ticket) is None
    assert person_for_ticket(staff["13900000009"], ticket[:-2] + "xx") is None
    assert person_for_ticket(staff["13900000009"], {"p": 1}) is None
    answers = other.post("/api/care/batch", json={"records": [_record(ticket), "junk", {"kind": 5}]}).get_json()
    assert [a["status"] for a in answers["results"]] == ["invalid"] * 3


def test_records_are_refused_to_staff_of_other_roles(app, resident):
    warden = make_warden(app)
    assert warden.post("/api/care/batch", json={"records": []}).status_code == 403
    doctor = staff_client(app, "clinician", "13900000009")
    assert doctor.post("/api/care/batch", json={"records": "x"}).status_code == 400
