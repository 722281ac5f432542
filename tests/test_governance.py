"""Governed colours: four-eyes overrides, appeals with due times, and explainable verdicts."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.infra import clock
from app.models import Appeal, AuditEntry, IssuedCode, Override, User, Verdict
from tests.helpers import ID_NUMBERS, checkin_record, staff_client


def _yellow_resident(resident):
    resident.post("/api/checkins/batch", json={"records": [checkin_record(temperature=38.2)]})
    return resident.get("/api/code").get_json()


def _person():
    return db.session.scalar(select(User).where(User.role == "resident"))


def _ask_override(client, colour="green", **fields):
    today = clock.local_today()
    data = {
        "doc_kind": "resident_id",
        "doc_number": ID_NUMBERS[0],
        "colour": colour,
        "category": "data_correction",
        "reason": "体温数据录入错误，复核正常",
        "start": today.isoformat(),
        "end": (today + timedelta(days=6)).isoformat(),
        **fields,
    }
    return client.post("/authority/overrides", data=data)


def test_an_override_takes_effect_only_after_a_second_reviewer_approves(app, resident):
    code = _yellow_resident(resident)
    first = staff_client(app, "reviewer", "13700000001", name="审核甲")
    second = staff_client(app, "reviewer", "13700000002", name="审核乙")
    assert _ask_override(first).status_code == 302
    override = db.session.scalar(select(Override))
    assert override.state == "pending" and _person().colour == "yellow"

    # the one who asked cannot approve
    response = first.post(f"/authority/overrides/{override.id}/approve")
    assert response.status_code == 409 and "第二名审核员" in response.get_data(as_text=True)
    assert _person().colour == "yellow"

    page = second.post(f"/authority/overrides/{override.id}/approve", follow_redirects=True)
    assert "已批准" in page.get_data(as_text=True)
    person = _person()
    assert person.colour == "green"
    verdict = db.session.get(Verdict, person.verdict_id)
    assert verdict.trigger == f"override:{override.id}" and verdict.reasons[0]["rule_id"] == "override"
    assert db.session.scalar(select(IssuedCode.revoked_at).where(IssuedCode.jti == code["jti"])) is not None
    # the holder sees that an override applies, and its category
    view = resident.get("/api/code").get_json()
    assert (
        view["colour"] == "green"
        and "人工复核" in view["reasons"][0]["text"]
        and "数据更正" in view["reasons"][0]["text"]
    )
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["person_lookup", "override_requested", "override_approved"]
    # decided once only
    assert second.post(f"/authority/overrides/{override.id}/reject").status_code == 409


def test_a_rejected_override_changes_nothing(app, resident):
    _yellow_resident(resident)
    first = staff_client(app, "reviewer", "13700000001")
    admin = staff_client(app, "admin", "13700000002")
    _ask_override(first)
    override_id = db.session.scalar(select(Override.id))
    admin.post(f"/authority/overrides/{override_id}/reject", data={"note": "证据不足"})
    assert db.session.get(Override, override_id).state == "rejected"
    assert _person().colour == "yellow"


def test_override_requests_are_checked(app, resident):
    _yellow_resident(resident)
    reviewer = staff_client(app, "reviewer", "13700000001")
    unknown = _ask_override(reviewer, doc_number=ID_NUMBERS[3])
    assert unknown.status_code == 422 and "没有持该证件的登记人员" in unknown.get_data(as_text=True)
    today = clock.local_today()
    too_long = _ask_override(reviewer, end=(today + timedelta(days=60)).isoformat())
    assert too_long.status_code == 422 and "28" in too_long.get_data(as_text=True)
    assert db.session.scalar(select(Override)) is None
    # every lookup of a person by document is audited, found or not
    assert list(db.session.scalars(select(AuditEntry.action))) == ["person_lookup", "person_lookup"]


def test_a_resident_appeals_and_sees_the_outcome_and_the_new_colour(app, resident):
    _yellow_resident(resident)
    page = resident.post(
        "/appeals", data={"ground": "not_there", "reason": "我当天一直在家，体温是误填的。"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "申诉已收到" in page and "等待审核" in page
    appeal = db.session.scalar(select(Appeal))
    assert appeal.colour == "yellow" and appeal.due_at - appeal.filed_at == timedelta(hours=48)
    # one open appeal at a time
    again = resident.post("/appeals", data={"ground": "other", "reason": "再次提交同样的申诉内容。"})
    assert again.status_code == 422 and "已有一项申诉" in again.get_data(as_text=True)

    first = staff_client(app, "reviewer", "13700000001")
    queue = first.get("/authority/appeals").get_data(as_text=True)
    assert "黄码" in queue and f"/authority/appeals/{appeal.id}" in queue
    detail = first.get(f"/authority/appeals/{appeal.id}").get_data(as_text=True)
    assert "health.fever" in detail and "2026.11-3" in detail and "checkin" in detail  # rule, version, trigger
    assert db.session.scalar(select(AuditEntry.action)) == "appeal_review"
    first.post(
        f"/authority/appeals/{appeal.id}",
        data={
            "outcome": "upheld",
            "message": "经核实体温为误填，予以更正。",
            "override_colour": "green",
            "override_days": "7",
        },
    )
    page = resident.get("/appeals").get_data(as_text=True)
    assert "申诉成立" in page and "经核实体温为误填" in page and "第二名审核员批准后" in page
    assert _person().colour == "yellow"

    second = staff_client(app, "reviewer", "13700000002")
    override_id = db.session.scalar(select(Override.id).where(Override.appeal_id == appeal.id))
    second.post(f"/authority/overrides/{override_id}/approve")
    assert _person().colour == "green"
    assert "已调整为 绿码" in resident.get("/appeals").get_data(as_text=True)


def test_overdue_appeals_lead_the_queue_and_say_so(app, resident, monkeypatch):
    _yellow_resident(resident)
    resident.post(
        "/appeals", data={"ground": "risk_area_too_broad", "reason": "风险地区按整个城市划定，我不在相关小区。"}
    )
    reviewer = staff_client(app, "reviewer", "13700000001")
    later = clock.now_utc() + timedelta(hours=49)
    monkeypatch.setattr(clock, "now_utc", lambda: later)
    page = reviewer.get("/authority/appeals").get_data(as_text=True)
    assert "已超时" in page and "1 件待处理，1 件已超时" in page


def test_green_codes_cannot_be_appealed(app, resident):
    resident.post("/api/checkins/batch", json={"records": [checkin_record()]})
    page = resident.post("/appeals", data={"ground": "other", "reason": "我觉得颜色不对，请核实。"})
    assert page.status_code == 422 and "只有黄码或红码可以申诉" in page.get_data(as_text=True)
    assert db.session.scalar(select(Appeal)) is None


def test_appeal_and_override_pages_are_for_reviewers_and_admins(app, resident):
    for role, phone, scope in (
        ("handler", "13700000011", "460105"),
        ("supervisor", "13700000012", "460100"),
        ("warden", "13700000013", None),
    ):
        if role == "warden":
            from app.services.enrolment import enrol_warden

            client = staff_client(app, "reviewer", phone)
            enrol_warden(
                db.session.scalar(select(User).where(User.phone == phone)),
                "赵值守",
                checkpoint={"name": "卡口", "kind": "mall", "address": "海口市某路1号", "district": "460105"},
            )
        else:
            client = staff_client(app, role, phone, scope)
        for path in ("/authority/", "/authority/appeals", "/authority/appeals/1", "/authority/overrides"):
            assert client.get(path).status_code == 403, (role, path)
        assert client.post("/authority/overrides/1/approve").status_code == 403
    assert resident.get("/authority/appeals").status_code == 403
    reviewer = staff_client(app, "reviewer", "13700000001")
    assert reviewer.get("/appeals").status_code == 403  # the resident page is for residents
