"""Residents coming home: invitation lists (preview, background sending in batches, never twice), the texted
link's registration, registering from the app, the check-in that records the arrival, expected arrivals."""

import io
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.extensions import db
from app.infra import background, clock, sms
from app.models import (
    AuditEntry,
    Checkin,
    ReturnInvitation,
    ReturnRegistration,
    ReturnUpload,
    SmsMessage,
    User,
)
from app.services.retention import purge
from app.services.returning import sending
from tests.helpers import ID_NUMBERS, checkin_record, fill_profile, sign_in, staff_client

BEIJING, HANGZHOU, XIUYING, LONGHUA, SANYA = "110105", "330106", "460105", "460106", "460203"


@pytest.fixture
def settings():
    return {"BACKGROUND_JOBS": "inline"}


@pytest.fixture
def admin(app):
    return staff_client(app, "admin", "13700000001")


def upload(admin, text, name="返琼名单.csv", encoding="utf-8", lang=None):
    """Post a list as the console's form does (encoded in memory: the test client would spool a big body)."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(text.encode(encoding)), filename=name)})
    url = "/return/uploads" + (f"?lang={lang}" if lang else "")
    return admin.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def invitations_to(phone):
    return db.session.scalars(
        select(SmsMessage).where(SmsMessage.phone == phone, SmsMessage.purpose == "return_invite")
    ).all()


def link_in(message) -> str:
    return re.search(r"http://\S+/return/invited/[\w.\-]+", message.body).group()


def plan(**fields):
    """A valid planned return as the form posts it."""
    return {
        "name": "李返乡",
        "planned_day": (clock.local_today() + timedelta(days=3)).isoformat(),
        "from_district": BEIJING,
        "destination": XIUYING,
        "transport": "plane",
        "trip_number": "hu 7181",
        "health": "healthy",
        "promise": "y",
        **fields,
    }


def sent_list(admin, phones):
    """Upload and send a list of these phones; returns the upload."""
    upload(admin, "phone,name\n" + "".join(f"{p},李返乡\n" for p in phones))
    found = db.session.scalars(select(ReturnUpload).order_by(ReturnUpload.id.desc())).first()
    assert admin.post(f"/return/uploads/{found.id}/send").status_code == 302
    db.session.refresh(found)
    return found


# --- the list and its preview ---------------------------------------------------------------------------


def test_preview_counts_rows_and_explains_each_rejected_one_without_texting_anyone(admin):
    text = (
        "手机号,姓名\n"
        "13812345678,张三\n"
        "+86 139-1234-5678,李四\n"
        "8613612345678,\n"
        "12345,王五\n"
        "13812345678,张三\n"
        f"13712345678,{'长' * 31}\n"
        "13512345678,<b>x</b>\n"
        ",赵六\n"
    )
    response = upload(admin, text)
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    found = db.session.scalar(select(ReturnUpload))
    assert (found.rows, found.valid_rows, found.rejected_rows, found.status) == (8, 3, 5, "previewed")
    assert [line for line, *_ in found.rejected] == [5, 6, 7, 8, 9]
    for reason in (
        "12345 不是大陆手机号",
        "与第 2 行手机号重复",
        "姓名超过 30 个字符",
        "姓名只能包含汉字或拉丁字母",
        "缺少手机号",
    ):
        assert reason in page
    assert "138****5678" in page and "13812345678" not in page  # the preview masks the numbers
    phones = set(db.session.scalars(select(ReturnInvitation.phone)))
    assert phones == {"13812345678", "13912345678", "13612345678"}
    assert (
        db.session.scalar(select(func.count()).select_from(SmsMessage).where(SmsMessage.purpose == "return_invite"))
        == 0
    )
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "return_upload")) == "return_upload"
    english = admin.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "12345 is not a mainland mobile number" in english and "the same phone number as line 2" in english


def test_a_list_without_a_header_a_gbk_file_and_bad_files(admin):
    assert upload(admin, "13812345678\n13912345678,王五\n").status_code == 302
    assert db.session.scalars(select(ReturnUpload.valid_rows)).all() == [2]
    assert upload(admin, "phone,name\n13712345678,张三\n", encoding="gbk").status_code == 302
    assert db.session.scalar(select(ReturnInvitation.name).where(ReturnInvitation.phone == "13712345678")) == "张三"
    missing = upload(admin, "number,who\n1,2\n")
    assert "第一行须写明手机号列名" in admin.get(missing.headers["Location"]).get_data(as_text=True)
    binary = admin.post(
        "/return/uploads", data={"file": (io.BytesIO(b"\x00\xff\xfe\x00"), "x.csv")}, content_type="multipart/form-data"
    )
    assert binary.status_code == 422 and "UTF-8 或 GBK" in binary.get_data(as_text=True)
    long_field = upload(admin, f'phone,name\n13612345678,"{"x" * 140_000}\n')
    assert "超过" in admin.get(long_field.headers["Location"]).get_data(as_text=True)
    none = admin.post("/return/uploads?lang=en", data={}, content_type="multipart/form-data")
    assert none.status_code == 422 and "Please choose a CSV file." in none.get_data(as_text=True)


def test_numbers_on_an_earlier_list_are_not_texted_again(admin):
    sent_list(admin, ["13812345678"])
    response = upload(admin, "phone\n13812345678\n13912345678\n")
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "该号码已在第 1 号名单中" in page
    assert db.session.scalars(select(ReturnUpload.valid_rows).order_by(ReturnUpload.id)).all() == [1, 1]


def test_a_list_of_100000_numbers_is_previewed_in_seconds(admin, capsys):
    phones = [f"139{n:08d}" for n in range(100_000)]
    text = "phone,name\n" + "".join(f"{p},张{'三四五六'[n % 4]}\n" for n, p in enumerate(phones)) + "12345,坏号\n"
    started = time.perf_counter()
    response = upload(admin, text)
    seconds = time.perf_counter() - started
    with capsys.disabled():
        print(f"\npreview of a list of 100,000 numbers ({len(text) / 1e6:.1f} MB): {seconds:.2f} s")
    assert response.status_code == 302
    found = db.session.scalar(select(ReturnUpload))
    assert (found.rows, found.valid_rows, found.rejected_rows) == (100_001, 100_000, 1)
    assert db.session.scalar(select(func.count()).select_from(ReturnInvitation)) == 100_000


def test_a_list_over_the_size_limit_is_refused_with_a_message(app, admin):
    app.config["RETURN_UPLOAD_MAX_BYTES"] = 1000
    response = upload(admin, "phone\n" + "13812345678\n" * 200)
    assert response.status_code == 413 and "提交的内容过大" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ReturnUpload)) == 0


def test_only_admins_handle_lists(app):
    reviewer = staff_client(app, "reviewer", "13700000002")
    assert reviewer.get("/return/uploads").status_code == 403
    assert reviewer.post("/return/uploads/1/send").status_code == 403
    assert reviewer.get("/return/uploads/1/progress").status_code == 403


# --- sending -----------------------------------------------------------------------------------------------


def test_sending_texts_each_person_once_with_a_signed_link_in_batches(app, admin, monkeypatch):
    app.config["RETURN_SEND_BATCH"] = 2
    calls = []
    original = sms.send_many
    monkeypatch.setattr(
        sms, "send_many", lambda messages, purpose: calls.append(len(messages)) or original(messages, purpose)
    )
    phones = [f"1381234567{n}" for n in range(5)]
    found = sent_list(admin, phones)
    assert calls == [2, 2, 1]  # three batches, each one INSERT and one commit
    assert (found.status, found.sent, found.failed, found.unsure) == ("sent", 5, 0, 0)
    for phone in phones:
        [message] = invitations_to(phone)
        assert "李返乡您好，欢迎回家" in message.body and "14天内有效" in message.body
    assert admin.get(f"/return/uploads/{found.id}/progress").get_json() == {
        "status": "sent",
        "total": 5,
        "done": 5,
        "sent": 5,
        "failed": 0,
        "unsure": 0,
        "stalled": False,
    }
    again = admin.post(f"/return/uploads/{found.id}/send", headers={"Accept": "application/json"})
    assert again.status_code == 409 and again.get_json()["error"] == "not_sendable"
    assert len(invitations_to(phones[0])) == 1
    assert {"return_send", "return_sent"} <= set(db.session.scalars(select(AuditEntry.action)))
    page = admin.get(f"/return/uploads/{found.id}").get_data(as_text=True)
    assert "已发送" in page


def test_a_run_that_dies_half_way_resumes_without_texting_anyone_twice(app, admin, monkeypatch):
    app.config["RETURN_SEND_BATCH"] = 3
    phones = [f"1391234560{n}" for n in range(8)]
    upload(admin, "phone\n" + "\n".join(phones) + "\n")
    found = db.session.scalar(select(ReturnUpload))
    original, calls = sms.send_many, []

    def dies_on_the_second_batch(messages, purpose):
        calls.append(len(messages))
        if len(calls) == 2:
            raise RuntimeError("the process was killed")
        return original(messages, purpose)

    monkeypatch.setattr(sms, "send_many", dies_on_the_second_batch)
    admin.post(f"/return/uploads/{found.id}/send")
    db.session.refresh(found)
    assert (found.status, found.sent) == ("sending", 3)  # the first batch committed, the second rolled back
    sent_so_far = db.session.scalar(
        select(func.count()).select_from(SmsMessage).where(SmsMessage.purpose == "return_invite")
    )
    assert sent_so_far == 3
    # While the run could still be alive, nobody else takes the list.
    busy = admin.post(f"/return/uploads/{found.id}/send", headers={"Accept": "application/json"})
    assert busy.status_code == 409 and busy.get_json()["error"] == "already_sending"
    # Once it has been silent long enough the page offers to resume, and resuming finishes the rest.
    db.session.execute(update(ReturnUpload).values(heartbeat_at=clock.now_utc() - timedelta(minutes=5)))
    db.session.commit()
    assert "继续发送" in admin.get(f"/return/uploads/{found.id}").get_data(as_text=True)
    monkeypatch.setattr(sms, "send_many", original)
    assert admin.post(f"/return/uploads/{found.id}/send").status_code == 302
    db.session.refresh(found)
    assert (found.status, found.sent, found.unsure) == ("sent", 8, 0)
    assert [len(invitations_to(phone)) for phone in phones] == [1] * 8
    assert "return_send_resumed" in set(db.session.scalars(select(AuditEntry.action)))


def test_with_a_gateway_a_batch_handed_over_before_a_crash_is_never_sent_again(app, admin, monkeypatch):
    app.config.update(SMS_BACKEND="http", SMS_GATEWAY_URL="http://gateway.invalid/sms", RETURN_SEND_BATCH=2)
    delivered = []
    monkeypatch.setattr(sms, "_post_to_gateway", lambda phone, body, purpose: delivered.append(phone))
    original = sms.send_many

    def crash_after_handing_over(messages, purpose):
        original(messages, purpose)
        if len(delivered) == 4:
            raise RuntimeError("the process was killed before recording the answers")
        return [True] * len(messages)

    monkeypatch.setattr(sms, "send_many", crash_after_handing_over)
    phones = [f"1371234560{n}" for n in range(5)]
    upload(admin, "phone\n" + "\n".join(phones) + "\n")
    found = db.session.scalar(select(ReturnUpload))
    admin.post(f"/return/uploads/{found.id}/send")
    states = dict(db.session.execute(select(ReturnInvitation.phone, ReturnInvitation.status)).all())
    assert sorted(states.values()) == ["sending", "sending", "sent", "sent", "waiting"]
    db.session.execute(update(ReturnUpload).values(heartbeat_at=clock.now_utc() - timedelta(minutes=5)))
    db.session.commit()
    monkeypatch.setattr(sms, "send_many", original)
    admin.post(f"/return/uploads/{found.id}/send")
    db.session.refresh(found)
    assert (found.status, found.sent, found.unsure) == ("sent", 3, 2)
    assert sorted(delivered) == sorted(phones)  # each number handed to the gateway exactly once
    page = admin.get(f"/return/uploads/{found.id}").get_data(as_text=True)
    assert "不确定是否送达" in page


def test_a_gateway_refusal_counts_as_failed_and_the_rest_go_on(app, admin, monkeypatch):
    app.config.update(SMS_BACKEND="http", SMS_GATEWAY_URL="http://gateway.invalid/sms")

    def refuse_one(phone, body, purpose):
        if phone.endswith("1"):
            raise sms.SmsFailed("gateway answered 500")

    monkeypatch.setattr(sms, "_post_to_gateway", refuse_one)
    found = sent_list(admin, ["13612345670", "13612345671", "13612345672"])
    assert (found.status, found.sent, found.failed) == ("sent", 2, 1)
    assert db.session.scalar(select(ReturnInvitation.status).where(ReturnInvitation.phone == "13612345671")) == "failed"


def test_sending_runs_in_a_thread_and_the_page_follows_its_progress(app, admin):
    app.config["BACKGROUND_JOBS"] = "thread"
    upload(admin, "phone\n13512345670\n13512345671\n")
    found = db.session.scalar(select(ReturnUpload))
    started = admin.post(f"/return/uploads/{found.id}/send", headers={"Accept": "application/json"})
    assert started.status_code == 202 and started.get_json()["total"] == 2
    background.wait()
    assert admin.get(f"/return/uploads/{found.id}/progress").get_json()["sent"] == 2
    page = admin.get(f"/return/uploads/{found.id}").get_data(as_text=True)
    assert 'data-status="sent"' in page


def test_the_command_line_resumes_a_stopped_list(app, admin, monkeypatch):
    upload(admin, "phone\n13412345670\n13412345671\n")
    found = db.session.scalar(select(ReturnUpload))
    runner = app.test_cli_runner()
    assert "Nobody has sent this list yet" in runner.invoke(args=["returning", "resume", str(found.id)]).output
    monkeypatch.setattr(sending, "send_all", lambda upload_id, runner: None)  # a run that dies at once
    admin.post(f"/return/uploads/{found.id}/send")
    monkeypatch.undo()
    db.session.execute(update(ReturnUpload).values(heartbeat_at=clock.now_utc() - timedelta(minutes=5)))
    db.session.commit()
    result = runner.invoke(args=["returning", "resume", str(found.id)])
    assert result.exit_code == 0 and "2 sent" in result.output
    assert len(invitations_to("13412345670")) == 1


def test_discarding_drops_the_numbers_and_their_links(admin):
    upload(admin, "phone\n13812345678\n")
    found = db.session.scalar(select(ReturnUpload))
    invitation_id = db.session.scalar(select(ReturnInvitation.id))
    from app.infra import links

    token = links.sign(sending.INVITE_SALT, {"i": invitation_id})
    assert admin.post(f"/return/uploads/{found.id}/discard").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ReturnInvitation)) == 0
    assert admin.post(f"/return/uploads/{found.id}/send", headers={"Accept": "application/json"}).status_code == 409
    assert admin.get(f"/return/invited/{token}").status_code == 400
    again = admin.post(f"/return/uploads/{found.id}/discard", follow_redirects=True)
    assert "只有尚未发送的名单可以作废" in again.get_data(as_text=True)
    assert admin.get("/return/uploads/999").status_code == 404


# --- the invitation link ---------------------------------------------------------------------------------


@pytest.fixture
def invited_link(app, admin):
    sent_list(admin, ["13812345678"])
    [message] = invitations_to("13812345678")
    return link_in(message)


def test_the_link_registers_without_signing_in_once(app, invited_link):
    visitor = app.test_client()
    form = visitor.get(invited_link).get_data(as_text=True)
    assert "138****5678" in form and 'value="李返乡"' in form and "返琼健康登记" in form
    response = visitor.post(invited_link, data=plan(trip_number="hu 7181"))
    assert response.status_code == 302
    registration = db.session.scalar(select(ReturnRegistration))
    assert (registration.phone, registration.user_id, registration.trip_number, registration.status) == (
        "13812345678",
        None,
        "HU7181",
        "planned",
    )
    assert registration.invitation_id is not None
    done = visitor.get(invited_link).get_data(as_text=True)
    assert "您的返琼登记已提交" in done and "北京市朝阳区" in done
    again = visitor.post(invited_link, data=plan(planned_day=clock.local_today().isoformat()))
    assert again.status_code == 200 and db.session.scalar(select(func.count()).select_from(ReturnRegistration)) == 1


def test_forged_and_expired_links_are_refused_in_the_readers_language(app, invited_link, monkeypatch):
    visitor = app.test_client()
    forged = visitor.get(invited_link[:-3] + "abc")
    assert forged.status_code == 400 and "该链接无效" in forged.get_data(as_text=True)
    assert visitor.get("/return/invited/" + "x" * 5000).status_code == 400
    import itsdangerous

    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: __import__("time").time_ns() / 1e9 + 15 * 24 * 3600)
    expired = visitor.get(invited_link + "?lang=en")
    assert expired.status_code == 400 and "This link has expired" in expired.get_data(as_text=True)
    assert visitor.post(invited_link, data=plan()).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ReturnRegistration)) == 0


BAD_PLANS = [
    ("name", "X", "请填写与证件一致的姓名"),
    ("name", "", "请填写与证件一致的姓名"),
    ("planned_day", "2026-13-40", "请按 2026-11-22 的格式填写日期"),
    ("planned_day", "1999-01-01", "请输入 2000 年至 2100 年之间的日期"),
    ("from_district", "460105", "请选择出发地区县（海南省以外）"),
    ("from_district", "999999", "请选择出发地区县"),
    ("from_district", "x" * 5000, "请选择出发地区县"),
    ("destination", BEIJING, "请选择您在海南省的落脚区县"),
    ("transport", "rocket", "请选择交通方式"),
    ("trip_number", "", "请填写航班号或车次"),
    ("trip_number", "HU71811", "这不是有效的航班号或车次"),
    ("trip_number", "x" * 300, "最多12个字母和数字"),
    ("health", "great", "请选择您的健康状况"),
    ("health", "", "请选择您的健康状况"),
    ("promise", "", "请勾选承诺所填信息真实有效"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_PLANS)
def test_each_bad_answer_is_explained_beside_its_field_and_nothing_is_stored(resident, field, value, message):
    response = resident.post("/return/", data=plan(**{field: value}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and "请更正标出的内容" in page
    assert db.session.scalar(select(func.count()).select_from(ReturnRegistration)) == 0


def test_dates_outside_the_planning_window_and_other_trips(resident):
    today = clock.local_today()
    for day in (today - timedelta(days=1), today + timedelta(days=91)):
        assert resident.post("/return/", data=plan(planned_day=day.isoformat())).status_code == 422
    assert resident.post("/return/", data=plan(transport="train", trip_number="g1234")).status_code == 302
    assert resident.post("/return/", data=plan(transport="car", trip_number="")).status_code == 302
    english = resident.post("/return/?lang=en", data=plan(transport="train", trip_number="HU!"))
    assert "This is not a flight or train number" in english.get_data(as_text=True)
    assert db.session.scalars(select(ReturnRegistration.trip_number).order_by(ReturnRegistration.id)).all() == [
        "G1234",
        None,
    ]


# --- from the app, and the arrival ----------------------------------------------------------------------


def test_a_resident_registers_from_the_app_a_new_plan_replaces_the_old_and_can_be_cancelled(app, resident):
    assert resident.get("/return/").status_code == 200
    assert 'value="张小明"' in resident.get("/return/").get_data(as_text=True)
    resident.post("/return/", data=plan(name="张小明"))
    resident.post("/return/", data=plan(name="张小明", from_district=HANGZHOU, transport="train", trip_number="G7"))
    states = db.session.scalars(select(ReturnRegistration.status).order_by(ReturnRegistration.id)).all()
    assert states == ["cancelled", "planned"]
    page = resident.get("/return/").get_data(as_text=True)
    assert "浙江省杭州市西湖区" in page and "计划中" in page and "已取消" in page
    newest = db.session.scalar(select(ReturnRegistration.id).where(ReturnRegistration.status == "planned"))
    other = app.test_client()
    sign_in(other, "13900000077")
    fill_profile(other, name="王别人", doc_number=ID_NUMBERS[1])
    refused = other.post(f"/return/{newest}/cancel", follow_redirects=True)
    assert "该登记不存在" in refused.get_data(as_text=True)
    assert other.get("/return/arrival").get_json() == {"arrival": None}
    assert resident.post(f"/return/{newest}/cancel").status_code == 302
    assert db.session.get(ReturnRegistration, newest).status == "cancelled"
    twice = resident.post(f"/return/{newest}/cancel", follow_redirects=True)
    assert "该返琼登记已抵达或已取消" in twice.get_data(as_text=True)


def test_the_check_in_form_is_prefilled_and_the_declared_arrival_links_and_colours(resident):
    resident.post("/return/", data=plan(name="张小明", planned_day=clock.local_today().isoformat()))
    prefill = resident.get("/return/arrival").get_json()["arrival"]
    assert prefill["from_district"] == BEIJING and prefill["transport"] == "plane"
    assert prefill["day"] == clock.local_today().isoformat()
    page = resident.get("/checkin").get_data(as_text=True)
    assert "data-arrival-url" in page and "arrival-prefill.js" in page
    # A check-in without an arrival does not link; the one declaring it does, and the rules read it.
    resident.post("/api/checkins/batch", json={"records": [checkin_record()]})
    assert db.session.scalar(select(ReturnRegistration.status)) == "planned"
    arrival = {"from_district": prefill["from_district"], "day": prefill["day"], "transport": prefill["transport"]}
    record = checkin_record(arrival=arrival)
    resident.post("/api/checkins/batch", json={"records": [record]})
    registration = db.session.scalar(select(ReturnRegistration))
    checkin = db.session.scalar(select(Checkin).where(Checkin.uuid == record["uuid"]))
    assert (registration.status, registration.checkin_id, registration.arrived_on) == (
        "arrived",
        checkin.id,
        checkin.day,
    )
    assert checkin.arrival_from == BEIJING
    code = resident.get("/api/code").get_json()
    assert code["colour"] == "yellow"
    assert resident.get("/return/arrival").get_json() == {"arrival": None}
    # Retention deletes the check-in later; the registration keeps the day it arrived.
    arrived_on = checkin.day
    db.session.execute(update(Checkin).values(day=clock.local_today() - timedelta(days=40)))
    db.session.commit()
    purge()
    db.session.refresh(registration)
    assert (registration.checkin_id, registration.arrived_on) == (None, arrived_on)


def test_an_invited_returnee_who_signs_up_later_checks_in_against_their_registration(app, invited_link):
    visitor = app.test_client()
    visitor.post(invited_link, data=plan(planned_day=clock.local_today().isoformat()))
    sign_in(visitor, "13812345678")
    fill_profile(visitor, name="李返乡", doc_number=ID_NUMBERS[2])
    assert "北京市朝阳区" in visitor.get("/return/").get_data(as_text=True)
    prefill = visitor.get("/return/arrival").get_json()["arrival"]
    arrival = {key: prefill[key] for key in ("from_district", "day", "transport")}
    visitor.post("/api/checkins/batch", json={"records": [checkin_record(arrival=arrival)]})
    registration = db.session.scalar(select(ReturnRegistration))
    person = db.session.scalar(select(User).where(User.phone == "13812345678"))
    assert (registration.status, registration.user_id) == ("arrived", person.id)


def test_an_early_arrival_is_prefilled_with_today_and_a_stale_plan_not_at_all(resident):
    resident.post("/return/", data=plan(name="张小明"))  # planned in 3 days
    assert resident.get("/return/arrival").get_json()["arrival"]["day"] == clock.local_today().isoformat()
    db.session.execute(update(ReturnRegistration).values(planned_day=clock.local_today() - timedelta(days=20)))
    db.session.commit()
    assert resident.get("/return/arrival").get_json() == {"arrival": None}


# --- expected arrivals -----------------------------------------------------------------------------------


def _registrations(*rows):
    now = clock.now_utc()
    for destination, days_ahead, health, status in rows:
        db.session.add(
            ReturnRegistration(
                name="某人",
                phone=None,
                planned_day=clock.local_today() + timedelta(days=days_ahead),
                from_district=BEIJING,
                destination=destination,
                transport="plane",
                health=health,
                status=status,
                created_at=now,
                updated_at=now,
            )
        )
    db.session.commit()


def test_expected_arrivals_per_district_and_day_within_each_viewers_area(app, admin):
    _registrations(
        (XIUYING, 0, "healthy", "planned"),
        (XIUYING, 0, "fever", "planned"),
        (XIUYING, 2, "healthy", "arrived"),
        (LONGHUA, 2, "healthy", "planned"),
        (SANYA, 1, "respiratory", "planned"),
        (SANYA, 1, "healthy", "cancelled"),
        (XIUYING, 20, "healthy", "planned"),
    )
    page = admin.get("/return/arrivals").get_data(as_text=True)
    assert "自 " in page and "天内预计抵达 5 人" in page
    today = clock.local_today()
    assert re.search(rf'data-day="{today}"><td>{today}</td><td>2</td><td>1</td><td>0</td>', page)
    in_two = today + timedelta(days=2)
    assert re.search(rf'data-day="{in_two}"><td>{in_two}</td><td>2</td><td>0</td><td>1</td>', page)
    assert re.search(r'data-district="460203"><th scope="row">海南省三亚市吉阳区</th><td>0</td><td>1</td>', page)
    handler = staff_client(app, "handler", "13700000003", "460105")
    mine = handler.get("/return/arrivals").get_data(as_text=True)
    assert "天内预计抵达 3 人" in mine and "三亚" not in mine.split("data-arrivals-districts")[1]
    assert handler.get("/return/arrivals?area=460200").status_code == 422
    supervisor = staff_client(app, "supervisor", "13700000004", "460100")
    assert "天内预计抵达 4 人" in supervisor.get("/return/arrivals").get_data(as_text=True)
    later = admin.get(f"/return/arrivals?start={today + timedelta(days=14)}").get_data(as_text=True)
    assert "天内预计抵达 1 人" in later
    reviewer = staff_client(app, "reviewer", "13700000002")
    assert reviewer.get("/return/arrivals").status_code == 200
    bad_day = admin.get("/return/arrivals?start=yesterday")
    assert bad_day.status_code == 422 and "请按 2026-11-22 的格式填写日期" in bad_day.get_data(as_text=True)
    outside = admin.get("/return/arrivals?area=110000")
    assert outside.status_code == 422 and "请选择您负责的区域" in outside.get_data(as_text=True)
    sanya = admin.get("/return/arrivals?area=460200&lang=en").get_data(as_text=True)
    assert "1 people expected" in sanya and "Expected arrivals" in sanya


def test_residents_and_wardens_do_not_see_arrivals(app, resident):
    assert resident.get("/return/arrivals").status_code == 403
    assert resident.get("/return/uploads").status_code == 403


def test_retention_deletes_old_journeys_and_the_numbers_of_old_lists(app, admin, resident):
    sent_list(admin, ["13812345678"])
    [message] = invitations_to("13812345678")
    app.test_client().post(link_in(message), data=plan())
    resident.post("/return/", data=plan(name="张小明"))
    old = clock.now_utc() - timedelta(days=40)
    db.session.execute(update(ReturnUpload).values(uploaded_at=old))
    db.session.execute(
        update(ReturnRegistration)
        .where(ReturnRegistration.user_id.is_not(None))
        .values(planned_day=clock.local_today() - timedelta(days=40))
    )
    db.session.commit()
    counts = purge()
    assert (counts["return_registrations"], counts["return_invitations"]) == (1, 1)
    kept = db.session.scalar(select(ReturnRegistration))  # planned in 3 days: kept, without its invitation
    assert (kept.phone, kept.invitation_id) == ("13812345678", None)
    assert db.session.scalar(select(func.count()).select_from(ReturnInvitation)) == 0
