"""Clinicians and pharmacists: enrolled by link, joining or registering their institution; the console lists them."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Institution, User
from tests.helpers import sign_in, staff_client


def _link(admin, role) -> str:
    page = admin.post("/authority/staff", data={"role": role}).get_data(as_text=True)
    return re.search(r'value="http://localhost(/staff/enrol/[^"]+)"', page).group(1)


def _newcomer(app, phone):
    client = app.test_client()
    sign_in(client, phone)
    return client


NEW_CLINIC = {
    "name": "陈医生",
    "institution_id": "new",
    "institution_name": "海口市人民医院发热门诊",
    "institution_kind": "fever_clinic",
    "district": "460106",
    "address": "海口市龙华区人民大道1号",
}


def test_a_clinician_registers_the_clinic_and_a_colleague_joins_it(app):
    admin = staff_client(app, "admin", "13700000001")
    first = _newcomer(app, "13700000002")
    assert "注册我的机构" in first.get(_link(admin, "clinician")).get_data(as_text=True)
    response = first.post(_link(admin, "clinician"), data=NEW_CLINIC)
    assert response.status_code == 302 and response.headers["Location"] == "/clinic/"
    clinic = db.session.scalar(select(Institution))
    assert (clinic.kind, clinic.name, clinic.district) == ("fever_clinic", "海口市人民医院发热门诊", "460106")

    colleague = _newcomer(app, "13700000003")
    link = _link(admin, "clinician")
    assert "海口市人民医院发热门诊" in colleague.get(link).get_data(as_text=True)
    assert colleague.post(link, data={"name": "李护士", "institution_id": str(clinic.id)}).status_code == 302
    staff = db.session.scalars(select(User).where(User.institution_id == clinic.id).order_by(User.id)).all()
    assert [(u.name, u.role) for u in staff] == [("陈医生", "clinician"), ("李护士", "clinician")]
    assert db.session.scalar(select(Institution.id).where(Institution.id != clinic.id)) is None
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == staff[0].id)).all()
    assert "institution_registered" in actions and "enrol" in actions

    page = admin.get("/authority/staff").get_data(as_text=True)
    assert "海口市人民医院发热门诊" in page and "陈医生" in page and "李护士" in page and "发热门诊" in page
    assert first.get("/clinic/").status_code == 200 and "海口市人民医院发热门诊" in first.get("/clinic/").get_data(
        as_text=True
    )


def test_a_pharmacy_needs_its_licence_and_address(app):
    admin = staff_client(app, "admin", "13700000001")
    seller = _newcomer(app, "13700000002")
    link = _link(admin, "pharmacist")
    fields = {
        "name": "黄店员",
        "institution_id": "new",
        "institution_name": "益康大药房",
        "institution_kind": "pharmacy",
        "district": "460105",
        "address": "海口市秀英区长滨路8号",
        "licence_number": "",
    }
    page = seller.post(link, data=fields)
    assert page.status_code == 422 and "药品经营许可证编号" in page.get_data(as_text=True)
    assert db.session.scalar(select(Institution)) is None
    english = seller.post(link + "?lang=en", data={**fields, "licence_number": "x"})
    assert english.status_code == 422 and "drug trade licence number" in english.get_data(as_text=True)
    response = seller.post(link, data={**fields, "licence_number": "琼aa8980001"})
    assert response.status_code == 302 and response.headers["Location"] == "/pharmacy/"
    assert db.session.scalar(select(Institution.licence_number)) == "琼AA8980001"
    user = db.session.scalar(select(User).where(User.phone == "13700000002"))
    assert (user.role, user.institution.name) == ("pharmacist", "益康大药房")


def test_staff_cannot_join_an_institution_of_the_wrong_kind(app):
    staff_client(app, "pharmacist", "13700000009")  # registers the test pharmacy
    pharmacy_id = db.session.scalar(select(Institution.id))
    admin = staff_client(app, "admin", "13700000001")
    doctor = _newcomer(app, "13700000002")
    link = _link(admin, "clinician")
    assert "益康大药房" not in doctor.get(link).get_data(as_text=True)  # only clinics are offered
    page = doctor.post(link, data={"name": "陈医生", "institution_id": str(pharmacy_id)})
    assert page.status_code == 422
    assert db.session.scalar(select(User.role).where(User.phone == "13700000002")) == "resident"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("institution_name", "院", "机构全称"),
        ("district", "", "选择区县"),
        ("institution_kind", "pharmacy", "Not a valid choice"),
    ],
)
def test_a_new_institution_is_checked_before_anything_is_stored(app, field, value, message):
    admin = staff_client(app, "admin", "13700000001")
    doctor = _newcomer(app, "13700000002")
    page = doctor.post(_link(admin, "clinician"), data={**NEW_CLINIC, field: value})
    assert page.status_code == 422
    assert db.session.scalar(select(Institution)) is None
    assert db.session.scalar(select(User.role).where(User.phone == "13700000002")) == "resident"


def test_the_command_line_issues_clinician_and_pharmacist_links(app):
    runner = app.test_cli_runner()
    for role in ("clinician", "pharmacist"):
        result = runner.invoke(args=["staff", "enrol-link", "--role", role])
        assert result.exit_code == 0 and "/staff/enrol/" in result.output
    link = re.search(r"http://127.0.0.1:5000(/staff/enrol/\S+)", result.output).group(1)
    seller = _newcomer(app, "13700000002")
    assert "药店人员" in seller.get(link).get_data(as_text=True)
