"""Account management: the numbers bound to an account, changing the number (codes to both numbers, or a
staff member's help when the old one is gone), deleting the account and its data, guardians told when a
relative takes over their own record."""

import json

import pytest
from sqlalchemy import func, select

from app.domain import codes
from app.domain.scanning import jti_hash
from app.extensions import db
from app.models import AuditEntry, Binding, Checkin, IssuedCode, ReturnRegistration, SignIn, SmsMessage, User
from app.services import relatives
from tests.helpers import ID_NUMBERS, checkin_record, fill_profile, latest_code, sign_in, staff_client
from tests.test_relatives import ADULTS, add

OLD, NEW = "13900000001", "13600000099"  # the resident fixture signs in with OLD


def me() -> User:
    return db.session.scalar(select(User).where(User.doc_masked.is_not(None), User.name == "张小明"))


def start_change(client, new=NEW, lang=None):
    return client.post("/account/phone" + (f"?lang={lang}" if lang else ""), data={"new_phone": new})


# --- bound numbers ------------------------------------------------------------------------------------------


def test_the_account_page_lists_the_bound_numbers_masked(resident):
    add(resident, "张阿婆", ADULTS[0], relationship="grandparent", phone="13711112222")
    add(resident, "张阿公", ADULTS[1], relationship="grandparent")
    page = resident.get("/account").get_data(as_text=True)
    assert "139****0001" in page and "137****2222" in page and "13711112222" not in page
    assert "张*婆" in page and "张*公" in page and "无手机" in page
    assert "通过发送到该号码的验证码表示同意" in page
    english = resident.get("/account?lang=en").get_data(as_text=True)
    assert "Phone numbers bound to this account" in english and "No phone" in english


def test_a_relative_sees_who_may_act_for_them(app, resident):
    add(resident, "张阿婆", ADULTS[0], relationship="grandparent", phone="13711112222")
    binding = db.session.scalar(select(Binding))
    resident.post(f"/relatives/{binding.id}/consent", data={"code": latest_code("13711112222")})
    grandma = app.test_client()
    sign_in(grandma, "13711112222")
    fill_profile(grandma, name="张阿婆", doc_number=ADULTS[0])
    page = grandma.get("/account").get_data(as_text=True)
    assert "可为我代办的人" in page and "张*明" in page


# --- changing the number with both codes -----------------------------------------------------------------


def test_changing_the_number_with_both_codes_signs_out_the_other_devices(app, resident):
    other_device = app.test_client()
    sign_in(other_device, OLD)
    assert start_change(resident).status_code == 302
    assert "原手机号" in resident.get("/account/phone/confirm").get_data(as_text=True)
    response = resident.post(
        "/account/phone/confirm", data={"old_code": latest_code(OLD), "new_code": latest_code(NEW)}
    )
    assert response.status_code == 302
    person = me()
    assert person.phone == NEW
    assert "136****0099" in resident.get("/account").get_data(as_text=True)  # this device stays signed in
    assert other_device.get("/account").status_code == 302  # the other one must sign in again
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "phone_changed"))
    assert entry.subject_id == person.id and entry.details == {"old": "139****0001", "new": "136****0099"}
    again = app.test_client()
    sign_in(again, NEW)
    assert again.get("/api/people").get_json()["people"][0]["id"] == person.id


def test_a_wrong_code_is_shown_beside_its_field_and_the_right_one_is_remembered(resident):
    start_change(resident)
    new_code = latest_code(NEW)
    wrong_old = resident.post("/account/phone/confirm", data={"old_code": "000000", "new_code": new_code})
    assert wrong_old.status_code == 422 and "验证码不正确" in wrong_old.get_data(as_text=True)
    wrong_new = resident.post("/account/phone/confirm", data={"old_code": latest_code(OLD), "new_code": "000000"})
    page = wrong_new.get_data(as_text=True)
    assert wrong_new.status_code == 422 and "原手机号的验证码已通过" in page and 'name="old_code"' not in page
    assert me().phone == OLD
    assert resident.post("/account/phone/confirm", data={"new_code": new_code}).status_code == 302
    assert me().phone == NEW


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("12345", "请输入以 1 开头的 11 位大陆手机号"),
        ("", "请填写您的新手机号"),
        ("1" * 500, "请输入以 1 开头的 11 位大陆手机号"),
        (OLD, "这已是本账号的手机号"),
        ("13600000002", "该手机号已属于另一个账号"),
    ],
)
def test_bad_new_numbers_are_refused_and_nothing_is_texted(app, resident, number, message):
    sign_in(app.test_client(), "13600000002")
    before = db.session.scalar(select(func.count()).select_from(SmsMessage))
    response = start_change(resident, new=number)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SmsMessage)) == before


def test_codes_of_the_wrong_shape_and_a_missing_first_step(resident):
    assert resident.get("/account/phone/confirm").headers["Location"] == "/account/phone"
    start_change(resident)
    bad = resident.post("/account/phone/confirm?lang=en", data={"old_code": "12", "new_code": "x" * 100})
    assert bad.status_code == 422 and bad.get_data(as_text=True).count("The code has 6 digits.") == 2


def test_the_number_cannot_be_taken_between_the_two_steps(app, resident):
    start_change(resident)
    sign_in(app.test_client(), NEW)  # someone signs up with that number meanwhile
    response = resident.post("/account/phone/confirm", data={"old_code": latest_code(OLD), "new_code": "123456"})
    assert response.status_code == 422 and "该手机号已属于另一个账号" in response.get_data(as_text=True)
    assert me().phone == OLD


def test_an_invited_registration_follows_the_number_change(app, resident):
    from app.infra import clock

    now = clock.now_utc()
    db.session.add(
        ReturnRegistration(
            name="张小明",
            phone=OLD,
            planned_day=clock.local_today(),
            from_district="110105",
            destination="460105",
            transport="car",
            health="healthy",
            status="planned",
            created_at=now,
            updated_at=now,
        )
    )
    db.session.commit()
    start_change(resident)
    resident.post("/account/phone/confirm", data={"old_code": latest_code(OLD), "new_code": latest_code(NEW)})
    assert db.session.scalar(select(ReturnRegistration.user_id)) == me().id


# --- staff help -------------------------------------------------------------------------------------------


def help_find(staff, doc_number=ID_NUMBERS[0], new=NEW, lang=None):
    url = "/auth/phone-help" + (f"?lang={lang}" if lang else "")
    return staff.post(url, data={"doc_kind": "resident_id", "doc_number": doc_number, "new_phone": new})


def ticket_of(page: str) -> str:
    import re

    return re.search(r'name="ticket" type="hidden" value="([^"]+)"', page).group(1)


def test_an_admin_moves_an_account_whose_old_number_is_gone(app, resident):
    admin = staff_client(app, "admin", "13700000001")
    found = help_find(admin)
    page = found.get_data(as_text=True)
    assert found.status_code == 200 and "张*明" in page and "139****0001" in page
    done = admin.post("/auth/phone-help/confirm", data={"ticket": ticket_of(page), "code": latest_code(NEW)})
    assert done.status_code == 302
    person = me()
    assert person.phone == NEW
    assert resident.get("/account").status_code == 302  # the lost phone's sign-in ended
    told = db.session.scalar(select(SmsMessage).where(SmsMessage.phone == OLD).order_by(SmsMessage.id.desc()))
    assert "已由工作人员更换到手机号136****0099" in told.body
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == person.id)).all()
    assert "phone_help_lookup" in actions and "phone_changed_by_staff" in actions


def test_a_handler_helps_only_in_their_county_and_tickets_are_theirs(app, resident):
    elsewhere = staff_client(app, "handler", "13700000003", "460106")
    refused = help_find(elsewhere)
    assert refused.status_code == 403 and "此人登记在其他区县" in refused.get_data(as_text=True)
    handler = staff_client(app, "handler", "13700000004", "460105")
    page = help_find(handler).get_data(as_text=True)
    ticket = ticket_of(page)
    stolen = elsewhere.post("/auth/phone-help/confirm", data={"ticket": ticket, "code": latest_code(NEW)})
    assert stolen.status_code == 302 and me().phone == OLD
    forged = handler.post("/auth/phone-help/confirm", data={"ticket": ticket + "x", "code": latest_code(NEW)})
    assert forged.status_code == 302 and me().phone == OLD
    wrong = handler.post("/auth/phone-help/confirm", data={"ticket": ticket, "code": "000000"})
    assert wrong.status_code == 422 and "验证码不正确" in wrong.get_data(as_text=True)
    assert (
        handler.post("/auth/phone-help/confirm", data={"ticket": ticket, "code": latest_code(NEW)}).status_code == 302
    )
    assert me().phone == NEW


@pytest.mark.parametrize(
    ("doc_number", "new", "message"),
    [
        ("460105199003071238", NEW, "校验位"),
        (ID_NUMBERS[3], NEW, "没有人使用该证件登记"),
        (ID_NUMBERS[0], "123", "请输入以 1 开头的 11 位大陆手机号"),
        (ID_NUMBERS[0], OLD, "这已是本账号的手机号"),
        ("x" * 500, NEW, 'class="field has-error"'),
    ],
)
def test_staff_help_refuses_bad_input_beside_the_field(app, resident, doc_number, new, message):
    admin = staff_client(app, "admin", "13700000001")
    response = help_find(admin, doc_number=doc_number, new=new)
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_residents_and_wardens_cannot_use_staff_help(app, resident):
    assert resident.get("/auth/phone-help").status_code == 403
    supervisor = staff_client(app, "supervisor", "13700000005", "460100")
    assert supervisor.post("/auth/phone-help/confirm", data={}).status_code == 403


# --- deleting the account ---------------------------------------------------------------------------------


def test_the_deletion_page_says_what_is_kept_and_for_how_long(app, resident):
    app.config["AUDIT_RETENTION_YEARS"] = 5
    resident.post("/api/checkins/batch", json={"records": [checkin_record()]})
    page = resident.get("/account/delete").get_data(as_text=True)
    assert "保留 5 年" in page and "保留至满 28 天后删除" in page and "共 1 次打卡" in page
    english = resident.get("/account/delete?lang=en").get_data(as_text=True)
    assert "It is kept for 5 years" in english


def test_deleting_removes_the_data_revokes_the_codes_and_keeps_the_audit_log(app, resident):
    resident.post("/api/checkins/batch", json={"records": [checkin_record()]})
    code = resident.get("/api/code").get_json()
    add(resident, "张阿公", ADULTS[1], relationship="grandparent")
    person = me()
    person_id = person.id
    assert resident.post("/account/delete/code").status_code == 302
    missing = resident.post("/account/delete", data={"code": latest_code(OLD)})
    assert missing.status_code == 422 and "请确认您已了解" in missing.get_data(as_text=True)
    wrong = resident.post("/account/delete", data={"code": "000000", "understood": "y"})
    assert wrong.status_code == 422 and "验证码不正确" in wrong.get_data(as_text=True)
    done = resident.post("/account/delete", data={"code": latest_code(OLD), "understood": "y"})
    assert done.headers["Location"] == "/account/deleted"
    assert "您的账号已注销" in resident.get("/account/deleted").get_data(as_text=True)
    db.session.expire_all()
    person = db.session.get(User, person_id)
    assert (person.phone, person.name, person.doc_hash, person.doc_sealed, person.address) == (None,) * 5
    assert db.session.scalar(select(func.count()).select_from(Checkin).where(Checkin.user_id == person_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(SignIn).where(SignIn.user_id == person_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(SmsMessage).where(SmsMessage.phone == OLD)) == 0
    assert db.session.scalar(select(Binding.status).where(Binding.guardian_id == person_id)) == "ended"
    assert db.session.get(IssuedCode, code["jti"]).revoked_reason == "account_deleted"
    bundle = json.loads(
        codes.b64url_decode(app.test_client().get("/api/trust-bundle").get_json()["bundle"].split(".")[1])
    )
    assert jti_hash(code["jti"]) in bundle["revoked"]
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "account_deleted")) is not None
    assert resident.get("/account").status_code == 302  # signed out
    # The same number and document may register again, as a new account.
    again = app.test_client()
    sign_in(again, OLD)
    fill_profile(again)
    assert db.session.scalar(select(User.id).where(User.phone == OLD)) != person_id


def test_a_yellow_or_red_code_cannot_be_deleted_yet(resident):
    resident.post("/api/checkins/batch", json={"records": [checkin_record(temperature=38.5)]})
    assert resident.get("/api/code").get_json()["colour"] == "yellow"
    page = resident.get("/account/delete").get_data(as_text=True)
    assert "健康码转为绿码后即可注销账号" in page and "data-delete-account" not in page
    refused = resident.post("/account/delete/code", follow_redirects=True)
    assert "健康码转为绿码后即可注销账号" in refused.get_data(as_text=True)
    forced = resident.post("/account/delete", data={"code": "123456", "understood": "y"})
    assert forced.status_code == 409 and me() is not None


# --- guardians told when a relative takes over -----------------------------------------------------------


def test_guardians_are_told_when_their_relative_takes_over_their_own_record(app, resident):
    add(resident, "张阿婆", ADULTS[2], relationship="grandparent")
    binding = db.session.scalar(select(Binding))
    relatives.approve(binding.id, "社区王")
    grandma = app.test_client()
    sign_in(grandma, "13711113333")
    fill_profile(grandma, name="张阿婆", doc_number=ADULTS[2])
    told = db.session.scalar(
        select(SmsMessage).where(SmsMessage.phone == OLD, SmsMessage.purpose == "relative_took_over")
    )
    assert told is not None and "张*婆已用本人手机号登录" in told.body
    page = resident.get("/relatives/").get_data(as_text=True)
    assert "该亲属已用本人手机号登录，自行管理本人健康码" in page
    assert "已用本人手机号登录" in resident.get("/account").get_data(as_text=True)


def test_staff_giving_a_relative_without_a_phone_their_own_number_tells_the_guardian(app, resident):
    add(resident, "张阿公", ADULTS[3], relationship="grandparent")
    relatives.approve(db.session.scalar(select(Binding.id)), "社区王")
    admin = staff_client(app, "admin", "13700000001")
    page = help_find(admin, doc_number=ADULTS[3]).get_data(as_text=True)
    assert "无手机" in page
    admin.post("/auth/phone-help/confirm", data={"ticket": ticket_of(page), "code": latest_code(NEW)})
    assert db.session.scalar(select(User.phone).where(User.name == "张阿公")) == NEW
    assert db.session.scalar(
        select(SmsMessage.id).where(SmsMessage.phone == OLD, SmsMessage.purpose == "relative_took_over")
    )
