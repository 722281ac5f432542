"""Employees' return-to-work registration by the join link, and the roster: today's colour from the employee's
own account, "may work today" for green only, generic instructions, the CSV export; one head never sees
another enterprise's roster."""

import csv
import io
import time
from datetime import timedelta

import itsdangerous
import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.infra import clock
from app.models import AuditEntry, EnterpriseEmployee, User
from app.services.enterprises import employees
from tests.helpers import ID_NUMBERS, checkin_record, sign_in, staff_client
from tests.test_enterprise import HEAD_PHONE, OTHER_HEAD_PHONE, approved_enterprise, credit_code, resident_client

EMPLOYEE_PHONE, SECOND_EMPLOYEE_PHONE = "13900000002", "13900000003"


def join_path(enterprise) -> str:
    return f"/enterprise/join/{employees.join_token(enterprise)}"


def registration(**changes) -> dict:
    fields = {"returned_from": "330106", "returned_on": clock.local_today().isoformat(), "department": "生产车间"}
    fields.update(changes)
    return fields


def check_in(client, **fields):
    response = client.post("/api/checkins/batch", json={"records": [checkin_record(**fields)]})
    assert response.get_json()["results"][0]["status"] == "stored"


@pytest.fixture
def head(app):
    return resident_client(app, HEAD_PHONE)


@pytest.fixture
def admin(app):
    return staff_client(app, "admin", "13700000000", name="李审核")


@pytest.fixture
def enterprise(app, head, admin):
    return approved_enterprise(app, head, admin)


@pytest.fixture
def employee(app):
    return resident_client(app, EMPLOYEE_PHONE, name="李小红", doc_number=ID_NUMBERS[1])


def join(client, enterprise, **changes):
    response = client.post(join_path(enterprise), data=registration(**changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def roster_page(head_client, enterprise, lang="en") -> str:
    response = head_client.get(f"/enterprise/{enterprise.id}/roster", headers={"Accept-Language": lang})
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- joining -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang, words", [("zh", "员工返岗登记"), ("en", "Return-to-work registration")])
def test_the_join_page_names_the_enterprise_in_both_languages(enterprise, employee, lang, words):
    page = employee.get(join_path(enterprise), headers={"Accept-Language": lang}).get_data(as_text=True)
    assert words in page and "海口椰风食品有限公司" in page
    assert 'name="returned_from"' in page and 'value="330106"' in page  # a county anywhere listed


def test_an_employee_returning_from_another_province_registers(enterprise, employee):
    join(employee, enterprise)
    [row] = db.session.scalars(select(EnterpriseEmployee)).all()
    assert (row.returned_from, row.returned_on, row.department) == ("330106", clock.local_today(), "生产车间")
    page = employee.get("/enterprise/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "海口椰风食品有限公司" in page and "Xihu" in page
    join(employee, enterprise, department="包装车间")  # registering again updates, never duplicates
    assert db.session.scalar(select(func.count()).select_from(EnterpriseEmployee)) == 1
    assert db.session.scalar(select(EnterpriseEmployee.department)) == "包装车间"


def test_signed_out_visitors_sign_in_and_come_back_to_the_link(app, enterprise):
    client = app.test_client()
    path = join_path(enterprise)
    response = client.get(path)
    assert response.status_code == 302 and "/auth/sign-in" in response.headers["Location"]
    response = sign_in(client, "13900000031")
    assert response.headers["Location"] == path
    response = client.get(path)  # no profile yet: fill it first
    assert response.status_code == 302 and response.headers["Location"].endswith("/profile")


def test_staff_cannot_register_as_employees(enterprise, admin):
    assert admin.get(join_path(enterprise)).status_code == 403


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"returned_from": "999999"}, "returned_from"),
        ({"returned_from": ""}, "returned_from"),
        ({"returned_on": "2026-13-40"}, "returned_on"),
        ({"returned_on": "1999-01-01"}, "returned_on"),
        ({"returned_on": ""}, "returned_on"),
        ({"department": "部" * 51}, "department"),
    ],
)
def test_bad_registrations_are_refused_beside_the_field(enterprise, employee, changes, field):
    response = employee.post(join_path(enterprise), data=registration(**changes), headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and "error-summary" in page
    assert db.session.scalar(select(func.count()).select_from(EnterpriseEmployee)) == 0


def test_a_return_day_too_far_ahead_is_explained(enterprise, employee):
    far = (clock.local_today() + timedelta(days=90)).isoformat()
    response = employee.post(
        join_path(enterprise), data=registration(returned_on=far), headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422
    assert "Please enter the day you return to work: from" in response.get_data(as_text=True)


@pytest.mark.parametrize("token", ["garbage", "x" * 5000, "eyJlbnRlcnByaXNlIjoxfQ.abc.def"])
def test_forged_links_are_refused_in_the_users_language(employee, token):
    response = employee.get(f"/enterprise/join/{token}", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "This join link is not valid" in response.get_data(as_text=True)


def test_an_expired_link_is_refused(enterprise, employee, monkeypatch):
    path = join_path(enterprise)
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: time.time_ns() / 1e9 + 31 * 24 * 3600)
    response = employee.get(path, headers={"Accept-Language": "zh"})
    assert response.status_code == 400
    assert "已过期" in response.get_data(as_text=True)


def test_renewing_withdraws_the_old_links(enterprise, head, employee):
    old = join_path(enterprise)
    assert head.post(f"/enterprise/{enterprise.id}/join-code/renew").status_code == 302
    db.session.refresh(enterprise)
    assert employee.get(old).status_code == 400
    assert employee.get(join_path(enterprise)).status_code == 200


def test_a_returned_enterprise_takes_no_registrations(enterprise, employee, admin):
    path = join_path(enterprise)
    admin.post(f"/enterprise/review/{enterprise.id}", data={"decision": "returned", "reasons": "未落实测温登记"})
    response = employee.post(path, data=registration(), headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "its declaration is not approved" in response.get_data(as_text=True)


def test_the_printable_join_code_is_a_qr_of_the_link(enterprise, head):
    page = head.get(f"/enterprise/{enterprise.id}/join-code").get_data(as_text=True)
    assert "<svg" in page and "<path" in page
    assert "海口椰风食品有限公司" in page and "/enterprise/join/" in page


def test_an_employee_leaves_a_roster(enterprise, employee, head):
    join(employee, enterprise)
    employee_id = db.session.scalar(select(EnterpriseEmployee.id))
    other = resident_client(employee.application, SECOND_EMPLOYEE_PHONE, name="赵六", doc_number=ID_NUMBERS[2])
    assert other.post(f"/enterprise/employments/{employee_id}/leave").status_code == 404  # not theirs
    assert employee.post(f"/enterprise/employments/{employee_id}/leave").status_code == 302
    assert "Nobody has registered yet" in roster_page(head, enterprise)


# --- the roster --------------------------------------------------------------------------------------------------


def test_the_roster_follows_the_employees_colour(enterprise, head, employee):
    join(employee, enterprise)
    page = roster_page(head, enterprise)
    assert "李*红" in page and "李小红" not in page  # a masked name only
    assert "139****0002" in page and EMPLOYEE_PHONE not in page
    assert "no health code yet" in page and "No: may not work today" in page  # not checked in yet

    check_in(employee, temperature=36.5)
    page = roster_page(head, enterprise)
    assert "绿码 Green code" in page and "Yes: may work today" in page
    assert "1 of 1 employees may work" in page

    check_in(employee, temperature=38.6)  # a fever: yellow
    page = roster_page(head, enterprise)
    assert "黄码 Yellow code" in page and "No: may not work today" in page
    assert "come back once their code is green" in page  # the generic instruction for yellow
    assert "0 of 1 employees may work" in page
    # never the reasons or the rule set's guidance: those are the employee's health data
    assert "38.6" not in page and "°C" not in page and "fever clinic" not in page.lower()
    zh = roster_page(head, enterprise, lang="zh")
    assert "黄码" in zh and "否：今日不可上岗" in zh and "体温" not in zh


def test_the_roster_is_read_with_a_fixed_number_of_queries(app, enterprise, head):
    """One joined query for the page and one for the counts, whatever the number of employees."""

    def queries_for_roster() -> int:
        statements = []
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            roster_page(head, enterprise)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        return len([sql for sql in statements if not sql.startswith("PRAGMA")])  # not the WAL checkpoint thread

    now = clock.now_utc()
    people = [
        User(phone=f"1350000{n:04d}", role="resident", name="王小明", colour="green", created_at=now) for n in range(3)
    ]
    db.session.add_all(people)
    db.session.flush()
    for person in people:
        db.session.add(
            EnterpriseEmployee(
                enterprise_id=enterprise.id,
                user_id=person.id,
                returned_from="460105",
                returned_on=clock.local_today(),
                registered_at=now,
            )
        )
    db.session.commit()
    few = queries_for_roster()
    more = [
        User(phone=f"1351000{n:04d}", role="resident", name="赵小红", colour="yellow", created_at=now)
        for n in range(40)
    ]
    db.session.add_all(more)
    db.session.flush()
    for person in more:
        db.session.add(
            EnterpriseEmployee(
                enterprise_id=enterprise.id,
                user_id=person.id,
                returned_from="460105",
                returned_on=clock.local_today(),
                registered_at=now,
            )
        )
    db.session.commit()
    assert queries_for_roster() == few
    page = roster_page(head, enterprise)
    assert "3 of 43 employees may work" in page
    marks = [part.split('"', 1)[0] for part in page.split('data-may-work="')[1:]]
    assert marks == ["no"] * 40 + ["yes"] * 3  # who may not work first


def test_a_second_head_never_sees_the_first_roster(app, enterprise, head, employee, admin):
    join(employee, enterprise)
    other_head = resident_client(app, OTHER_HEAD_PHONE, name="王大力", doc_number=ID_NUMBERS[3])
    other = approved_enterprise(app, other_head, admin, credit_code=credit_code("MA5T9K7P"), name="三亚海风酒店")
    page = roster_page(other_head, other)
    assert "李*红" not in page and "Nobody has registered yet" in page
    assert other_head.get(f"/enterprise/{enterprise.id}/roster").status_code == 404
    assert other_head.get(f"/enterprise/{enterprise.id}/roster.csv").status_code == 404
    employee_id = db.session.scalar(select(EnterpriseEmployee.id))
    response = other_head.post(f"/enterprise/{other.id}/roster/{employee_id}/remove")  # someone else's employee
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(EnterpriseEmployee)) == 1


def test_the_head_takes_someone_off_the_roster(enterprise, head, employee):
    join(employee, enterprise)
    employee_id = db.session.scalar(select(EnterpriseEmployee.id))
    assert head.post(f"/enterprise/{enterprise.id}/roster/{employee_id}/remove").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(EnterpriseEmployee)) == 0
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "enterprise_employee_removed"


@pytest.mark.parametrize("page", ["0", "-3", "abc", "9" * 30])
def test_odd_roster_pages_are_not_a_crash(enterprise, head, page):
    assert head.get(f"/enterprise/{enterprise.id}/roster?page={page}").status_code == 200


# --- the CSV export ------------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_holds_the_roster_in_the_heads_language(enterprise, head, employee):
    join(employee, enterprise)
    check_in(employee)
    response = head.get(f"/enterprise/{enterprise.id}/roster.csv", headers={"Accept-Language": "zh"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, row = read_csv(response)
    assert header[0] == "姓名" and header[4] == "今日可否上岗"
    assert row[:5] == ["李*红", "139****0002", "生产车间", "绿码", "是：今日可以上岗"]
    assert row[6] == "浙江省杭州市西湖区"
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "enterprise_roster_export"


@pytest.mark.parametrize("department", ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "=1+1"])
def test_formula_looking_cells_are_neutralised(enterprise, head, employee, department):
    join(employee, enterprise, department=department)
    _, row = read_csv(head.get(f"/enterprise/{enterprise.id}/roster.csv"))
    assert row[2] == "'" + department


@pytest.mark.parametrize("department", ["\tcmd", "\r=1", "  =1"])
def test_cells_starting_with_a_tab_or_return_are_neutralised_too(enterprise, head, employee, department):
    """Typed departments are trimmed, so such cells come only from elsewhere; they are neutralised all the same."""
    join(employee, enterprise)
    db.session.scalar(select(EnterpriseEmployee)).department = department
    db.session.commit()
    _, row = read_csv(head.get(f"/enterprise/{enterprise.id}/roster.csv"))
    expected = "'" + department if department[0] in "\t\r" else department
    assert row[2] == expected


# --- every page in both languages ----------------------------------------------------------------------------


def test_every_page_speaks_both_languages(app, enterprise, head, employee, admin):
    join(employee, enterprise)
    employee_id = db.session.scalar(select(EnterpriseEmployee.id))
    reviewer = staff_client(app, "reviewer", "13700000001", name="陈复核")
    base = f"/enterprise/{enterprise.id}"
    pages = [
        (head, "/enterprise/", "我负责的企业", "Enterprises I am responsible for"),
        (head, "/enterprise/new", "复工复产申报", "Resumption declaration"),
        (head, base, "员工返岗登记入口", "Employees register here"),
        (head, f"{base}/join-code", "返岗登记二维码", "Join QR code"),
        (head, f"{base}/roster", "员工名单", "Roster"),
        (head, f"{base}/survey", "复工情况调查", "Resumption survey"),
        (employee, join_path(enterprise), "员工返岗登记", "Return-to-work registration"),
        (employee, "/enterprise/", "我作为员工登记的企业", "Where I am registered as an employee"),
        (admin, "/enterprise/review/?status=", "企业复工复产申报", "Enterprise declarations"),
        (reviewer, f"/enterprise/review/{enterprise.id}", "防控措施", "Prevention measures"),
        (reviewer, "/enterprise/review/survey", "复工情况调查结果", "Resumption survey results"),
    ]
    for client, path, zh, en in pages:
        for lang, words in (("zh", zh), ("en", en)):
            response = client.get(path, headers={"Accept-Language": lang})
            assert response.status_code == 200, (path, lang)
            page = response.get_data(as_text=True)
            assert words in page, (path, lang)
            assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in page
    for lang, heading in (("zh", "今日可否上岗"), ("en", "May work today")):
        header = read_csv(head.get(f"{base}/roster.csv", headers={"Accept-Language": lang}))[0]
        assert header[4] == heading
    for lang, words in (("zh", "已作废"), ("en", "no longer work")):
        response = head.post(f"{base}/join-code/renew", headers={"Accept-Language": lang}, follow_redirects=True)
        assert words in response.get_data(as_text=True)
    response = employee.post(f"/enterprise/employments/{employee_id}/leave", follow_redirects=True)
    assert "您已退出该企业的员工名单" in response.get_data(as_text=True)
    edit = head.get(f"{base}/edit", headers={"Accept-Language": "en"}, follow_redirects=True).get_data(as_text=True)
    assert "An approved declaration cannot be changed" in edit
