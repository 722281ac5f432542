"""Public reports: filing, routing to the district's handler by signed SMS link, handling, inboxes, and who sees whom."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.infra import clock
from app.infra.sms import SmsFailed
from app.models import AuditEntry, Report, ReportUpdate, SmsMessage
from app.models.report import CLUE_CONDITIONS, SUPERVISION_TYPES
from tests.helpers import ID_NUMBERS, fill_profile, sign_in, staff_client

CLUE = {
    "suspect_name": "李四",
    "district": "460105",
    "place": "秀英区滨海大道2号",
    "condition": "symptoms",
    "description": "连续咳嗽三天，未去医院",
}
SUPERVISION = {
    "report_type": "gathering",
    "district": "460105",
    "place": "长流镇文化广场",
    "description": "每晚二十多人聚集跳广场舞，不戴口罩",
}
HANDLER, OTHER_HANDLER, SUPERVISOR = "13900000201", "13900000202", "13900000301"


def file_report(client, kind="clue", **changes) -> Report:
    """File a report through the form and return it."""
    data = {**(CLUE if kind == "clue" else SUPERVISION), **changes}
    response = client.post(f"/reports/{kind}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.get(Report, int(response.headers["Location"].rsplit("/", 1)[1]))


def report_texts(phone=None) -> list[SmsMessage]:
    query = select(SmsMessage).where(SmsMessage.purpose == "report")
    if phone:
        query = query.where(SmsMessage.phone == phone)
    return list(db.session.scalars(query.order_by(SmsMessage.id)))


def link_in_text(phone) -> str:
    """The path of the handler link in the newest report text to `phone`."""
    return re.search(r"http://localhost(/reports/handle/\S+)", report_texts(phone)[-1].body).group(1)


def new_resident(app, phone, doc_number, district="460105", name="赵邻居"):
    client = app.test_client()
    sign_in(client, phone)
    fill_profile(client, name=name, doc_number=doc_number, district=district)
    return client


@pytest.fixture
def handler(app):
    return staff_client(app, "handler", HANDLER, "460105", name="陈网格")


@pytest.fixture
def supervisor(app):
    return staff_client(app, "supervisor", SUPERVISOR, "460100", name="林监督")


def options(page: str, name: str) -> list[str]:
    return re.findall(rf'<input[^>]*name="{name}"[^>]*type="radio" value="([^"]+)"', page)


# --- filing -------------------------------------------------------------------------------------------------


def test_clue_form_offers_exactly_the_four_conditions(resident):
    page = resident.get("/reports/clue").get_data(as_text=True)
    assert tuple(options(page, "condition")) == CLUE_CONDITIONS
    for words in (
        "近14天内有湖北或其他有持续本地传播地区的旅居史",
        "与疑似、确诊、轻症或无症状感染者有过无防护接触",
        "有发热、乏力、干咳等症状",
        "以上都没有",
    ):
        assert words in page
    assert '<option selected value="460105">' in page  # the resident's own district is preselected


def test_supervision_form_offers_exactly_the_five_types(resident):
    page = resident.get("/reports/supervision").get_data(as_text=True)
    assert tuple(options(page, "report_type")) == SUPERVISION_TYPES
    for words in ("人员流动异常", "聚集活动", "哄抬物价", "假冒伪劣", "违规复工复产复学"):
        assert words in page


def test_clue_needs_its_fields_with_chinese_messages(resident):
    page = resident.post("/reports/clue", data={"suspect_name": " ", "district": "", "place": "", "condition": ""})
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    for message in ("请填写此人的姓名", "请选择所在区县。", "请填写具体地点", "请选择其中一项。"):
        assert message in text
    page = resident.post("/reports/clue", data={**CLUE, "condition": "made_up", "district": "999999"})
    assert page.status_code == 422 and "请选择其中一项。" in page.get_data(as_text=True)
    assert "请选择所在区县。" in page.get_data(as_text=True)
    assert db.session.scalar(select(Report.id)) is None


def test_supervision_needs_type_and_description(resident):
    page = resident.post("/reports/supervision", data={**SUPERVISION, "report_type": "", "description": ""})
    text = page.get_data(as_text=True)
    assert page.status_code == 422 and "请选择其中一项。" in text and "请描述您看到的情况。" in text
    page = resident.post("/reports/supervision", data={**SUPERVISION, "report_type": "noise"})
    assert page.status_code == 422 and db.session.scalar(select(Report.id)) is None


def test_validation_messages_in_english(resident):
    page = resident.post("/reports/supervision?lang=en", data={**SUPERVISION, "description": "", "report_type": ""})
    text = page.get_data(as_text=True)
    assert page.status_code == 422 and "Please describe what you saw." in text
    assert "Please choose one of the options." in text and "Price gouging" in text


def test_residents_fill_their_profile_before_reporting(app):
    client = app.test_client()
    sign_in(client, "13900000009")
    response = client.get("/reports/clue")
    assert response.status_code == 302 and response.headers["Location"] == "/profile"


def test_filing_texts_only_the_districts_handlers_and_never_the_reporter(app, resident, handler, caplog):
    second = staff_client(app, "handler", "13900000203", "460105")
    staff_client(app, "handler", OTHER_HANDLER, "460106")
    staff_client(app, "supervisor", SUPERVISOR, "460100")
    caplog.clear()
    caplog.set_level("INFO")
    response = resident.post("/reports/clue", data=CLUE)
    report = db.session.scalar(select(Report))
    assert response.headers["Location"] == f"/reports/{report.id}"
    assert "已转交海南省海口市秀英区的网格员处理" in resident.get(response.headers["Location"]).get_data(as_text=True)
    assert report.state == "notified" and report.notified_at and report.kind == "clue"
    texts = report_texts()
    assert sorted(t.phone for t in texts) == [HANDLER, "13900000203"]
    for text in texts:
        assert "疫情线索" in text.body and "海口市秀英区" in text.body and "/reports/handle/" in text.body
    for secret in ("张小明", "13900000001", "0001", "李四", "滨海大道"):  # reporter, suspect, place
        assert all(secret not in t.body for t in texts)
        assert secret not in caplog.text
    assert second.get(link_in_text("13900000203")).status_code == 302


def test_supervision_report_is_routed_too(resident, handler):
    report = file_report(resident, "supervision")
    assert report.report_type == "gathering" and report.suspect_name is None and report.state == "notified"
    assert "群众监督举报" in report_texts(HANDLER)[0].body


def test_report_without_handler_stays_submitted_and_supervisors_see_it_flagged(resident, supervisor):
    report = file_report(resident, district="460107")
    assert report.state == "submitted" and report_texts() == []
    page = supervisor.get("/reports/inbox").get_data(as_text=True)
    assert "该区县暂无网格员" in page and f"/reports/{report.id}" in page


def test_failed_text_leaves_the_report_submitted(app, resident, handler, monkeypatch):
    def failing(*args, **kwargs):
        raise SmsFailed("gateway answered 500")

    monkeypatch.setattr("app.services.reports.send_sms", failing)
    report = file_report(resident)
    assert report.state == "submitted"
    assert "尚未通知网格员" in handler.get("/reports/inbox").get_data(as_text=True)


# --- the handler's link ---------------------------------------------------------------------------------


def test_link_signs_the_handler_in_and_opens_the_report(app, resident, handler):
    report = file_report(resident)
    link = link_in_text(HANDLER)
    phone_client = app.test_client()  # the handler's phone, not signed in yet
    response = phone_client.get(link)
    assert response.headers["Location"] == "/auth/sign-in"
    assert sign_in(phone_client, HANDLER).headers["Location"] == link
    response = phone_client.get(link)
    assert response.headers["Location"] == f"/reports/{report.id}"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report_opened"))
    assert entry.subject_id is None and entry.details == {"report_id": report.id}
    page = phone_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "张小明" in page and "139****0001" in page and "李四" in page and "有发热、乏力、干咳等症状" in page


def test_forged_and_expired_links_are_refused(app, resident, handler, monkeypatch):
    file_report(resident)
    link = link_in_text(HANDLER)
    page = handler.get("/reports/handle/not-a-token")
    assert page.status_code == 400 and "该链接无效" in page.get_data(as_text=True)
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")  # 3 characters: beyond base64 padding bits
    assert handler.get(tampered).status_code == 400
    from itsdangerous import URLSafeTimedSerializer

    other_salt = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="staff-enrolment").dumps({"report": 1})
    assert handler.get(f"/reports/handle/{other_salt}").status_code == 400
    import itsdangerous.timed

    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: __import__("time").time_ns() / 1e9 + 73 * 3600)
    page = handler.get(link)
    assert page.status_code == 400 and "已过期" in page.get_data(as_text=True)
    assert handler.get(f"{link}?lang=en").get_data(as_text=True).count("This link has expired") == 1


def test_another_districts_handler_is_refused(app, resident, handler):
    report = file_report(resident)
    link = link_in_text(HANDLER)
    other = staff_client(app, "handler", OTHER_HANDLER, "460106")
    assert other.get(link).status_code == 403
    assert other.get(f"/reports/{report.id}").status_code == 404
    assert other.post(f"/reports/{report.id}/update", data={"state": "resolved", "note": "x"}).status_code == 404
    assert f"/reports/{report.id}" not in other.get("/reports/inbox").get_data(as_text=True)
    assert db.session.get(Report, report.id).state == "notified"


# --- handling -------------------------------------------------------------------------------------------


def test_reporter_sees_the_status_change_after_the_handler_acts(resident, handler):
    report = file_report(resident)
    assert "已转交网格员" in resident.get(f"/reports/{report.id}").get_data(as_text=True)
    response = handler.post(f"/reports/{report.id}/update", data={"state": "verifying", "note": "已联系社区，明早上门"})
    assert response.headers["Location"] == f"/reports/{report.id}"
    page = resident.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "核实中" in page and "已联系社区" not in page  # progress notes stay with staff
    handler.post(f"/reports/{report.id}/update", data={"state": "resolved", "note": "已上门测温，安排居家观察"})
    page = resident.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "已处理" in page and "已上门测温，安排居家观察" in page
    assert "陈网格" not in page and HANDLER[-4:] not in page  # not who handled it
    assert "已处理" in resident.get("/reports/").get_data(as_text=True)
    report = db.session.get(Report, report.id)
    assert report.closed_at and report.result == "已上门测温，安排居家观察" and report.handler_id
    assert [step.state for step in report.updates] == ["submitted", "notified", "verifying", "resolved"]
    staff_page = handler.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "已联系社区，明早上门" in staff_page and "陈网格" in staff_page


def test_a_closed_report_takes_no_more_steps(resident, handler):
    report = file_report(resident)
    handler.post(f"/reports/{report.id}/update", data={"state": "unfounded", "note": "现场核实无此人"})
    page = handler.post(f"/reports/{report.id}/update", data={"state": "verifying", "note": "再看看"})
    assert page.status_code == 409 and "该举报已办结，不能再修改。" in page.get_data(as_text=True)
    assert db.session.scalar(select(Report.state)) == "unfounded"
    assert len(db.session.scalars(select(ReportUpdate)).all()) == 3


def test_handler_steps_are_validated(resident, handler):
    report = file_report(resident)
    page = handler.post(f"/reports/{report.id}/update", data={"state": "verifying", "note": "  "})
    assert page.status_code == 422 and "请填写做了什么或核实到的情况。" in page.get_data(as_text=True)
    page = handler.post(f"/reports/{report.id}/update", data={"state": "notified", "note": "改回"})
    assert page.status_code == 422 and "请选择处理步骤。" in page.get_data(as_text=True)
    assert db.session.get(Report, report.id).state == "notified"


# --- inboxes --------------------------------------------------------------------------------------------


def test_supervisors_see_their_area_overdue_first(app, resident, supervisor, monkeypatch):
    real_now = clock.now_utc
    monkeypatch.setattr(clock, "now_utc", lambda: real_now() - timedelta(hours=30))
    old = file_report(resident, place="龙华区老街菜市场", district="460106")
    monkeypatch.setattr(clock, "now_utc", real_now)
    fresh = file_report(resident, place="秀英区新华书店")
    sanya = file_report(resident, place="三亚湾椰梦长廊", district="460204")
    page = supervisor.get("/reports/inbox").get_data(as_text=True)
    assert page.index("已超时") < page.index("龙华区老街菜市场") < page.index("秀英区新华书店")
    assert "三亚湾椰梦长廊" not in page
    assert re.search(r"已超时 <strong>1</strong>", page) and re.search(r"办理中 <strong>1</strong>", page)
    assert "已超时" in supervisor.get(f"/reports/{old.id}").get_data(as_text=True)
    assert supervisor.get(f"/reports/{fresh.id}").status_code == 200
    assert supervisor.get(f"/reports/{sanya.id}").status_code == 404
    county = staff_client(app, "supervisor", "13900000302", "460204")
    page = county.get("/reports/inbox").get_data(as_text=True)
    assert "三亚湾椰梦长廊" in page and "龙华区老街菜市场" not in page
    province_handler = staff_client(app, "handler", OTHER_HANDLER, "460106")
    page = province_handler.get("/reports/inbox").get_data(as_text=True)
    assert "龙华区老街菜市场" in page and "秀英区新华书店" not in page and "已超时" in page


def test_closed_reports_come_last_and_are_counted(resident, handler):
    closed = file_report(resident, place="已办结的地点")
    handler.post(f"/reports/{closed.id}/update", data={"state": "resolved", "note": "已处理"})
    file_report(resident, place="办理中的地点")
    page = handler.get("/reports/inbox").get_data(as_text=True)
    assert page.index("办理中的地点") < page.index("最近办结") < page.index("已办结的地点")
    assert re.search(r"累计办结 <strong>1</strong>", page)


# --- who sees the reporter ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["resident", "warden", "reviewer", "admin"])
def test_nobody_else_learns_of_a_report(app, resident, role):
    report = file_report(resident)
    if role == "resident":
        other = new_resident(app, "13900000011", ID_NUMBERS[1])
    else:
        other = staff_client(app, role, "13900000012")
    response = other.get(f"/reports/{report.id}")
    assert response.status_code == 404 and "张小明" not in response.get_data(as_text=True)
    assert other.get(f"/reports/{report.id + 1}").status_code == 404


def test_residents_list_only_their_own_reports(app, resident):
    file_report(resident, place="我提交的地点")
    other = new_resident(app, "13900000011", ID_NUMBERS[1])
    assert "我提交的地点" not in other.get("/reports/").get_data(as_text=True)
    page = resident.get("/reports/").get_data(as_text=True)
    assert "我提交的地点" in page and "已提交" in page  # no handler in this test: not passed on yet


# --- every endpoint × role ------------------------------------------------------------------------------

ROLES = ["anonymous", "resident", "warden", "handler", "supervisor", "reviewer", "admin"]
# What each role gets on: index, new_clue, new_supervision, show (someone else's report), update, inbox, handle.
EXPECTED = {
    "resident": (200, 200, 200, 404, 403, 403, 403),
    "warden": (403, 403, 403, 404, 403, 403, 403),
    "handler": (403, 403, 403, 200, 302, 200, 302),
    "supervisor": (403, 403, 403, 200, 403, 200, 403),
    "reviewer": (403, 403, 403, 404, 403, 403, 403),
    "admin": (403, 403, 403, 404, 403, 403, 403),
}


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_checks_the_role(app, role):
    reporter = new_resident(app, "13900000099", ID_NUMBERS[2], name="钱举报")
    staff_client(app, "handler", HANDLER, "460105")
    report = file_report(reporter)
    link = link_in_text(HANDLER)
    if role == "anonymous":
        client = app.test_client()
    elif role == "resident":
        client = new_resident(app, "13900000097", ID_NUMBERS[3])
    elif role == "handler":  # the district's handler, on another device
        client = app.test_client()
        sign_in(client, HANDLER)
    else:
        client = staff_client(app, role, "13900000096", "460100" if role == "supervisor" else None)
    calls = [
        ("GET", "/reports/"),
        ("GET", "/reports/clue"),
        ("GET", "/reports/supervision"),
        ("GET", f"/reports/{report.id}"),
        ("POST", f"/reports/{report.id}/update"),
        ("GET", "/reports/inbox"),
        ("GET", link),
    ]
    for (method, path), expected in zip(calls, EXPECTED.get(role, (302,) * len(calls))):
        response = client.open(path, method=method, data={"state": "verifying", "note": "已到现场"})
        assert response.status_code == expected, (role, path)
        if role == "anonymous":
            assert response.headers["Location"] == "/auth/sign-in", path
    assert db.session.get(Report, report.id).state == ("verifying" if role == "handler" else "notified")
